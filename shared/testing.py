"""Tokens minted with a test key, for tests and benchmarks (never used by a running service)."""
from __future__ import annotations

import time
import uuid

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

from shared.auth import StaticKeyResolver
from shared.config import TOKEN_AUDIENCE

TEST_ISSUER = "http://identity.test"


class TestKeys:
    __test__ = False  # not a pytest test class

    def __init__(self, kid: str | None = None):
        self.kid = kid or f"test-{uuid.uuid4().hex[:8]}"
        self.private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    def resolver(self) -> StaticKeyResolver:
        return StaticKeyResolver({self.kid: self.private_key.public_key()})

    def token(
        self,
        *,
        user_id: uuid.UUID | None = None,
        trust_id: uuid.UUID | None = None,
        roles: list[str] = ("staff",),
        issuer: str = TEST_ISSUER,
        audience: str = TOKEN_AUDIENCE,
        expires_in: int = 3600,
        **extra,
    ) -> str:
        now = int(time.time())
        claims = {
            "sub": str(user_id or uuid.uuid4()),
            "trust_id": str(trust_id) if trust_id else None,
            "roles": list(roles),
            "iss": issuer,
            "aud": audience,
            "iat": now,
            "exp": now + expires_in,
            **extra,
        }
        return jwt.encode(claims, self.private_key, algorithm="RS256", headers={"kid": self.kid})
