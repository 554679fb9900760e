"""The portal's app factory: pages in the NHS.UK design system over the services' APIs."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from flask import Flask, jsonify, redirect, render_template, request, session, url_for
from jinja2 import BytecodeCache, ChainableUndefined, ChoiceLoader, FileSystemLoader, PackageLoader
from werkzeug.exceptions import HTTPException

from services.portal import presenters
from services.portal.backend import Backend, BackendUnavailable, get
from services.portal.pages import BLUEPRINTS
from services.portal.pages.support import SessionEnded, here
from services.portal.session import (
    CSRF_FIELD,
    EncryptedCookieSessionInterface,
    csrf_is_valid,
    csrf_token,
    sign_out,
    signed_in,
)
from services.portal.settings import PortalSettings
from shared.app import install_request_log, loggable_path
from shared.logs import configure_logging, current_correlation_id
from shared.metrics_http import install_http_metrics
from shared.public_address import trust_proxy

log = logging.getLogger("skillpass.portal")
TEMPLATES = __file__.rsplit("/", 1)[0] + "/templates"

SECURITY_HEADERS = {
    # No inline script or style anywhere: every script and stylesheet is a file of this site.
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}


class _CompiledTemplates(BytecodeCache):
    """Each template compiled once a process, whichever of its apps renders it first: the tests make an app
    a test, and compiling the pages and the NHS.UK macros is most of what a page costs the first time. Jinja
    compiles again when a template's source changes (its checksum is the bucket's)."""

    def __init__(self):
        self._compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket) -> None:
        if bucket.key in self._compiled:
            bucket.bytecode_from_string(self._compiled[bucket.key])

    def dump_bytecode(self, bucket) -> None:
        self._compiled[bucket.key] = bucket.bytecode_to_string()


_COMPILED_TEMPLATES = _CompiledTemplates()


def create_app(settings: PortalSettings | None = None, *, log_to_stdout: bool = True) -> Flask:
    settings = settings or PortalSettings.from_env()
    if log_to_stdout:
        configure_logging("portal", settings.log_level)
    app = Flask("services.portal", template_folder=TEMPLATES)
    app.config.update(MAX_CONTENT_LENGTH=settings.max_content_length)
    app.jinja_options = {
        "undefined": ChainableUndefined,  # the NHS.UK macros read optional parameters in chains
        "loader": ChoiceLoader([FileSystemLoader(TEMPLATES), PackageLoader("nhsuk_frontend_jinja")]),
        "autoescape": True,
        "bytecode_cache": _COMPILED_TEMPLATES,
    }
    trust_proxy(app, settings.proxy_hops)  # behind a TLS-terminating proxy: its X-Forwarded-Proto marks cookies Secure
    app.session_interface = EncryptedCookieSessionInterface(settings.secret_key, settings.session_hours * 3600)
    app.extensions["portal"] = Backend(settings.backend_urls, settings.api_timeout_seconds)
    app.jinja_env.globals.update(
        csrf_token=csrf_token,
        csrf_field=CSRF_FIELD,
        long_date=presenters.long_date,
        person=presenters.person,
        levels=presenters.LEVELS,
    )
    install_http_metrics(app, "portal", settings.prometheus_multiproc_dir)  # first: it times the CSRF refusals too
    install_request_log(app)
    _install_csrf(app)
    _install_headers(app)
    _install_error_pages(app)
    _install_health(app)
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)

    @app.context_processor
    def _page_context():
        return {"user": signed_in(), "now": datetime.now(UTC)}

    return app


def _install_csrf(app: Flask) -> None:
    @app.before_request
    def _check_csrf():
        if request.method in ("POST", "PUT", "PATCH", "DELETE") and not csrf_is_valid(request.form.get(CSRF_FIELD)):
            log.warning("form refused: missing or wrong CSRF token", extra={"path": loggable_path()})
            return render_template("errors/form-expired.html"), 400


def _install_headers(app: Flask) -> None:
    @app.after_request
    def _headers(response):
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if not request.path.startswith("/static/"):
            response.headers.setdefault("Cache-Control", "no-store")  # pages hold personal data
        return response


def _install_error_pages(app: Flask) -> None:
    @app.errorhandler(SessionEnded)
    def _session_ended(_error):
        sign_out()
        session["notice"] = "Your session has ended. Sign in again to carry on."
        return redirect(url_for("account.sign_in", next=here()))

    @app.errorhandler(BackendUnavailable)
    def _unavailable(error: BackendUnavailable):
        log.error("a service could not be reached", extra={"backend": error.service, "error": str(error)})
        return render_template("errors/unavailable.html", correlation_id=current_correlation_id()), 503

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):
        if error.code >= 500:
            log.error(
                "request failed",
                extra={"status": error.code, "error": repr(getattr(error, "original_exception", error))},
            )
            return render_template("errors/unavailable.html", correlation_id=current_correlation_id()), error.code
        template = {404: "errors/not-found.html", 413: "errors/too-large.html"}.get(error.code, "errors/problem.html")
        return render_template(template, status=error.code, correlation_id=current_correlation_id()), error.code

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        log.exception("unexpected error")
        return render_template("errors/unavailable.html", correlation_id=current_correlation_id()), 500


def _install_health(app: Flask) -> None:
    @app.get("/healthz")
    def healthz():
        return jsonify(status="ok", checks={})

    @app.get("/readyz")
    def readyz():
        """Ready when every service the pages call answers its own liveness check."""
        backend: Backend = app.extensions["portal"]
        names = list(backend.urls)
        checks = {}
        try:
            answers = backend.call_all([get(name, "/healthz") for name in names])
            checks = {name: "ok" if answer.ok else f"answered {answer.status}" for name, answer in zip(names, answers)}
        except BackendUnavailable as error:
            checks[error.service] = "unreachable"
        ready = len(checks) == len(names) and all(value == "ok" for value in checks.values())
        return jsonify(status="ok" if ready else "not ready", checks=checks), 200 if ready else 503


def create_portal_app() -> Flask:
    """gunicorn's entry point."""
    return create_app()
