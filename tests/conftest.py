"""Fixtures for the real infrastructure every test level shares."""

from __future__ import annotations

import contextlib
import json
import uuid
from pathlib import Path

import pytest

from shared.db import drop_database, ensure_database
from tests.support.infra import start_broker, start_database_server

REPO_ROOT = Path(__file__).resolve().parents[1]


def reference_schema(name: str) -> dict:
    """An official schema from the brief beside the repository, or the copy kept in tests/reference."""
    for folder in (REPO_ROOT.parent / "shared" / "reference", REPO_ROOT / "tests" / "reference"):
        if (folder / name).exists():
            return json.loads((folder / name).read_text())
    raise FileNotFoundError(name)


def pytest_xdist_make_scheduler(config, log):
    """`--dist loadscope` as `make test` runs the real-process tests: a module's tests stay together (they
    share its platform), and so do all the browser tests, which share one platform for the package."""
    if config.getvalue("dist") != "loadscope":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class OnePlatformEach(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return "tests/browser" if nodeid.startswith("tests/browser/") else super()._split_scope(nodeid)

    return OnePlatformEach(config, log)


def pytest_collection_modifyitems(items):
    """A test that reaches the PostgreSQL server, however indirectly, is marked `postgresql`, so that
    `make unit` (`-k "not postgresql"`, which matches marks as well as names) runs on SQLite alone."""
    for item in items:
        if "database_server" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.postgresql)


@pytest.fixture(scope="session")
def infrastructure():
    with contextlib.ExitStack() as stack:
        yield stack


@pytest.fixture(scope="session")
def broker(infrastructure):
    return start_broker(infrastructure)


@pytest.fixture(scope="session")
def amqp_url(broker):
    """A fresh vhost for this test run, deleted at the end."""
    with broker.fresh_vhost_url() as url:
        yield url


@pytest.fixture(scope="session")
def rabbitmqctl_command(broker) -> list[str]:
    """How a process of its own runs rabbitmqctl against the test broker (RABBITMQCTL for `skillpass subscribers`)."""
    import shutil

    if not shutil.which(broker.ctl_command[0]):
        pytest.skip(f"{broker.ctl_command[0]} is not installed here")
    return broker.ctl_command


@pytest.fixture(scope="session")
def database_server(infrastructure):
    return start_database_server(infrastructure)


@pytest.fixture
def postgres_url(database_server):
    """A fresh, empty PostgreSQL database (SQLAlchemy URL), dropped after the test."""
    url = "postgresql+psycopg://" + database_server.split("://", 1)[1] + f"/skillpass_test_{uuid.uuid4().hex[:12]}"
    ensure_database(url)
    yield url
    drop_database(url)


@pytest.fixture
def sqlite_url(tmp_path):
    return f"sqlite:///{tmp_path / 'test.db'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request):
    """Both databases the services run on."""
    return request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "postgres_url")


@pytest.fixture(scope="session")
def cloudevents_schema():
    return reference_schema("cloudevents.json")
