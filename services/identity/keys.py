"""Token signing keys: RS256, generated at first start (or given by env) and published as a JWKS."""
from __future__ import annotations

import base64
import hashlib
import json
import logging
import threading
from typing import Any

import jwt
import sqlalchemy as sa
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from services.identity.models import SigningKey

log = logging.getLogger(__name__)


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
    digest = hashlib.sha256(canonical.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def ensure_signing_key(session, configured_pem: str | None) -> str:
    """Make sure exactly one active key exists; the configured one when given. Returns its kid."""
    if configured_pem:
        kid = thumbprint_kid(configured_pem)
        if session.get(SigningKey, kid) is None:
            session.execute(sa.update(SigningKey).values(active=False))
            session.add(SigningKey(kid=kid, private_pem=configured_pem, active=True))
            log.info("signing key from IDENTITY_SIGNING_KEY installed", extra={"kid": kid})
        return kid
    active = session.scalars(sa.select(SigningKey).where(SigningKey.active)).first()
    if active is not None:
        return active.kid
    return rotate(session)


def rotate(session) -> str:
    """A new active key; old keys stay in the JWKS so that tokens they signed still verify."""
    pem = generate_private_pem()
    kid = thumbprint_kid(pem)
    session.execute(sa.update(SigningKey).values(active=False))
    session.add(SigningKey(kid=kid, private_pem=pem, active=True))
    log.info("new signing key generated", extra={"kid": kid})
    return kid


class KeyRing:
    """Per-process cache of the keys in identity's database."""

    def __init__(self, database):
        self.database = database
        self._lock = threading.Lock()
        self._public: dict[str, Any] = {}
        self._signing: tuple[str, Any] | None = None

    def key_for(self, kid: str) -> Any | None:
        if kid not in self._public:
            self._load()
        return self._public.get(kid)

    def signing_key(self) -> tuple[str, Any]:
        if self._signing is None:
            self._load()
        if self._signing is None:
            raise RuntimeError("identity has no active signing key; run `skillpass identity init`")
        return self._signing

    def jwks(self) -> dict[str, Any]:
        with self.database.session() as session:
            rows = session.scalars(sa.select(SigningKey).order_by(SigningKey.created_at.desc())).all()
            return {"keys": [public_jwk(row.private_pem, row.kid) for row in rows]}

    def sign(self, claims: dict[str, Any]) -> str:
        kid, key = self.signing_key()
        return jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid})

    def _load(self) -> None:
        with self._lock, self.database.session() as session:
            rows = session.scalars(sa.select(SigningKey)).all()
            for row in rows:
                if row.kid not in self._public:
                    private = serialization.load_pem_private_key(row.private_pem.encode(), password=None)
                    self._public[row.kid] = private.public_key()
                    if row.active:
                        self._signing = (row.kid, private)
