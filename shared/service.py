"""What a service declares about itself, and the runtime each of its processes builds from that."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from shared.auth import JwksKeyResolver, KeyResolver, TokenVerifier
from shared.config import SERVICE_PORTS, Settings
from shared.consumer import Handler
from shared.db import Database
from shared.domain import Caller
from shared.uow import UnitOfWork


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    # Seconds between runs, or how to find them in the worker's settings (the spec exists before any settings do).
    every_seconds: float | Callable[[Settings], float]
    run: Callable[[Runtime], None]
    # When the first run comes after start; None: a whole interval after, like every later one.
    first_run_after_seconds: float | None = None

    def interval(self, settings: Settings) -> float:
        return self.every_seconds(settings) if callable(self.every_seconds) else self.every_seconds


@dataclass
class ServiceSpec:
    name: str
    title: str
    description: str
    blueprints: list = field(default_factory=list)
    migrations: Path | None = None
    metadata: object | None = None  # the service's SQLAlchemy MetaData, which its migrations must match
    handlers: dict[str, Handler] = field(default_factory=dict)
    periodic_jobs: list[PeriodicJob] = field(default_factory=list)
    # One-off start-up work run by `init` after migrations (signing keys, the start-up admin...).
    init_steps: list[Callable[[Runtime], None]] = field(default_factory=list)
    # Extra CLI commands: name -> (help, function(runtime, args list) -> exit code).
    commands: dict[str, tuple[str, Callable[[Runtime, list[str]], int]]] = field(default_factory=dict)
    # Where tokens are checked against keys other than identity's JWKS (identity itself).
    key_resolver: Callable[[Runtime], KeyResolver] | None = None
    # Where the caller's current roles and Trust are at hand (identity owns them), a fresher caller.
    caller_loader: Callable[[Runtime, Caller], Caller] | None = None
    # Metrics of the service's own that its worker serves beside the shared ones (shared/prometheus.py): each
    # a factory given the runtime, returning a prometheus_client collector read at scrape time.
    metrics_collectors: list[Callable[[Runtime], object]] = field(default_factory=list)


class Runtime:
    """A service's settings, database and token verifier inside one process."""

    def __init__(
        self,
        spec: ServiceSpec,
        settings: Settings | None = None,
        key_resolver: KeyResolver | None = None,
        *,
        retries_database: bool = False,
    ):
        """`retries_database`: the process retries what lost its database connection itself (the worker), so its
        connections are not pinged before each use (Database.pre_ping)."""
        self.spec = spec
        self.settings = settings or Settings.from_env(spec.name)
        self.database = Database(self.settings.database_url, pre_ping=not retries_database)
        self._components: dict[str, object] = {}
        resolver = key_resolver or (
            spec.key_resolver(self) if spec.key_resolver else JwksKeyResolver(self.settings.identity_jwks_url)
        )
        self.verifier = TokenVerifier(resolver, issuer=self.settings.identity_issuer)

    def component(self, name: str, factory: Callable[[Runtime], object]):
        """A per-process object of the service's own (a key ring, a password hasher), built once."""
        if name not in self._components:
            self._components[name] = factory(self)
        return self._components[name]

    def unit_of_work(self) -> UnitOfWork:
        return UnitOfWork(self.database, self.spec.name)


def service_package(service_module: str, *, title: str, **declared) -> ServiceSpec:
    """The spec of a service package of the one shape every service has (give it `__name__` of its service.py):
    the package's name, its docstring as the description (its words, whitespace folded), `BLUEPRINTS` of its
    routes, `Base.metadata` of its models, `HANDLERS` of its handlers and the migrations under `migrations/versions`.
    `declared` is what only some services have (periodic jobs, init steps, commands...)."""
    package_name = service_module.rsplit(".", 1)[0]
    package = importlib.import_module(package_name)
    routes, models, handlers = (
        importlib.import_module(f"{package_name}.{part}") for part in ("routes", "models", "handlers")
    )
    return ServiceSpec(
        name=package_name.rsplit(".", 1)[-1],
        title=title,
        description=" ".join((package.__doc__ or "").split()),
        blueprints=routes.BLUEPRINTS,
        migrations=Path(package.__file__).resolve().parent / "migrations" / "versions",
        metadata=models.Base.metadata,
        handlers=handlers.HANDLERS,
        **declared,
    )


def load_spec(name: str) -> ServiceSpec:
    if name not in SERVICE_PORTS:
        raise LookupError(f"unknown service {name!r}; known: {', '.join(SERVICE_PORTS)}")
    module = importlib.import_module(f"services.{name}.service")
    return module.SERVICE


def installed_services() -> list[str]:
    """The services present in this checkout, in start-up order."""
    services_dir = Path(__file__).resolve().parent.parent / "services"
    return [name for name in SERVICE_PORTS if (services_dir / name / "service.py").exists()]
