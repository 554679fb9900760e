"""`skillpass backup DIR` and `skillpass restore DIR`: every service's database and the broker's definitions.

    skillpass backup DIR              write a backup into DIR (new, or an empty folder)
    skillpass restore DIR [--force]   check DIR's checksums, then restore it into the databases and vhost
                                      the settings name (empty ones; --force: over what is there)

A backup is a folder:
    <service>.dump   `pg_dump --format=custom` of each service's database (SERVICE_PORTS; the portal has none)
    broker.json      the definitions of the vhost of AMQP_URL and the outside systems' accounts
                     (shared/broker_definitions.py), from `rabbitmqctl export_definitions`
    manifest.json    the format and its version, the time, the services, each file's size and sha256

It is written into a hidden folder beside DIR and renamed to DIR only when complete, so a backup that
failed part way never looks like one. Messages waiting in queues are not backed up.

The databases are the ones the services use: DATABASE_SERVER_URL and DATABASE_NAME_PREFIX + the service's
name (SQLite files and a single DATABASE_URL are refused). The tools are run as PG_DUMP, PG_RESTORE, PSQL
and RABBITMQCTL say, each a command line, so that they can run inside the servers' own containers
(`docker compose exec -T postgres pg_dump`): pg_dump writes to its standard output and pg_restore reads its
standard input, and the server URL is then the one the container sees. A password in the URL reaches the
tools in PGPASSWORD, never on their command line.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import make_url

from shared import broker_definitions
from shared.config import SERVICE_PORTS, Settings
from shared.subscribers import SubscriberError, rabbitmqctl_runner, vhost_of

FORMAT = "skillpass-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
BROKER_FILE = "broker.json"
TOOL_TIMEOUT_SECONDS = 3600


class BackupError(Exception):
    """Something the operator can fix: told in one line, exit code 1."""


# --- Where the data is ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Database:
    """One service's PostgreSQL database, as libpq URLs for the tools: the password goes to them in
    PGPASSWORD, never on a command line, which anyone on the machine may read."""

    service: str
    address: str  # postgresql://user:password@host:port/name

    @property
    def name(self) -> str:
        return make_url(self.address).database

    @property
    def password(self) -> str | None:
        return make_url(self.address).password

    @property
    def url(self) -> str:
        return _render(make_url(self.address)._replace(password=None))  # set() ignores a None

    @property
    def server_url(self) -> str:
        """The same server's `postgres` database, where databases are created."""
        return _render(make_url(self.address)._replace(password=None, database="postgres"))

    @property
    def dump_file(self) -> str:
        return f"{self.service}.dump"


def _render(url) -> str:
    return url.render_as_string(hide_password=False)


def libpq_url(sqlalchemy_url: str) -> str:
    """postgresql+psycopg://… (SQLAlchemy's) back to the postgresql://… libpq's tools take."""
    return _render(make_url(sqlalchemy_url).set(drivername="postgresql"))


def databases_of(env: dict[str, str], services=tuple(SERVICE_PORTS)) -> list[Database]:
    if env.get("DATABASE_URL"):
        raise BackupError(
            "DATABASE_URL names a single database: set DATABASE_SERVER_URL instead, where each "
            "service has a database of its own"
        )
    found = []
    for service in services:
        try:
            settings = Settings.from_env(service, env)
        except ValueError as error:
            raise BackupError(str(error)) from None
        if not settings.is_postgres:
            raise BackupError(
                "no DATABASE_SERVER_URL: the services keep SQLite files (SKILLPASS_DATA_DIR), which "
                "this command does not back up; stop every process and copy that folder instead"
            )
        found.append(Database(service, libpq_url(settings.database_url)))
    return found


# --- The tools -------------------------------------------------------------------------------------------


class Tools:
    """pg_dump, pg_restore and psql as the settings say to run them."""

    def __init__(self, settings: Settings, env: dict[str, str]):
        self.commands = {
            "pg_dump": (settings.pg_dump, "PG_DUMP"),
            "pg_restore": (settings.pg_restore, "PG_RESTORE"),
            "psql": (settings.psql, "PSQL"),
        }
        self.env = env  # the tools' own (PATH, PGSSLMODE, …), as the command was given them

    def run(self, tool: str, database: Database, *args: str, stdin=None, stdout=None) -> str:
        command, setting = self.commands[tool]
        argv = [*shlex.split(command), *args]
        env = dict(self.env)
        if database.password is not None:
            env["PGPASSWORD"] = database.password  # `docker compose exec -e PGPASSWORD` passes it on
        try:
            result = subprocess.run(
                argv,
                stdin=stdin,
                stdout=stdout or subprocess.PIPE,
                stderr=subprocess.PIPE,
                env=env,
                timeout=TOOL_TIMEOUT_SECONDS,
            )
        except FileNotFoundError:
            raise BackupError(
                f"{argv[0]} not found: install the PostgreSQL client tools (the server's major "
                f"version or later), or set {setting} to the command that runs {tool}"
            ) from None
        except subprocess.TimeoutExpired:
            raise BackupError(f"{tool} did not finish within {TOOL_TIMEOUT_SECONDS} s") from None
        if result.returncode != 0:
            said = " ".join(result.stderr.decode(errors="replace").split()) or f"exit code {result.returncode}"
            raise BackupError(f"{tool} failed: {said[:500]}")
        return result.stdout.decode(errors="replace") if stdout is None else ""

    def query(self, database: Database, sql: str, on_server: bool = False) -> str:
        """The answer of psql to one statement, in the database or (on_server) the server's `postgres`."""
        url = database.server_url if on_server else database.url
        return self.run(
            "psql",
            database,
            "--no-psqlrc",
            "--quiet",
            "--tuples-only",
            "--no-align",
            "--set",
            "ON_ERROR_STOP=1",
            f"--dbname={url}",
            f"--command={sql}",
        ).strip()


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def database_exists(tools: Tools, database: Database) -> bool:
    return (
        tools.query(database, f"SELECT 1 FROM pg_database WHERE datname = {_literal(database.name)}", on_server=True)
        == "1"
    )


def table_count(tools: Tools, database: Database) -> int:
    return int(
        tools.query(
            database,
            "SELECT count(*) FROM information_schema.tables "
            "WHERE table_schema NOT IN ('pg_catalog', 'information_schema')",
        )
    )


def create_database(tools: Tools, database: Database) -> None:
    quoted = database.name.replace('"', '""')
    tools.query(database, f'CREATE DATABASE "{quoted}"', on_server=True)


class Broker:
    """The broker through rabbitmqctl (RABBITMQCTL), on the vhost of AMQP_URL."""

    def __init__(self, settings: Settings):
        self.vhost = vhost_of(settings.amqp_url)
        self.ctl = rabbitmqctl_runner(shlex.split(settings.rabbitmqctl))

    def definitions(self) -> dict:
        """The whole broker's definitions: export_definitions works on every installation (RabbitMQ 3.8+),
        where the management plugin's HTTP API is not always enabled."""
        whole = _json_after(self.ctl("export_definitions", "-", "--format", "json", "--quiet"), "{")
        if self.vhost not in {row["name"] for row in whole.get("vhosts", [])}:
            raise BackupError(f"the broker has no vhost {self.vhost!r} (the vhost of AMQP_URL)")
        return whole

    def queues(self) -> list[dict]:
        return _json_after(
            self.ctl("list_queues", "-p", self.vhost, "name", "messages", "--formatter", "json", "--quiet"), "["
        )

    def has_vhost(self) -> bool:
        listed = _json_after(self.ctl("list_vhosts", "name", "--formatter", "json", "--quiet"), "[")
        return self.vhost in {row["name"] for row in listed}

    def load(self, definitions: dict) -> None:
        # With no file named, import_definitions reads its standard input (`-` is taken for a file name).
        self.ctl("import_definitions", "--format", "json", "--quiet", stdin=json.dumps(definitions))


def _json_after(output: str, opening: str):
    start = output.find(opening)  # anything rabbitmqctl said before the JSON
    if start < 0:
        return [] if opening == "[" else {}
    try:
        return json.loads(output[start:])
    except ValueError:
        raise BackupError(f"rabbitmqctl's answer is not the JSON expected: {' '.join(output.split())[:200]}") from None


# --- Files -----------------------------------------------------------------------------------------------


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _fsync_dir(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _check_free(directory: Path) -> None:
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise BackupError(f"{directory} already exists and is not an empty folder: choose a new one")


# --- Backup ----------------------------------------------------------------------------------------------


def back_up(directory: Path, env: dict[str, str]) -> dict:
    """Write the backup into DIR; returns its manifest. DIR appears only once everything is in it."""
    databases = databases_of(env)
    settings = Settings.from_env(databases[0].service, env)
    tools, broker = Tools(settings, env), Broker(settings)
    _check_free(directory)
    directory.parent.mkdir(parents=True, exist_ok=True)
    partial = Path(tempfile.mkdtemp(prefix=f".{directory.name}.partial-", dir=directory.parent))
    try:
        # The broker first: a missing vhost or rabbitmqctl is told before minutes of dumping.
        definitions = broker_definitions.of_vhost(broker.definitions(), broker.vhost)
        waiting = sum(int(row.get("messages") or 0) for row in broker.queues())
        _write_json(partial / BROKER_FILE, definitions)
        for database in databases:
            with open(partial / database.dump_file, "wb") as out:
                try:
                    tools.run("pg_dump", database, "--format=custom", f"--dbname={database.url}", stdout=out)
                except BackupError as error:
                    raise BackupError(f"{database.service}'s database {database.name}: {error}") from None
                out.flush()
                os.fsync(out.fileno())
        files = [database.dump_file for database in databases] + [BROKER_FILE]
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "services": [database.service for database in databases],
            "databases": {database.service: database.name for database in databases},
            "broker": {
                "vhost": broker.vhost,
                "definitions": broker_definitions.counts(definitions),
                "messages_not_backed_up": waiting,
            },
            "files": {
                name: {"bytes": (partial / name).stat().st_size, "sha256": sha256_of(partial / name)} for name in files
            },
        }
        _write_json(partial / MANIFEST, manifest)
        _fsync_dir(partial)
        _check_free(directory)  # nothing appeared there meanwhile
        if directory.exists():
            directory.rmdir()
        partial.rename(directory)
        _fsync_dir(directory.parent)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return manifest


def _write_json(path: Path, document: dict) -> None:
    with open(path, "w", encoding="utf-8") as file:
        json.dump(document, file, indent=2, sort_keys=True)
        file.write("\n")
        file.flush()
        os.fsync(file.fileno())


# --- Restore ---------------------------------------------------------------------------------------------


def verified_manifest(directory: Path) -> dict:
    """The backup's manifest, once every file it lists is there with its checksum."""
    path = directory / MANIFEST
    if not path.is_file():
        raise BackupError(f"{directory} is not a backup: it has no {MANIFEST}")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError):
        raise BackupError(f"{MANIFEST} in {directory} is not valid JSON") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{MANIFEST} in {directory} is not a Skills Passports backup's manifest")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            f"the backup's format version is {manifest.get('format_version')!r}; this version "
            f"restores version {FORMAT_VERSION} only"
        )
    files = manifest.get("files") or {}
    unknown = sorted(set(manifest.get("services") or []) - set(SERVICE_PORTS))
    if unknown:
        raise BackupError(f"the backup has services this version does not know: {', '.join(unknown)}")
    needed = [f"{service}.dump" for service in manifest.get("services") or []] + [BROKER_FILE]
    for name in needed:
        if name not in files:
            raise BackupError(f"{MANIFEST} does not list {name}")
    for name, entry in files.items():
        if Path(name).name != name:
            raise BackupError(f"{MANIFEST} lists {name!r}, which is not a file name in the backup")
        if not (directory / name).is_file():
            raise BackupError(f"{name} is missing from {directory}")
        if sha256_of(directory / name) != entry.get("sha256"):
            raise BackupError(
                f"{name} does not match its sha256 in {MANIFEST}: the backup is damaged or was "
                "changed; nothing restored"
            )
    return manifest


def restore(directory: Path, env: dict[str, str], force: bool = False) -> list[str]:
    """Restore DIR into the databases and vhost of the settings; returns what was done, line by line."""
    manifest = verified_manifest(directory)
    databases = databases_of(env, manifest["services"])
    settings = Settings.from_env(databases[0].service, env)
    tools, broker = Tools(settings, env), Broker(settings)

    # Every check before any change: a refusal leaves everything as it was.
    if not broker.has_vhost():
        raise BackupError(
            f"the broker has no vhost {broker.vhost!r} (the vhost of AMQP_URL): create it first "
            "(`rabbitmqctl add_vhost` and `set_permissions` for the platform's user)"
        )
    queues = broker.queues()
    if queues and not force:
        raise BackupError(
            f"vhost {broker.vhost!r} already has {len(queues)} queues: restore into a fresh vhost, "
            "or give --force to add the backup's definitions to it"
        )
    missing = []
    for database in databases:
        if not database_exists(tools, database):
            missing.append(database)
        elif not force and table_count(tools, database):
            raise BackupError(
                f"database {database.name} ({database.service}) already has tables: restore into "
                "fresh databases, or give --force to replace what the backup has"
            )

    done = []
    for database in missing:
        create_database(tools, database)
    for database in databases:
        options = ["--no-owner", "--exit-on-error", "--single-transaction"]
        if force:
            options += ["--clean", "--if-exists"]
        with open(directory / database.dump_file, "rb") as dump:
            try:
                tools.run("pg_restore", database, *options, f"--dbname={database.url}", stdin=dump)
            except BackupError as error:
                # One transaction each: this database is as it was, the ones before it are restored.
                before = ", ".join(line.split(":")[0] for line in done) or "none"
                raise BackupError(
                    f"{database.service}'s database {database.name}: {error} (restored before it: "
                    f"{before}; the broker not yet)"
                ) from None
        done.append(f"{database.service}: restored into database {database.name}")
    definitions = json.loads((directory / BROKER_FILE).read_text(encoding="utf-8"))
    broker.load(broker_definitions.moved_to(definitions, broker.vhost))
    kinds = broker_definitions.counts(definitions)
    done.append(
        f"broker: vhost {broker.vhost} has the definitions of {manifest['broker']['vhost']} "
        f"({kinds['queues']} queues, {kinds['exchanges']} exchanges, {kinds['bindings']} bindings, "
        f"{kinds['users']} subscriber accounts)"
    )
    return done


# --- Command line ----------------------------------------------------------------------------------------


def _one_line(error: Exception) -> str:
    """rabbitmqctl's complaints run over several lines: an operator's log wants one."""
    return " ".join(str(error).split())


def backup_command(args: list[str], env: dict[str, str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="skillpass backup",
        description="Back up every service's database (pg_dump) and the broker's definitions (rabbitmqctl) into "
        "DIR, a new or empty folder, with a manifest of checksums.",
    )
    parser.add_argument("directory", metavar="DIR")
    options = parser.parse_args(args)
    directory = Path(options.directory)
    try:
        manifest = back_up(directory, dict(os.environ if env is None else env))
    except (BackupError, SubscriberError, OSError) as error:
        print(f"skillpass backup: {_one_line(error)}", file=sys.stderr)
        return 1
    for name, entry in manifest["files"].items():
        print(f"{name}  {entry['bytes']} bytes  sha256 {entry['sha256']}")
    waiting = manifest["broker"]["messages_not_backed_up"]
    if waiting:
        print(
            f"skillpass backup: {waiting} messages were waiting in queues of vhost {manifest['broker']['vhost']}; "
            "they are not in the backup",
            file=sys.stderr,
        )
    print(f"backup written to {directory}")
    return 0


def restore_command(args: list[str], env: dict[str, str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="skillpass restore",
        description="Restore a backup made by `skillpass backup` into the databases and the vhost the settings "
        "name: fresh ones (databases missing or empty, a vhost with no queues) unless --force.",
    )
    parser.add_argument("directory", metavar="DIR")
    parser.add_argument(
        "--force",
        action="store_true",
        help="restore over databases with tables (the backup's objects are replaced) and into a vhost with queues",
    )
    options = parser.parse_args(args)
    try:
        done = restore(Path(options.directory), dict(os.environ if env is None else env), force=options.force)
    except (BackupError, SubscriberError, OSError) as error:
        print(f"skillpass restore: {_one_line(error)}", file=sys.stderr)
        return 1
    print("\n".join(done))
    return 0
