"""The import contracts of pyproject.toml ([tool.importlinter], run by `make lint`): kept by the code as it is, and
each one broken by a deliberate breach in a copy of the code, so that none of them can pass by checking nothing."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
CONTRACTS = {
    contract["id"]: contract["name"]
    for contract in tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
}


def lint_imports(root: Path) -> subprocess.CompletedProcess:
    # The packages are found on the path, as Python would import them: the copy's, not the installed checkout's.
    environment = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(root / "pyproject.toml"), "--no-cache"],
        cwd=root,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def copy_of_the_code(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("architecture")
    for package in ("shared", "services"):
        shutil.copytree(
            REPO / package, root / package, ignore=shutil.ignore_patterns("__pycache__", "static", "*.json")
        )
    shutil.copy(REPO / "pyproject.toml", root / "pyproject.toml")
    return root


def test_the_code_keeps_every_contract():
    result = lint_imports(REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"Contracts: {len(CONTRACTS)} kept, 0 broken." in result.stdout


# (the contract, the module to edit, the import that breaks it)
BREACHES = [
    ("services-independent", "services/signoff/handlers.py", "import services.passport.domain"),
    ("services-independent", "services/portal/presenters.py", "import services.metrics.domain"),
    ("shared-below-services", "shared/consumer.py", "import services.metrics.domain"),
    ("service-layers", "services/passport/events.py", "import services.passport.handlers"),
    ("service-layers", "services/certificate/domain.py", "import services.certificate.routes"),
    ("pure-domain", "services/planning/domain.py", "import sqlalchemy"),
    ("pure-domain", "shared/domain.py", "import flask"),
    ("acyclic", "shared/config.py", "import shared.cli"),
]


@pytest.mark.parametrize("contract, module, breach", BREACHES, ids=[f"{c}:{m}" for c, m, _ in BREACHES])
def test_each_contract_is_broken_by_a_breach(contract, module, breach, copy_of_the_code):
    path = copy_of_the_code / module
    original = path.read_text()
    path.write_text(f"{original}\n{breach}  # a deliberate breach\n")
    try:
        result = lint_imports(copy_of_the_code)
    finally:
        path.write_text(original)
    assert result.returncode != 0, result.stdout
    assert f"{CONTRACTS[contract]} BROKEN" in " ".join(result.stdout.split()), result.stdout
