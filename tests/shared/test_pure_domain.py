"""Each service's domain rules are plain Python: importing `services.<name>.domain` in a fresh interpreter loads
no web framework, database toolkit, token library, schema library or broker client (shared/domain.py holds
`Caller` and the domain errors for them; shared/errors.py maps the errors to HTTP)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from shared.service import installed_services

FRAMEWORKS = ("flask", "flask_smorest", "werkzeug", "sqlalchemy", "alembic", "jwt", "marshmallow", "kombu", "amqp")
PROBE = "import importlib, json, sys; importlib.import_module(sys.argv[1]); print(json.dumps(sorted(sys.modules)))"


def modules_loaded_by(module: str) -> set[str]:
    result = subprocess.run([sys.executable, "-c", PROBE, module], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return set(json.loads(result.stdout))


@pytest.mark.parametrize("service", installed_services())
def test_a_services_domain_imports_no_framework(service):
    loaded = modules_loaded_by(f"services.{service}.domain")
    assert f"services.{service}.domain" in loaded
    assert not [name for name in loaded if name.split(".")[0] in FRAMEWORKS]


def test_the_probe_sees_a_framework_when_one_is_imported():
    assert "flask" in modules_loaded_by("shared.errors")
