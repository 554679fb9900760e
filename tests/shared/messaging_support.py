"""Helpers for the outbox, relay and consumer tests: a migrated database and threads to run parts in."""

from __future__ import annotations

import threading
import uuid
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from shared.config import Settings
from shared.db import Database, server_connection
from shared.migrations import upgrade
from shared.uow import UnitOfWork
from tests.support.infra import cut_connections as cut_connections_to


def migrated_database(url: str, tmp_path: Path) -> Database:
    versions = tmp_path / "no-service-versions"
    versions.mkdir(exist_ok=True)
    upgrade(url, versions)
    return Database(url)


def cut_connections(database: Database) -> int:
    """End every server process connected to the database, as a PostgreSQL restart would; how many."""
    with server_connection(database.url) as connection:
        return cut_connections_to(connection, database.engine.url.database)


def settings_for(service: str, database_url: str, amqp_url: str, **env) -> Settings:
    return Settings.from_env(service, {"DATABASE_URL": database_url, "AMQP_URL": amqp_url, **env})


@contextmanager
def running(target_factory, count: int = 1):
    """Run `count` copies of a stoppable part (relay, consumer) in threads for the block's duration."""
    stop = threading.Event()
    parts = [target_factory(stop) for _ in range(count)]
    threads = [threading.Thread(target=part.run, daemon=True) for part in parts]
    for thread in threads:
        thread.start()
    try:
        yield parts
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=15)


def trust_created_data(name: str = "Test Trust") -> dict:
    return {
        "trust_id": uuid.uuid4(),
        "name": name,
        "ods_code": "T" + uuid.uuid4().hex[:5].upper(),
        "created_at": datetime.now(UTC),
    }


def stage_trust_created(database: Database, service: str = "identity", *, commit: bool = True) -> dict:
    with UnitOfWork(database, service) as uow:
        data = trust_created_data()
        envelope = uow.publish("trust.created", subject=data["trust_id"], data=data, trust_id=data["trust_id"])
        if commit:
            uow.commit()
    return envelope
