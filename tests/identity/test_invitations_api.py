"""Invitations, password resets and the one-time links that set a password; the emails that carry them,
sent by the worker's step to a real SMTP server; and the password rules wherever a password is set."""

from __future__ import annotations

import email
import hashlib
import json
import socket
import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa

from services.identity.models import AccountLink, Email, User
from services.identity.service import SERVICE, send_emails
from shared.db import utcnow
from tests.identity.conftest import make_identity
from tests.support.openapi import assert_matches_documented_response
from tests.support.service_app import problem

PORTAL = "https://passports.example.nhs.uk"
NEW_PASSWORD = "a tidy new passphrase"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Inbox:
    """A real SMTP server (aiosmtpd) on a free port, keeping what it receives."""

    def __init__(self):
        from aiosmtpd.controller import Controller

        self.messages: list[email.message.Message] = []
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"


@pytest.fixture
def inbox():
    server = Inbox()
    server.controller.start()
    yield server
    server.controller.stop()


def token_of(link: str) -> str:
    assert link.startswith(f"{PORTAL}/set-password/"), link
    return link.rsplit("/", 1)[1]


def invite(identity, user_id, headers):
    response = identity.client.post(f"/users/{user_id}/invitation", headers=headers)
    assert response.status_code == 201, response.get_json()
    assert_matches_documented_response(identity.client, "POST", "/users/{user_id}/invitation", 201, response.get_json())
    return response.get_json()


@pytest.fixture
def without_smtp(database_url):
    return make_identity(database_url, SKILLPASS_PUBLIC_BASE_URL=PORTAL + "/")


def imported_person(identity, trust_id, headers, staff_number="I1", mail="ivy@example.nhs.uk"):
    body = {
        "email": mail,
        "name": "Ivy Nurse",
        "trust_id": str(trust_id),
        "roles": ["staff"],
        "staff_number": staff_number,
    }
    response = identity.client.post("/users", json=body, headers=headers)  # no password, as an import makes
    assert response.status_code == 201, response.get_json()
    return response.get_json()


# --- Without SMTP: the link is handed to the administrator ----------------------------------------


def test_an_invitation_gives_the_link_which_sets_the_password_once(without_smtp):
    identity = without_smtp
    trust = identity.new_trust()
    admin = identity.new_user(trust["id"], roles=["trust_admin"])
    person = imported_person(identity, trust["id"], admin["headers"])
    assert person["password_set"] is False and person["invited_at"] is None

    invitation = invite(identity, person["id"], admin["headers"])
    assert invitation["emailed"] is False and invitation["user_id"] == person["id"]
    assert (invitation["name"], invitation["email"]) == ("Ivy Nurse", "ivy@example.nhs.uk")
    token = token_of(invitation["link"])
    details = identity.client.get(f"/auth/links/{token}")
    assert details.status_code == 200
    assert details.get_json() == {
        "purpose": "invitation",
        "name": "Ivy Nurse",
        "email": "ivy@example.nhs.uk",
        "expires_at": invitation["expires_at"],
    }
    read = identity.client.get(f"/users/{person['id']}", headers=admin["headers"]).get_json()
    assert read["invited_at"] is not None and read["password_set"] is False

    before = len(identity.outbox())
    done = identity.client.post(f"/auth/links/{token}", json={"password": NEW_PASSWORD})
    assert done.status_code == 200 and done.get_json() == {"user_id": person["id"], "email": "ivy@example.nhs.uk"}
    assert identity.token("ivy@example.nhs.uk", NEW_PASSWORD)
    [updated] = identity.outbox()[before:]
    assert updated["type"].endswith("user.updated.v1") and updated["data"]["changed"] == ["password"]
    assert token not in json.dumps(identity.outbox())
    assert identity.client.get(f"/users/{person['id']}", headers=admin["headers"]).get_json()["password_set"] is True

    for again in (
        identity.client.get(f"/auth/links/{token}"),
        identity.client.post(f"/auth/links/{token}", json={"password": "another new passphrase"}),
    ):
        assert problem(again, 410)["detail"] == "This link has already been used."
    assert identity.token("ivy@example.nhs.uk", NEW_PASSWORD)


def test_only_the_hash_of_the_token_is_stored(without_smtp):
    identity = without_smtp
    trust = identity.new_trust()
    person = imported_person(identity, trust["id"], identity.admin())
    token = token_of(invite(identity, person["id"], identity.admin())["link"])
    with identity.runtime.database.session() as session:
        [link] = session.scalars(sa.select(AccountLink)).all()
        assert link.token_hash == hashlib.sha256(token.encode()).hexdigest()
        rows = [
            json.dumps(list(r), default=str)
            for table in SERVICE.metadata.sorted_tables
            for r in session.execute(sa.select(table))
        ]
    assert not any(token in row for row in rows)
    assert len(token) >= 43  # 32 random bytes


def test_a_new_invitation_voids_the_earlier_link(without_smtp):
    identity = without_smtp
    trust = identity.new_trust()
    person = imported_person(identity, trust["id"], identity.admin())
    first = token_of(invite(identity, person["id"], identity.admin())["link"])
    second = token_of(invite(identity, person["id"], identity.admin())["link"])
    problem(identity.client.get(f"/auth/links/{first}"), 410)
    assert identity.client.get(f"/auth/links/{second}").status_code == 200


def test_an_expired_link_is_410_and_an_unknown_one_404(without_smtp):
    identity = without_smtp
    trust = identity.new_trust()
    person = imported_person(identity, trust["id"], identity.admin())
    token = token_of(invite(identity, person["id"], identity.admin())["link"])
    with identity.runtime.database.session() as session:
        session.execute(sa.update(AccountLink).values(expires_at=utcnow() - timedelta(seconds=1)))
        session.commit()
    assert problem(identity.client.get(f"/auth/links/{token}"), 410)["detail"] == "This link has expired."
    problem(identity.client.post(f"/auth/links/{token}", json={"password": NEW_PASSWORD}), 410)
    problem(identity.client.get(f"/auth/links/{token[:-2]}xy"), 404)
    problem(identity.client.post(f"/auth/links/{'a' * 43}", json={"password": NEW_PASSWORD}), 404)
    problem(identity.client.get("/auth/links/x"), 404)


def test_the_link_sets_a_password_by_the_rules_only(without_smtp):
    identity = without_smtp
    trust = identity.new_trust()
    person = imported_person(identity, trust["id"], identity.admin())
    token = token_of(invite(identity, person["id"], identity.admin())["link"])
    for password, message in [("short", None), ("password123", "too common"), ("IVY@example.nhs.uk", "email")]:
        body = problem(identity.client.post(f"/auth/links/{token}", json={"password": password}), 422)
        assert list(body["errors"]) == ["password"]
        if message:
            assert message in body["errors"]["password"][0]
    assert identity.client.get(f"/auth/links/{token}").status_code == 200  # still usable


def test_a_deactivated_person_is_not_invited_and_their_links_stop(without_smtp):
    identity = without_smtp
    trust = identity.new_trust()
    person = imported_person(identity, trust["id"], identity.admin())
    token = token_of(invite(identity, person["id"], identity.admin())["link"])
    identity.client.post(f"/users/{person['id']}/deactivate", headers=identity.admin())
    problem(identity.client.post(f"/users/{person['id']}/invitation", headers=identity.admin()), 409)
    problem(identity.client.get(f"/auth/links/{token}"), 410)


def test_invitations_in_bulk_are_all_or_nothing_and_stay_in_the_trust(without_smtp):
    identity = without_smtp
    trust, other = identity.new_trust(), identity.new_trust()
    admin = identity.new_user(trust["id"], roles=["trust_admin"])
    mine = [imported_person(identity, trust["id"], admin["headers"], f"B{n}", f"b{n}@example.nhs.uk") for n in range(3)]
    stranger = imported_person(identity, other["id"], identity.admin(), "S1", "s1@example.nhs.uk")

    ids = [p["id"] for p in mine]
    refused = problem(
        identity.client.post("/users/invitations", json={"user_ids": [*ids, stranger["id"]]}, headers=admin["headers"]),
        404,
    )
    assert stranger["id"] in refused["detail"]
    with identity.runtime.database.session() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(AccountLink)) == 0

    response = identity.client.post("/users/invitations", json={"user_ids": [*ids, ids[0]]}, headers=admin["headers"])
    assert response.status_code == 200, response.get_json()
    assert_matches_documented_response(identity.client, "POST", "/users/invitations", 200, response.get_json())
    invitations = response.get_json()["invitations"]
    assert [i["user_id"] for i in invitations] == ids
    assert len({token_of(i["link"]) for i in invitations}) == 3

    problem(identity.client.post("/users/invitations", json={"user_ids": []}, headers=admin["headers"]), 422)
    problem(
        identity.client.post(
            "/users/invitations", json={"user_ids": [str(uuid.uuid4())] * 1001}, headers=admin["headers"]
        ),
        422,
    )
    staff = identity.new_user(trust["id"])
    problem(identity.client.post("/users/invitations", json={"user_ids": ids}, headers=staff["headers"]), 403)
    problem(identity.client.post(f"/users/{stranger['id']}/invitation", headers=admin["headers"]), 404)


def test_without_smtp_a_reset_request_is_202_and_does_nothing(without_smtp):
    identity = without_smtp
    for address in ("nobody@example.nhs.uk", "platform.admin@example.nhs.uk"):
        response = identity.client.post("/auth/password-reset", json={"email": address})
        assert response.status_code == 202 and response.get_json() == {}
    with identity.runtime.database.session() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(AccountLink)) == 0


# --- With SMTP: the worker's step sends them through a real SMTP server ---------------------------


def test_an_invitation_is_emailed_by_the_worker_and_its_body_then_cleared(database_url, inbox):
    identity = make_identity(
        database_url,
        SMTP_URL=inbox.url,
        SKILLPASS_PUBLIC_BASE_URL=PORTAL,
        IDENTITY_EMAIL_FROM="Skills Passports <passports@example.nhs.uk>",
    )
    trust = identity.new_trust("Leeds Teaching Hospitals")
    person = imported_person(identity, trust["id"], identity.admin())
    invitation = invite(identity, person["id"], identity.admin())
    assert invitation["emailed"] is True and invitation["link"] is None

    send_emails(identity.runtime)  # the worker's periodic step

    [message] = inbox.messages
    assert message["To"] == "ivy@example.nhs.uk"
    assert message["From"] == "Skills Passports <passports@example.nhs.uk>"
    text = message.get_payload(decode=True).decode()
    assert "You have been invited to Skills Passports by Leeds Teaching Hospitals." in text
    link = next(word for word in text.split() if word.startswith(PORTAL))
    assert "The link works once and expires on" in text
    with identity.runtime.database.session() as session:
        [row] = session.scalars(sa.select(Email)).all()
        assert row.sent_at is not None and row.body is None and row.attempts == 0
        assert message["Message-ID"] == f"<{row.id}@example.nhs.uk>"
    assert identity.client.post(f"/auth/links/{token_of(link)}", json={"password": NEW_PASSWORD}).status_code == 200
    send_emails(identity.runtime)
    assert len(inbox.messages) == 1  # sent once


def test_a_failed_send_is_kept_and_tried_again_later(database_url, inbox):
    closed = f"smtp://127.0.0.1:{free_port()}"  # nothing listens there
    down = make_identity(database_url, SMTP_URL=closed, SKILLPASS_PUBLIC_BASE_URL=PORTAL)
    trust = down.new_trust()
    person = imported_person(down, trust["id"], down.admin())
    invite(down, person["id"], down.admin())
    send_emails(down.runtime)
    with down.runtime.database.session() as session:
        [row] = session.scalars(sa.select(Email)).all()
        assert row.sent_at is None and row.attempts == 1 and row.body and row.last_error
        assert row.next_attempt_at > utcnow()
        session.execute(sa.update(Email).values(next_attempt_at=utcnow()))  # the back-off has passed
        session.commit()

    up = make_identity(database_url, SMTP_URL=inbox.url, SKILLPASS_PUBLIC_BASE_URL=PORTAL)
    send_emails(up.runtime)
    assert len(inbox.messages) == 1 and inbox.messages[0]["To"] == "ivy@example.nhs.uk"


def test_a_reset_is_emailed_to_known_people_only_and_says_the_same_either_way(database_url, inbox):
    identity = make_identity(database_url, SMTP_URL=inbox.url, SKILLPASS_PUBLIC_BASE_URL=PORTAL)
    trust = identity.new_trust()
    member = identity.new_user(trust["id"], email="known@example.nhs.uk")
    never_invited = imported_person(identity, trust["id"], identity.admin(), "N1", "new@example.nhs.uk")
    answers = [
        identity.client.post("/auth/password-reset", json={"email": address})
        for address in ("KNOWN@example.nhs.uk", "unknown@example.nhs.uk", never_invited["email"])
    ]
    assert {(a.status_code, a.get_data()) for a in answers} == {(202, b"{}\n")}
    identity.client.post("/auth/password-reset", json={"email": "known@example.nhs.uk"})  # at once again: no second
    send_emails(identity.runtime)

    [message] = inbox.messages
    assert message["To"] == member["email"]
    text = message.get_payload(decode=True).decode()
    token = token_of(next(word for word in text.split() if word.startswith(PORTAL)))
    details = identity.client.get(f"/auth/links/{token}").get_json()
    assert details["purpose"] == "password_reset"
    assert identity.client.post(f"/auth/links/{token}", json={"password": NEW_PASSWORD}).status_code == 200
    assert identity.token(member["email"], NEW_PASSWORD)


def test_the_worker_runs_the_email_step():
    assert [job.name for job in SERVICE.periodic_jobs] == ["send-emails"]
    assert SERVICE.periodic_jobs[0].run is send_emails


# --- The password rules wherever a password is set -----------------------------------------------


@pytest.mark.parametrize("password", ["password123", "Manchester", "QWERTYUIOP"])
def test_common_passwords_are_refused_when_creating_or_changing(identity, password):
    trust = identity.new_trust()
    body = {
        "email": "new@example.nhs.uk",
        "name": "N",
        "password": password,
        "trust_id": trust["id"],
        "roles": ["staff"],
    }
    refused = problem(identity.client.post("/users", json=body, headers=identity.admin()), 422)
    assert refused["errors"] == {"password": ["This password is too common. Choose one that is harder to guess."]}
    staff = identity.new_user(trust["id"])
    change = {"password": password, "current_password": staff["password"]}
    assert (
        "password"
        in problem(identity.client.patch(f"/users/{staff['id']}", json=change, headers=staff["headers"]), 422)["errors"]
    )


def test_the_email_is_not_a_password_and_a_long_phrase_without_digits_is_fine(identity):
    trust = identity.new_trust()
    body = {
        "email": "sam.jones@example.nhs.uk",
        "name": "S",
        "password": "Sam.Jones@example.nhs.uk",
        "trust_id": trust["id"],
        "roles": ["staff"],
    }
    assert "password" in problem(identity.client.post("/users", json=body, headers=identity.admin()), 422)["errors"]
    body["password"] = "purple tractor umbrella"
    assert identity.client.post("/users", json=body, headers=identity.admin()).status_code == 201


def test_a_user_created_without_a_password_has_none(identity):
    trust = identity.new_trust()
    body = {
        "email": "nopw@example.nhs.uk",
        "name": "No Password",
        "trust_id": trust["id"],
        "roles": ["staff"],
        "department": "Critical care",
    }
    created = identity.client.post("/users", json=body, headers=identity.admin()).get_json()
    assert created["password_set"] is False and created["department"] == "Critical care"
    with identity.runtime.database.session() as session:
        assert session.get(User, uuid.UUID(created["id"])).password_hash is None
    [registered] = identity.outbox("user.registered")[1:]
    assert registered["data"]["department"] == "Critical care"


def test_the_create_admin_command_follows_the_same_rules(sqlite_url, capsys):
    from shared.cli import run_init
    from shared.config import Settings
    from shared.service import Runtime

    runtime = Runtime(
        SERVICE,
        Settings.from_env(
            "identity", {"DATABASE_URL": sqlite_url, "ARGON2_TIME_COST": "1", "SKILLPASS_ADMIN_PASSWORD": "password123"}
        ),
    )
    run_init(runtime)
    command = SERVICE.commands["create-admin"][1]
    assert command(runtime, ["second.admin@example.nhs.uk"]) == 2
    assert "too common" in capsys.readouterr().out
    with runtime.database.session() as session:
        assert session.scalar(sa.select(User).where(User.email == "second.admin@example.nhs.uk")) is None
