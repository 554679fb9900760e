"""`skillpass backup` and `skillpass restore` as an operator runs them, against the real PostgreSQL and
RabbitMQ, on databases of their own (no platform running): the round trip, the manifest's checks, the
refusals, and the vhost's part of the broker's definitions."""

from __future__ import annotations

import json
import os
import subprocess
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import sqlalchemy as sa
from kombu import Connection, Exchange, Queue

from shared import broker_definitions
from shared.config import SERVICE_PORTS
from shared.db import drop_database, ensure_database
from shared.localstack import resolve
from shared.subscribers import SUBSCRIBER_TAG
from tests.support.stack import eventually

DUMPS = [f"{service}.dump" for service in SERVICE_PORTS]


class Platform:
    """The settings of one platform's data: a database per service under a prefix of its own, and a vhost."""

    def __init__(self, database_server: str, amqp_url: str, rabbitmqctl: list[str]):
        self.database_server = database_server
        self.prefix = f"skillpass_test_{uuid.uuid4().hex[:10]}_"
        self.env = {
            **os.environ,
            "DATABASE_SERVER_URL": database_server,
            "DATABASE_NAME_PREFIX": self.prefix,
            "AMQP_URL": amqp_url,
            "RABBITMQCTL": " ".join(rabbitmqctl),
        }
        self.env.pop("DATABASE_URL", None)

    def server_url(self, database: str) -> str:
        return "postgresql+psycopg://" + self.database_server.split("://", 1)[1] + f"/{database}"

    def url(self, service: str) -> str:
        return self.server_url(f"{self.prefix}{service}")

    def create(self) -> None:
        for service in SERVICE_PORTS:
            ensure_database(self.url(service))

    def exists(self, service: str) -> bool:
        engine = sa.create_engine(self.server_url("postgres"))
        try:
            with engine.connect() as connection:
                name = f"{self.prefix}{service}"
                return (
                    connection.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first()
                    is not None
                )
        finally:
            engine.dispose()

    def sql(self, service: str, *statements: str) -> list:
        engine = sa.create_engine(self.url(service))
        try:
            with engine.begin() as connection:
                rows = [connection.execute(sa.text(statement)) for statement in statements]
                return [row.all() for row in rows if row.returns_rows]
        finally:
            engine.dispose()

    def drop(self) -> None:
        for service in SERVICE_PORTS:
            drop_database(self.url(service))

    def skillpass(self, *args: str, **env: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            resolve(["skillpass", *args]), env={**self.env, **env}, capture_output=True, text=True, timeout=300
        )


@pytest.fixture
def platforms(database_server, broker, rabbitmqctl_command):
    """Platforms on fresh databases and fresh vhosts, all dropped afterwards."""
    made, vhosts = [], []

    def new(create: bool = True) -> Platform:
        vhost = broker.new_vhost()
        vhosts.append(vhost)
        platform = Platform(database_server, broker.url_for(vhost), rabbitmqctl_command)
        made.append(platform)
        if create:
            platform.create()
        return platform

    yield new
    for platform in made:
        platform.drop()
    for vhost in vhosts:
        broker.delete_vhost(vhost)


def waiting_messages(broker, amqp_url: str) -> int:
    vhost = Connection(amqp_url).virtual_host
    rows = json.loads(broker.ctl("-q", "list_queues", "-p", vhost, "messages", "--formatter", "json"))
    return sum(row["messages"] for row in rows)


@pytest.fixture
def source(platforms):
    """A platform with something in it: a table with a row in identity's database, a queue bound to an
    exchange and a message waiting in it."""
    platform = platforms()
    platform.sql(
        "identity",
        "CREATE TABLE marker (id integer PRIMARY KEY, note text)",
        "INSERT INTO marker VALUES (1, 'before the backup')",
    )
    with Connection(platform.env["AMQP_URL"]) as connection:
        exchange = Exchange("backup.test", type="topic", durable=True)
        queue = Queue(
            "backup.test.queue",
            exchange=exchange,
            routing_key="kept.#",
            durable=True,
            queue_arguments={"x-queue-type": "quorum"},
        )
        queue(connection.channel()).declare()
        connection.Producer().publish({"in": "flight"}, exchange=exchange, routing_key="kept.one", declare=[exchange])
    return platform


def one_line_error(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 1, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    return lines[0]


def leftovers(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir())


def test_a_backup_restores_into_fresh_databases_and_a_fresh_vhost(source, platforms, broker, tmp_path):
    target = tmp_path / "backups" / "nightly"
    # The broker counts a quorum queue's messages only every few seconds, and the backup reads its count:
    # this test, the one of that count, waits for it (the other tests of the module need not).
    eventually(lambda: waiting_messages(broker, source.env["AMQP_URL"]), lambda n: n == 1)
    # A command line, not just a path, as `docker compose exec -T postgres pg_dump` would be.
    made = source.skillpass("backup", str(target), PG_DUMP="env PGAPPNAME=skillpass-backup pg_dump")
    assert made.returncode == 0, made.stderr
    assert "1 messages were waiting" in made.stderr  # the message in the queue is not in the backup

    manifest = json.loads((target / "manifest.json").read_text())
    assert manifest["format"] == "skillpass-backup" and manifest["format_version"] == 1
    assert manifest["services"] == list(SERVICE_PORTS) and manifest["created_at"]
    assert sorted(manifest["files"]) == sorted([*DUMPS, "broker.json"])
    assert leftovers(target) == sorted([*DUMPS, "broker.json", "manifest.json"])
    assert leftovers(target.parent) == ["nightly"]  # no partial folder left beside it
    for name, entry in manifest["files"].items():
        assert (target / name).stat().st_size == entry["bytes"] > 0
    broker = json.loads((target / "broker.json").read_text())
    assert [q["name"] for q in broker["queues"]] == ["backup.test.queue"]

    fresh = platforms(create=False)  # databases missing: restore creates them
    restored = fresh.skillpass("restore", str(target))
    assert restored.returncode == 0, restored.stderr
    assert fresh.sql("identity", "SELECT id, note FROM marker") == [[(1, "before the backup")]]
    with Connection(fresh.env["AMQP_URL"]) as connection:
        channel = connection.channel()
        # A passive declare only answers when the queue exists; the binding routes a new message to it.
        Queue("backup.test.queue", channel=channel).queue_declare(passive=True)
        connection.Producer().publish({"after": "restore"}, exchange="backup.test", routing_key="kept.two")
        queue = Queue("backup.test.queue", channel=channel)
        message = eventually(lambda: queue.get(no_ack=True), lambda m: m is not None, timeout=10)
        assert message.payload == {"after": "restore"}


def test_a_changed_file_is_refused_by_name_and_nothing_is_restored(source, platforms, tmp_path):
    target = tmp_path / "backup"
    assert source.skillpass("backup", str(target)).returncode == 0
    dump = target / "passport.dump"
    data = bytearray(dump.read_bytes())
    data[-1] ^= 0xFF
    dump.write_bytes(bytes(data))

    fresh = platforms(create=False)
    error = one_line_error(fresh.skillpass("restore", str(target)))
    assert "passport.dump" in error and "sha256" in error
    assert not any(fresh.exists(service) for service in SERVICE_PORTS)


def test_a_backup_refuses_a_folder_that_has_files(source, tmp_path):
    target = tmp_path / "backup"
    target.mkdir()
    (target / "notes.txt").write_text("already here")
    error = one_line_error(source.skillpass("backup", str(target)))
    assert str(target) in error and "not an empty folder" in error
    assert leftovers(target) == ["notes.txt"] and leftovers(tmp_path) == ["backup"]


def test_an_empty_folder_is_used(source, tmp_path):
    target = tmp_path / "backup"
    target.mkdir()
    assert source.skillpass("backup", str(target)).returncode == 0
    assert "manifest.json" in leftovers(target)


def test_a_failed_backup_leaves_no_folder_behind(source, tmp_path):
    target = tmp_path / "backup"
    missing = one_line_error(source.skillpass("backup", str(target), PG_DUMP=str(tmp_path / "no-pg_dump")))
    assert "not found" in missing and "PG_DUMP" in missing
    unreachable = one_line_error(
        source.skillpass("backup", str(target), DATABASE_SERVER_URL="postgresql://postgres@127.0.0.1:9")
    )
    assert "pg_dump failed" in unreachable
    no_broker = one_line_error(source.skillpass("backup", str(target), RABBITMQCTL=str(tmp_path / "no-rabbitmqctl")))
    assert "RABBITMQCTL" in no_broker
    assert leftovers(tmp_path) == []  # the partial folders of all three went too


def test_the_password_reaches_the_tools_in_pgpassword_never_on_their_command_line(source, tmp_path):
    server = urlsplit(source.database_server)
    password = server.password or "never-on-a-command-line"  # with trust authentication any will do
    with_password = urlunsplit(
        server._replace(netloc=f"{server.username or 'postgres'}:{password}@{server.hostname}:{server.port or 5432}")
    )
    seen = tmp_path / "seen.txt"
    recording = f'bash -c \'echo "$PGPASSWORD|$*" >> {seen}; exec pg_dump "$@"\' pg_dump'
    made = source.skillpass("backup", str(tmp_path / "backup"), DATABASE_SERVER_URL=with_password, PG_DUMP=recording)
    assert made.returncode == 0, made.stderr
    calls = seen.read_text().splitlines()
    assert len(calls) == len(SERVICE_PORTS)
    for call in calls:
        given, argv = call.split("|", 1)
        assert given == password and password not in argv and "--dbname=postgresql://" in argv


def test_restore_refuses_databases_with_tables_unless_forced(source, tmp_path):
    target = tmp_path / "backup"
    assert source.skillpass("backup", str(target)).returncode == 0
    source.sql("identity", "INSERT INTO marker VALUES (2, 'after the backup')")

    error = one_line_error(source.skillpass("restore", str(target)))
    assert "queues" in error  # the vhost is checked first: it still has the queue
    source.skillpass("restore", str(target))  # the same refusal, nothing changed
    assert source.sql("identity", "SELECT id FROM marker ORDER BY id") == [[(1,), (2,)]]

    forced = source.skillpass("restore", "--force", str(target))
    assert forced.returncode == 0, forced.stderr
    assert source.sql("identity", "SELECT id, note FROM marker") == [[(1, "before the backup")]]


def test_restore_refuses_a_database_with_tables(source, platforms, tmp_path):
    target = tmp_path / "backup"
    assert source.skillpass("backup", str(target)).returncode == 0
    fresh = platforms()
    fresh.sql("metrics", "CREATE TABLE leftover (id integer)")
    error = one_line_error(fresh.skillpass("restore", str(target)))
    assert f"{fresh.prefix}metrics" in error and "already has tables" in error
    assert fresh.sql("identity", "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'") == [
        [(0,)]
    ]


def test_restore_refuses_a_folder_that_is_not_a_backup(source, tmp_path):
    error = one_line_error(source.skillpass("restore", str(tmp_path)))
    assert "manifest.json" in error


def test_sqlite_and_a_single_database_url_are_refused(tmp_path):
    env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "DATABASE_SERVER_URL")}
    sqlite = subprocess.run(
        resolve(["skillpass", "backup", str(tmp_path / "b")]),
        env={**env, "SKILLPASS_DATA_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "SQLite" in one_line_error(sqlite)
    single = subprocess.run(
        resolve(["skillpass", "backup", str(tmp_path / "b")]),
        env={**env, "DATABASE_URL": "postgresql://postgres@127.0.0.1:5432/one"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "DATABASE_URL" in one_line_error(single)
    assert leftovers(tmp_path) == []


def test_the_vhosts_definitions_keep_only_its_objects_and_its_outside_systems():
    whole = {
        "rabbitmq_version": "3.13.7",
        "vhosts": [{"name": "platform"}, {"name": "other"}],
        "users": [
            {"name": "skillpass", "password_hash": "own", "tags": ["administrator"]},
            {"name": "sub.rostering", "password_hash": "kept", "tags": [SUBSCRIBER_TAG]},
            {"name": "sub.elsewhere", "password_hash": "theirs", "tags": SUBSCRIBER_TAG},
        ],
        "permissions": [
            {"user": "skillpass", "vhost": "platform", "configure": ".*", "write": ".*", "read": ".*"},
            {"user": "sub.rostering", "vhost": "platform", "configure": "^sub", "write": "^sub", "read": "^sub"},
            {"user": "sub.elsewhere", "vhost": "other", "configure": "^sub", "write": "^sub", "read": "^sub"},
        ],
        "topic_permissions": [
            {
                "user": "sub.rostering",
                "vhost": "platform",
                "exchange": "skillpass.public",
                "write": "^$",
                "read": "^RR8\\..*",
            },
            {
                "user": "sub.elsewhere",
                "vhost": "other",
                "exchange": "skillpass.public",
                "write": "^$",
                "read": "^RX1\\..*",
            },
        ],
        "queues": [
            {"name": "passport.events", "vhost": "platform", "durable": True, "arguments": {"x-queue-type": "quorum"}},
            {"name": "theirs", "vhost": "other", "durable": True, "arguments": {}},
        ],
        "exchanges": [{"name": "skillpass.events", "vhost": "platform", "type": "topic"}],
        "bindings": [{"source": "skillpass.events", "vhost": "platform", "destination": "passport.events"}],
        "policies": [{"name": "limit", "vhost": "other"}],
        "parameters": [],
        "global_parameters": [{"name": "cluster_name", "value": "rabbit@host"}],
    }
    kept = broker_definitions.of_vhost(whole, "platform")
    assert [u["name"] for u in kept["users"]] == ["sub.rostering"]  # never the platform's own account
    assert [p["user"] for p in kept["permissions"]] == ["sub.rostering"]
    assert [t["read"] for t in kept["topic_permissions"]] == ["^RR8\\..*"]
    assert [q["name"] for q in kept["queues"]] == ["passport.events"] and kept["policies"] == []
    assert "global_parameters" not in kept and "vhosts" not in kept

    moved = broker_definitions.moved_to(kept, "restored")
    assert moved["vhosts"] == [{"name": "restored"}]
    rows = [
        row
        for section in ("queues", "exchanges", "bindings", "permissions", "topic_permissions")
        for row in moved[section]
    ]
    assert rows and {row["vhost"] for row in rows} == {"restored"}
    assert moved["queues"][0]["arguments"] == {"x-queue-type": "quorum"}
    assert kept["queues"][0]["vhost"] == "platform"  # the backup's copy is left as it was
