"""Who may call what: every route of every service, as each kind of caller, against Trust A's objects.

The table is tests/authorization/table.py. Besides each status, every case checks that:
- Trust B's admin never reads a Trust A object: no Trust A id appears in anything they get back
  (beyond the ids they sent themselves), in listings included;
- a refused write leaves the database as it was, outbox included.
And the table and the apps must agree: a route missing from the table (or a row without a route) fails.
"""

from __future__ import annotations

import re

import pytest

from shared.service import installed_services, load_spec
from tests.authorization.conftest import database_snapshot
from tests.authorization.table import ROWS, Raw, Row
from tests.authorization.worlds import BUILDERS, CALLERS
from tests.support.service_app import ServiceWithTestTokens

CORE_CALLERS = {"anonymous", "staff", "supervisor", "trust_admin", "other_trust_admin"}
_CONVERTER = re.compile(r"<(?:\w+:)?(\w+)>")


def _cases():
    for entry in ROWS:
        for caller, status in entry.expect.items():
            yield pytest.param(
                entry, caller, status, id=f"{entry.service} {entry.method} {entry.path} as {caller} → {status}"
            )


@pytest.mark.parametrize(("entry", "caller", "status"), list(_cases()))
def test_the_caller_gets_the_expected_status(worlds, entry: Row, caller: str, status: int):
    world = worlds(entry.service)
    ids = world.fresh_ids() if entry.fresh else world.ids
    path, body = world.path(entry.path, ids), entry.body_for(world, ids)
    before = database_snapshot(world) if entry.method != "GET" and status >= 400 else None

    if isinstance(body, Raw):
        response = world.client.open(
            path,
            method=entry.method,
            data=body.text.encode(),
            content_type=body.content_type,
            headers=world.headers[caller],
        )
    else:
        response = world.client.open(path, method=entry.method, json=body, headers=world.headers[caller])

    assert response.status_code == status, response.get_data(as_text=True)[:500]
    if status >= 400:
        assert response.mimetype == "application/problem+json"
    if before is not None:
        assert database_snapshot(world) == before, "a refused write changed the database"
    if caller == "other_trust_admin":
        sent = path + repr(body)
        leaked = {i for i in world.trust_a_ids if str(i) in response.get_data(as_text=True) and str(i) not in sent}
        assert not leaked, f"Trust B's admin got Trust A's {leaked}"


def test_every_row_names_the_five_callers():
    incomplete = [f"{r.service} {r.method} {r.path}" for r in ROWS if not CORE_CALLERS <= set(r.expect)]
    unknown = [f"{r.service} {r.method} {r.path}" for r in ROWS if not set(r.expect) <= set(CALLERS)]
    assert not incomplete and not unknown, (incomplete, unknown)


@pytest.mark.parametrize("service", installed_services())
def test_every_route_is_in_the_table(service, sqlite_url):
    """New routes cannot escape the matrix, and rows cannot outlive their routes."""
    app = ServiceWithTestTokens(load_spec(service), sqlite_url).client.application
    routes = {
        (method, _CONVERTER.sub(r"{\1}", rule.rule))
        for rule in app.url_map.iter_rules()
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    table = {(r.method, r.template) for r in ROWS if r.service == service}
    assert sorted(routes - table) == [], f"{service}: routes with no row in the matrix"
    assert sorted(table - routes) == [], f"{service}: rows with no route"
    assert service in BUILDERS, f"{service}: no Trust A world to aim its rows at (tests/authorization/worlds.py)"
