"""Tokens: sign-in, the JWKS that verifies them, throttling and deactivated users."""

import jwt
import pytest

from shared.auth import keys_from_jwks
from tests.identity.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, make_identity


def test_token_is_an_rs256_jwt_with_the_contract_claims_verifiable_by_the_jwks(identity):
    trust = identity.new_trust()
    user = identity.new_user(trust["id"], roles=["staff", "supervisor"])
    response = identity.client.post("/auth/token", json={"email": user["email"], "password": user["password"]})
    body = response.get_json()
    assert response.status_code == 200
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600

    header = jwt.get_unverified_header(body["access_token"])
    assert header["alg"] == "RS256"
    keys = keys_from_jwks(identity.client.get("/.well-known/jwks.json").get_json())
    claims = jwt.decode(
        body["access_token"],
        keys[header["kid"]],
        algorithms=["RS256"],
        audience="skillpass",
        issuer="http://identity.test",
    )
    assert claims["sub"] == user["id"]
    assert claims["trust_id"] == trust["id"]
    assert sorted(claims["roles"]) == ["staff", "supervisor"]
    assert claims["exp"] - claims["iat"] == 3600


def test_jwks_has_no_private_parts(identity):
    [key] = identity.client.get("/.well-known/jwks.json").get_json()["keys"]
    assert {"kty", "n", "e", "kid", "alg", "use"} <= set(key)
    assert not {"d", "p", "q", "dp", "dq", "qi"} & set(key)


def test_email_is_matched_whatever_its_case(identity):
    assert identity.token(ADMIN_EMAIL.upper(), ADMIN_PASSWORD)


def test_wrong_password_and_unknown_email_give_the_same_401_problem(identity):
    wrong = identity.client.post("/auth/token", json={"email": ADMIN_EMAIL, "password": "not the password"})
    unknown = identity.client.post("/auth/token", json={"email": "nobody@example.nhs.uk", "password": "whatever"})
    for response in (wrong, unknown):
        assert response.status_code == 401
        assert response.mimetype == "application/problem+json"
    assert wrong.get_json() == unknown.get_json()


@pytest.mark.parametrize("email_exists", [True, False])
def test_repeated_wrong_passwords_are_throttled_without_revealing_the_email(sqlite_url, email_exists):
    identity = make_identity(sqlite_url, IDENTITY_LOGIN_MAX_FAILURES="3")
    email = ADMIN_EMAIL if email_exists else "ghost@example.nhs.uk"
    statuses = [
        identity.client.post("/auth/token", json={"email": email, "password": "guess"}).status_code for _ in range(4)
    ]
    assert statuses == [401, 401, 401, 429]
    locked = identity.client.post(
        "/auth/token", json={"email": email, "password": ADMIN_PASSWORD if email_exists else "x"}
    )
    assert locked.status_code == 429
    assert locked.mimetype == "application/problem+json"
    assert int(locked.headers["Retry-After"]) > 0
    # Another account is not affected.
    other = "someone.else@example.nhs.uk"
    assert identity.client.post("/auth/token", json={"email": other, "password": "guess"}).status_code == 401


def test_a_successful_sign_in_clears_earlier_failures(sqlite_url):
    identity = make_identity(sqlite_url, IDENTITY_LOGIN_MAX_FAILURES="3")
    for _ in range(2):
        identity.client.post("/auth/token", json={"email": ADMIN_EMAIL, "password": "guess"})
    identity.token(ADMIN_EMAIL, ADMIN_PASSWORD)
    for _ in range(2):
        assert identity.client.post("/auth/token", json={"email": ADMIN_EMAIL, "password": "guess"}).status_code == 401


def test_a_deactivated_user_cannot_get_a_token(identity):
    trust = identity.new_trust()
    user = identity.new_user(trust["id"])
    assert identity.client.post(f"/users/{user['id']}/deactivate", headers=identity.admin()).status_code == 200
    response = identity.client.post("/auth/token", json={"email": user["email"], "password": user["password"]})
    assert response.status_code == 401


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"email": ADMIN_EMAIL},
        {"password": "x"},
        {"email": 5, "password": "x"},
        {"email": "a", "password": "b", "extra": 1},
    ],
)
def test_malformed_token_requests_are_422_naming_the_field(identity, body):
    response = identity.client.post("/auth/token", json=body)
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["errors"]


def test_the_configured_signing_key_is_used_when_given(sqlite_url):
    from shared.signing import generate_private_pem, thumbprint_kid

    pem = generate_private_pem()
    identity = make_identity(sqlite_url, IDENTITY_SIGNING_KEY=pem)
    token = identity.token(ADMIN_EMAIL, ADMIN_PASSWORD)
    assert jwt.get_unverified_header(token)["kid"] == thumbprint_kid(pem)


def test_startup_admin_is_created_once_with_a_registered_event(identity):
    from shared.cli import run_init

    run_init(identity.runtime)  # init again, as a restart would
    events = identity.outbox("user.registered")
    assert len(events) == 1
    assert events[0]["data"]["roles"] == ["platform_admin"]
    assert "trustid" not in events[0]


def test_the_lockout_is_per_client_address(sqlite_url):
    identity = make_identity(sqlite_url, IDENTITY_LOGIN_MAX_FAILURES="2")
    attacker = {"REMOTE_ADDR": "198.51.100.7"}
    for _ in range(2):
        identity.client.post("/auth/token", json={"email": ADMIN_EMAIL, "password": "guess"}, environ_base=attacker)
    assert (
        identity.client.post(
            "/auth/token", json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}, environ_base=attacker
        ).status_code
        == 429
    )
    assert identity.token(ADMIN_EMAIL, ADMIN_PASSWORD)  # the owner, elsewhere, still signs in


def test_simultaneous_wrong_passwords_are_all_401(postgres_url):
    import threading

    identity = make_identity(postgres_url, IDENTITY_LOGIN_MAX_FAILURES="100")
    app = identity.client.application
    statuses, barrier = [], threading.Barrier(8)

    def attempt():
        client = app.test_client()
        barrier.wait()
        statuses.append(client.post("/auth/token", json={"email": "racer@example.nhs.uk", "password": "x"}).status_code)

    threads = [threading.Thread(target=attempt) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [401] * 8


def test_identity_acts_on_current_roles_not_the_tokens_copy(identity):
    trust = identity.new_trust()
    admin = identity.new_user(trust["id"], roles=["trust_admin"])
    assert identity.client.get("/users", headers=admin["headers"]).status_code == 200
    identity.client.patch(f"/users/{admin['id']}", json={"roles": ["staff"]}, headers=identity.admin())
    assert identity.client.get("/users", headers=admin["headers"]).status_code == 403  # same token, demoted
    identity.client.post(f"/users/{admin['id']}/deactivate", headers=identity.admin())
    response = identity.client.get("/users/me", headers=admin["headers"])
    assert response.status_code == 401 and response.mimetype == "application/problem+json"


def test_the_configured_key_is_used_again_after_a_rotation(sqlite_url):
    from shared.cli import run_init
    from shared.signing import generate_private_pem, thumbprint_kid

    pem = generate_private_pem()
    identity = make_identity(sqlite_url, IDENTITY_SIGNING_KEY=pem)
    identity.runtime.spec.commands["rotate-key"][1](identity.runtime, [])
    run_init(identity.runtime)  # the next start with IDENTITY_SIGNING_KEY still set
    restarted = make_identity(sqlite_url, IDENTITY_SIGNING_KEY=pem)
    assert jwt.get_unverified_header(restarted.token(ADMIN_EMAIL, ADMIN_PASSWORD))["kid"] == thumbprint_kid(pem)
