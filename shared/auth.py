"""Bearer-token authentication: JWTs from identity, verified locally with its public keys."""

from __future__ import annotations

import functools
import http
import json
import logging
import threading
import time
import urllib.request
import uuid
from collections.abc import Callable
from typing import Any, Protocol

import flask_smorest
import jwt
from flask import current_app, g, request
from webargs.flaskparser import FlaskParser

from shared.config import TOKEN_AUDIENCE
from shared.domain import Caller, Forbidden, Unauthorized

ALGORITHMS = ["RS256"]
SECURITY_SCHEME = {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
log = logging.getLogger(__name__)


class KeyResolver(Protocol):
    def key_for(self, kid: str) -> Any | None: ...


class JwksKeyResolver:
    """Identity's public keys, fetched once and again only when a token names an unknown kid."""

    def __init__(self, url: str, *, min_refetch_seconds: float = 10.0, timeout: float = 3.0):
        self.url = url
        self.min_refetch_seconds = min_refetch_seconds
        self.timeout = timeout
        self._keys: dict[str, Any] = {}
        self._fetched_at = float("-inf")
        self._lock = threading.Lock()

    def key_for(self, kid: str) -> Any | None:
        key = self._keys.get(kid)
        if key is None:
            with self._lock:
                key = self._keys.get(kid)
                if key is None and time.monotonic() - self._fetched_at >= self.min_refetch_seconds:
                    self._refetch()
                    key = self._keys.get(kid)
        return key

    def _refetch(self) -> None:
        self._fetched_at = time.monotonic()
        try:
            with urllib.request.urlopen(self.url, timeout=self.timeout) as response:
                document = json.load(response)
            self._keys = keys_from_jwks(document)
        except (OSError, ValueError) as error:
            log.warning("could not fetch identity keys", extra={"url": self.url, "error": str(error)})


class StaticKeyResolver:
    def __init__(self, keys: dict[str, Any]):
        self.keys = keys

    def key_for(self, kid: str) -> Any | None:
        return self.keys.get(kid)


def keys_from_jwks(document: dict[str, Any]) -> dict[str, Any]:
    keys = {}
    for jwk in document.get("keys", []):
        if jwk.get("kid") and jwk.get("kty") == "RSA":
            keys[jwk["kid"]] = jwt.PyJWK(jwk, algorithm="RS256").key
    return keys


class TokenVerifier:
    def __init__(self, resolver: KeyResolver, issuer: str, audience: str = TOKEN_AUDIENCE):
        self.resolver = resolver
        self.issuer = issuer
        self.audience = audience

    def verify(self, token: str) -> Caller:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise Unauthorized("The bearer token is malformed.") from None
        kid = header.get("kid")
        key = self.resolver.key_for(kid) if isinstance(kid, str) else None
        if key is None:
            raise Unauthorized("The bearer token was not signed by a known key.")
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=ALGORITHMS,
                audience=self.audience,
                issuer=self.issuer,
                leeway=30,
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
            )
        except jwt.ExpiredSignatureError:
            raise Unauthorized("The bearer token has expired.") from None
        except jwt.PyJWTError as error:
            raise Unauthorized(f"The bearer token is not valid: {error}.") from None
        return caller_from_claims(claims)


def caller_from_claims(claims: dict[str, Any]) -> Caller:
    try:
        roles = claims.get("roles") or []
        if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
            raise ValueError("roles")
        trust = claims.get("trust_id")
        return Caller(
            user_id=uuid.UUID(str(claims["sub"])),
            trust_id=uuid.UUID(str(trust)) if trust else None,
            roles=frozenset(roles),
        )
    except (KeyError, ValueError):
        raise Unauthorized("The bearer token's claims are not valid.") from None


def current_caller() -> Caller:
    caller = g.get("caller")
    if caller is None:
        caller = _authenticate()
        g.caller = caller
    return caller


def _authenticate() -> Caller:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("A bearer token is required.")
    runtime = current_app.extensions["skillpass"]
    caller = runtime.verifier.verify(token.strip())
    if runtime.spec.caller_loader is not None:
        caller = runtime.spec.caller_loader(runtime, caller)
    return caller


class Parser(FlaskParser):
    def _raw_load_json(self, req):
        try:
            return super()._raw_load_json(req)
        except RecursionError as error:  # JSON nested deeper than the parser goes: malformed for us
            self._handle_invalid_json_error(error, req)


class Blueprint(flask_smorest.Blueprint):
    """A flask-smorest blueprint whose `auth` decorator checks the token and documents it."""

    ARGUMENTS_PARSER = Parser()

    def auth(self, *roles: str) -> Callable:
        """Require a valid token and, when roles are named, at least one of them."""

        def decorator(view):
            @functools.wraps(view)
            def wrapper(*args, **kwargs):
                caller = current_caller()
                if roles and not caller.has_any(*roles):
                    raise Forbidden(f"This requires one of the roles: {', '.join(roles)}.")
                return view(*args, **kwargs)

            wrapper = self.errors(401, 403)(wrapper)
            return self.doc(security=[{"bearerAuth": []}])(wrapper)

        return decorator

    def _document_pagination_metadata(self, spec, resp_doc):
        # The header's value is JSON text: document it as the string it is on the wire.
        resp_doc.setdefault("headers", {})[self.PAGINATION_HEADER_NAME] = {
            "description": "Pagination metadata as a JSON object: total, total_pages, first_page, "
            "last_page, page, previous_page, next_page",
            "schema": {"type": "string"},
        }

    def errors(self, *statuses: int) -> Callable:
        """Document the problem+json error responses an operation can give."""

        def decorator(view):
            for status in statuses:
                view = self.alt_response(status, response=http.HTTPStatus(status).name)(view)
            return view

        return decorator
