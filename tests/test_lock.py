"""requirements.lock, which `make install`, CI and the image install from, stays in step with pyproject.toml:
every dependency (the test extras too) locked to one version inside its range, and nothing locked twice."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

REPO = Path(__file__).resolve().parents[1]
LOCKED_LINE = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)")


def locked_versions(text: str) -> dict[str, str]:
    locked: dict[str, str] = {}
    for line in text.splitlines():
        if match := LOCKED_LINE.match(line):
            name = canonicalize_name(match[1])
            assert name not in locked, f"{name} is locked twice"
            locked[name] = match[2]
    return locked


def declared_requirements() -> list[Requirement]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    return [Requirement(text) for text in [*project["dependencies"], *project["optional-dependencies"]["test"]]]


def lock_problems(lock_text: str) -> list[str]:
    locked = locked_versions(lock_text)
    problems = []
    for requirement in declared_requirements():
        version = locked.get(canonicalize_name(requirement.name))
        if version is None:
            problems.append(f"{requirement.name} is not locked: run `make lock`")
        elif not requirement.specifier.contains(version, prereleases=True):
            problems.append(f"{requirement.name}=={version} is outside {requirement.specifier}: run `make lock`")
    return problems


def test_the_lock_holds_a_version_of_every_dependency_within_its_range():
    lock_text = (REPO / "requirements.lock").read_text()
    assert not lock_problems(lock_text), "\n".join(lock_problems(lock_text))
    assert "/" not in "".join(line for line in lock_text.splitlines() if line.startswith("--"))  # no local paths


def test_the_lock_check_notices_a_missing_and_an_out_of_range_version():
    lock_text = (REPO / "requirements.lock").read_text()
    without_flask = re.sub(r"^flask==\S+\n", "", lock_text, flags=re.M)
    assert without_flask != lock_text and any("flask is not locked" in p for p in lock_problems(without_flask))
    too_old = re.sub(r"^kombu==\S+", "kombu==5.0.0", lock_text, flags=re.M)
    assert any(p.startswith("kombu==5.0.0 is outside") for p in lock_problems(too_old))
