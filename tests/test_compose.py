"""The container set-up agrees with the code that runs the processes, checked without a Docker engine.

docker-compose.yml is validated against the official Compose Specification schema, then checked against
`shared.cli.process_commands` and `shared.config.WEB_PORTS`, the one source of truth for commands and
ports, and for the portal (the web front end) against `services.portal.settings.BACKENDS`, the services it
calls; docker/postgres-init.sh is run with a stand-in `psql`; the Dockerfile's essentials are read.
Each check is a function returning its problems, and each one is also run against a deliberately broken
copy, so that none of them can pass by checking nothing.
"""
from __future__ import annotations

import functools
import json
import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from jsonschema import Draft7Validator

from services.portal.settings import BACKENDS
from shared.cli import process_commands
from shared.config import PORTAL, SERVICE_PORTS, WEB_PORTS
from shared.service import installed_services

REPO = Path(__file__).resolve().parents[1]
COMPOSE_FILE = REPO / "docker-compose.yml"
POSTGRES_INIT = REPO / "docker" / "postgres-init.sh"
DOCKERFILE = REPO / "Dockerfile"
DOCKERIGNORE = REPO / ".dockerignore"

BACKING_DATA = {"rabbitmq": "/var/lib/rabbitmq", "postgres": "/var/lib/postgresql/data"}
BACKING_HEALTH_COMMAND = {"rabbitmq": "rabbitmq-diagnostics", "postgres": "pg_isready"}
INITDB_DIR = "/docker-entrypoint-initdb.d/"
# The portal's session key comes from the environment or, when none is given, from a key the portal makes
# once and keeps in its named volume (so that `docker compose up` works as it is and recreating the
# container signs no one out); a committed or defaulted key would be the same in every deployment.
PORTAL_SECRET = "${PORTAL_SECRET_KEY:-}"
PORTAL_DATA = "/data"
PUBLIC_BASE_URL = re.compile(r"\$\{SKILLPASS_PUBLIC_BASE_URL:-(?P<default>[^}]+)\}")


def compose_schema_path() -> Path:
    """The brief's copy beside the repository when present, else the repository's own copy."""
    brief_copy = Path(__file__).resolve().parents[1].parent / "shared" / "reference" / "compose-spec.json"
    return brief_copy if brief_copy.exists() else REPO / "tests" / "reference" / "compose-spec.json"


@functools.cache
def compose_validator() -> Draft7Validator:
    schema = json.loads(compose_schema_path().read_text())
    Draft7Validator.check_schema(schema)  # a damaged schema file must not pass everything
    return Draft7Validator(schema)


@pytest.fixture(scope="module")
def compose_file() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text())


@pytest.fixture
def compose(compose_file) -> dict:
    """A private copy for each test. Through JSON, because YAML aliases load as shared objects and a
    breakage made through one service would otherwise show up in the others too."""
    return json.loads(json.dumps(compose_file))


# ---- helpers ---------------------------------------------------------------------------------------


def _services() -> list[str]:
    """The services in this checkout, then the portal when it is there too."""
    portal = [PORTAL] if (REPO / "services" / PORTAL / "app.py").exists() else []
    return installed_services() + portal


def _processes() -> list[tuple[str, str, str]]:
    """(service, kind, container name) of every process of every service in this checkout (the portal's
    one process included)."""
    return [(svc, kind, f"{svc}-{kind}") for svc in _services() for kind in process_commands(svc)]


def _environment(service: dict) -> dict[str, str]:
    environment = service.get("environment") or {}
    if isinstance(environment, list):  # the `- KEY=value` form
        return dict(item.split("=", 1) if "=" in item else (item, "") for item in environment)
    return {key: "" if value is None else str(value) for key, value in environment.items()}


def _mounts(service: dict) -> list[tuple[str, str]]:
    """(source, target) of each volume, short (`source:target[:mode]`) or long syntax."""
    mounts = []
    for volume in service.get("volumes") or []:
        if isinstance(volume, dict):
            mounts.append((volume.get("source", ""), volume.get("target", "")))
        else:
            parts = volume.split(":")
            mounts.append(("", parts[0]) if len(parts) == 1 else (parts[0], parts[1]))
    return mounts


# ---- checks of docker-compose.yml ------------------------------------------------------------------


def schema_errors(compose: dict) -> list[str]:
    return [
        f"{'/'.join(map(str, error.absolute_path)) or '(top level)'}: {error.message}"
        for error in compose_validator().iter_errors(compose)
    ]


def command_problems(compose: dict) -> list[str]:
    services = compose.get("services", {})
    if not installed_services():
        return ["no installed services found: nothing to compare the compose file with"]
    problems = []
    for svc, kind, name in _processes():
        if name not in services:
            problems.append(f"{name}: missing")
        elif services[name].get("command") != process_commands(svc)[kind]:
            problems.append(
                f"{name}: command {services[name].get('command')!r}, expected {process_commands(svc)[kind]!r}"
            )
    # A block left for a service that is not in this checkout would fail at start-up.
    expected = {name for _, _, name in _processes()} | set(BACKING_DATA)
    problems += [f"{name}: not a process of this checkout" for name in sorted(set(services) - expected)]
    return problems


def dependency_problems(compose: dict) -> list[str]:
    services = compose.get("services", {})
    backing = {name: "service_healthy" for name in BACKING_DATA}
    problems = []
    for svc, kind, name in _processes():
        if svc == PORTAL:  # no database or broker of its own: it waits for the APIs it calls
            wanted = {f"{backend}-web": "service_healthy" for backend in BACKENDS}
        elif kind == "init":
            wanted = backing
        else:
            wanted = {**backing, f"{svc}-init": "service_completed_successfully"}
        depends_on = services.get(name, {}).get("depends_on") or {}
        if isinstance(depends_on, list):
            problems.append(f"{name}: depends_on is a list, so it waits for no condition")
            continue
        for dependency, condition in wanted.items():
            actual = (depends_on.get(dependency) or {}).get("condition")
            if actual != condition:
                problems.append(f"{name}: depends on {dependency} with {actual!r}, expected {condition!r}")
    return problems


def lifecycle_problems(compose: dict) -> list[str]:
    """Inits run once; everything else restarts and has a health check (the right one, for ours)."""
    services = compose.get("services", {})
    problems = []
    for name, service in services.items():
        if name.endswith("-init"):
            if service.get("restart") != "no":
                problems.append(f"{name}: restart {service.get('restart')!r}; a one-shot init needs 'no'")
            continue
        if service.get("restart") not in ("unless-stopped", "always"):
            problems.append(f"{name}: restart {service.get('restart')!r}; long-running containers restart")
        healthcheck = service.get("healthcheck") or {}
        if not healthcheck.get("test") or healthcheck.get("disable") or healthcheck["test"][:1] == ["NONE"]:
            problems.append(f"{name}: no health check")
    for svc, kind, name in _processes():
        if kind == "init":
            continue
        test = (services.get(name, {}).get("healthcheck") or {}).get("test")
        if test != ["CMD", "skillpass", svc, "healthcheck", kind]:
            problems.append(f"{name}: health check {test!r}")
    for name, command in BACKING_HEALTH_COMMAND.items():
        if command not in (services.get(name, {}).get("healthcheck") or {}).get("test", []):
            problems.append(f"{name}: health check does not run {command}")
    return problems


def volume_problems(compose: dict) -> list[str]:
    services = compose.get("services", {})
    named = set(compose.get("volumes") or {})
    problems = []
    for name, data_dir in BACKING_DATA.items():
        sources = [source for source, target in _mounts(services.get(name, {})) if target == data_dir]
        if not sources or sources[0] not in named:
            problems.append(f"{name}: {data_dir} is not on a named volume (sources: {sources})")
    init_scripts = [
        (source, target) for source, target in _mounts(services.get("postgres", {})) if target.startswith(INITDB_DIR)
    ]
    if not any((REPO / source).resolve() == POSTGRES_INIT for source, _ in init_scripts):
        problems.append(f"postgres: docker/postgres-init.sh is not mounted into {INITDB_DIR} ({init_scripts})")
    return problems


def port_problems(compose: dict) -> list[str]:
    services = compose.get("services", {})
    problems = []
    for svc in _services():
        web = services.get(f"{svc}-web", {})
        port = str(WEB_PORTS[svc])
        if _environment(web).get("PORT") != port:
            problems.append(f"{svc}-web: PORT {_environment(web).get('PORT')!r}, expected {port!r}")
        if f"{port}:{port}" not in [str(mapping) for mapping in web.get("ports") or []]:
            problems.append(f"{svc}-web: ports {web.get('ports')!r}, expected '{port}:{port}'")
    return problems


def connection_problems(compose: dict) -> list[str]:
    """Every process reaches the broker and database with the credentials those containers set up."""
    services = compose.get("services", {})
    rabbitmq, postgres = _environment(services.get("rabbitmq", {})), _environment(services.get("postgres", {}))
    broker = ("amqp", "rabbitmq", rabbitmq.get("RABBITMQ_DEFAULT_USER"), rabbitmq.get("RABBITMQ_DEFAULT_PASS"))
    database = (
        "postgresql", "postgres", postgres.get("POSTGRES_USER", "postgres"), postgres.get("POSTGRES_PASSWORD")
    )
    identity_port = SERVICE_PORTS["identity"]
    problems = []
    for svc, _, name in _processes():
        environment = _environment(services.get(name, {}))
        if svc == PORTAL:
            problems += _portal_connection_problems(name, environment, services, compose.get("volumes") or {})
        else:
            amqp = urlsplit(environment.get("AMQP_URL", ""))
            if (amqp.scheme, amqp.hostname, amqp.username, amqp.password) != broker:
                problems.append(
                    f"{name}: AMQP_URL {environment.get('AMQP_URL')!r} does not match the rabbitmq container"
                )
            server = urlsplit(environment.get("DATABASE_SERVER_URL", ""))
            if (server.scheme, server.hostname, server.username, server.password) != database:
                problems.append(
                    f"{name}: DATABASE_SERVER_URL {environment.get('DATABASE_SERVER_URL')!r} "
                    "does not match the postgres container"
                )
            jwks = urlsplit(environment.get("IDENTITY_JWKS_URL", ""))
            if (jwks.hostname, jwks.port, jwks.path) != ("identity-web", identity_port, "/.well-known/jwks.json"):
                problems.append(f"{name}: IDENTITY_JWKS_URL {environment.get('IDENTITY_JWKS_URL')!r}")
            if not environment.get("IDENTITY_ISSUER"):
                problems.append(f"{name}: no IDENTITY_ISSUER")
        if environment.get("WEB_HOST") != "0.0.0.0":
            problems.append(f"{name}: WEB_HOST {environment.get('WEB_HOST')!r}; loopback is unreachable")
        # The start-up admin's password goes only where it is used.
        admin = {"SKILLPASS_ADMIN_EMAIL", "SKILLPASS_ADMIN_PASSWORD"}
        if name == "identity-init" and not admin <= environment.keys():
            problems.append(f"{name}: missing {sorted(admin - environment.keys())}")
        if name != "identity-init" and admin & environment.keys():
            problems.append(f"{name}: has {sorted(admin & environment.keys())}")
    return problems


def _portal_connection_problems(name: str, environment: dict[str, str], services: dict, volumes: dict) -> list[str]:
    """The portal reaches each service it calls at that service's web container, and nothing else."""
    problems = [
        f"{name}: has {key}; the portal owns no database and no broker connection"
        for key in ("AMQP_URL", "DATABASE_URL", "DATABASE_SERVER_URL")
        if key in environment
    ]
    for backend in BACKENDS:
        key, container, port = f"{backend.upper()}_URL", f"{backend}-web", SERVICE_PORTS[backend]
        url = urlsplit(environment.get(key, ""))
        try:
            actual = (url.scheme, url.hostname, url.port, url.path.strip("/"))
        except ValueError:  # a port that is not a number
            actual = None
        if actual != ("http", container, port, "") or container not in services:
            problems.append(f"{name}: {key} {environment.get(key)!r}, expected 'http://{container}:{port}'")
    if environment.get("PORTAL_SECRET_KEY") != PORTAL_SECRET:
        problems.append(
            f"{name}: PORTAL_SECRET_KEY {environment.get('PORTAL_SECRET_KEY')!r}; expected it from the "
            f"environment or nothing, {PORTAL_SECRET!r}"
        )
    kept = [v for v in services.get(name, {}).get("volumes") or [] if isinstance(v, str) and v.endswith(f":{PORTAL_DATA}")]
    if not kept or kept[0].split(":")[0] not in volumes:
        problems.append(f"{name}: no named volume at {PORTAL_DATA}, where the portal keeps the key it makes")
    return problems


def public_address_problems(compose: dict) -> list[str]:
    """Certificates' verify links and QR codes, and identity's invitation links, open the portal's pages, so
    the processes that make them get the portal's public address: overridable, by default the portal's
    published port."""
    services = compose.get("services", {})
    if PORTAL not in _services():
        return []
    problems = []
    portal_port = WEB_PORTS[PORTAL]
    # certificate: web (credentials, PDFs) and worker (certificate.issued); identity: web makes the links.
    makers = {"certificate": ("web", "worker"), "identity": ("web",)}
    names = [f"{service}-{kind}" for service, kinds in makers.items() if service in installed_services()
             for kind in kinds if kind in process_commands(service)]
    for name in names:
        value = _environment(services.get(name, {})).get("SKILLPASS_PUBLIC_BASE_URL")
        match = PUBLIC_BASE_URL.fullmatch(value or "")
        if not match:
            problems.append(
                f"{name}: SKILLPASS_PUBLIC_BASE_URL {value!r}; expected "
                f"'${{SKILLPASS_PUBLIC_BASE_URL:-http://localhost:{portal_port}}}'"
            )
            continue
        default = urlsplit(match["default"])
        try:
            port = default.port
        except ValueError:
            port = None
        if default.scheme not in ("http", "https") or port != portal_port or default.path.strip("/"):
            problems.append(
                f"{name}: SKILLPASS_PUBLIC_BASE_URL defaults to {match['default']!r}, "
                f"not the portal's published port {portal_port}"
            )
    return problems


def image_problems(compose: dict) -> list[str]:
    """One image, built from the repository's Dockerfile, for every process."""
    services = compose.get("services", {})
    problems = []
    images = {services.get(name, {}).get("image") for _, _, name in _processes()}
    if len(images) != 1 or None in images:
        problems.append(f"the processes do not share one image: {sorted(map(str, images))}")
    for _, _, name in _processes():
        build = services.get(name, {}).get("build")
        context = build.get("context") if isinstance(build, dict) else build
        if context is None or (REPO / context).resolve() != REPO:
            problems.append(f"{name}: not built from the repository root (build: {build!r})")
    return problems


COMPOSE_CHECKS = [
    schema_errors,
    command_problems,
    dependency_problems,
    lifecycle_problems,
    volume_problems,
    port_problems,
    connection_problems,
    public_address_problems,
    image_problems,
]


@pytest.mark.parametrize("check", COMPOSE_CHECKS, ids=lambda check: check.__name__)
def test_compose_file(check, compose):
    problems = check(compose)
    assert not problems, "\n".join(problems)


def _set(path: str, value):
    *parents, last = path.split(".")

    def breakage(document: dict) -> None:
        for key in parents:
            document = document[key]
        document[last] = value

    return breakage


def _delete(path: str):
    *parents, last = path.split(".")

    def breakage(document: dict) -> None:
        for key in parents:
            document = document[key]
        del document[last]

    return breakage


WEB, WORKER, INIT = "services.identity-web", "services.identity-worker", "services.identity-init"
PORTAL_WEB = f"services.{PORTAL}-web"

# (id, the check that must notice, what breaks)
COMPOSE_BREAKAGES = [
    ("schema-unknown-key", schema_errors, _set(f"{WEB}.comand", ["skillpass"])),
    ("schema-bad-condition", schema_errors, _set(f"{WEB}.depends_on.identity-init", {"condition": "done"})),
    ("schema-bad-type", schema_errors, _set("services.postgres.healthcheck.test", 5)),
    ("wrong-command", command_problems, _set(f"{WORKER}.command", ["skillpass", "identity", "web"])),
    ("missing-init", command_problems, _delete(INIT)),
    ("stale-service", command_problems, _set("services.nosuch-web", {"image": "x"})),
    (
        "web-does-not-wait-for-init",
        dependency_problems,
        _set(f"{WEB}.depends_on.identity-init", {"condition": "service_started"}),
    ),
    ("worker-without-postgres", dependency_problems, _delete(f"{WORKER}.depends_on.postgres")),
    ("init-without-conditions", dependency_problems, _set(f"{INIT}.depends_on", ["rabbitmq", "postgres"])),
    ("worker-without-healthcheck", lifecycle_problems, _delete(f"{WORKER}.healthcheck")),
    ("rabbitmq-healthcheck-off", lifecycle_problems, _set("services.rabbitmq.healthcheck.disable", True)),
    (
        "web-checks-worker",
        lifecycle_problems,
        _set(f"{WEB}.healthcheck.test", ["CMD", "skillpass", "identity", "healthcheck", "worker"]),
    ),
    ("init-restarts", lifecycle_problems, _set(f"{INIT}.restart", "on-failure")),
    ("anonymous-volume", volume_problems, _set("services.postgres.volumes", ["/var/lib/postgresql/data"])),
    ("undeclared-volume", volume_problems, _delete("volumes.rabbitmq-data")),
    (
        "no-init-script",
        volume_problems,
        _set("services.postgres.volumes", ["postgres-data:/var/lib/postgresql/data"]),
    ),
    ("wrong-port", port_problems, _set(f"{WEB}.environment.PORT", "5000")),
    ("wrong-published-port", port_problems, _set(f"{WEB}.ports", ["5002:5001"])),
    ("broker-password", connection_problems, _set("services.rabbitmq.environment.RABBITMQ_DEFAULT_PASS", "other")),
    (
        "database-host",
        connection_problems,
        _set(f"{WORKER}.environment.DATABASE_SERVER_URL", "postgresql://postgres:x@localhost:5432"),
    ),
    ("admin-password-on-web", connection_problems, _set(f"{WEB}.environment.SKILLPASS_ADMIN_PASSWORD", "pw")),
    ("admin-missing-on-init", connection_problems, _delete(f"{INIT}.environment.SKILLPASS_ADMIN_EMAIL")),
    ("second-image", image_problems, _set(f"{WORKER}.image", "other:latest")),
    # the portal
    ("portal-missing", command_problems, _delete(PORTAL_WEB)),
    ("portal-wrong-command", command_problems, _set(f"{PORTAL_WEB}.command", ["skillpass", "portal", "worker"])),
    ("portal-init", command_problems, _set("services.portal-init", {"image": "skillpass:local", "restart": "no"})),
    (
        "portal-worker",
        command_problems,
        _set("services.portal-worker", {"image": "skillpass:local", "command": ["skillpass", "portal", "worker"]}),
    ),
    ("portal-does-not-wait-for-a-backend", dependency_problems, _delete(f"{PORTAL_WEB}.depends_on.certificate-web")),
    (
        "portal-backend-only-started",
        dependency_problems,
        _set(f"{PORTAL_WEB}.depends_on.identity-web", {"condition": "service_started"}),
    ),
    (
        "portal-checks-another-service",
        lifecycle_problems,
        _set(f"{PORTAL_WEB}.healthcheck.test", ["CMD", "skillpass", "identity", "healthcheck", "web"]),
    ),
    ("portal-without-healthcheck", lifecycle_problems, _delete(f"{PORTAL_WEB}.healthcheck")),
    ("portal-one-shot", lifecycle_problems, _set(f"{PORTAL_WEB}.restart", "no")),
    ("portal-wrong-port", port_problems, _set(f"{PORTAL_WEB}.environment.PORT", "5001")),
    ("portal-wrong-published-port", port_problems, _set(f"{PORTAL_WEB}.ports", ["8080:5007"])),
    (
        "portal-backend-on-loopback",
        connection_problems,
        _set(f"{PORTAL_WEB}.environment.SIGNOFF_URL", "http://127.0.0.1:5003"),
    ),
    (
        "portal-backend-wrong-port",
        connection_problems,
        _set(f"{PORTAL_WEB}.environment.PASSPORT_URL", "http://passport-web:5003"),
    ),
    (
        "portal-backend-not-a-service",
        connection_problems,
        _set(f"{PORTAL_WEB}.environment.CERTIFICATE_URL", "http://certificate:5004"),
    ),
    ("portal-backend-missing", connection_problems, _delete(f"{PORTAL_WEB}.environment.IDENTITY_URL")),
    (
        "portal-given-a-database",
        connection_problems,
        _set(f"{PORTAL_WEB}.environment.DATABASE_SERVER_URL", "postgresql://postgres:skillpass@postgres:5432"),
    ),
    (
        "portal-given-the-broker",
        connection_problems,
        _set(f"{PORTAL_WEB}.environment.AMQP_URL", "amqp://skillpass:skillpass@rabbitmq:5672/"),
    ),
    ("portal-on-loopback", connection_problems, _set(f"{PORTAL_WEB}.environment.WEB_HOST", "127.0.0.1")),
    ("portal-secret-committed", connection_problems, _set(f"{PORTAL_WEB}.environment.PORTAL_SECRET_KEY", "k" * 40)),
    (
        "portal-secret-defaulted",
        connection_problems,
        _set(f"{PORTAL_WEB}.environment.PORTAL_SECRET_KEY", "${PORTAL_SECRET_KEY:-" + "k" * 40 + "}"),
    ),
    ("portal-secret-missing", connection_problems, _delete(f"{PORTAL_WEB}.environment.PORTAL_SECRET_KEY")),
    ("portal-key-not-kept", connection_problems, _delete(f"{PORTAL_WEB}.volumes")),
    ("portal-second-image", image_problems, _set(f"{PORTAL_WEB}.image", "other:latest")),
    (
        "verify-links-without-portal-address",
        public_address_problems,
        _delete("services.certificate-worker.environment.SKILLPASS_PUBLIC_BASE_URL"),
    ),
    (
        "verify-links-at-certificate-service",
        public_address_problems,
        _set(
            "services.certificate-web.environment.SKILLPASS_PUBLIC_BASE_URL",
            "${SKILLPASS_PUBLIC_BASE_URL:-http://localhost:5004}",
        ),
    ),
    (
        "verify-links-fixed",
        public_address_problems,
        _set("services.certificate-web.environment.SKILLPASS_PUBLIC_BASE_URL", "http://localhost:5007"),
    ),
    (
        "invitation-links-without-portal-address",
        public_address_problems,
        _delete("services.identity-web.environment.SKILLPASS_PUBLIC_BASE_URL"),
    ),
]


@pytest.mark.parametrize(
    "check, breakage", [pytest.param(check, breakage, id=name) for name, check, breakage in COMPOSE_BREAKAGES]
)
def test_each_compose_check_catches_a_broken_file(check, breakage, compose):
    assert not check(compose), "the unbroken file must pass first"
    breakage(compose)
    assert check(compose)


def test_the_schema_comes_from_the_reference_copy():
    assert compose_schema_path().exists()
    assert compose_validator().schema.get("title") == "Compose Specification"


# ---- docker/postgres-init.sh -----------------------------------------------------------------------

CREATE_IF_MISSING = re.compile(
    r"SELECT 'CREATE DATABASE (\w+)' WHERE NOT EXISTS "
    r"\(SELECT FROM pg_database WHERE datname = '(\w+)'\)\\gexec"
)


def postgres_init_problems(script: Path, tmp_path: Path) -> list[str]:
    """Run the script with a stand-in psql that records its arguments and the SQL it is given."""
    bin_dir, log = tmp_path / "bin", tmp_path / "psql.log"
    bin_dir.mkdir()
    psql = bin_dir / "psql"
    psql.write_text('#!/bin/sh\nprintf "psql %s\\n" "$*" >> "$PSQL_LOG"\ncat >> "$PSQL_LOG"\n')
    psql.chmod(0o755)
    environment = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "PSQL_LOG": str(log)}
    result = subprocess.run(["bash", str(script)], env=environment, capture_output=True, text=True, timeout=30)
    if result.returncode != 0:
        return [f"exit {result.returncode}: {result.stderr.strip()}"]
    sql = log.read_text() if log.exists() else ""
    problems = []
    if not os.access(script, os.X_OK):
        problems.append("not executable: the postgres entrypoint would source it into its own shell")
    calls = [line for line in sql.splitlines() if line.startswith("psql ")]
    problems += [f"psql without ON_ERROR_STOP=1: {call}" for call in calls if "ON_ERROR_STOP=1" not in call]
    guarded = [(create, checked) for create, checked in CREATE_IF_MISSING.findall(sql)]
    problems += [f"creates {create} but checks for {checked}" for create, checked in guarded if create != checked]
    if sql.count("CREATE DATABASE") != len(guarded):
        problems.append("a CREATE DATABASE without the NOT EXISTS guard: a second run would fail")
    created = {create for create, _ in guarded}
    expected = sorted(f"skillpass_{svc}" for svc in SERVICE_PORTS)
    problems += [f"does not create {name}" for name in expected if name not in created]
    return problems


def test_postgres_init_creates_every_service_database(tmp_path):
    problems = postgres_init_problems(POSTGRES_INIT, tmp_path)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    "edit",
    [
        pytest.param(lambda text: text.replace("    skillpass_metrics\n", ""), id="missing-database"),
        pytest.param(
            lambda text: text.replace(" WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '${db}')", ""),
            id="not-idempotent",
        ),
        pytest.param(lambda text: text.replace("-v ON_ERROR_STOP=1 ", ""), id="errors-ignored"),
        pytest.param(lambda text: text.replace("set -euo pipefail", "exit 3"), id="fails"),
    ],
)
def test_postgres_init_check_catches_a_broken_script(edit, tmp_path):
    broken = tmp_path / "postgres-init.sh"
    broken.write_text(edit(POSTGRES_INIT.read_text()))
    shutil.copymode(POSTGRES_INIT, broken)
    assert broken.read_text() != POSTGRES_INIT.read_text(), "the edit must change the script"
    assert postgres_init_problems(broken, tmp_path)


# ---- Dockerfile and .dockerignore ------------------------------------------------------------------

IMAGE_SOURCES = {"pyproject.toml", "README.md", "shared", "services"}
IGNORED = {".venv", "var", ".git", "tests", "bench", "**/__pycache__"}


def _instructions(dockerfile: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    logical = re.sub(r"\\\n", " ", dockerfile)
    lines = [line.strip() for line in logical.splitlines()]
    return [
        (line.split(None, 1)[0].upper(), line.split(None, 1)[1] if " " in line else "")
        for line in lines
        if line and not line.startswith("#")
    ]


def dockerfile_problems(dockerfile: str, dockerignore: str) -> list[str]:
    instructions = _instructions(dockerfile)
    problems = []
    if instructions[:1] != [("FROM", "python:3.11-slim")]:
        problems.append(f"base image: {instructions[:1]}")
    users = [arguments.split(":")[0] for keyword, arguments in instructions if keyword == "USER"]
    if not users or users[-1] in ("root", "0"):
        problems.append(f"runs as root (USER {users})")
    environment = dict(
        token.split("=", 1)
        for keyword, arguments in instructions
        if keyword == "ENV"
        for token in shlex.split(arguments)
        if "=" in token
    )
    for key, value in {"WEB_HOST": "0.0.0.0", "SKILLPASS_DATA_DIR": "/data"}.items():
        if environment.get(key) != value:
            problems.append(f"ENV {key}={environment.get(key)!r}, expected {value!r}")
    copied = {source for keyword, arguments in instructions if keyword == "COPY" for source in arguments.split()[:-1]}
    if copied != IMAGE_SOURCES:
        problems.append(f"copies {sorted(copied)}, expected {sorted(IMAGE_SOURCES)}")
    if not any(keyword == "RUN" and "pip install" in arguments for keyword, arguments in instructions):
        problems.append("the project is never pip-installed")
    # The compose commands are whole argvs (`skillpass identity web`): an ENTRYPOINT would prefix them.
    if any(keyword == "ENTRYPOINT" for keyword, _ in instructions):
        problems.append("has an ENTRYPOINT")
    commands = [json.loads(arguments) for keyword, arguments in instructions if keyword == "CMD"]
    if commands[-1:] != [["skillpass", "--help"]]:
        problems.append(f"CMD {commands}")
    ignored = {line.strip() for line in dockerignore.splitlines() if line.strip() and not line.startswith("#")}
    problems += [f".dockerignore does not exclude {entry}" for entry in sorted(IGNORED - ignored)]
    return problems


def test_dockerfile():
    problems = dockerfile_problems(DOCKERFILE.read_text(), DOCKERIGNORE.read_text())
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    "edit_dockerfile, edit_dockerignore",
    [
        pytest.param(lambda text: text + "USER root\n", None, id="root"),
        pytest.param(lambda text: text.replace("python:3.11-slim", "python:3.11"), None, id="base-image"),
        pytest.param(lambda text: text.replace("WEB_HOST=0.0.0.0", "WEB_HOST=127.0.0.1"), None, id="loopback"),
        pytest.param(lambda text: text + "COPY . /app\n", None, id="copies-everything"),
        pytest.param(lambda text: text + 'ENTRYPOINT ["skillpass"]\n', None, id="entrypoint"),
        pytest.param(None, lambda text: text.replace(".venv\n", ""), id="venv-in-context"),
    ],
)
def test_dockerfile_check_catches_a_broken_file(edit_dockerfile, edit_dockerignore):
    dockerfile, dockerignore = DOCKERFILE.read_text(), DOCKERIGNORE.read_text()
    assert not dockerfile_problems(dockerfile, dockerignore), "the unbroken files must pass first"
    broken_dockerfile = edit_dockerfile(dockerfile) if edit_dockerfile else dockerfile
    broken_dockerignore = edit_dockerignore(dockerignore) if edit_dockerignore else dockerignore
    assert (broken_dockerfile, broken_dockerignore) != (dockerfile, dockerignore), "the edit must change a file"
    assert dockerfile_problems(broken_dockerfile, broken_dockerignore)
