"""Setting a password from an invitation or reset link, and asking for a reset: no sign-in, identity's
answers scripted. And the link's token never reaches a log line."""

from __future__ import annotations

import logging
import re

import pytest

from services.portal.app import create_app
from services.portal.backend import Answer
from tests.portal.test_staff_admin_pages import FakeBackend, portal_with, settings, text_of

TOKEN = "Zm9yLXRoZS1ub3Jzdy1zZXQtcGFzc3dvcmQtdG9rZW4"
LINK = f"/auth/links/{TOKEN}"
INVITATION = {
    "purpose": "invitation",
    "name": "Amara Okafor",
    "email": "amara.okafor@example.nhs.uk",
    "expires_at": "2026-12-08T09:00:00+00:00",
}


@pytest.fixture
def fake():
    return FakeBackend()


@pytest.fixture
def client(fake):
    return portal_with(fake)


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def test_a_good_link_opens_the_form_for_its_person_without_signing_in(client, fake):
    fake.on("GET", LINK, Answer(200, INVITATION))
    page = client.get(f"/set-password/{TOKEN}")
    assert page.status_code == 200
    shown = text_of(page.text)
    for words in (
        "Create a password",
        "Amara Okafor",
        "amara.okafor@example.nhs.uk",
        "At least 10 characters",
        "Avoid common passwords",
        "Type the password again",
        "expires on 8 December 2026",
    ):
        assert words in shown, words
    assert 'autocomplete="new-password"' in page.text
    assert fake.sent[0][1] is None  # no one's token: the link is the only credential


@pytest.mark.parametrize(
    "status, detail, heading",
    [
        (404, "No such link.", "This link does not work"),
        (410, "This link has already been used.", "This link has already been used"),
        (410, "This link has expired.", "This link has expired"),
    ],
)
def test_a_link_that_cannot_be_used_says_why_and_how_to_get_a_new_one(client, fake, status, detail, heading):
    fake.on("GET", LINK, Answer(status, {"status": status, "detail": detail}))
    page = client.get(f"/set-password/{TOKEN}")
    assert page.status_code == status
    shown = text_of(page.text)
    assert heading in shown
    assert "ask your Trust admin to send you a new invitation" in shown
    assert 'href="/forgotten-password"' in page.text and "Forgotten your password?" in shown
    assert "<form" not in page.text.split("maincontent")[1]  # nothing to fill in


def test_setting_the_password_leads_to_sign_in_with_the_email_ready(client, fake):
    fake.on("GET", LINK, Answer(200, INVITATION))
    fake.on("POST", LINK, Answer(200, {"user_id": "u1", "email": "amara.okafor@example.nhs.uk"}))
    form = client.get(f"/set-password/{TOKEN}")
    answer = client.post(
        f"/set-password/{TOKEN}",
        data={
            "csrf_token": csrf_of(form.text),
            "password": "correct horse battery staple",
            "confirm_password": "correct horse battery staple",
        },
    )
    assert answer.status_code == 302 and answer.headers["Location"] == "/sign-in"
    assert fake.made("POST", LINK)[0].body == {"password": "correct horse battery staple"}
    page = client.get("/sign-in")
    assert "Your password has been set. Sign in with amara.okafor@example.nhs.uk" in page.text
    assert 'value="amara.okafor@example.nhs.uk"' in page.text
    assert "Your password has been set" not in client.get("/sign-in").text  # said once


def test_passwords_that_differ_are_refused_before_identity_is_asked(client, fake):
    fake.on("GET", LINK, Answer(200, INVITATION))
    form = client.get(f"/set-password/{TOKEN}")
    page = client.post(
        f"/set-password/{TOKEN}",
        data={
            "csrf_token": csrf_of(form.text),
            "password": "correct horse battery staple",
            "confirm_password": "correct horse battery stapler",
        },
    )
    assert page.status_code == 422
    assert 'href="#confirm_password"' in page.text and "The passwords do not match" in page.text
    assert not fake.made("POST", LINK)
    assert "correct horse" not in page.text  # a password is never written back into the page


def test_identitys_password_rules_are_shown_on_the_password_field(client, fake):
    fake.on("GET", LINK, Answer(200, INVITATION))
    fake.on(
        "POST",
        LINK,
        Answer(
            422,
            {
                "status": 422,
                "title": "Unprocessable Entity",
                "errors": {"password": ["This password is too common. Choose one that is harder to guess."]},
            },
        ),
    )
    form = client.get(f"/set-password/{TOKEN}")
    page = client.post(
        f"/set-password/{TOKEN}",
        data={"csrf_token": csrf_of(form.text), "password": "password123", "confirm_password": "password123"},
    )
    assert page.status_code == 422
    assert "There is a problem" in page.text and 'href="#password"' in page.text
    assert "This password is too common" in page.text
    assert "Create a password" in page.text


def test_a_link_used_up_between_opening_and_saving_says_so(client, fake):
    fake.on("GET", LINK, Answer(200, INVITATION))
    fake.on("POST", LINK, Answer(410, {"status": 410, "detail": "This link has already been used."}))
    form = client.get(f"/set-password/{TOKEN}")
    page = client.post(
        f"/set-password/{TOKEN}",
        data={
            "csrf_token": csrf_of(form.text),
            "password": "correct horse battery staple",
            "confirm_password": "correct horse battery staple",
        },
    )
    assert page.status_code == 410 and "This link has already been used" in page.text


def test_the_sign_in_page_offers_a_forgotten_password_link(client):
    assert 'href="/forgotten-password">Forgotten your password?</a>' in client.get("/sign-in").text


def test_asking_for_a_reset_always_shows_the_same_page(client, fake):
    fake.on("POST", "/auth/password-reset", Answer(202, None))
    form = client.get("/forgotten-password")
    assert form.status_code == 200 and "Email address" in form.text
    pages = []
    for email in ("amara.okafor@example.nhs.uk", "no-one@example.nhs.uk"):
        answer = client.post("/forgotten-password", data={"csrf_token": csrf_of(form.text), "email": email})
        assert answer.status_code == 302
        pages.append(client.get(answer.headers["Location"]).text)
    assert pages[0] == pages[1]
    assert (
        "If there is an account for that email, we have sent a link to reset the password. It expires in 1 hour."
    ) in pages[0]
    assert [call.body for call in fake.made("POST", "/auth/password-reset")] == [
        {"email": "amara.okafor@example.nhs.uk"},
        {"email": "no-one@example.nhs.uk"},
    ]


def test_a_reset_without_a_proper_email_is_asked_again_with_what_was_typed(client, fake):
    form = client.get("/forgotten-password")
    empty = client.post("/forgotten-password", data={"csrf_token": csrf_of(form.text), "email": " "})
    assert empty.status_code == 422 and "Enter your email address" in empty.text
    wrong = client.post("/forgotten-password", data={"csrf_token": csrf_of(form.text), "email": "amara.okafor"})
    assert wrong.status_code == 422 and 'value="amara.okafor"' in wrong.text and 'href="#email"' in wrong.text
    assert fake.sent == []


def test_the_forms_need_their_csrf_token(client, fake):
    fake.on("GET", LINK, Answer(200, INVITATION))
    assert (
        client.post(f"/set-password/{TOKEN}", data={"password": "x" * 12, "confirm_password": "x" * 12}).status_code
        == 400
    )
    assert client.post("/forgotten-password", data={"email": "a@example.nhs.uk"}).status_code == 400
    assert not fake.made("POST", LINK) and not fake.made("POST", "/auth/password-reset")


def _everything_logged(records: list[logging.LogRecord]) -> str:
    return "\n".join(f"{record.getMessage()} {record.__dict__}" for record in records)


def test_the_links_token_is_never_logged(fake, caplog):
    """The request log, the refused-form warning and the backend's own log of its calls name the path
    without the token; so does the log of a service that cannot be reached."""
    client = portal_with(fake)
    fake.on("GET", LINK, Answer(200, INVITATION))
    with caplog.at_level(logging.DEBUG):
        client.get(f"/set-password/{TOKEN}")
        client.post(f"/set-password/{TOKEN}", data={"password": "x"})  # no CSRF token: refused and logged
    paths = [record.path for record in caplog.records if getattr(record, "path", None)]
    assert "/set-password/[redacted]" in paths
    assert TOKEN not in _everything_logged(caplog.records)

    caplog.clear()
    unreachable = create_app(settings(), log_to_stdout=False).test_client()  # identity at a closed port
    with caplog.at_level(logging.DEBUG):
        assert unreachable.get(f"/set-password/{TOKEN}").status_code == 503
    assert caplog.records and TOKEN not in _everything_logged(caplog.records)
    assert any("/auth/links/[redacted]" in _everything_logged([record]) for record in caplog.records)
