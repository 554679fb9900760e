"""A service's own app in process, on a real database: init run, then Flask's test client."""

from __future__ import annotations

import atexit
import json
import os
import shutil
import sqlite3
import tempfile
import uuid
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa

from shared.app import create_app
from shared.cli import run_init
from shared.config import Settings
from shared.consumer import apply_batch, apply_once
from shared.db import drop_database, ensure_database, server_connection
from shared.events import load_payload, make_envelope, parse_envelope, serialise_payload
from shared.outbox import OutboxMessage
from shared.service import Runtime, ServiceSpec
from shared.testing import TEST_ISSUER, TestKeys
from tests.support.infra import cut_connections

NO_BROKER = "amqp://guest:guest@127.0.0.1:1//"


class ServiceUnderTest:
    def __init__(self, spec: ServiceSpec, database_url: str, *, key_resolver=None, **env: str):
        settings = Settings.from_env(spec.name, {"DATABASE_URL": database_url, "AMQP_URL": NO_BROKER, **env})
        sqlite_file = Path(database_url.removeprefix("sqlite:///")) if database_url.startswith("sqlite:///") else None
        if sqlite_file and not sqlite_file.exists():  # a new database: a copy of one init has run on
            _copy_initialised(spec, env, sqlite_file)
            self.runtime = Runtime(spec, settings, key_resolver=key_resolver)
        elif not sqlite_file and _is_empty_postgresql(database_url):  # likewise, made from a template
            _clone_initialised(spec, env, database_url)
            self.runtime = Runtime(spec, settings, key_resolver=key_resolver)
        else:  # a database a test started before: init runs on it, as a restart would
            self.runtime = Runtime(spec, settings, key_resolver=key_resolver)
            run_init(self.runtime)
        self.client = create_app(spec, self.runtime, log_to_stdout=False).test_client()
        self._batch: list | None = None

    def outbox(self, event_type: str | None = None) -> list[dict]:
        """The envelopes staged so far, oldest first."""
        with self.runtime.database.session() as session:
            query = sa.select(OutboxMessage).order_by(OutboxMessage.id)
            if event_type:
                query = query.where(OutboxMessage.event_type == event_type)
            return [json.loads(row.envelope) for row in session.scalars(query)]

    def deliver(self, event_type: str, data: dict, *, subject=None, trust_id=None, event_id=None) -> bool:
        """Apply an event as the worker's consumer would (inbox and all), without a broker."""
        envelope = make_envelope(
            service="test",
            event_type=event_type,
            subject=str(subject or "test"),
            data=serialise_payload(event_type, data),
            trust_id=trust_id,
            correlation_id=None,
            event_id=event_id,
        )
        return self.deliver_envelope(envelope)

    def deliver_envelope(self, envelope: dict) -> bool:
        event = parse_envelope(envelope)
        delivery = (event, load_payload(event.type, event.data), self.runtime.spec.handlers[event.type])
        if self._batch is not None:
            self._batch.append(delivery)
            return True  # taken: applied when the batch is
        return apply_once(self.runtime.database, self.runtime.spec.name, *delivery)

    @contextmanager
    def delivered_together(self):
        """Events delivered in the block are applied at its end in one transaction, as the consumer applies
        what was waiting on its queue; the block's value becomes each one's outcome (False: seen before)."""
        self._batch, outcomes = [], []
        try:
            yield outcomes
            outcomes.extend(apply_batch(self.runtime.database, self.runtime.spec.name, self._batch))
        finally:
            self._batch = None


# SQLite databases that `init` has run on, one per service and settings, made once per test process: a test's
# database starts as a copy (init's migrations are most of a test's set-up time otherwise).
_INITIALISED: dict[tuple, Path] = {}
_TEMPLATES = Path(tempfile.mkdtemp(prefix="skillpass-initialised-"))
atexit.register(shutil.rmtree, _TEMPLATES, ignore_errors=True)


def _copy_initialised(spec: ServiceSpec, env: dict[str, str], target: Path) -> None:
    key = (spec.name, tuple(sorted(env.items())))
    if key not in _INITIALISED:
        template = _TEMPLATES / f"{spec.name}-{len(_INITIALISED)}.db"
        settings = Settings.from_env(spec.name, {"DATABASE_URL": f"sqlite:///{template}", "AMQP_URL": NO_BROKER, **env})
        runtime = Runtime(spec, settings)
        run_init(runtime)
        runtime.database.dispose()
        _INITIALISED[key] = template
    # The backup API copies what the write-ahead log holds too, whatever state the template's files are in.
    with sqlite3.connect(_INITIALISED[key]) as source, sqlite3.connect(target) as copy:
        source.backup(copy)
    source.close()
    copy.close()


# The same for PostgreSQL: a template database per service and settings, made once per test process, and each
# test's new database made from it (CREATE DATABASE ... TEMPLATE copies it in a fraction of init's time).
_POSTGRESQL_TEMPLATES: dict[tuple, str] = {}


def _is_empty_postgresql(database_url: str) -> bool:
    engine = sa.create_engine(database_url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as connection:
            return not connection.execute(
                sa.text("SELECT 1 FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema') LIMIT 1")
            ).first()
    finally:
        engine.dispose()


def _clone_initialised(spec: ServiceSpec, env: dict[str, str], database_url: str) -> None:
    url = sa.make_url(database_url)
    key = (url.set(database="postgres").render_as_string(hide_password=False), spec.name, tuple(sorted(env.items())))
    if key not in _POSTGRESQL_TEMPLATES:
        template = f"skillpass_test_template_{os.getpid()}_{spec.name}_{len(_POSTGRESQL_TEMPLATES)}"
        template_url = url.set(database=template).render_as_string(hide_password=False)
        drop_database(template_url)
        ensure_database(template_url)
        settings = Settings.from_env(spec.name, {"DATABASE_URL": template_url, "AMQP_URL": NO_BROKER, **env})
        runtime = Runtime(spec, settings)
        run_init(runtime)
        runtime.database.dispose()
        atexit.register(drop_database, template_url)
        _POSTGRESQL_TEMPLATES[key] = template
    with server_connection(url) as connection:
        # A template must have no connections while it is copied; init's components may keep one open.
        cut_connections(connection, _POSTGRESQL_TEMPLATES[key])
        connection.execute(sa.text(f'DROP DATABASE "{url.database}" WITH (FORCE)'))
        connection.execute(sa.text(f'CREATE DATABASE "{url.database}" TEMPLATE "{_POSTGRESQL_TEMPLATES[key]}"'))


class Person:
    """Someone with a bearer token minted by the test key: all most services need to know of a caller."""

    def __init__(self, keys: TestKeys, trust_id, roles, user_id=None):
        self.id = user_id or uuid.uuid4()
        self.trust_id = trust_id
        self.roles = list(roles)
        self.headers = {"Authorization": f"Bearer {keys.token(user_id=self.id, trust_id=trust_id, roles=roles)}"}


class ServiceWithTestTokens(ServiceUnderTest):
    """A service that verifies tokens minted by a test key, for callers of one Trust (or another)."""

    def __init__(self, spec: ServiceSpec, database_url: str, **env: str):
        self.keys = TestKeys()
        super().__init__(spec, database_url, key_resolver=self.keys.resolver(), IDENTITY_ISSUER=TEST_ISSUER, **env)
        self.trust_id = uuid.uuid4()

    def person(self, *roles, trust_id=None) -> Person:
        return Person(self.keys, trust_id or self.trust_id, roles or ("staff",))


def problem(response, status):
    assert response.status_code == status, response.get_json()
    assert response.mimetype == "application/problem+json"
    return response.get_json()
