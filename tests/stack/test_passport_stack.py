"""Passport as real processes beside identity: tokens from identity, sign-off events off the exchange."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import pytest

from shared.events import make_envelope, serialise_payload
from tests.stack.test_identity_stack import Client
from tests.support.bus import publish_raw
from tests.support.stack import ADMIN_EMAIL, ADMIN_PASSWORD, Api, eventually

pytestmark = pytest.mark.stack


@pytest.fixture
def people(stack):
    """identity and passport running; a Trust with a nurse and a lead, signed in."""
    stack.start_service("identity")
    stack.start_service("passport")
    identity = Client(stack.url("identity"))
    admin = identity.token(ADMIN_EMAIL, ADMIN_PASSWORD)
    trust = identity.post(
        "/trusts", {"name": "Stack Trust", "ods_code": "RP" + uuid.uuid4().hex[:3].upper()}, admin
    ).json()
    nurse = identity.new_user(admin, trust["id"], roles=["staff"])
    lead = identity.new_user(admin, trust["id"], roles=["lead"])
    passport_api = Api(stack.url("passport"))
    return {
        "trust": trust,
        "nurse": nurse,
        "as_nurse": passport_api.as_user(identity.token(nurse["email"], nurse["password"])),
        "as_lead": passport_api.as_user(identity.token(lead["email"], lead["password"])),
    }


def signoff_recorded(passport: dict, skill_code: str) -> bytes:
    data = serialise_payload(
        "signoff.recorded",
        {
            "signoff_id": uuid.uuid4(),
            "passport_id": uuid.UUID(passport["id"]),
            "skill_code": skill_code,
            "outcome": "proficient",
            "supervisor_id": uuid.uuid4(),
            "holder_id": uuid.UUID(passport["staff_id"]),
            "trust_id": uuid.UUID(passport["trust_id"]),
            "decided_at": datetime.now(UTC),
        },
    )
    envelope = make_envelope(
        service="signoff",
        event_type="signoff.recorded",
        subject=passport["id"],
        data=data,
        trust_id=passport["trust_id"],
        correlation_id=None,
    )
    return json.dumps(envelope).encode()


def skill_codes(api: Api, passport_id: str) -> list[str]:
    detail = api.get(f"/passports/{passport_id}").json()
    return [skill["code"] for domain in detail["domains"] for skill in domain["skills"]]


def test_signoffs_on_the_exchange_complete_a_passport_and_completion_is_published(stack, tap, people, amqp_url):
    as_nurse = people["as_nurse"]
    started = as_nurse.post("/passports", {"passport_type": "NRSS"})
    assert started.status_code == 201, started.text  # the token came from identity: verified with its JWKS
    passport = started.json()
    [event] = tap.wait_for(lambda m: m.routing_key == "passport.started" and m.envelope["subject"] == passport["id"])
    skills = skill_codes(as_nurse, passport["id"])
    assert event.envelope["data"]["skill_codes"] == skills

    assessed = as_nurse.put(f"/passports/{passport['id']}/skills/{skills[0]}/self-assessment", {"level": "supervised"})
    assert assessed.status_code == 200
    tap.wait_for(lambda m: m.routing_key == "passport.skill_assessed" and m.envelope["subject"] == passport["id"])

    for code in skills:
        publish_raw(amqp_url, "signoff.recorded", signoff_recorded(passport, code))
    [completed] = tap.wait_for(
        lambda m: m.routing_key == "passport.completed" and m.envelope["subject"] == passport["id"], timeout=60
    )
    assert completed.envelope["data"]["title"] == "Non-Registered Support Staff"
    assert completed.envelope["data"]["skill_count"] == len(skills)
    assert as_nurse.get(f"/passports/{passport['id']}").json()["status"] == "completed"


def test_a_lead_assigns_once_identity_has_told_passport_about_the_nurse(people):
    body = {"passport_type": "RSC", "staff_id": people["nurse"]["id"]}
    # user.registered may still be on its way: 404 until it lands, as clients are told to expect.
    assigned = eventually(lambda: people["as_lead"].post("/passports", body), lambda r: r.status_code != 404)
    assert assigned.status_code == 201, assigned.text
    assert assigned.json()["assigned_by"] is not None
    mine = people["as_nurse"].get("/passports").json()
    assert [p["passport_type"] for p in mine] == ["RSC"]


def test_no_signoff_lost_or_applied_twice_when_the_worker_is_killed(stack, tap, people, amqp_url):
    as_nurse = people["as_nurse"]
    passport = as_nurse.post("/passports", {"passport_type": "NRSS"}).json()
    skills = skill_codes(as_nurse, passport["id"])
    bodies = [signoff_recorded(passport, code) for code in skills]
    worker = next(p for p in stack.processes if p.name.startswith("passport-worker"))

    for index, body in enumerate(bodies):
        publish_raw(amqp_url, "signoff.recorded", body)
        publish_raw(amqp_url, "signoff.recorded", body)  # every message delivered twice
        if index == len(bodies) // 2:
            worker.kill()  # SIGKILL mid-stream: unacknowledged messages go back to the queue
            worker = stack.start("passport", "worker")

    tap.wait_for(
        lambda m: m.routing_key == "passport.completed" and m.envelope["subject"] == passport["id"], timeout=90
    )
    tap.drain(quiet_seconds=2)
    completions = [
        m for m in tap.received if m.routing_key == "passport.completed" and m.envelope["subject"] == passport["id"]
    ]
    assert len(completions) == 1
    detail = as_nurse.get(f"/passports/{passport['id']}").json()
    assert detail["status"] == "completed" and detail["progress"]["signed_off"] == len(skills)
