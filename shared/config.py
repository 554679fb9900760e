"""Configuration from environment variables, each with a safe local default."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

# The web port of each service (DESIGN §5); the order is the start-up order.
SERVICE_PORTS: dict[str, int] = {
    "identity": 5001,
    "passport": 5002,
    "signoff": 5003,
    "certificate": 5004,
    "planning": 5005,
    "metrics": 5006,
}
# The web front end: a web process only (no database, no worker), calling the services above.
PORTAL = "portal"
PORTAL_PORT = 5007
WEB_PORTS: dict[str, int] = {**SERVICE_PORTS, PORTAL: PORTAL_PORT}

EVENTS_EXCHANGE = "skillpass.events"
# What outside systems may read (DESIGN §9): the public events, routed by `<ODS code>.<event type>`.
PUBLIC_EXCHANGE = "skillpass.public"
DEAD_LETTER_EXCHANGE = "skillpass.dlx"
TOKEN_AUDIENCE = "skillpass"
# Where each service serves its own copy of Swagger UI (shared/swagger_ui.py), so that /docs needs no CDN.
LOCAL_SWAGGER_UI_URL = "/docs/assets/"


def _int(env: dict[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"{name} must be a whole number, not {raw!r}") from None


def _positive_int(env: dict[str, str], name: str, default: int) -> int:
    value = _int(env, name, default)
    if value < 1:
        raise ValueError(f"{name} must be a whole number more than 0, not {env.get(name)!r}")
    return value


def _float(env: dict[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        return float(raw)
    except ValueError:
        raise ValueError(f"{name} must be a number, not {raw!r}") from None


# A worker serves its metrics beside its service's web port: 5001 -> 6001 (WORKER_METRICS_PORT overrides).
WORKER_METRICS_PORT_OFFSET = 1000


def worker_metrics_port(env: dict[str, str], web_port: int) -> int:
    port = _int(env, "WORKER_METRICS_PORT", web_port + WORKER_METRICS_PORT_OFFSET)
    if not 0 <= port <= 65535:
        raise ValueError(
            f"WORKER_METRICS_PORT must be a port number (0 to switch it off), not {env.get('WORKER_METRICS_PORT')!r}"
        )
    return port


DEFAULT_DATABASE_NAME_PREFIX = "skillpass_"
# Part of every database name, which the tools and SQL then take as it is: letters, digits and `_` only.
_DATABASE_NAME_PREFIX = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,40}")


def database_name_prefix(env: dict[str, str]) -> str:
    prefix = env.get("DATABASE_NAME_PREFIX") or DEFAULT_DATABASE_NAME_PREFIX
    if not _DATABASE_NAME_PREFIX.fullmatch(prefix):
        raise ValueError(
            f"DATABASE_NAME_PREFIX must be letters, digits and '_' (not starting with a digit, "
            f"at most 41), not {prefix!r}"
        )
    return prefix


def database_url_for(service: str, env: dict[str, str]) -> str:
    """DATABASE_URL wins; else the service's own database on DATABASE_SERVER_URL; else SQLite."""
    if env.get("DATABASE_URL"):
        return _sqlalchemy_url(env["DATABASE_URL"])
    server = env.get("DATABASE_SERVER_URL")
    if server:
        return _sqlalchemy_url(server.rstrip("/") + f"/{database_name_prefix(env)}{service}")
    data_dir = Path(env.get("SKILLPASS_DATA_DIR", "var")).resolve()
    return f"sqlite:///{data_dir / (service + '.db')}"


def _sqlalchemy_url(url: str) -> str:
    """Accept plain postgresql:// URLs and use the psycopg 3 driver for them."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


@dataclass(frozen=True)
class Settings:
    service: str
    database_url: str
    amqp_url: str = "amqp://guest:guest@127.0.0.1:5672//"
    port: int = 5000
    web_workers: int = 2
    identity_jwks_url: str = "http://127.0.0.1:5001/.well-known/jwks.json"
    identity_issuer: str = "http://127.0.0.1:5001"
    token_ttl_seconds: int = 3600
    max_content_length: int = 1024 * 1024
    # At least a bulk sign-off's 44 events, so that a consumer applies them in one transaction, not five.
    consumer_prefetch: int = 50
    relay_batch_size: int = 100
    relay_poll_seconds: float = 0.05
    relay_safety_poll_seconds: float = 2.0
    publish_confirm_timeout: float = 5.0
    # Housekeeping (shared/housekeeping.py): sent outbox rows and inbox rows are kept this long. The inbox
    # is what makes a redelivered event change nothing, so its retention is far longer than any redelivery.
    outbox_retention_days: int = 7
    inbox_retention_days: int = 30
    housekeeping_interval_seconds: int = 3600
    # `skillpass backup` and `restore` (shared/backup.py): the command lines that run each tool, so that
    # they can run inside the servers' containers (`docker compose exec -T postgres pg_dump`).
    pg_dump: str = "pg_dump"
    pg_restore: str = "pg_restore"
    psql: str = "psql"
    rabbitmqctl: str = "rabbitmqctl"
    log_level: str = "INFO"
    worker_heartbeat_file: str = ""
    swagger_ui_url: str = LOCAL_SWAGGER_UI_URL
    # Reverse proxies in front of the web process whose X-Forwarded-* headers are trusted (shared/public_address.py).
    proxy_hops: int = 0
    # Where the worker serves /metrics (shared/metrics_server.py); 0: not at all. The web processes' metrics
    # are gathered across gunicorn's workers in PROMETHEUS_MULTIPROC_DIR (shared/gunicorn_conf.py).
    web_host: str = "127.0.0.1"
    worker_metrics_port: int = 0  # from_env: the web port + 1000
    prometheus_multiproc_dir: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_env(cls, service: str, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        port = _int(env, "PORT", SERVICE_PORTS.get(service, 5000))
        return cls(
            service=service,
            database_url=database_url_for(service, env),
            amqp_url=env.get("AMQP_URL") or cls.amqp_url,
            port=port,
            web_workers=_int(env, "WEB_WORKERS", cls.web_workers),
            identity_jwks_url=env.get("IDENTITY_JWKS_URL") or cls.identity_jwks_url,
            identity_issuer=env.get("IDENTITY_ISSUER") or cls.identity_issuer,
            token_ttl_seconds=_int(env, "TOKEN_TTL_SECONDS", cls.token_ttl_seconds),
            max_content_length=_int(env, "MAX_CONTENT_LENGTH", cls.max_content_length),
            consumer_prefetch=_int(env, "CONSUMER_PREFETCH", cls.consumer_prefetch),
            relay_batch_size=_int(env, "RELAY_BATCH_SIZE", cls.relay_batch_size),
            relay_poll_seconds=_float(env, "RELAY_POLL_SECONDS", cls.relay_poll_seconds),
            relay_safety_poll_seconds=_float(env, "RELAY_SAFETY_POLL_SECONDS", cls.relay_safety_poll_seconds),
            publish_confirm_timeout=_float(env, "PUBLISH_CONFIRM_TIMEOUT", cls.publish_confirm_timeout),
            outbox_retention_days=_positive_int(env, "OUTBOX_RETENTION_DAYS", cls.outbox_retention_days),
            inbox_retention_days=_positive_int(env, "INBOX_RETENTION_DAYS", cls.inbox_retention_days),
            housekeeping_interval_seconds=_positive_int(
                env, "HOUSEKEEPING_INTERVAL_SECONDS", cls.housekeeping_interval_seconds
            ),
            pg_dump=env.get("PG_DUMP") or cls.pg_dump,
            pg_restore=env.get("PG_RESTORE") or cls.pg_restore,
            psql=env.get("PSQL") or cls.psql,
            rabbitmqctl=env.get("RABBITMQCTL") or cls.rabbitmqctl,
            log_level=(env.get("LOG_LEVEL") or cls.log_level).upper(),
            swagger_ui_url=env.get("SWAGGER_UI_URL") or cls.swagger_ui_url,
            proxy_hops=_int(env, "PROXY_HOPS", cls.proxy_hops),
            worker_heartbeat_file=env.get("WORKER_HEARTBEAT_FILE")
            or str(Path(env.get("TMPDIR", "/tmp")) / f"skillpass-{service}-worker.alive"),
            web_host=env.get("WEB_HOST") or cls.web_host,
            worker_metrics_port=worker_metrics_port(env, port),
            prometheus_multiproc_dir=env.get("PROMETHEUS_MULTIPROC_DIR", ""),
            extra={k: v for k, v in env.items() if k.startswith(("SKILLPASS_", "IDENTITY_", "ARGON2_", "SMTP_"))},
        )

    @property
    def is_postgres(self) -> bool:
        return self.database_url.startswith("postgresql")
