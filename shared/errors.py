"""RFC 9457 problem details for every error, the domain errors (shared/domain.py) among them."""

from __future__ import annotations

import http
import logging
from typing import Any

import flask_smorest
from flask import Response, json
from flask_smorest.spec import prepare_response
from marshmallow import Schema, fields
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException

from shared.domain import (
    Conflict,
    DomainError,
    Forbidden,
    Gone,
    Invalid,
    NotFound,
    TooLarge,
    TooManyRequests,
    Unauthorized,
    UnsupportedMediaType,
)

PROBLEM_CONTENT_TYPE = "application/problem+json"
log = logging.getLogger(__name__)


# The HTTP status of each kind of domain error (the most specific class wins).
STATUS: dict[type[DomainError], int] = {
    NotFound: 404,
    Conflict: 409,
    Forbidden: 403,
    Gone: 410,
    TooLarge: 413,
    UnsupportedMediaType: 415,
    Unauthorized: 401,
    Invalid: 422,
    TooManyRequests: 429,
}


class ProblemSchema(Schema):
    type = fields.String(metadata={"description": "A URI identifying the problem type"})
    title = fields.String(metadata={"description": "Short summary of the problem type"})
    status = fields.Integer(metadata={"description": "The HTTP status code"})
    detail = fields.String(metadata={"description": "What went wrong, for a person to read"})
    instance = fields.String()
    errors = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String()),
        metadata={"description": "Per-field messages, keyed by the field's dotted path"},
    )


def problem(
    status: int,
    detail: str | None = None,
    *,
    errors: dict[str, list[str]] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    phrase = http.HTTPStatus(status).phrase
    body: dict[str, Any] = {"type": "about:blank", "title": phrase, "status": status, "detail": detail or phrase}
    if errors:
        body["errors"] = errors
    response = Response(json.dumps(body), status=status, mimetype=PROBLEM_CONTENT_TYPE)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def flatten_messages(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    """marshmallow's nested error dicts → {"target.percentage": ["..."]}."""
    if isinstance(messages, dict):
        flat: dict[str, list[str]] = {}
        for key, value in messages.items():
            name = str(key) if key != "_schema" else ""
            path = f"{prefix}.{name}" if prefix and name else (prefix or name or "body")
            for field, texts in flatten_messages(value, path).items():
                flat.setdefault(field, []).extend(texts)
        return flat
    if isinstance(messages, (list, tuple)) and all(isinstance(m, str) for m in messages):
        return {prefix or "body": list(messages)}
    if isinstance(messages, (list, tuple)):
        flat = {}
        for value in messages:
            for field, texts in flatten_messages(value, prefix).items():
                flat.setdefault(field, []).extend(texts)
        return flat
    return {prefix or "body": [str(messages)]}


def _webargs_errors(error: HTTPException) -> dict[str, list[str]]:
    messages = (getattr(error, "data", None) or {}).get("messages") or {}
    flat: dict[str, list[str]] = {}
    for location, by_field in messages.items():
        # Body fields are named plainly; query, path and header fields carry their location.
        prefix = "" if location in ("json", "form", "files") else location
        for field, texts in flatten_messages(by_field, prefix).items():
            flat.setdefault(field, []).extend(texts)
    return flat


class Api(flask_smorest.Api):
    """flask-smorest's Api speaking application/problem+json on every error path."""

    ERROR_SCHEMA = ProblemSchema

    def _register_error_handlers(self):
        app = self._app
        app.register_error_handler(HTTPException, self.handle_http_exception)
        app.register_error_handler(DomainError, self.handle_domain_error)
        app.register_error_handler(IntegrityError, self.handle_integrity_error)
        app.register_error_handler(Exception, self.handle_unexpected_error)

    def handle_http_exception(self, error: HTTPException):
        status = error.code or 500
        headers = {}
        if status == 405 and error.valid_methods:  # type: ignore[attr-defined]
            headers["Allow"] = ", ".join(error.valid_methods)  # type: ignore[attr-defined]
        if status == 401:
            headers["WWW-Authenticate"] = "Bearer"
        if status == 422:
            errors = _webargs_errors(error)
            names = ", ".join(sorted(errors)) or "body"
            return problem(422, f"Invalid field(s): {names}", errors=errors)
        if status == 400 and getattr(error, "data", None):
            return problem(400, "The body is not valid JSON.", errors=_webargs_errors(error))
        if status == 413:
            return problem(413, "The request body is too large.")
        if status >= 500:
            log.error("http error", extra={"status": status, "error": str(error)})
            return problem(status, "The server could not complete the request.")
        detail = error.description if error.description and status not in (404, 405) else None
        return problem(status, detail or _default_detail(status), headers=headers)

    def handle_domain_error(self, error: DomainError):
        headers = {}
        if isinstance(error, Unauthorized):
            headers["WWW-Authenticate"] = "Bearer"
        if isinstance(error, TooManyRequests):
            headers["Retry-After"] = str(error.retry_after)
        status = next((STATUS[kind] for kind in type(error).__mro__ if kind in STATUS), 400)
        return problem(status, error.detail, errors=error.errors, headers=headers)

    def handle_integrity_error(self, error: IntegrityError):
        log.warning("integrity conflict", extra={"error": str(error.orig)[:300]})
        return problem(409, "The request conflicts with data that already exists.")

    def handle_unexpected_error(self, error: Exception):
        if isinstance(error, HTTPException):
            return self.handle_http_exception(error)
        log.exception("unexpected error")
        return problem(500, "The server could not complete the request.")

    def _register_responses(self):
        for status in http.HTTPStatus:
            response: dict[str, Any] = {"description": status.phrase}
            if not (100 <= status < 200) and status not in (204, 304):
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, PROBLEM_CONTENT_TYPE)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "Default error response", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, PROBLEM_CONTENT_TYPE)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)


def _default_detail(status: int) -> str:
    return {
        401: "A valid bearer token is required.",
        403: "You are not allowed to do this.",
        404: "No such resource.",
        405: "This method is not allowed on this resource.",
    }.get(status, http.HTTPStatus(status).phrase)
