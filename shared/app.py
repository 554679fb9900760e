"""The app factory every service's web process uses."""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app, g, request
from flask.views import MethodView
from marshmallow import Schema, fields

from shared.auth import SECURITY_SCHEME, Blueprint, current_caller
from shared.broker import broker_reachable
from shared.errors import problem
from shared.logs import configure_logging, current_correlation_id, reset_correlation_id, set_correlation_id
from shared.metrics_http import install_http_metrics
from shared.public_address import PublicApi, trust_proxy
from shared.schemas import SchemaPlugin
from shared.service import Runtime, ServiceSpec
from shared.swagger_ui import swagger_ui_blueprint
from shared.uow import UnitOfWork

log = logging.getLogger("skillpass.request")
_SAFE_CORRELATION_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


def create_app(spec: ServiceSpec, runtime: Runtime | None = None, *, log_to_stdout: bool = True) -> Flask:
    runtime = runtime or Runtime(spec)
    settings = runtime.settings
    if log_to_stdout:
        configure_logging(spec.name, settings.log_level)

    app = Flask(f"services.{spec.name}")
    app.config.update(
        API_TITLE=spec.title,
        API_VERSION="1.0.0",
        OPENAPI_VERSION="3.1.0",
        OPENAPI_URL_PREFIX="/",
        OPENAPI_JSON_PATH="openapi.json",
        OPENAPI_SWAGGER_UI_PATH="docs",
        OPENAPI_SWAGGER_UI_URL=settings.swagger_ui_url,
        # Swagger UI would otherwise show a badge loaded from validator.swagger.io: a request out of the Trust's
        # network that hands over the document's address, for a check the tests make already.
        OPENAPI_SWAGGER_UI_CONFIG={"validatorUrl": None},
        API_SPEC_OPTIONS={"info": {"description": spec.description}},
        MAX_CONTENT_LENGTH=settings.max_content_length,
        JSON_SORT_KEYS=False,
    )
    app.extensions["skillpass"] = runtime
    trust_proxy(app, settings.proxy_hops)
    install_http_metrics(app, spec.name, settings.prometheus_multiproc_dir)  # on the app: not in the API's document
    api = PublicApi(app, spec_kwargs={"marshmallow_plugin": SchemaPlugin()})
    api.spec.components.security_scheme("bearerAuth", SECURITY_SCHEME)
    api.register_blueprint(_health_blueprint())
    app.register_blueprint(swagger_ui_blueprint())  # on the app, not the Api: not part of the API's document
    for blueprint in spec.blueprints:
        api.register_blueprint(blueprint)
    install_request_log(app)
    return app


def unit_of_work() -> UnitOfWork:
    """The current service's unit of work, for use inside a request."""
    return current_app.extensions["skillpass"].unit_of_work()


def as_caller(handler: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """A thin view's whole work: `handler(uow, caller, *args)` in a unit of work of the request, as its caller."""
    with unit_of_work() as uow:
        return handler(uow, current_caller(), *args, **kwargs)


def runtime() -> Runtime:
    return current_app.extensions["skillpass"]


def install_request_log(app: Flask) -> None:
    """Every request under a correlation id (the caller's X-Correlation-ID when safe), logged as one JSON line."""

    @app.before_request
    def _start():
        given = request.headers.get("X-Correlation-ID", "")
        correlation_id = given if _SAFE_CORRELATION_ID.match(given) else None
        g.correlation_token = set_correlation_id(correlation_id or str(uuid.uuid4()))
        g.started = time.perf_counter()

    @app.after_request
    def _finish(response):
        correlation_id = current_correlation_id()
        if correlation_id:
            response.headers["X-Correlation-ID"] = correlation_id
        log.info(
            "request",
            extra={
                "method": request.method,
                "path": loggable_path(),
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - g.get("started", time.perf_counter())) * 1000, 2),
            },
        )
        return response

    @app.teardown_request
    def _reset(_error=None):
        token = g.pop("correlation_token", None)
        if token is not None:
            reset_correlation_id(token)


def loggable_path() -> str:
    """The request's path as a log may show it: a one-time link's token (a route argument named `token`) is
    as good as a password, so it is replaced."""
    secret = (request.view_args or {}).get("token")
    if not secret or not request.url_rule:
        return request.path
    return request.path.replace(str(secret), "[redacted]")


class HealthSchema(Schema):
    status = fields.String(required=True)
    checks = fields.Dict(keys=fields.String(), values=fields.String())


def _health_blueprint() -> Blueprint:
    blp = Blueprint("health", __name__, description="Liveness and readiness probes")

    @blp.route("/healthz")
    class Health(MethodView):
        @blp.response(200, HealthSchema)
        def get(self):
            """The process is alive."""
            return {"status": "ok", "checks": {}}

    @blp.route("/readyz")
    class Ready(MethodView):
        @blp.response(200, HealthSchema)
        @blp.errors(503)
        def get(self):
            """The database and the broker are reachable."""
            current = runtime()
            checks = {}
            try:
                current.database.ping()
                checks["database"] = "ok"
            except Exception as error:  # any failure means "not ready"
                checks["database"] = f"unreachable: {type(error).__name__}"
            ok, detail = broker_reachable(current.settings.amqp_url)
            checks["broker"] = "ok" if ok else f"unreachable: {detail}"
            if any(value != "ok" for value in checks.values()):
                return problem(503, "Not ready: " + "; ".join(f"{k} {v}" for k, v in checks.items()))
            return {"status": "ok", "checks": checks}

    return blp


def create_service_app(name: str) -> Flask:
    """gunicorn's entry point: `shared.app:create_service_app('identity')`."""
    from shared.service import load_spec

    return create_app(load_spec(name))
