"""The portal's own behaviour, in process with Flask's test client: its session cookie, CSRF, security
headers, where a refused or ended session goes, and the page shown when a service cannot be reached
(the services are pointed at a closed port)."""

from __future__ import annotations

import re
import time

import pytest

from services.portal.app import create_app
from services.portal.session import COOKIE_NAME
from services.portal.settings import BACKENDS, PortalSettings

CLOSED = "http://127.0.0.1:1"


def settings(**overrides) -> PortalSettings:
    values = dict(backend_urls={name: CLOSED for name in BACKENDS}, secret_key=b"k" * 32, api_timeout_seconds=1.0)
    values.update(overrides)
    return PortalSettings(**values)


@pytest.fixture
def client():
    return create_app(settings(), log_to_stdout=False).test_client()


def sign_in_as(client, expires_in: float = 3600, roles=("staff",)):
    with client.session_transaction() as session:
        session.update(
            {
                "token": "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl",
                "csrf": "known-csrf",
                "user": {
                    "user_id": "u1",
                    "name": "Amara Okafor",
                    "trust_id": "t1",
                    "trust_name": "Leeds",
                    "roles": list(roles),
                    "expires_at": time.time() + expires_in,
                },
            }
        )


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def test_session_cookie_is_http_only_same_site_lax_and_secure_only_over_https():
    app = create_app(settings(proxy_hops=1), log_to_stdout=False)
    plain = app.test_client().get("/sign-in").headers["Set-Cookie"]
    assert "HttpOnly" in plain and "SameSite=Lax" in plain and "Secure" not in plain
    secure = app.test_client().get("/sign-in", headers={"X-Forwarded-Proto": "https"}).headers["Set-Cookie"]
    assert "HttpOnly" in secure and "SameSite=Lax" in secure and "Secure" in secure


def test_the_cookie_does_not_show_the_token_and_a_tampered_cookie_is_no_session(client):
    sign_in_as(client)
    page = client.get("/")
    assert page.status_code == 200 and "Amara Okafor" in page.text
    cookie = client.get_cookie(COOKIE_NAME).value
    assert "eyJ" not in cookie and "Amara" not in cookie  # encrypted, not just signed
    client.set_cookie(COOKIE_NAME, cookie[:-4] + "AAAA")
    assert client.get("/").status_code == 302


def test_a_form_without_the_right_csrf_token_is_refused_and_nothing_is_sent(client):
    sign_in_as(client)
    for data in ({}, {"csrf_token": "wrong"}):
        refused = client.post("/passports/start", data={"passport_type": "NRSS", **data})
        assert refused.status_code == 400
        assert "This form has expired" in refused.text
    # with the right token the form reaches the passport service, which is unreachable here: the proof that
    # the refused ones never got that far
    assert (
        client.post("/passports/start", data={"passport_type": "NRSS", "csrf_token": "known-csrf"}).status_code == 503
    )


def test_sign_in_form_needs_csrf_too(client):
    assert client.post("/sign-in", data={"email": "a@b", "password": "x"}).status_code == 400
    token = csrf_of(client.get("/sign-in").text)
    answer = client.post("/sign-in", data={"email": "", "password": "", "csrf_token": token})
    assert answer.status_code == 422
    assert 'href="#email"' in answer.text and "Enter your email address" in answer.text


@pytest.mark.parametrize(
    "path", ["/sign-in", "/no-such-page", "/certificates/00000000-0000-0000-0000-000000000000/verify"]
)
def test_security_headers_on_every_page(client, path):
    headers = client.get(path).headers
    policy = headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy and "frame-ancestors 'none'" in policy
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"


def test_an_ended_session_goes_to_sign_in_with_a_message_and_comes_back_after(client):
    sign_in_as(client, expires_in=-1)
    answer = client.get("/passports?page=2")
    assert answer.status_code == 302
    assert answer.headers["Location"] == "/sign-in?next=/passports?page%3D2"
    page = client.get(answer.headers["Location"])
    assert "Your session has ended" in page.text
    assert 'name="next" value="/passports?page=2"' in page.text


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil.example"])
def test_after_sign_in_only_a_page_of_this_site(client, target):
    page = client.get("/sign-in", query_string={"next": target})
    assert 'name="next" value="/"' in page.text


def test_an_unreachable_service_gets_a_friendly_page_with_the_reference(client):
    sign_in_as(client)
    answer = client.get("/passports", headers={"X-Correlation-ID": "ref-12345"})
    assert answer.status_code == 503
    assert "Sorry, there is a problem with the service" in answer.text
    assert "ref-12345" in answer.text and "Traceback" not in answer.text


def test_pages_for_supervisors_are_not_found_for_staff(client):
    sign_in_as(client, roles=("staff",))
    assert client.get("/sign-off-requests").status_code == 404


def test_readiness_says_which_service_is_unreachable(client):
    answer = client.get("/readyz")
    assert answer.status_code == 503
    assert client.get("/healthz").status_code == 200


@pytest.mark.parametrize(
    ("roles", "offered"),
    [
        (("staff",), {"My passports", "My certificates"}),
        (("supervisor",), {"Sign-off requests"}),
        (("educator",), {"Sign-off requests", "Cohort", "Plan"}),
        (("lead", "workforce"), {"Sign-off requests", "Cohort", "Plan", "Dashboard", "Roster"}),
        (("trust_admin",), {"Sign-off requests", "Cohort", "Plan", "Dashboard", "Roster", "Staff"}),
        (("platform_admin",), set()),
    ],
)
def test_the_home_page_offers_what_each_role_does(client, roles, offered):
    sign_in_as(client, roles=roles)
    page = client.get("/")
    assert page.status_code == 200
    cards = set(re.findall(r'class="nhsuk-card__link" href="[^"]+">\s*([^<]+?)\s*</a>', page.text))
    assert cards == offered
    assert ("nothing for your role" in page.text) == (not offered)
    assert re.search(r"<title>Home", page.text)
