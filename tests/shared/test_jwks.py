"""Identity's public keys fetched over HTTP: once, and again only for an unknown kid."""

import pytest

from shared.auth import JwksKeyResolver, TokenVerifier
from shared.domain import Unauthorized
from shared.testing import TEST_ISSUER, JwksServer, TestKeys, public_jwk


@pytest.fixture
def jwks():
    with JwksServer() as server:
        yield server


def test_keys_are_fetched_once_and_reused(jwks):
    keys = TestKeys()
    jwks.keys = [public_jwk(keys)]
    verifier = TokenVerifier(JwksKeyResolver(jwks.url), issuer=TEST_ISSUER)
    for _ in range(5):
        verifier.verify(keys.token())
    assert jwks.fetches == 1


def test_a_new_kid_triggers_one_refetch(jwks):
    first, second = TestKeys(), TestKeys()
    jwks.keys = [public_jwk(first)]
    verifier = TokenVerifier(JwksKeyResolver(jwks.url, min_refetch_seconds=0), issuer=TEST_ISSUER)
    verifier.verify(first.token())
    jwks.keys = [public_jwk(first), public_jwk(second)]  # identity rotated its key
    caller = verifier.verify(second.token(roles=["lead"]))
    assert caller.roles == {"lead"}
    assert jwks.fetches == 2


def test_unknown_kids_cannot_make_it_refetch_on_every_request(jwks):
    known = TestKeys()
    jwks.keys = [public_jwk(known)]
    verifier = TokenVerifier(JwksKeyResolver(jwks.url, min_refetch_seconds=60), issuer=TEST_ISSUER)
    verifier.verify(known.token())
    for _ in range(10):
        with pytest.raises(Unauthorized):
            verifier.verify(TestKeys().token())
    assert jwks.fetches == 1


def test_identity_unreachable_means_401_not_500():
    verifier = TokenVerifier(JwksKeyResolver("http://127.0.0.1:1/jwks.json", timeout=0.5), issuer=TEST_ISSUER)
    with pytest.raises(Unauthorized):
        verifier.verify(TestKeys().token())
