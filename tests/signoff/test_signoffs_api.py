"""Sign-off decisions through the API: who may decide, on what, in bulk, revocation and the audit trail."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from shared.events.catalogue import SignoffRecorded, SignoffRevoked
from tests.signoff.conftest import SKILLS, problem


def decision(skill_code, outcome="proficient", **extra):
    return {"skill_code": skill_code, "outcome": outcome, "comment": f"Observed {skill_code}", **extra}


def bulk(service, person, passport, decisions):
    body = {"passport_id": str(passport["passport_id"]), "signoffs": decisions}
    return service.client.post("/signoffs/bulk", json=body, headers=person.headers)


def revoke(service, person, signoff_id, reason="Observed unsafe practice since"):
    return service.client.post(f"/signoffs/{signoff_id}/revoke", json={"reason": reason}, headers=person.headers)


def test_a_supervisor_signs_off_a_self_assessed_skill_and_signoff_recorded_is_staged(service, holder, supervisor):
    passport = service.passport(holder)
    signoff = service.signed(supervisor, passport, SKILLS[1], evidence="Observed on ward 4", assessed_on="2026-10-30")
    assert signoff["outcome"] == "proficient" and signoff["skill_code"] == SKILLS[1]
    assert signoff["supervisor_id"] == str(supervisor.id) and signoff["holder_id"] == str(holder.id)
    assert signoff["evidence"] == "Observed on ward 4" and signoff["assessed_on"] == "2026-10-30"
    assert signoff["revocation"] is None and signoff["action_plan"] is None

    [event] = service.outbox("signoff.recorded")
    assert event["subject"] == str(passport["passport_id"]) and event["trustid"] == str(service.trust_id)
    data = event["data"]
    assert set(data) == set(SignoffRecorded().fields)
    assert data["decided_at"] == signoff["decided_at"]
    assert {
        key: data[key]
        for key in ("signoff_id", "passport_id", "skill_code", "outcome", "supervisor_id", "holder_id", "trust_id")
    } == {
        "signoff_id": signoff["id"],
        "passport_id": str(passport["passport_id"]),
        "skill_code": SKILLS[1],
        "outcome": "proficient",
        "supervisor_id": str(supervisor.id),
        "holder_id": str(holder.id),
        "trust_id": str(service.trust_id),
    }


def test_educators_sign_off_too_and_not_yet_keeps_its_action_plan(service, holder):
    passport = service.passport(holder)
    educator = service.person("educator")
    signoff = service.signed(educator, passport, outcome="not_yet", action_plan="Two supervised shifts, then review")
    assert signoff["outcome"] == "not_yet" and signoff["action_plan"] == "Two supervised shifts, then review"
    assert signoff["assessed_on"] == datetime.now(UTC).date().isoformat()  # today unless given
    assert [e["data"]["outcome"] for e in service.outbox("signoff.recorded")] == ["not_yet"]


@pytest.mark.parametrize("roles", [("staff",), ("lead",), ("workforce",), ("trust_admin",), ("platform_admin",)])
def test_only_supervisors_and_educators_sign_off(service, holder, roles):
    passport = service.passport(holder)
    assert "supervisor, educator" in problem(service.sign(service.person(*roles), passport), 403)["detail"]
    assert service.outbox() == []


def test_nobody_signs_off_their_own_passport(service):
    supervisor_in_training = service.person("staff", "supervisor")
    passport = service.passport(supervisor_in_training)
    assert "own passport" in problem(service.sign(supervisor_in_training, passport), 403)["detail"]
    assert service.outbox() == []


def test_another_trusts_passport_is_404_exactly_like_one_not_heard_of(service, holder):
    passport, unknown_id = service.passport(holder), uuid.uuid4()
    other_trust = problem(service.sign(service.person("supervisor", trust_id=uuid.uuid4()), passport), 404)
    unheard_of = problem(service.sign(service.person("supervisor"), {"passport_id": unknown_id}), 404)
    assert "may still be on its way" in unheard_of["detail"]
    assert other_trust["detail"] == unheard_of["detail"].replace(str(unknown_id), str(passport["passport_id"]))
    assert service.outbox() == []


def test_roles_are_checked_before_the_start_of_the_passport_has_arrived(service, holder, supervisor):
    supervising_holder = service.person("supervisor")
    passport = service.passport(supervising_holder, started=False)  # self-assessments came first
    assert "own passport" in problem(service.sign(supervising_holder, passport), 403)["detail"]
    problem(service.sign(service.person("supervisor", trust_id=uuid.uuid4()), passport), 404)
    assert "not reached" in problem(service.sign(supervisor, passport), 404)["detail"]
    service.start(passport)
    service.signed(supervisor, passport)


def test_a_skill_not_in_the_passports_type_version_is_422_naming_skill_code(service, holder, supervisor):
    passport = service.passport(holder)
    body = problem(service.sign(supervisor, passport, "RSC-AIR-99"), 422)
    assert "RSC-AIR-99" in body["errors"]["skill_code"][0]
    assert service.outbox() == []


def test_a_skill_not_self_assessed_yet_is_409_until_its_self_assessment_arrives(service, holder, supervisor):
    passport = service.passport(holder, assessed=SKILLS[:1])
    assert SKILLS[1] in problem(service.sign(supervisor, passport, SKILLS[1]), 409)["detail"]
    service.self_assess(passport, SKILLS[1])
    service.signed(supervisor, passport, SKILLS[1])


def test_withdrawn_and_completed_passports_take_no_signoffs(service, holder, supervisor):
    withdrawn = service.passport(holder)
    service.withdraw(withdrawn)
    assert "withdrawn" in problem(service.sign(supervisor, withdrawn), 409)["detail"]
    completed = service.passport(service.person("staff"))
    service.complete(completed)
    assert "completed" in problem(service.sign(supervisor, completed), 409)["detail"]
    assert service.outbox() == []
    service.reopen(completed)
    service.signed(supervisor, completed)


def test_a_proficient_skill_is_not_signed_off_again_until_revoked(service, holder, supervisor):
    passport = service.passport(holder)
    service.signed(supervisor, passport, outcome="not_yet", action_plan="Practise on the simulator")
    first = service.signed(supervisor, passport)  # not yet, then proficient: the normal way
    assert "Revoke" in problem(service.sign(service.person("educator"), passport), 409)["detail"]
    revoke(service, supervisor, first["id"], reason="Signed in error")
    service.signed(supervisor, passport)
    assert len(service.outbox("signoff.recorded")) == 3


THREE_DAYS_AHEAD = (datetime.now(UTC).date() + timedelta(days=3)).isoformat()


@pytest.mark.parametrize(
    "change,field",
    [
        ({"outcome": None}, "outcome"),  # None: left out
        ({"outcome": "maybe"}, "outcome"),
        ({"outcome": "not_yet"}, "action_plan"),
        ({"outcome": "not_yet", "action_plan": "  "}, "action_plan"),
        ({"comment": None}, "comment"),
        ({"comment": "   "}, "comment"),
        ({"comment": "x" * 4001}, "comment"),
        ({"comment": "nul\x00byte"}, "comment"),
        ({"skill_code": "air-01"}, "skill_code"),
        ({"skill_code": None}, "skill_code"),
        ({"passport_id": "not-a-uuid"}, "passport_id"),
        ({"assessed_on": "yesterday"}, "assessed_on"),
        ({"assessed_on": THREE_DAYS_AHEAD}, "assessed_on"),
        ({"evidence": "x" * 4001}, "evidence"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_bad_bodies_are_422_naming_the_field_and_write_nothing(service, holder, supervisor, change, field):
    passport = service.passport(holder)
    body = {
        "passport_id": str(passport["passport_id"]),
        "skill_code": SKILLS[0],
        "outcome": "proficient",
        "comment": "Safe and confident",
        **change,
    }
    body = {key: value for key, value in body.items() if value is not None}
    response = problem(service.client.post("/signoffs", json=body, headers=supervisor.headers), 422)
    assert field in response["errors"] and field in response["detail"]
    assert service.outbox() == [] and service.history(supervisor) == []


# --- Bulk --------------------------------------------------------------------------------------------


def test_bulk_records_every_decision_at_once(service, holder, supervisor):
    passport = service.passport(holder)
    decisions = [
        decision(SKILLS[0]),
        decision(SKILLS[1], "not_yet", action_plan="Shadow"),
        decision(SKILLS[2], evidence="DOPS form"),
    ]
    response = bulk(service, supervisor, passport, decisions)
    assert response.status_code == 201, response.get_json()
    assert [(s["skill_code"], s["outcome"]) for s in response.get_json()] == [
        (SKILLS[0], "proficient"),
        (SKILLS[1], "not_yet"),
        (SKILLS[2], "proficient"),
    ]
    assert [e["data"]["skill_code"] for e in service.outbox("signoff.recorded")] == SKILLS[:3]
    assert len(service.history(supervisor, passport_id=passport["passport_id"])) == 3


@pytest.mark.parametrize(
    "decisions,status,field",
    [
        ([decision(SKILLS[0]), decision(SKILLS[1]), decision("NOPE-01")], 422, "signoffs.2.skill_code"),
        ([decision(SKILLS[0]), decision(SKILLS[0], "not_yet", action_plan="x")], 422, "signoffs.1.skill_code"),
        ([decision(SKILLS[0]), decision(SKILLS[1], "not_yet")], 422, "signoffs.1.action_plan"),
        ([decision(SKILLS[0]), {"skill_code": SKILLS[1], "outcome": "proficient"}], 422, "signoffs.1.comment"),
        ([], 422, "signoffs"),
        ([decision(SKILLS[0]), decision(SKILLS[3])], 409, None),  # SKILLS[3] is not self-assessed
    ],
)
def test_bulk_is_all_or_nothing(service, holder, supervisor, decisions, status, field):
    passport = service.passport(holder, assessed=SKILLS[:3])
    body = problem(bulk(service, supervisor, passport, decisions), status)
    if field:
        assert field in body["errors"]
    assert service.outbox() == [] and service.history(supervisor) == []


def test_bulk_follows_the_same_rules_about_who(service, holder, supervisor):
    passport = service.passport(holder)
    problem(bulk(service, holder, passport, [decision(SKILLS[0])]), 403)
    problem(bulk(service, service.person("supervisor", trust_id=uuid.uuid4()), passport, [decision(SKILLS[0])]), 404)
    service.signed(supervisor, passport, SKILLS[1])
    both = [decision(SKILLS[0]), decision(SKILLS[1])]
    assert SKILLS[1] in problem(bulk(service, supervisor, passport, both), 409)["detail"]
    assert len(service.outbox("signoff.recorded")) == 1


# --- Revocation --------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["supervisor", "lead", "trust_admin"])
def test_supervisors_leads_and_trust_admins_revoke_with_a_reason(service, holder, supervisor, role):
    passport = service.passport(holder)
    signoff = service.signed(supervisor, passport)
    revoker = service.person(role)
    response = revoke(service, revoker, signoff["id"])
    assert response.status_code == 200, response.get_json()
    revoked = response.get_json()
    assert revoked["outcome"] == "proficient"  # the decision itself is untouched
    assert revoked["revocation"]["revoked_by"] == str(revoker.id)
    assert revoked["revocation"]["reason"] == "Observed unsafe practice since"

    [event] = service.outbox("signoff.revoked")
    assert event["subject"] == str(passport["passport_id"]) and set(event["data"]) == set(SignoffRevoked().fields)
    assert event["data"] | {"revoked_at": None} == {
        "signoff_id": signoff["id"],
        "passport_id": str(passport["passport_id"]),
        "skill_code": SKILLS[0],
        "holder_id": str(holder.id),
        "trust_id": str(service.trust_id),
        "revoked_by": str(revoker.id),
        "reason": "Observed unsafe practice since",
        "revoked_at": None,
    }


def test_revocation_rules(service, holder, supervisor):
    passport = service.passport(holder)
    signoff = service.signed(supervisor, passport)
    problem(revoke(service, service.person("educator"), signoff["id"]), 403)
    problem(revoke(service, holder, signoff["id"]), 403)
    problem(revoke(service, service.person("lead", trust_id=uuid.uuid4()), signoff["id"]), 404)
    problem(revoke(service, supervisor, uuid.uuid4()), 404)
    assert (
        "reason"
        in problem(service.client.post(f"/signoffs/{signoff['id']}/revoke", json={}, headers=supervisor.headers), 422)[
            "errors"
        ]
    )
    assert "reason" in problem(revoke(service, supervisor, signoff["id"], reason=" "), 422)["errors"]
    assert service.outbox("signoff.revoked") == []

    assert revoke(service, supervisor, signoff["id"]).status_code == 200
    assert "already revoked" in problem(revoke(service, service.person("lead"), signoff["id"]), 409)["detail"]
    assert len(service.outbox("signoff.revoked")) == 1


def test_nobody_revokes_a_signoff_of_their_own_passport(service, supervisor):
    lead_with_passport = service.person("staff", "lead")
    signoff = service.signed(supervisor, service.passport(lead_with_passport))
    problem(revoke(service, lead_with_passport, signoff["id"]), 403)


def test_a_signoff_on_a_completed_passport_can_still_be_revoked(service, holder, supervisor):
    passport = service.passport(holder)
    signoff = service.signed(supervisor, passport)
    service.complete(passport)
    assert revoke(service, supervisor, signoff["id"]).status_code == 200  # the way back from completed


# --- Audit trail -------------------------------------------------------------------------------------


def test_each_skill_shows_its_whole_history_and_nothing_is_edited_in_place(service, holder, supervisor):
    passport = service.passport(holder)
    educator, lead = service.person("educator"), service.person("lead")
    not_yet = service.signed(
        educator, passport, outcome="not_yet", comment="Hesitant with the circuit", action_plan="Two supervised shifts"
    )
    proficient = service.signed(supervisor, passport, comment="Confident now")
    revoke(service, lead, proficient["id"], reason="Assessed on the wrong patient group")
    again = service.signed(supervisor, passport, comment="Reassessed with adult patients")
    service.signed(supervisor, passport, SKILLS[1])

    history = service.history(lead, passport_id=passport["passport_id"], skill_code=SKILLS[0])
    assert [s["id"] for s in history] == [not_yet["id"], proficient["id"], again["id"]]
    assert [(s["outcome"], s["supervisor_id"], s["comment"]) for s in history] == [
        ("not_yet", str(educator.id), "Hesitant with the circuit"),
        ("proficient", str(supervisor.id), "Confident now"),
        ("proficient", str(supervisor.id), "Reassessed with adult patients"),
    ]
    assert history[0]["action_plan"] == "Two supervised shifts"
    assert history[1]["revocation"]["revoked_by"] == str(lead.id)
    assert history[1]["revocation"]["reason"] == "Assessed on the wrong patient group"
    assert history[1]["revocation"]["revoked_at"] >= history[1]["decided_at"]
    assert history[0]["revocation"] is None and history[2]["revocation"] is None
    assert len(service.history(lead, passport_id=passport["passport_id"])) == 4
    assert [s["id"] for s in service.history(lead, outcome="not_yet")] == [not_yet["id"]]


def test_the_trail_is_read_by_the_trusts_readers_and_the_holder_only(service, holder, supervisor):
    passport = service.passport(holder)
    signoff = service.signed(supervisor, passport)
    service.signed(supervisor, service.passport(service.person("staff")))
    for role in ("supervisor", "educator", "lead", "workforce", "trust_admin"):
        assert len(service.history(service.person(role))) == 2
    assert [s["id"] for s in service.history(holder)] == [signoff["id"]]
    colleague, stranger = service.person("staff"), service.person("trust_admin", trust_id=uuid.uuid4())
    assert service.history(colleague) == [] and service.history(stranger) == []

    url = f"/signoffs/{signoff['id']}"
    assert service.client.get(url, headers=holder.headers).get_json()["id"] == signoff["id"]
    assert service.client.get(url, headers=service.person("educator").headers).status_code == 200
    problem(service.client.get(url, headers=colleague.headers), 404)
    problem(service.client.get(url, headers=stranger.headers), 404)
    problem(service.client.get(f"/signoffs/{uuid.uuid4()}", headers=supervisor.headers), 404)


def test_the_trail_is_paginated_and_filters_are_checked(service, holder, supervisor):
    passport = service.passport(holder)
    bulk(service, supervisor, passport, [decision(code) for code in SKILLS])
    page = service.client.get("/signoffs?page_size=3&page=2", headers=supervisor.headers)
    assert len(page.get_json()) == 1 and '"total": 4' in page.headers["X-Pagination"]
    bad_filter = service.client.get("/signoffs?outcome=great", headers=supervisor.headers)
    assert "query.outcome" in problem(bad_filter, 422)["errors"]
    problem(service.client.get("/signoffs?passport_id=nope", headers=supervisor.headers), 422)


def test_a_signoff_matches_its_documented_schema(service, holder, supervisor):
    from tests.support.openapi import assert_matches_documented_response

    signoff = service.signed(supervisor, service.passport(holder))
    revoked = revoke(service, supervisor, signoff["id"]).get_json()
    assert_matches_documented_response(service.client, "get", "/signoffs/{signoff_id}", 200, revoked)
    with pytest.raises(AssertionError):
        assert_matches_documented_response(
            service.client, "get", "/signoffs/{signoff_id}", 200, {**revoked, "revocation": {"revoked_by": 5}}
        )


def test_anonymous_callers_are_401(service):
    problem(service.client.get("/signoffs"), 401)
    problem(service.client.post("/signoffs", json={}), 401)
    problem(service.client.get("/signoff-requests"), 401)
