"""Tokens minted with a test key, for tests and benchmarks (never used by a running service)."""

from __future__ import annotations

import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

from shared.auth import StaticKeyResolver
from shared.config import TOKEN_AUDIENCE

TEST_ISSUER = "http://identity.test"

# A 2048-bit key takes tens of milliseconds to make, and a test suite makes one a test: the process makes the
# first few and then hands them out again in turn, so that any few keys made one after another (a test's own:
# its service's and an impostor's) are still different keys.
_KEYS_MADE_AT_MOST = 8
_keys_made: list[rsa.RSAPrivateKey] = []
_keys_handed_out = 0


def _private_key() -> rsa.RSAPrivateKey:
    global _keys_handed_out
    if len(_keys_made) < _KEYS_MADE_AT_MOST:
        _keys_made.append(rsa.generate_private_key(public_exponent=65537, key_size=2048))
    key = _keys_made[_keys_handed_out % len(_keys_made)]
    _keys_handed_out += 1
    return key


class TestKeys:
    __test__ = False  # not a pytest test class

    def __init__(self, kid: str | None = None):
        self.kid = kid or f"test-{uuid.uuid4().hex[:8]}"
        self.private_key = _private_key()

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


def public_jwk(keys: TestKeys) -> dict:
    return {**json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(keys.private_key.public_key())), "kid": keys.kid}


class JwksServer:
    """identity's /.well-known/jwks.json as a stand-in serves it; counts fetches, keys changeable."""

    def __init__(self, keys: list[dict] | None = None):
        self.keys = list(keys or [])
        self.fetches = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                outer.fetches += 1
                body = json.dumps({"keys": outer.keys}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/.well-known/jwks.json"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()

    def __enter__(self) -> JwksServer:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()
