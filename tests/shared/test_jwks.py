"""Identity's public keys fetched over HTTP: once, and again only for an unknown kid."""
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
import pytest

from shared.auth import JwksKeyResolver, TokenVerifier
from shared.errors import Unauthorized
from shared.testing import TEST_ISSUER, TestKeys


def jwk_of(keys: TestKeys) -> dict:
    return {**json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(keys.private_key.public_key())), "kid": keys.kid}


@pytest.fixture
def jwks_server():
    state = {"keys": [], "fetches": 0}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            state["fetches"] += 1
            body = json.dumps({"keys": state["keys"]}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/.well-known/jwks.json", state
    server.shutdown()


def test_keys_are_fetched_once_and_reused(jwks_server):
    url, state = jwks_server
    keys = TestKeys()
    state["keys"] = [jwk_of(keys)]
    verifier = TokenVerifier(JwksKeyResolver(url), issuer=TEST_ISSUER)
    for _ in range(5):
        verifier.verify(keys.token())
    assert state["fetches"] == 1


def test_a_new_kid_triggers_one_refetch(jwks_server):
    url, state = jwks_server
    first, second = TestKeys(), TestKeys()
    state["keys"] = [jwk_of(first)]
    verifier = TokenVerifier(JwksKeyResolver(url, min_refetch_seconds=0), issuer=TEST_ISSUER)
    verifier.verify(first.token())
    state["keys"] = [jwk_of(first), jwk_of(second)]  # identity rotated its key
    caller = verifier.verify(second.token(roles=["lead"]))
    assert caller.roles == {"lead"}
    assert state["fetches"] == 2


def test_unknown_kids_cannot_make_it_refetch_on_every_request(jwks_server):
    url, state = jwks_server
    known = TestKeys()
    state["keys"] = [jwk_of(known)]
    verifier = TokenVerifier(JwksKeyResolver(url, min_refetch_seconds=60), issuer=TEST_ISSUER)
    verifier.verify(known.token())
    for _ in range(10):
        with pytest.raises(Unauthorized):
            verifier.verify(TestKeys().token())
    assert state["fetches"] == 1


def test_identity_unreachable_means_401_not_500():
    verifier = TokenVerifier(JwksKeyResolver("http://127.0.0.1:1/jwks.json", timeout=0.5), issuer=TEST_ISSUER)
    with pytest.raises(Unauthorized):
        verifier.verify(TestKeys().token())
