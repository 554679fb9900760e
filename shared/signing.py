"""A service's own RS256 signing keys: generated (or given), kept in its own database, published as a
JWKS. identity signs tokens with them, certificate signs credentials; no two services share keys.

Each service has its own key table, a model of its own base with `SigningKeyColumns`, and passes it here.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import threading
import time
from datetime import datetime
from typing import Any

import jwt
import sqlalchemy as sa
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
from sqlalchemy.orm import Mapped, mapped_column

from shared.db import UTCDateTime, utcnow

log = logging.getLogger(__name__)


class SigningKeyColumns:
    """The columns of a service's key table (`signing_keys`); old keys stay to verify what they signed."""

    __tablename__ = "signing_keys"

    kid: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    private_pem: Mapped[str] = mapped_column(sa.Text())
    active: Mapped[bool] = mapped_column(sa.Boolean(), default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


def generate_private_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def public_jwk(private_pem: str, kid: str) -> dict[str, Any]:
    private = serialization.load_pem_private_key(private_pem.encode(), password=None)
    jwk = json.loads(RSAAlgorithm.to_jwk(private.public_key()))
    return {**jwk, "kid": kid, "use": "sig", "alg": "RS256"}


def thumbprint_kid(private_pem: str) -> str:
    """RFC 7638 thumbprint: the same key always gets the same kid."""
    jwk = public_jwk(private_pem, kid="")
    canonical = json.dumps({k: jwk[k] for k in ("e", "kty", "n")}, separators=(",", ":"), sort_keys=True)
    return base64.urlsafe_b64encode(hashlib.sha256(canonical.encode()).digest()).rstrip(b"=").decode()


def ensure_signing_key(session, model, configured_pem: str | None = None) -> str:
    """Make sure exactly one active key exists; the configured one when given. Returns its kid."""
    if configured_pem:
        kid = thumbprint_kid(configured_pem)
        row = session.get(model, kid)
        if row is None or not row.active:
            session.execute(sa.update(model).values(active=False))
            if row is None:
                session.add(model(kid=kid, private_pem=configured_pem, active=True))
            else:
                row.active = True
            log.info("configured signing key in use", extra={"kid": kid})
        return kid
    active = session.scalars(sa.select(model).where(model.active)).first()
    if active is not None:
        return active.kid
    return rotate(session, model)


def rotate(session, model) -> str:
    """A new active key; old keys stay in the JWKS so that what they signed still verifies."""
    pem = generate_private_pem()
    kid = thumbprint_kid(pem)
    session.execute(sa.update(model).values(active=False))
    session.add(model(kid=kid, private_pem=pem, active=True))
    log.info("new signing key generated", extra={"kid": kid})
    return kid


def install_signing_key(runtime, model, configured_pem: str | None = None) -> None:
    """`init`'s step: the service's active signing key, in a transaction of its own (see ensure_signing_key)."""
    with runtime.unit_of_work() as uow:
        ensure_signing_key(uow.session, model, configured_pem)
        uow.commit()


def key_ring(runtime, model) -> KeyRing:
    """The service's key ring, one per process (`runtime` is its shared.service.Runtime, which keeps it)."""
    return runtime.component("keyring", lambda r: KeyRing(r.database, model))


class KeyRing:
    """Per-process cache of the keys in the service's database."""

    def __init__(self, database, model, min_reload_seconds: float = 10.0):
        self.database = database
        self.model = model
        self.min_reload_seconds = min_reload_seconds
        self._lock = threading.Lock()
        self._public: dict[str, Any] = {}
        self._jwks: dict[str, Any] | None = None
        self._signing: tuple[str, Any] | None = None
        self._loaded_at = float("-inf")

    def key_for(self, kid: str) -> Any | None:
        # An unknown kid reloads at most every few seconds: made-up kids cannot load the database.
        if kid not in self._public and time.monotonic() - self._loaded_at >= self.min_reload_seconds:
            self._load()
        return self._public.get(kid)

    def jwks(self) -> dict[str, Any]:
        if self._jwks is None or time.monotonic() - self._loaded_at >= self.min_reload_seconds:
            self._load()
        return self._jwks

    def sign(self, claims: dict[str, Any], **headers: str) -> str:
        if self._signing is None:
            self._load()
        if self._signing is None:
            raise RuntimeError("no active signing key: run the service's `init`")
        kid, key = self._signing
        return jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid, **headers})

    def _load(self) -> None:
        model = self.model
        with self._lock, self.database.session() as session:
            rows = session.scalars(sa.select(model).order_by(model.created_at.desc())).all()
            for row in rows:
                if row.kid not in self._public:
                    private = serialization.load_pem_private_key(row.private_pem.encode(), password=None)
                    self._public[row.kid] = private.public_key()
                    if row.active:
                        self._signing = (row.kid, private)
            self._jwks = {"keys": [public_jwk(row.private_pem, row.kid) for row in rows]}
            self._loaded_at = time.monotonic()
