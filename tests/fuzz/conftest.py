"""Each service's Trust A world for fuzzing (on SQLite), and what the fuzzer needs to know of it."""

from __future__ import annotations

import os
import uuid

import pytest

from shared.service import load_spec
from tests.authorization.table import ROWS, Row
from tests.authorization.worlds import BUILDERS, World
from tests.support.service_app import Person, ServiceWithTestTokens

# Examples per operation. A few keep CI fast; FUZZ_EXAMPLES=300 makes a thorough run.
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "12"))
# SQLite keeps CI fast; FUZZ_DATABASE=postgresql fuzzes on PostgreSQL (integer ranges, text, dates differ).
DATABASE = os.environ.get("FUZZ_DATABASE", "sqlite")
# Whom each operation is fuzzed as: the first of these that the matrix lets succeed.
PREFERRED_CALLERS = ("trust_admin", "platform_admin", "supervisor", "staff", "anonymous")


def bare_world(service: str, database_url: str) -> World:
    """For a service with no builder in worlds.py yet: the callers, and no objects to aim at."""
    under_test = ServiceWithTestTokens(load_spec(service), database_url)
    people = {
        "staff": under_test.person("staff"),
        "supervisor": under_test.person("supervisor"),
        "trust_admin": under_test.person("trust_admin"),
        "other_trust_admin": under_test.person("trust_admin", trust_id=uuid.uuid4()),
        "platform_admin": Person(under_test.keys, None, ["platform_admin"]),
    }
    headers = {"anonymous": {}, **{name: person.headers for name, person in people.items()}}
    return World(service, under_test, headers, {}, dict)


@pytest.fixture
def world(request) -> World:
    service = request.param
    url = request.getfixturevalue("postgres_url" if DATABASE == "postgresql" else "sqlite_url")
    return BUILDERS[service](url) if service in BUILDERS else bare_world(service, url)


def known_good(service: str, method: str, template: str) -> tuple[Row | None, str]:
    """The matrix row for an operation and the caller it succeeds for (else the Trust's admin)."""
    for entry in ROWS:
        if (entry.service, entry.method, entry.template) == (service, method, template):
            for caller in PREFERRED_CALLERS:
                if 200 <= entry.expect.get(caller, 0) < 300:
                    return entry, caller
    return None, "trust_admin"
