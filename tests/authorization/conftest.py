"""Each service's Trust A world, built once per module on SQLite."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from shared.outbox import OutboxMessage
from tests.authorization.worlds import BUILDERS, World


@pytest.fixture(scope="module")
def worlds(tmp_path_factory):
    """Worlds built on first use: a test of one service does not pay for the others."""
    built: dict[str, World] = {}

    def world(service: str) -> World:
        if service not in built:
            folder = tmp_path_factory.mktemp(service)
            built[service] = BUILDERS[service](f"sqlite:///{folder / 'test.db'}")
        return built[service]

    return world


def database_snapshot(world: World) -> dict[str, list]:
    """Every row of the service's own tables and its outbox: a refused write must change none of them."""
    runtime = world.service.runtime
    tables = [*runtime.spec.metadata.sorted_tables, OutboxMessage.__table__]
    with runtime.database.session() as session:
        return {
            table.name: sorted(json.dumps(list(r), default=str) for r in session.execute(sa.select(table)))
            for table in tables
        }
