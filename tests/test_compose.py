"""The container set-up agrees with the code that runs the processes, checked without a Docker engine.

docker-compose.yml is validated against the official Compose Specification schema, then checked against
`shared.processes.process_commands` and `shared.config.WEB_PORTS`, the one source of truth for commands and
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
from shared.config import PORTAL, SERVICE_PORTS, WEB_PORTS
from shared.language import BUNDLED_PASSPORT_TYPES
from shared.processes import process_commands
from shared.service import installed_services

REPO = Path(__file__).resolve().parents[1]
COMPOSE_FILE = REPO / "docker-compose.yml"
POSTGRES_INIT = REPO / "docker" / "postgres-init.sh"
DOCKERFILE = REPO / "Dockerfile"
DOCKERIGNORE = REPO / ".dockerignore"

BACKING_DATA = {"rabbitmq": "/var/lib/rabbitmq", "postgres": "/var/lib/postgresql/data"}
BACKING_HEALTH_COMMAND = {"rabbitmq": "rabbitmq-diagnostics", "postgres": "pg_isready"}
# The one entry point (docker/caddy/Caddyfile) and, under the `monitoring` profile, Prometheus.
PROXY, PROMETHEUS = "proxy", "prometheus"
OTHER_CONTAINERS = {PROXY, PROMETHEUS}
INITDB_DIR = "/docker-entrypoint-initdb.d/"
ENV_EXAMPLE = REPO / ".env.example"
CADDYFILE = REPO / "docker" / "caddy" / "Caddyfile"
README = REPO / "README.md"
# Nothing starts without these, and none has a default: a default password or key would be the same in
# every deployment. The portal's key included: every replica must share it.
REQUIRED = ("SKILLPASS_HOSTNAME", "POSTGRES_PASSWORD", "RABBITMQ_PASSWORD", "PORTAL_SECRET_KEY")
SECRETS = ("POSTGRES_PASSWORD", "RABBITMQ_PASSWORD", "PORTAL_SECRET_KEY")
# A deployment's .env, as the checks of the interpolated file assume it.
DEPLOYMENT = {
    "SKILLPASS_HOSTNAME": "skillpass.example-trust.nhs.uk",
    "POSTGRES_PASSWORD": "postgres-secret",
    "RABBITMQ_PASSWORD": "rabbitmq-secret",
    "PORTAL_SECRET_KEY": "k" * 40,
}
PUBLIC_BASE_URL = f"https://{DEPLOYMENT['SKILLPASS_HOSTNAME']}"
# README settings docker-compose.yml sets itself (the value is the container's, not the Trust's), and those
# that have no meaning in a container; .env.example names them all the same.
SET_BY_COMPOSE = {
    "AMQP_URL",
    "DATABASE_SERVER_URL",
    "IDENTITY_JWKS_URL",
    "PORT",
    "WEB_HOST",
    "PROXY_HOPS",
    "PORTAL_PROXY_HOPS",
    *(f"{backend.upper()}_URL" for backend in BACKENDS),
}
NOT_FOR_CONTAINERS = {
    "DATABASE_URL",
    "SKILLPASS_DATA_DIR",
    "DATABASE_NAME_PREFIX",
    # the host's command line: `skillpass subscribers`, `backup` and `restore`
    "RABBITMQCTL",
    "PG_DUMP",
    "PG_RESTORE",
    "PSQL",
    # left to their defaults, which docker/prometheus/prometheus.yml scrapes (6001-6006) and
    # each web process makes for itself
    "WORKER_METRICS_PORT",
    "PROMETHEUS_MULTIPROC_DIR",
}
# Settings of the deployment itself, not of a process: the README's "With Docker" and .env.example tell them.
COMPOSE_ONLY = {
    "SKILLPASS_HOSTNAME",
    "SKILLPASS_TLS",
    "POSTGRES_PASSWORD",
    "RABBITMQ_PASSWORD",
    "RABBITMQ_ERLANG_COOKIE",
}


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
def raw_compose(compose_file) -> dict:
    """A private copy for each test, as written (`${...}` and all). Through JSON, because YAML aliases load as
    shared objects and a breakage made through one service would otherwise show up in the others too."""
    return json.loads(json.dumps(compose_file))


@pytest.fixture
def compose(raw_compose) -> dict:
    """The file as docker compose runs it with a deployment's .env."""
    return interpolate_document(raw_compose, DEPLOYMENT)


# ---- Compose's interpolation -----------------------------------------------------------------------


class InterpolationError(ValueError):
    """What `docker compose` stops with: a `${VAR:?message}` whose variable is unset or empty."""


def interpolate(text: str, env: dict[str, str]) -> str:
    """The Compose Specification's interpolation: $VAR, ${VAR}, ${VAR:-default}, ${VAR-default},
    ${VAR:?error}, ${VAR?error}, ${VAR:+replacement}, ${VAR+replacement}, nested, and $$ for a dollar."""
    out, i = [], 0
    while i < len(text):
        if text.startswith("$$", i):
            out.append("$")
            i += 2
        elif text.startswith("${", i):
            end = _closing_brace(text, i + 2)
            out.append(_substitute(text[i + 2 : end], env))
            i = end + 1
        elif bare := re.match(r"\$([A-Za-z_][A-Za-z0-9_]*)", text[i:]):
            out.append(env.get(bare[1], ""))
            i += len(bare[0])
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def _closing_brace(text: str, start: int) -> int:
    depth, i = 1, start
    while i < len(text):
        if text.startswith("${", i):
            depth, i = depth + 1, i + 2
            continue
        if text[i] == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    raise InterpolationError(f"unclosed ${{ in {text!r}")


def _substitute(expression: str, env: dict[str, str]) -> str:
    match = re.fullmatch(r"([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])(.*))?", expression, re.S)
    if not match:
        raise InterpolationError(f"invalid interpolation ${{{expression}}}")
    name, operator, argument = match.groups()
    value = env.get(name)
    if operator is None:
        return value or ""
    is_set = value is not None and (value != "" or not operator.startswith(":"))
    if operator.endswith("-"):
        return value if is_set else interpolate(argument, env)
    if operator.endswith("+"):
        return interpolate(argument, env) if is_set else ""
    if not is_set:
        raise InterpolationError(f"{name}: {interpolate(argument, env)}")
    return value


def interpolate_document(document, env: dict[str, str]):
    if isinstance(document, str):
        return interpolate(document, env)
    if isinstance(document, dict):
        return {key: interpolate_document(value, env) for key, value in document.items()}
    if isinstance(document, list):
        return [interpolate_document(value, env) for value in document]
    return document


def test_interpolation_follows_the_compose_specification():
    env = {"SET": "value", "EMPTY": ""}
    assert interpolate("${SET}-${EMPTY}-${UNSET}-$SET-$$SET", env) == "value---value-$SET"
    assert interpolate("${EMPTY:-d} ${EMPTY-d} ${UNSET-d} ${UNSET:-${SET}/x}", env) == "d  d value/x"
    assert interpolate("${SET:+r} ${EMPTY:+r} ${EMPTY+r}", env) == "r  r"
    assert interpolate("${EMPTY?fine}", env) == ""
    for text in ("${EMPTY:?needed}", "${UNSET?needed}", "${UNSET:-${UNSET:?inner}}"):
        with pytest.raises(InterpolationError):
            interpolate(text, env)


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
    expected = {name for _, _, name in _processes()} | set(BACKING_DATA) | OTHER_CONTAINERS
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
    # Files of the repository mounted into containers exist (./certs is the Trust's, never committed).
    for name, service in services.items():
        for source, _ in _mounts(service):
            if source.startswith(".") and source != "./certs" and not (REPO / source).exists():
                problems.append(f"{name}: mounts {source}, which is not in the repository")
    return problems


def port_problems(compose: dict) -> list[str]:
    """Each web process on its port inside the network; only the proxy publishes ports (Prometheus's own page
    on the host's loopback only)."""
    services = compose.get("services", {})
    problems = []
    for svc in _services():
        web = services.get(f"{svc}-web", {})
        port = str(WEB_PORTS[svc])
        if _environment(web).get("PORT") != port:
            problems.append(f"{svc}-web: PORT {_environment(web).get('PORT')!r}, expected {port!r}")
    for name, service in services.items():
        published = [str(mapping) for mapping in service.get("ports") or []]
        if name == PROXY:
            problems += [f"{name}: does not publish {port}" for port in ("80:80", "443:443") if port not in published]
        elif name == PROMETHEUS:
            problems += [
                f"{name}: publishes {port} beyond the host's loopback"
                for port in published
                if not port.startswith("127.0.0.1:")
            ]
        elif published:
            problems.append(f"{name}: publishes {published}; only the proxy is reachable from outside")
    return problems


def connection_problems(compose: dict) -> list[str]:
    """Every process reaches the broker and database with the credentials those containers set up."""
    services = compose.get("services", {})
    rabbitmq, postgres = _environment(services.get("rabbitmq", {})), _environment(services.get("postgres", {}))
    broker = ("amqp", "rabbitmq", rabbitmq.get("RABBITMQ_DEFAULT_USER"), rabbitmq.get("RABBITMQ_DEFAULT_PASS"))
    database = ("postgresql", "postgres", postgres.get("POSTGRES_USER", "postgres"), postgres.get("POSTGRES_PASSWORD"))
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
    if environment.get("PORTAL_SECRET_KEY") != DEPLOYMENT["PORTAL_SECRET_KEY"]:
        problems.append(f"{name}: PORTAL_SECRET_KEY {environment.get('PORTAL_SECRET_KEY')!r}, not the deployment's")
    return problems


def public_address_problems(compose: dict) -> list[str]:
    """Certificates' verify links and QR codes, and identity's invitation links, open the portal's pages, so the
    processes that make them get the portal's public address; tokens' issuer is identity's public address.
    By default both follow SKILLPASS_HOSTNAME, where the proxy serves the portal and /api/identity."""
    services = compose.get("services", {})
    if PORTAL not in _services():
        return []
    problems = []
    # certificate: web (credentials, PDFs) and worker (certificate.issued); identity: web makes the links.
    makers = {"certificate": ("web", "worker"), "identity": ("web",)}
    names = [
        f"{service}-{kind}"
        for service, kinds in makers.items()
        if service in installed_services()
        for kind in kinds
        if kind in process_commands(service)
    ]
    for name in names:
        value = _environment(services.get(name, {})).get("SKILLPASS_PUBLIC_BASE_URL")
        if value != PUBLIC_BASE_URL:
            problems.append(f"{name}: SKILLPASS_PUBLIC_BASE_URL {value!r}, expected {PUBLIC_BASE_URL!r}")
    for svc, kind, name in _processes():
        issuer = _environment(services.get(name, {})).get("IDENTITY_ISSUER")
        if svc != PORTAL and issuer != f"{PUBLIC_BASE_URL}/api/identity":
            problems.append(f"{name}: IDENTITY_ISSUER {issuer!r}, expected {PUBLIC_BASE_URL}/api/identity")
    return problems


def proxy_problems(compose: dict, caddyfile: str | None = None) -> list[str]:
    """The proxy serves the portal at / and each service's API at /api/<service>, from the repository's
    Caddyfile, with TLS for SKILLPASS_HOSTNAME; every web process trusts exactly that one proxy."""
    caddyfile = CADDYFILE.read_text() if caddyfile is None else caddyfile
    services = compose.get("services", {})
    proxy = services.get(PROXY, {})
    problems = []
    if not str(proxy.get("image", "")).startswith("caddy:"):
        problems.append(f"{PROXY}: image {proxy.get('image')!r}, expected the official caddy image")
    mounts = dict((target, source) for source, target in _mounts(proxy))
    if (REPO / mounts.get("/etc/caddy/Caddyfile", "-")).resolve() != CADDYFILE:
        problems.append(f"{PROXY}: docker/caddy/Caddyfile is not mounted at /etc/caddy/Caddyfile")
    if mounts.get("/data") not in (compose.get("volumes") or {}):
        problems.append(f"{PROXY}: /data (its certificates and local authority) is not on a named volume")
    if _environment(proxy).get("SKILLPASS_HOSTNAME") != DEPLOYMENT["SKILLPASS_HOSTNAME"]:
        problems.append(f"{PROXY}: SKILLPASS_HOSTNAME {_environment(proxy).get('SKILLPASS_HOSTNAME')!r}")
    waits_for = ((proxy.get("depends_on") or {}).get(f"{PORTAL}-web") or {}).get("condition")
    if waits_for != "service_healthy":
        problems.append(f"{PROXY}: depends on {PORTAL}-web with {waits_for!r}, expected 'service_healthy'")

    blocks = caddy_blocks(caddyfile)
    if "{$SKILLPASS_HOSTNAME}" not in blocks:
        problems.append("Caddyfile: no site block for {$SKILLPASS_HOSTNAME}")
    site = blocks.get("{$SKILLPASS_HOSTNAME}", "")
    if not re.search(r"^\s*tls \{\$SKILLPASS_TLS:internal\}\s*$", site, re.M):
        problems.append("Caddyfile: the site's TLS is not `tls {$SKILLPASS_TLS:internal}`")
    routes = {f"handle_path /api/{svc}/*": (f"{svc}-web:{SERVICE_PORTS[svc]}", f"/api/{svc}") for svc in SERVICE_PORTS}
    routes["handle"] = (f"{PORTAL}-web:{WEB_PORTS[PORTAL]}", None)
    inner = caddy_blocks(site)
    for route, (upstream, prefix) in routes.items():
        block = inner.get(route)
        if block is None:
            problems.append(f"Caddyfile: no `{route}` block")
            continue
        if not re.search(rf"^\s*reverse_proxy {re.escape(upstream)}(\s|$)", block, re.M):
            problems.append(f"Caddyfile: `{route}` does not proxy to {upstream}")
        if prefix and not re.search(rf"header_up X-Forwarded-Prefix {re.escape(prefix)}\s", block):
            problems.append(f"Caddyfile: `{route}` does not tell {upstream} its prefix {prefix}")
        if not re.search(r"^\s*respond /metrics 404\s*$", block, re.M):
            problems.append(f"Caddyfile: `{route}` serves the process's /metrics to the public")
    problems += [f"Caddyfile: `{route}` is not a route of this checkout" for route in sorted(set(inner) - set(routes))]

    for svc, kind, name in _processes():
        hops = _environment(services.get(name, {})).get("PORTAL_PROXY_HOPS" if svc == PORTAL else "PROXY_HOPS")
        if kind == "web" and hops != "1":
            problems.append(f"{name}: trusts {hops!r} proxies; it is behind exactly one")
    return problems


def caddy_blocks(text: str) -> dict[str, str]:
    """The top-level `label {...}` blocks of a Caddyfile (or of a block's inside): label -> inside. A block
    opens at a line ending in `{` and closes at a line that is `}`, as the file is written (`caddy fmt`)."""
    blocks, depth, label, body = {}, 0, "", []
    for raw in text.splitlines():
        line = re.sub(r"(^|\s)#.*$", "", raw).strip()
        if depth == 0:
            if line.endswith("{"):
                label, body, depth = line[:-1].strip(), [], 1
            continue
        if line.endswith("{"):
            depth += 1
        elif line == "}":
            depth -= 1
        if depth == 0:
            blocks[label] = "\n".join(body)
        else:
            body.append(raw)
    return blocks


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
    proxy_problems,
    image_problems,
]


# ---- checks of the file as written: what reaches the containers, and what has no default ------------


def _strings(document) -> list[str]:
    if isinstance(document, str):
        return [document]
    if isinstance(document, dict):
        return [text for value in document.values() for text in _strings(value)]
    if isinstance(document, list):
        return [text for value in document for text in _strings(value)]
    return []


def interpolated_names(raw: dict) -> set[str]:
    return {name for text in _strings(raw) for name in re.findall(r"\$\{([A-Za-z_][A-Za-z0-9_]*)", text)}


def readme_settings(readme: str) -> set[str]:
    """The settings the README's Configuration table names (its first column)."""
    section = readme.split("\n## Configuration\n", 1)[1].split("\n## ", 1)[0]
    rows = [line.split("|")[1] for line in section.splitlines() if line.startswith("| `")]
    return {name for first in rows for name in re.findall(r"`([A-Z][A-Z0-9_]*)`", first)}


def secret_problems(raw: dict) -> list[str]:
    """Nothing starts without the required settings, and no secret has a default to fall back on."""
    problems = []
    for name in REQUIRED:
        try:
            interpolate_document(raw, {key: value for key, value in DEPLOYMENT.items() if key != name})
        except InterpolationError as error:
            if not str(error).startswith(f"{name}:"):
                problems.append(f"without {name}, compose stops on something else: {error}")
        else:
            problems.append(f"starts without {name}")
    for name in SECRETS:
        problems += [
            f"{name} has a default or no check in {text!r}"
            for text in _strings(raw)
            if re.search(r"\$\{" + name + r"(?![A-Za-z0-9_])(?!:\?)", text)
        ]
    return problems


def settings_problems(raw: dict, readme: str | None = None, env_example: str | None = None) -> list[str]:
    """Every setting of the README reaches the containers that use it (or compose sets it itself), every one
    compose reads is documented, and .env.example lists them all."""
    readme = README.read_text() if readme is None else readme
    env_example = ENV_EXAMPLE.read_text() if env_example is None else env_example
    documented, passed = readme_settings(readme), interpolated_names(raw)
    compose = interpolate_document(raw, DEPLOYMENT)
    services = compose.get("services", {})
    set_anywhere = {key for service in services.values() for key in _environment(service)}
    problems = [
        f"README setting {name} never reaches a container"
        for name in sorted(documented)
        if name not in passed | SET_BY_COMPOSE | NOT_FOR_CONTAINERS
    ]
    problems += [
        f"{name}: compose should set it, but no container has it"
        for name in sorted(SET_BY_COMPOSE)
        if name not in set_anywhere
    ]
    problems += [
        f"compose reads {name}, which the README's Configuration does not document"
        for name in sorted(passed - documented - COMPOSE_ONLY)
        if not name.startswith("SKILLPASS_CERTIFICATE_VALIDITY_MONTHS_")
    ]
    assigned = set(re.findall(r"^#? ?([A-Z][A-Z0-9_]*)=", env_example, re.M))
    mentioned = set(re.findall(r"\b[A-Z][A-Z0-9_]*\b", env_example))
    problems += [f".env.example does not list {name}" for name in sorted(passed - assigned)]
    problems += [f".env.example does not mention {name}" for name in sorted(documented - mentioned)]
    problems += [
        f".env.example: {name} is required, but not an uncommented line"
        for name in REQUIRED
        if not re.search(rf"^{name}=", env_example, re.M)
    ]
    # What each process takes: the shared settings everywhere; identity's and certificate's own in theirs.
    for svc, _, name in _processes():
        blocks = ["x-settings"] + [f"x-{svc}-settings"] * (f"x-{svc}-settings" in raw)
        environment = _environment(services.get(name, {}))
        wanted = {key for block in blocks for key in raw.get(block) or {}}
        problems += [f"{name}: lacks {key}" for key in sorted(wanted - environment.keys())]
    from services.certificate.domain import validity_setting_name

    for kind in process_commands("certificate"):
        environment = _environment(services.get(f"certificate-{kind}", {}))
        problems += [
            f"certificate-{kind}: lacks {validity_setting_name(code)} (passport type {code})"
            for code in BUNDLED_PASSPORT_TYPES
            if validity_setting_name(code) not in environment
        ]
    return problems


RAW_CHECKS = [secret_problems, settings_problems]


@pytest.mark.parametrize("check", COMPOSE_CHECKS, ids=lambda check: check.__name__)
def test_compose_file(check, compose):
    problems = check(compose)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("check", RAW_CHECKS, ids=lambda check: check.__name__)
def test_compose_file_as_written(check, raw_compose):
    problems = check(raw_compose)
    assert not problems, "\n".join(problems)


def test_a_setting_in_env_reaches_the_containers_over_its_default(raw_compose):
    address = "https://passports.example-trust.nhs.uk"
    compose = interpolate_document(
        raw_compose, {**DEPLOYMENT, "SKILLPASS_PUBLIC_BASE_URL": address, "INBOX_RETENTION_DAYS": "45"}
    )
    services = compose["services"]
    assert _environment(services["certificate-worker"])["SKILLPASS_PUBLIC_BASE_URL"] == address
    assert {_environment(services[name])["INBOX_RETENTION_DAYS"] for _, _, name in _processes()} == {"45"}
    assert _environment(services["certificate-worker"])["OUTBOX_RETENTION_DAYS"] == ""  # unset: the default


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
    ("web-published", port_problems, _set(f"{WEB}.ports", ["5001:5001"])),
    ("worker-published", port_problems, _set(f"{WORKER}.ports", ["6001:6001"])),
    ("proxy-publishes-nothing", port_problems, _delete("services.proxy.ports")),
    ("proxy-without-https", port_problems, _set("services.proxy.ports", ["80:80"])),
    ("prometheus-public", port_problems, _set("services.prometheus.ports", ["9090:9090"])),
    (
        "missing-repository-file",
        volume_problems,
        _set("services.proxy.volumes", ["./docker/caddy/Caddy:/etc/caddy/Caddyfile"]),
    ),
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
    ("portal-published", port_problems, _set(f"{PORTAL_WEB}.ports", ["5007:5007"])),
    ("portal-secret-other", connection_problems, _set(f"{PORTAL_WEB}.environment.PORTAL_SECRET_KEY", "j" * 40)),
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
    ("portal-secret-missing", connection_problems, _delete(f"{PORTAL_WEB}.environment.PORTAL_SECRET_KEY")),
    ("portal-second-image", image_problems, _set(f"{PORTAL_WEB}.image", "other:latest")),
    (
        "verify-links-without-portal-address",
        public_address_problems,
        _delete("services.certificate-worker.environment.SKILLPASS_PUBLIC_BASE_URL"),
    ),
    (
        "verify-links-at-certificate-service",
        public_address_problems,
        _set("services.certificate-web.environment.SKILLPASS_PUBLIC_BASE_URL", f"{PUBLIC_BASE_URL}/api/certificate"),
    ),
    (
        "verify-links-on-plain-http",
        public_address_problems,
        _set("services.certificate-web.environment.SKILLPASS_PUBLIC_BASE_URL", "http://localhost:5007"),
    ),
    (
        "issuer-inside",
        public_address_problems,
        _set(f"{WORKER}.environment.IDENTITY_ISSUER", "http://identity-web:5001"),
    ),
    # the proxy
    ("proxy-other-image", proxy_problems, _set("services.proxy.image", "nginx:1")),
    ("proxy-before-portal", proxy_problems, _delete("services.proxy.depends_on")),
    ("proxy-without-caddyfile", proxy_problems, _set("services.proxy.volumes", ["caddy-data:/data"])),
    (
        "proxy-certificates-lost",
        proxy_problems,
        _set("services.proxy.volumes", ["./docker/caddy/Caddyfile:/etc/caddy/Caddyfile:ro"]),
    ),
    ("proxy-without-hostname", proxy_problems, _delete("services.proxy.environment.SKILLPASS_HOSTNAME")),
    ("web-trusts-no-proxy", proxy_problems, _set(f"{WEB}.environment.PROXY_HOPS", "0")),
    ("portal-trusts-two-proxies", proxy_problems, _set(f"{PORTAL_WEB}.environment.PORTAL_PROXY_HOPS", "2")),
    (
        "invitation-links-without-portal-address",
        public_address_problems,
        _delete("services.identity-web.environment.SKILLPASS_PUBLIC_BASE_URL"),
    ),
]


# (id, the check that must notice, what breaks) in the file as written
RAW_BREAKAGES = [
    (
        "postgres-password-defaulted",
        secret_problems,
        _set("services.postgres.environment.POSTGRES_PASSWORD", "${POSTGRES_PASSWORD:-skillpass}"),
    ),
    (
        "broker-password-defaulted",
        secret_problems,
        _set("x-app-environment.AMQP_URL", "amqp://skillpass:${RABBITMQ_PASSWORD-skillpass}@rabbitmq:5672/"),
    ),
    ("portal-secret-committed", secret_problems, _set(f"{PORTAL_WEB}.environment.PORTAL_SECRET_KEY", "k" * 40)),
    (
        "portal-secret-defaulted",
        secret_problems,
        _set(f"{PORTAL_WEB}.environment.PORTAL_SECRET_KEY", "${PORTAL_SECRET_KEY:-" + "k" * 40 + "}"),
    ),
    (
        "hostname-defaulted",
        secret_problems,
        _set("services.proxy.environment.SKILLPASS_HOSTNAME", "${SKILLPASS_HOSTNAME:-localhost}"),
    ),
    ("setting-not-passed", settings_problems, _delete("services.passport-worker.environment.CONSUMER_PREFETCH")),
    ("identity-setting-not-passed", settings_problems, _delete("services.identity-web.environment.SMTP_URL")),
    ("setting-undocumented", settings_problems, _set("services.passport-web.environment.NEW_ONE", "${NEW_ONE:-}")),
    (
        "validity-of-a-type-not-passed",
        settings_problems,
        _delete("services.certificate-worker.environment.SKILLPASS_CERTIFICATE_VALIDITY_MONTHS_RSC"),
    ),
    ("set-by-compose-missing", settings_problems, _delete(f"{PORTAL_WEB}.environment.PORTAL_PROXY_HOPS")),
]


@pytest.mark.parametrize(
    "document, check, breakage",
    [pytest.param("compose", check, breakage, id=name) for name, check, breakage in COMPOSE_BREAKAGES]
    + [
        pytest.param("raw_compose", check, breakage, id=f"as-written:{name}") for name, check, breakage in RAW_BREAKAGES
    ],
)
def test_each_check_catches_a_broken_file(document, check, breakage, request):
    """Each check of the file, interpolated (`compose`) or as written (`raw_compose`), against a broken copy."""
    compose = request.getfixturevalue(document)
    assert not check(compose), "the unbroken file must pass first"
    breakage(compose)
    assert check(compose)


@pytest.mark.parametrize(
    "edit_readme, edit_env_example",
    [
        pytest.param(
            lambda text: text.replace("| `LOG_LEVEL` |", "| `LOG_LEVEL`, `LOG_COLOUR` |"),
            None,
            id="readme-setting-never-passed",
        ),
        pytest.param(None, lambda text: text.replace("# OUTBOX_RETENTION_DAYS=7\n", ""), id="env-example-missing"),
        pytest.param(
            None,
            lambda text: text.replace("\nPOSTGRES_PASSWORD=", "\n# POSTGRES_PASSWORD="),
            id="env-example-required-commented-out",
        ),
    ],
)
def test_the_settings_check_reads_the_readme_and_env_example(edit_readme, edit_env_example, raw_compose):
    readme, env_example = README.read_text(), ENV_EXAMPLE.read_text()
    assert not settings_problems(raw_compose, readme, env_example), "the unbroken files must pass first"
    broken = (
        edit_readme(readme) if edit_readme else readme,
        edit_env_example(env_example) if edit_env_example else env_example,
    )
    assert broken != (readme, env_example), "the edit must change a file"
    assert settings_problems(raw_compose, *broken)


@pytest.mark.parametrize(
    "edit",
    [
        pytest.param(lambda text: text.replace("respond /metrics 404", "", 1), id="metrics-public"),
        pytest.param(
            lambda text: text.replace("reverse_proxy signoff-web:5003", "reverse_proxy signoff-web:5004"),
            id="wrong-upstream",
        ),
        pytest.param(lambda text: text.replace("header_up X-Forwarded-Prefix /api/planning\n", ""), id="no-prefix"),
        pytest.param(lambda text: text.replace("tls {$SKILLPASS_TLS:internal}", "tls internal"), id="tls-fixed"),
        pytest.param(
            lambda text: text.replace("handle_path /api/metrics/*", "handle_path /metrics/*"), id="route-moved"
        ),
        pytest.param(
            lambda text: text.replace("reverse_proxy portal-web:5007", "reverse_proxy identity-web:5001"),
            id="portal-not-at-root",
        ),
    ],
)
def test_the_proxy_check_catches_a_broken_caddyfile(edit, compose):
    caddyfile = CADDYFILE.read_text()
    assert not proxy_problems(compose, caddyfile), "the unbroken file must pass first"
    assert edit(caddyfile) != caddyfile, "the edit must change the file"
    assert proxy_problems(compose, edit(caddyfile))


def caddy(*args: str, **env: str) -> subprocess.CompletedProcess:
    executable = shutil.which("caddy")
    if not executable:
        pytest.skip("Caddy is not installed here (.ci/run installs Debian's caddy package)")
    return subprocess.run([executable, *args], env={**os.environ, **env}, capture_output=True, text=True, timeout=60)


def test_caddy_validates_the_caddyfile_and_a_broken_one_not(tmp_path):
    valid = caddy(
        "validate",
        "--config",
        str(CADDYFILE),
        "--adapter",
        "caddyfile",
        SKILLPASS_HOSTNAME=DEPLOYMENT["SKILLPASS_HOSTNAME"],
        XDG_DATA_HOME=str(tmp_path),
    )
    assert valid.returncode == 0, valid.stderr
    broken = tmp_path / "Caddyfile"
    broken.write_text(CADDYFILE.read_text().replace("header_up X-Forwarded-Prefix", "header_upp X-Forwarded-Prefix"))
    invalid = caddy(
        "validate",
        "--config",
        str(broken),
        "--adapter",
        "caddyfile",
        SKILLPASS_HOSTNAME=DEPLOYMENT["SKILLPASS_HOSTNAME"],
        XDG_DATA_HOME=str(tmp_path),
    )
    assert invalid.returncode != 0


def test_with_the_trusts_certificate_caddy_loads_those_files_and_makes_none():
    adapted = caddy(
        "adapt",
        "--config",
        str(CADDYFILE),
        "--adapter",
        "caddyfile",
        SKILLPASS_HOSTNAME=DEPLOYMENT["SKILLPASS_HOSTNAME"],
        SKILLPASS_TLS="/etc/caddy/certs/fullchain.pem /etc/caddy/certs/privkey.pem",
    )
    assert adapted.returncode == 0, adapted.stderr
    tls = json.loads(adapted.stdout)["apps"]["tls"]
    assert tls["certificates"]["load_files"] == [
        {"certificate": "/etc/caddy/certs/fullchain.pem", "key": "/etc/caddy/certs/privkey.pem", "tags": ["cert0"]}
    ]
    assert "automation" not in tls
    internal = json.loads(
        caddy(
            "adapt",
            "--config",
            str(CADDYFILE),
            "--adapter",
            "caddyfile",
            SKILLPASS_HOSTNAME=DEPLOYMENT["SKILLPASS_HOSTNAME"],
        ).stdout
    )["apps"]["tls"]
    assert internal["automation"]["policies"] == [
        {"subjects": [DEPLOYMENT["SKILLPASS_HOSTNAME"]], "issuers": [{"module": "internal"}]}
    ]


# ---- docker-compose.cluster.yml: three brokers in one cluster ---------------------------------------

CLUSTER_FILE = REPO / "docker-compose.cluster.yml"
CLUSTER_CONF = REPO / "docker" / "rabbitmq" / "cluster.conf"
BROKERS = ("rabbitmq", "rabbitmq-2", "rabbitmq-3")
CLUSTER_DEPLOYMENT = {**DEPLOYMENT, "RABBITMQ_ERLANG_COOKIE": "c" * 40}


def merged(base: dict, override: dict) -> dict:
    """docker compose's merge of an override file: mappings key by key, a service's volumes by their target,
    anything else replaced."""
    result = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            result[key] = merged(base[key], value)
        elif key == "volumes" and isinstance(value, list) and isinstance(base.get(key), list):
            by_target = {target: volume for volume, (_, target) in zip(base[key], _mounts({"volumes": base[key]}))}
            by_target.update({target: volume for volume, (_, target) in zip(value, _mounts({"volumes": value}))})
            result[key] = list(by_target.values())
        else:
            result[key] = value
    return result


def cluster_problems(base: dict, override: dict, conf: str) -> list[str]:
    """With the override, every process that talks to the broker is given the three nodes, each node with the
    same credentials and cookie, a fixed hostname, a volume of its own and the config that names them all."""
    problems = schema_errors(override)
    compose = merged(base, override)
    problems += schema_errors(compose)
    services = compose.get("services", {})
    named = set(re.findall(r"^cluster_formation\.classic_config\.nodes\.\d+ = (\S+)$", conf, re.M))
    if named != {f"rabbit@{broker}" for broker in BROKERS}:
        problems.append(f"cluster.conf names {sorted(named)}, not rabbit@ each of {BROKERS}")
    cookies, data = set(), []
    for broker in BROKERS:
        service = services.get(broker, {})
        environment = _environment(service)
        cookies.add(environment.get("RABBITMQ_ERLANG_COOKIE"))
        if (environment.get("RABBITMQ_DEFAULT_USER"), environment.get("RABBITMQ_DEFAULT_PASS")) != (
            "skillpass",
            DEPLOYMENT["RABBITMQ_PASSWORD"],
        ):
            problems.append(f"{broker}: not the platform's broker account")
        if service.get("hostname") != broker:
            problems.append(f"{broker}: hostname {service.get('hostname')!r}; its node name must stay rabbit@{broker}")
        mounts = dict((target, source) for source, target in _mounts(service))
        if (REPO / mounts.get("/etc/rabbitmq/conf.d/20-cluster.conf", "-")).resolve() != CLUSTER_CONF:
            problems.append(f"{broker}: docker/rabbitmq/cluster.conf is not mounted into conf.d")
        data.append(mounts.get("/var/lib/rabbitmq"))
    if cookies != {CLUSTER_DEPLOYMENT["RABBITMQ_ERLANG_COOKIE"]}:
        problems.append(f"the brokers' Erlang cookies differ or are missing: {cookies}")
    if len(set(data)) != len(BROKERS) or not set(data) <= set(compose.get("volumes") or {}):
        problems.append(f"the brokers' data are not each on a named volume of their own: {data}")
    for svc, _, name in _processes():
        if svc == PORTAL:
            continue
        urls = [urlsplit(part) for part in _environment(services.get(name, {})).get("AMQP_URL", "").split(";")]
        if sorted((u.hostname, u.username, u.password) for u in urls) != sorted(
            (broker, "skillpass", DEPLOYMENT["RABBITMQ_PASSWORD"]) for broker in BROKERS
        ):
            problems.append(f"{name}: AMQP_URL does not name the three nodes")
    return problems


def _cluster_files():
    base = interpolate_document(yaml.safe_load(COMPOSE_FILE.read_text()), CLUSTER_DEPLOYMENT)
    override = interpolate_document(yaml.safe_load(CLUSTER_FILE.read_text()), CLUSTER_DEPLOYMENT)
    return base, json.loads(json.dumps(override)), CLUSTER_CONF.read_text()


def test_the_cluster_override_gives_every_process_three_brokers_of_one_cluster():
    problems = cluster_problems(*_cluster_files())
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    "breakage",
    [
        pytest.param(_delete("services.metrics-worker"), id="a-process-left-on-one-broker"),
        pytest.param(_set("services.rabbitmq-3.hostname", "broker-3"), id="hostname-not-in-the-config"),
        pytest.param(_set("services.rabbitmq-2.volumes", ["rabbitmq-3-data:/var/lib/rabbitmq"]), id="shared-data"),
        pytest.param(_set("services.rabbitmq-2.environment.RABBITMQ_ERLANG_COOKIE", "other"), id="other-cookie"),
    ],
)
def test_the_cluster_check_catches_a_broken_override(breakage):
    base, override, conf = _cluster_files()
    assert not cluster_problems(base, override, conf), "the unbroken files must pass first"
    breakage(override)
    assert cluster_problems(base, override, conf)


def test_the_cluster_override_needs_its_cookie():
    with pytest.raises(InterpolationError, match="RABBITMQ_ERLANG_COOKIE"):
        interpolate_document(yaml.safe_load(CLUSTER_FILE.read_text()), DEPLOYMENT)


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

IMAGE_SOURCES = {"pyproject.toml", "README.md", "requirements.lock", "shared", "services"}
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
    if not any(
        keyword == "RUN" and "pip install -c /tmp/src/requirements.lock" in arguments
        for keyword, arguments in instructions
    ):
        problems.append("the project is never pip-installed with the versions of requirements.lock")
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
        pytest.param(
            lambda text: text.replace("pip install -c /tmp/src/requirements.lock", "pip install"),
            None,
            id="newest-versions-not-the-locked",
        ),
    ],
)
def test_dockerfile_check_catches_a_broken_file(edit_dockerfile, edit_dockerignore):
    dockerfile, dockerignore = DOCKERFILE.read_text(), DOCKERIGNORE.read_text()
    assert not dockerfile_problems(dockerfile, dockerignore), "the unbroken files must pass first"
    broken_dockerfile = edit_dockerfile(dockerfile) if edit_dockerfile else dockerfile
    broken_dockerignore = edit_dockerignore(dockerignore) if edit_dockerignore else dockerignore
    assert (broken_dockerfile, broken_dockerignore) != (dockerfile, dockerignore), "the edit must change a file"
    assert dockerfile_problems(broken_dockerfile, broken_dockerignore)
