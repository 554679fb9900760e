"""Database access: one engine per process, created on first use (after gunicorn forks)."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import DateTime, create_engine, event, text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.orm import DeclarativeBase, Session, relationship, sessionmaker
from sqlalchemy.pool import NullPool
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_id() -> uuid.UUID:
    return uuid.uuid4()


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on every database (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None:
            if value.tzinfo is None:
                raise ValueError("naive datetime given; use an aware UTC datetime")
            value = value.astimezone(UTC)
            if dialect.name == "sqlite":
                value = value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    """Tables of the shared plumbing (outbox, inbox). Each service has its own base too."""


def partial_index(name: str, *columns: str, where: str, unique: bool = False) -> sa.Index:
    """An index of only the rows `where` holds (the rows still to send, say), as both databases write one."""
    return sa.Index(name, *columns, unique=unique, postgresql_where=sa.text(where), sqlite_where=sa.text(where))


def looked_up(target: type, model: str, column: str):
    """A view-only relationship from `model.column` to `target`, this service's row of another service's facts
    (a person, a Trust) by its id. Names are looked up, never copied: a name changed at its owner shows on the
    next read."""
    return relationship(
        target, primaryjoin=f"foreign({model}.{column}) == {target.__name__}.id", viewonly=True, lazy="selectin"
    )


class NamedPerson:
    """A person's name and staff number beside their id (DESIGN §8), read through the relationship that
    `PERSON` names (see looked_up); None until identity's user event arrives."""

    PERSON = "staff"

    @property
    def staff_name(self) -> str | None:
        person = getattr(self, self.PERSON)
        return person.name if person else None

    @property
    def staff_number(self) -> str | None:
        person = getattr(self, self.PERSON)
        return person.staff_number if person else None


class Database:
    """Lazily-created engine and session factory for one service database."""

    def __init__(self, url: str, *, pre_ping: bool = True):
        self.url = url
        # Whether each checkout first asks PostgreSQL if the connection still answers (one round trip), so that a
        # connection a database restart cut is replaced before use. A web request has no retry of its own; the
        # worker's consumer and relay retry a transaction that lost its connection, and go without the ping.
        self.pre_ping = pre_ping
        self._engine: Engine | None = None
        self._sessions: sessionmaker[Session] | None = None
        self._lock = threading.Lock()

    @property
    def is_postgres(self) -> bool:
        return self.url.startswith("postgresql")

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            with self._lock:
                if self._engine is None:
                    self._engine = _create_engine(self.url, self.pre_ping)
                    self._sessions = sessionmaker(self._engine, expire_on_commit=False)
        return self._engine

    def session(self) -> Session:
        self.engine  # noqa: B018 - creates the session factory on first use
        assert self._sessions is not None
        return self._sessions()

    def ping(self) -> None:
        with self.engine.connect() as connection:
            connection.execute(text("SELECT 1"))

    def dispose(self) -> None:
        """Forget connections inherited across fork; the next use reconnects."""
        if self._engine is not None:
            self._engine.dispose(close=False)


def _create_engine(url: str, pre_ping: bool = True) -> Engine:
    if url.startswith("sqlite"):
        database = make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
        _make_sqlite_shareable(engine)
        return engine
    return create_engine(url, pool_pre_ping=pre_ping, pool_size=5, max_overflow=5)


def _make_sqlite_shareable(engine: Engine) -> None:
    """WAL, a busy timeout and BEGIN IMMEDIATE, so that web and worker processes share one file."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # let SQLAlchemy's BEGIN below take over
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def dialect_insert(session):
    """The INSERT of the session's database, with its ON CONFLICT clauses (PostgreSQL and SQLite alike)."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert


def insert_if_missing(session, model, values: dict) -> bool:
    """INSERT … ON CONFLICT DO NOTHING: a row to lock even when two requests create it at once.
    True when this call inserted it."""
    key = next(iter(sa.inspect(model).primary_key))
    inserted = dialect_insert(session)(model.__table__).values(**values).on_conflict_do_nothing().returning(key)
    return session.execute(inserted).first() is not None


def upsert_locked(session, model, values: dict):
    """The row with the primary key in `values`, inserted with them if missing, locked for the transaction
    and loaded, in one round trip (INSERT … ON CONFLICT DO UPDATE … RETURNING)."""
    keys = [column.name for column in sa.inspect(model).primary_key]
    # Setting the key to itself takes the row's lock; a literal, because building `excluded` costs more
    # than the round trip saved.
    statement = (
        dialect_insert(session)(model)
        .values(**values)
        .on_conflict_do_update(index_elements=keys, set_={keys[0]: values[keys[0]]})
    )
    return session.scalars(statement.returning(model), execution_options={"populate_existing": True}).one()


def upsert_locked_many(session, model, rows: list[dict]) -> dict[tuple, object]:
    """Many rows as upsert_locked takes one, in one statement: each inserted with its values if missing, then
    every one locked and loaded; by primary key (a tuple). Rows are locked in key order, as every transaction
    takes them, so that two never wait for each other crosswise; of two rows with one key, the first's values
    are inserted. Each row names the same columns."""
    keys = [column.name for column in sa.inspect(model).primary_key]
    unique: dict[tuple, dict] = {}
    for values in rows:
        unique.setdefault(tuple(values[k] for k in keys), values)
    if not unique:
        return {}
    # The rows as parameters of one statement (SQLAlchemy's "insertmanyvalues"), not as VALUES of their own: a
    # statement with its values in it is compiled anew each time, which cost more than its round trip.
    insert = dialect_insert(session)(model)
    statement = insert.on_conflict_do_update(index_elements=keys, set_={keys[0]: insert.excluded[keys[0]]})
    loaded = session.scalars(
        statement.returning(model),
        [unique[key] for key in sorted(unique)],
        execution_options={"populate_existing": True},
    )
    return {tuple(getattr(row, k) for k in keys): row for row in loaded}


def ensure_database(url: str) -> None:
    """Create the PostgreSQL database named in url when it does not exist yet."""
    parsed = make_url(url)
    if parsed.drivername.startswith("sqlite"):
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        return
    with server_connection(url) as connection:
        exists = connection.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": parsed.database}
        ).scalar()
        if not exists:
            quoted = parsed.database.replace('"', '""')
            connection.execute(text(f'CREATE DATABASE "{quoted}"'))


def drop_database(url: str) -> None:
    parsed = make_url(url)
    if not parsed.drivername.startswith("postgresql"):
        database = parsed.database
        if database and database != ":memory:":
            for suffix in ("", "-wal", "-shm"):
                Path(database + suffix).unlink(missing_ok=True)
        return
    with server_connection(url) as connection:
        quoted = parsed.database.replace('"', '""')
        connection.execute(text(f'DROP DATABASE IF EXISTS "{quoted}" WITH (FORCE)'))


@contextmanager
def server_connection(url) -> Iterator[Connection]:
    """An autocommit connection to the PostgreSQL server of `url` (its `postgres` database), for statements about
    whole databases; not pooled."""
    admin = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        with admin.connect() as connection:
            yield connection
    finally:
        admin.dispose()
