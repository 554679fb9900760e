"""Sign-off as real processes beside identity and passport: the journey up to a completed passport."""

from __future__ import annotations

import uuid
from collections import defaultdict

import pytest

from tests.stack.test_identity_stack import Client
from tests.stack.test_passport_stack import skill_codes
from tests.support.stack import ADMIN_EMAIL, ADMIN_PASSWORD, Api, eventually

pytestmark = pytest.mark.stack


@pytest.fixture
def people(stack):
    """identity, passport and signoff running; a Trust with a nurse and a supervisor, signed in."""
    for service in ("identity", "passport", "signoff"):
        stack.start_service(service)
    identity = Client(stack.url("identity"))
    admin = identity.token(ADMIN_EMAIL, ADMIN_PASSWORD)
    ods_code = "RS" + uuid.uuid4().hex[:3].upper()
    trust = identity.post("/trusts", {"name": "Stack Trust", "ods_code": ods_code}, admin).json()
    nurse = identity.new_user(admin, trust["id"], roles=["staff"])
    supervisor = identity.new_user(admin, trust["id"], roles=["supervisor"])
    return {
        "supervisor": supervisor,
        "as_nurse": Api(stack.url("passport")).as_user(identity.token(nurse["email"], nurse["password"])),
        "as_supervisor": Api(stack.url("signoff")).as_user(identity.token(supervisor["email"], supervisor["password"])),
    }


def of_passport(passport_id: str, event_type: str):
    return lambda message: message.routing_key == event_type and message.envelope["subject"] == passport_id


def test_signing_off_every_skill_completes_the_passport_with_no_decision_lost_or_doubled(stack, tap, people):
    as_nurse, as_supervisor = people["as_nurse"], people["as_supervisor"]
    passport = as_nurse.post("/passports", {"passport_type": "NRSS"}).json()
    skills = skill_codes(as_nurse, passport["id"])
    for code in skills:
        assessed = as_nurse.put(f"/passports/{passport['id']}/skills/{code}/self-assessment", {"level": "independent"})
        assert assessed.status_code == 200, assessed.text

    worker = next(p for p in stack.processes if p.name.startswith("signoff-worker"))
    signoff_ids = {}
    for index, code in enumerate(skills):
        body = {
            "passport_id": passport["id"],
            "skill_code": code,
            "outcome": "proficient",
            "comment": "Observed in critical care, safe and confident",
        }
        # passport.started (404) and this skill's self-assessment (409) may still be on their way to signoff.
        response = eventually(lambda: as_supervisor.post("/signoffs", body), lambda r: r.status_code not in (404, 409))
        assert response.status_code == 201, response.text
        signoff_ids[code] = response.json()["id"]
        if index == len(skills) // 2:
            worker.kill()  # SIGKILL: decisions committed but not yet relayed wait in the outbox
            worker = stack.start("signoff", "worker")

    tap.wait_for(of_passport(passport["id"], "passport.completed"), timeout=90)
    assert as_nurse.get(f"/passports/{passport['id']}").json()["status"] == "completed"
    tap.drain(quiet_seconds=2)

    # Delivery is at least once: a resend after the kill would carry the same event id. One id per decision.
    completions = {m.envelope["id"] for m in tap.received if of_passport(passport["id"], "passport.completed")(m)}
    assert len(completions) == 1
    recorded = defaultdict(set)
    for message in filter(of_passport(passport["id"], "signoff.recorded"), tap.received):
        data = message.envelope["data"]
        recorded[data["skill_code"]].add((message.envelope["id"], data["signoff_id"]))
    assert {code: len(events) for code, events in recorded.items()} == {code: 1 for code in skills}
    assert {code: next(iter(events))[1] for code, events in recorded.items()} == signoff_ids

    trail = as_supervisor.get(f"/signoffs?passport_id={passport['id']}&page_size=100").json()
    assert sorted(s["skill_code"] for s in trail) == sorted(skills)
    assert {s["supervisor_id"] for s in trail} == {people["supervisor"]["id"]}
    # Once passport.completed reaches signoff, the passport takes no more decisions.
    again = {
        "passport_id": passport["id"],
        "skill_code": skills[0],
        "outcome": "not_yet",
        "comment": "Second look",
        "action_plan": "None needed",
    }
    refused = eventually(lambda: as_supervisor.post("/signoffs", again), lambda r: "completed" in r.json()["detail"])
    assert refused.status_code == 409
