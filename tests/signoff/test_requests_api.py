"""Requests for sign-off: the holder asks, the Trust's supervisors see what is pending, decisions answer."""

import uuid

import pytest

from shared.events.catalogue import SignoffRequested
from tests.signoff.conftest import SKILLS, problem


def ask(service, person, passport, skill_codes):
    return service.client.post(
        "/signoff-requests",
        json={"passport_id": str(passport["passport_id"]), "skill_codes": skill_codes},
        headers=person.headers,
    )


def asked(service, person, passport, skill_codes) -> dict:
    response = ask(service, person, passport, skill_codes)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def requests(service, person, **filters) -> list[dict]:
    response = service.client.get("/signoff-requests", query_string=filters, headers=person.headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_the_holder_asks_and_signoff_requested_is_staged(service, holder):
    passport = service.passport(holder)
    request = asked(service, holder, passport, [SKILLS[2], SKILLS[0]])
    assert request["status"] == "open" and request["closed_at"] is None and request["closed_reason"] is None
    assert request["holder_id"] == str(holder.id) and request["passport_id"] == str(passport["passport_id"])
    assert sorted(s["skill_code"] for s in request["skills"]) == sorted([SKILLS[2], SKILLS[0]])
    assert all(s["signoff_id"] is None for s in request["skills"])

    [event] = service.outbox("signoff.requested")
    assert event["subject"] == str(passport["passport_id"]) and set(event["data"]) == set(SignoffRequested().fields)
    assert event["data"]["request_id"] == request["id"] and event["data"]["skill_codes"] == [SKILLS[2], SKILLS[0]]
    assert (event["data"]["holder_id"], event["data"]["trust_id"]) == (str(holder.id), str(service.trust_id))


def test_the_trusts_supervisors_see_pending_requests_and_the_holder_their_own(service, holder, supervisor):
    mine = asked(service, holder, service.passport(holder), SKILLS[:1])
    colleague = service.person("staff")
    theirs = asked(service, colleague, service.passport(colleague), SKILLS[:2])
    assert [r["id"] for r in requests(service, supervisor, status="open")] == [mine["id"], theirs["id"]]
    assert [r["id"] for r in requests(service, service.person("educator"), status="open")] == [mine["id"], theirs["id"]]
    assert [r["id"] for r in requests(service, holder)] == [mine["id"]]
    assert requests(service, supervisor, holder_id=colleague.id)[0]["id"] == theirs["id"]
    assert requests(service, service.person("supervisor", trust_id=uuid.uuid4()), status="open") == []
    problem(service.client.get("/signoff-requests?status=pending", headers=supervisor.headers), 422)


def test_each_decision_answers_its_skill_and_the_last_closes_the_request(service, holder, supervisor):
    passport = service.passport(holder)
    request = asked(service, holder, passport, SKILLS[:2])
    first = service.signed(supervisor, passport, SKILLS[0])
    [still_open] = requests(service, supervisor, status="open")
    assert {s["skill_code"]: s["signoff_id"] for s in still_open["skills"]} == {SKILLS[0]: first["id"], SKILLS[1]: None}

    second = service.signed(supervisor, passport, SKILLS[1], "not_yet", action_plan="Simulation session first")
    assert requests(service, supervisor, status="open") == []
    [closed] = requests(service, supervisor, status="closed")
    assert closed["id"] == request["id"] and closed["status"] == "closed" and closed["closed_at"]
    assert closed["closed_reason"] == "answered"
    answers = {s["skill_code"]: s["signoff_id"] for s in closed["skills"]}
    assert answers == {SKILLS[0]: first["id"], SKILLS[1]: second["id"]}


def test_a_decision_made_in_bulk_answers_requests_too(service, holder, supervisor):
    passport = service.passport(holder)
    asked(service, holder, passport, SKILLS[:2])
    decisions = [{"skill_code": code, "outcome": "proficient", "comment": "Safe"} for code in SKILLS[:3]]
    service.client.post(
        "/signoffs/bulk",
        json={"passport_id": str(passport["passport_id"]), "signoffs": decisions},
        headers=supervisor.headers,
    )
    assert requests(service, supervisor, status="open") == []


def test_a_withdrawn_passports_requests_leave_the_pending_list(service, holder, supervisor):
    passport = service.passport(holder)
    asked(service, holder, passport, SKILLS[:2])
    service.withdraw(passport)
    assert requests(service, supervisor, status="open") == []
    [closed] = requests(service, supervisor, status="closed")
    assert all(s["signoff_id"] is None for s in closed["skills"]) and closed["closed_reason"] == "withdrawn"


@pytest.mark.parametrize(
    "skill_codes,field",
    [
        ([SKILLS[0], "NOPE-01"], "skill_codes.1"),
        ([SKILLS[0], SKILLS[1], SKILLS[0]], "skill_codes.2"),
        (["air-01"], "skill_codes.0"),
        ([], "skill_codes"),
    ],
)
def test_bad_requests_are_422_naming_the_field(service, holder, skill_codes, field):
    passport = service.passport(holder)
    assert field in problem(ask(service, holder, passport, skill_codes), 422)["errors"]
    assert service.outbox() == []


def test_request_rules(service, holder, supervisor):
    passport = service.passport(holder, assessed=SKILLS[:2])
    problem(ask(service, supervisor, passport, SKILLS[:1]), 403)
    problem(ask(service, service.person("staff", trust_id=uuid.uuid4()), passport, SKILLS[:1]), 404)
    problem(ask(service, holder, {"passport_id": uuid.uuid4()}, SKILLS[:1]), 404)
    assert SKILLS[3] in problem(ask(service, holder, passport, [SKILLS[3]]), 409)["detail"]
    service.signed(supervisor, passport, SKILLS[1])
    assert "Already signed off" in problem(ask(service, holder, passport, [SKILLS[1]]), 409)["detail"]
    request = asked(service, holder, passport, SKILLS[:1])
    assert request["id"] in problem(ask(service, holder, passport, SKILLS[:1]), 409)["detail"]
    service.withdraw(passport)
    assert "withdrawn" in problem(ask(service, holder, passport, SKILLS[:1]), 409)["detail"]
    assert len(service.outbox("signoff.requested")) == 1
