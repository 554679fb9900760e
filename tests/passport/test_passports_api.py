"""Passports through the API: starting, assigning, reading, self-assessment, learning, withdrawal."""

import uuid

import pytest

from tests.passport.conftest import problem


def test_staff_start_their_own_passport_and_passport_started_carries_the_skill_codes(service):
    nurse = service.person("staff")
    passport = service.start(nurse, "NRSS")
    assert passport["staff_id"] == str(nurse.id) and passport["trust_id"] == str(service.trust_id)
    assert passport["status"] == "in_progress" and passport["type_version"] == 1
    assert passport["sample_content"] is True
    [started] = service.outbox("passport.started")
    assert started["subject"] == passport["id"] and started["trustid"] == str(service.trust_id)
    assert started["data"]["skill_codes"] == service.skill_codes(passport["id"], nurse)
    assert len(started["data"]["skill_codes"]) == passport["progress"]["skills_total"] >= 25
    assert started["data"]["title"] == "Non-Registered Support Staff" and started["data"]["assigned_by"] is None


def test_an_in_progress_passport_blocks_another_of_the_same_type_only(service):
    nurse = service.person("staff")
    service.start(nurse, "NRSS")
    assert (
        "in progress"
        in problem(service.client.post("/passports", json={"passport_type": "NRSS"}, headers=nurse.headers), 409)[
            "detail"
        ]
    )
    service.start(nurse, "RSC")
    assert len(service.outbox("passport.started")) == 2


def test_a_completed_or_withdrawn_passport_does_not_block_a_new_one(service):
    nurse = service.person("staff")
    first = service.start(nurse, "NRSS")
    for code in service.skill_codes(first["id"], nurse):
        service.sign_off(first, code)
    assert service.detail(first["id"], nurse)["status"] == "completed"
    second = service.start(nurse, "NRSS")
    assert service.client.post(f"/passports/{second['id']}/withdraw", json={}, headers=nurse.headers).status_code == 200
    service.start(nurse, "NRSS")


def test_leads_educators_and_trust_admins_assign_to_staff_of_their_trust(service):
    nurse = service.person("staff")
    for role in ("lead", "educator", "trust_admin"):
        assigner = service.person(role)
        passport = service.start(
            assigner, "RSC" if role == "lead" else "NRSS" if role == "educator" else "ACCN-U12", staff_id=str(nurse.id)
        )
        assert passport["staff_id"] == str(nurse.id) and passport["assigned_by"] == str(assigner.id)
    assert len(service.client.get("/passports", headers=nurse.headers).get_json()) == 3


def test_assignment_refused_for_other_trusts_unknown_staff_and_plain_roles(service):
    lead = service.person("lead")
    stranger = service.person("staff", trust_id=uuid.uuid4())
    unknown = service.person("staff", known=False)
    assert (
        "Trust"
        in problem(
            service.client.post(
                "/passports", json={"passport_type": "NRSS", "staff_id": str(stranger.id)}, headers=lead.headers
            ),
            404,
        )["detail"]
    )
    problem(
        service.client.post(
            "/passports", json={"passport_type": "NRSS", "staff_id": str(unknown.id)}, headers=lead.headers
        ),
        404,
    )
    supervisor = service.person("supervisor")
    problem(
        service.client.post(
            "/passports", json={"passport_type": "NRSS", "staff_id": str(stranger.id)}, headers=supervisor.headers
        ),
        403,
    )
    assert service.outbox("passport.started") == []


@pytest.mark.parametrize(
    "body,field",
    [
        ({}, "passport_type"),
        ({"passport_type": "NOPE"}, "passport_type"),
        ({"passport_type": "nrss!"}, "passport_type"),
        ({"passport_type": "NRSS", "staff_id": "not-a-uuid"}, "staff_id"),
        ({"passport_type": "NRSS", "colour": "blue"}, "colour"),
        (
            {
                "passport_type": "NRSS",
                "retrospective": True,
                "surge_started_on": "2021-02-01",
                "surge_ended_on": "2021-01-01",
            },
            "surge_ended_on",
        ),
        ({"passport_type": "NRSS", "surge_started_on": "yesterday"}, "surge_started_on"),
    ],
)
def test_bad_starts_are_422_naming_the_field_and_write_nothing(service, body, field):
    nurse = service.person("staff")
    assert field in problem(service.client.post("/passports", json=body, headers=nurse.headers), 422)["errors"]
    assert service.outbox("passport.started") == []


def test_a_retrospective_passport_keeps_its_surge_dates_and_evidence(service):
    nurse = service.person("staff")
    passport = service.start(
        nurse,
        "RSC",
        retrospective=True,
        surge_started_on="2021-01-04",
        surge_ended_on="2021-03-26",
        retrospective_evidence="Deployed to ICU wave 2",
    )
    assert (passport["retrospective"], passport["surge_started_on"], passport["surge_ended_on"]) == (
        True,
        "2021-01-04",
        "2021-03-26",
    )
    assert service.outbox("passport.started")[0]["data"]["retrospective"] is True
    later = service.start(nurse, "NRSS")
    patched = service.client.patch(
        f"/passports/{later['id']}",
        json={"retrospective": True, "surge_started_on": "2020-04-01"},
        headers=nurse.headers,
    )
    assert patched.status_code == 200 and patched.get_json()["surge_started_on"] == "2020-04-01"
    problem(service.client.patch(f"/passports/{later['id']}", json={}, headers=nurse.headers), 422)


def test_holder_and_trust_readers_read_nobody_else_does(service):
    nurse = service.person("staff")
    passport = service.start(nurse)
    assert service.detail(passport["id"], nurse)["id"] == passport["id"]
    for role in ("supervisor", "educator", "lead", "workforce", "trust_admin"):
        assert service.detail(passport["id"], service.person(role))["id"] == passport["id"]
    colleague = service.person("staff")
    problem(service.client.get(f"/passports/{passport['id']}", headers=colleague.headers), 404)
    other_admin = service.person("trust_admin", trust_id=uuid.uuid4())
    problem(service.client.get(f"/passports/{passport['id']}", headers=other_admin.headers), 404)
    problem(service.client.get(f"/passports/{uuid.uuid4()}", headers=nurse.headers), 404)
    assert service.client.get("/passports", headers=other_admin.headers).get_json() == []
    assert service.client.get("/passports", headers=colleague.headers).get_json() == []


def test_lists_filter_and_paginate(service):
    nurses = [service.person("staff") for _ in range(3)]
    for nurse in nurses:
        service.start(nurse, "NRSS")
    service.start(nurses[0], "RSC")
    lead = service.person("lead")
    everything = service.client.get("/passports?page_size=2", headers=lead.headers)
    assert len(everything.get_json()) == 2 and '"total": 4' in everything.headers["X-Pagination"]
    rsc = service.client.get("/passports?passport_type=RSC", headers=lead.headers).get_json()
    assert [p["staff_id"] for p in rsc] == [str(nurses[0].id)]
    mine = service.client.get(f"/passports?staff_id={nurses[1].id}", headers=lead.headers).get_json()
    assert [p["passport_type"] for p in mine] == ["NRSS"]
    assert service.client.get("/passports?status=completed", headers=lead.headers).get_json() == []
    problem(service.client.get("/passports?status=finished", headers=lead.headers), 422)


def test_self_assessment_by_the_holder_keeps_its_history(service):
    nurse = service.person("staff")
    passport = service.start(nurse)
    skill = service.skill_codes(passport["id"], nurse)[0]
    url = f"/passports/{passport['id']}/skills/{skill}/self-assessment"
    first = service.client.put(url, json={"level": "training_needed", "note": "Never done it"}, headers=nurse.headers)
    second = service.client.put(url, json={"level": "supervised"}, headers=nurse.headers)
    assert first.status_code == second.status_code == 200 and second.get_json()["level"] == "supervised"

    detail = service.detail(passport["id"], nurse)
    assert detail["progress"]["self_assessed"] == 1
    assert detail["domains"][0]["skills"][0]["self_assessment"]["level"] == "supervised"
    history = service.client.get(f"/passports/{passport['id']}/skills/{skill}", headers=nurse.headers).get_json()
    assert [h["level"] for h in history["self_assessment_history"]] == ["training_needed", "supervised"]
    assessed = service.outbox("passport.skill_assessed")
    assert [e["data"]["first_for_skill"] for e in assessed] == [True, False]
    assert assessed[0]["data"]["level"] == "training_needed"


def test_self_assessment_rules(service):
    nurse = service.person("staff")
    passport = service.start(nurse)
    skill = service.skill_codes(passport["id"], nurse)[0]
    url = f"/passports/{passport['id']}/skills/{skill}/self-assessment"
    problem(service.client.put(url, json={"level": "supervised"}, headers=service.person("supervisor").headers), 403)
    problem(service.client.put(url, json={"level": "supervised"}, headers=service.person("staff").headers), 404)
    problem(
        service.client.put(
            f"/passports/{passport['id']}/skills/NOPE-99/self-assessment", json={"level": "none"}, headers=nurse.headers
        ),
        404,
    )
    assert "level" in problem(service.client.put(url, json={"level": "expert"}, headers=nurse.headers), 422)["errors"]
    assert "level" in problem(service.client.put(url, json={}, headers=nurse.headers), 422)["errors"]
    service.client.post(
        f"/passports/{passport['id']}/withdraw", json={"reason": "Left the Trust"}, headers=nurse.headers
    )
    problem(service.client.put(url, json={"level": "supervised"}, headers=nurse.headers), 409)
    assert service.outbox("passport.skill_assessed") == []


def test_learning_is_recorded_by_the_holder_or_an_educator(service):
    nurse, educator = service.person("staff"), service.person("educator")
    passport = service.start(nurse)
    skill = service.skill_codes(passport["id"], nurse)[2]
    url = f"/passports/{passport['id']}/skills/{skill}/learning"
    own = service.client.post(
        url,
        json={"kind": "elearning", "status": "completed", "date": "2026-11-01", "hours": 1.5},
        headers=nurse.headers,
    )
    taught = service.client.post(url, json={"kind": "face_to_face", "status": "planned"}, headers=educator.headers)
    assert own.status_code == taught.status_code == 201
    assert own.get_json()["hours"] == 1.5 and taught.get_json()["recorded_by"] == str(educator.id)
    skill_view = next(
        s for d in service.detail(passport["id"], nurse)["domains"] for s in d["skills"] if s["code"] == skill
    )
    assert [r["status"] for r in skill_view["learning"]] == ["completed", "planned"]
    recorded = service.outbox("passport.learning_recorded")
    assert [(e["data"]["kind"], e["data"]["status"]) for e in recorded] == [
        ("elearning", "completed"),
        ("face_to_face", "planned"),
    ]


@pytest.mark.parametrize(
    "body,field",
    [
        ({"kind": "podcast", "status": "planned"}, "kind"),
        ({"kind": "elearning", "status": "done"}, "status"),
        ({"kind": "elearning", "status": "planned", "hours": -1}, "hours"),
        ({"kind": "elearning", "status": "planned", "date": "31/12/2026"}, "date"),
        ({"status": "planned"}, "kind"),
    ],
)
def test_bad_learning_is_422_naming_the_field(service, body, field):
    nurse = service.person("staff")
    passport = service.start(nurse)
    skill = service.skill_codes(passport["id"], nurse)[0]
    response = service.client.post(
        f"/passports/{passport['id']}/skills/{skill}/learning", json=body, headers=nurse.headers
    )
    assert field in problem(response, 422)["errors"]
    assert service.outbox("passport.learning_recorded") == []


def test_learning_refused_to_supervisors_and_on_withdrawn_passports(service):
    nurse = service.person("staff")
    passport = service.start(nurse)
    url = f"/passports/{passport['id']}/skills/{service.skill_codes(passport['id'], nurse)[0]}/learning"
    problem(
        service.client.post(
            url, json={"kind": "elearning", "status": "planned"}, headers=service.person("supervisor").headers
        ),
        403,
    )
    service.client.post(f"/passports/{passport['id']}/withdraw", json={}, headers=service.person("lead").headers)
    problem(service.client.post(url, json={"kind": "elearning", "status": "planned"}, headers=nurse.headers), 409)


def test_withdrawal(service):
    nurse = service.person("staff")
    passport = service.start(nurse)
    problem(
        service.client.post(
            f"/passports/{passport['id']}/withdraw", json={}, headers=service.person("supervisor").headers
        ),
        403,
    )
    withdrawn = service.client.post(
        f"/passports/{passport['id']}/withdraw", json={"reason": "Not rotating"}, headers=nurse.headers
    )
    assert withdrawn.status_code == 200 and withdrawn.get_json()["status"] == "withdrawn"
    problem(service.client.post(f"/passports/{passport['id']}/withdraw", json={}, headers=nurse.headers), 409)
    [event] = service.outbox("passport.withdrawn")
    assert event["data"]["reason"] == "Not rotating"


def test_anonymous_callers_are_401(service):
    problem(service.client.get("/passports"), 401)
    problem(service.client.post("/passports", json={"passport_type": "NRSS"}), 401)
    problem(service.client.get("/passport-types"), 401)


def test_the_passport_read_matches_its_documented_schema(service):
    from tests.support.openapi import assert_matches_documented_response

    nurse = service.person("staff")
    passport = service.start(nurse)
    skills = service.skill_codes(passport["id"], nurse)
    service.client.put(
        f"/passports/{passport['id']}/skills/{skills[0]}/self-assessment",
        json={"level": "independent"},
        headers=nurse.headers,
    )
    service.client.post(
        f"/passports/{passport['id']}/skills/{skills[0]}/learning",
        json={"kind": "elearning", "status": "completed", "hours": 2, "date": "2026-10-01"},
        headers=nurse.headers,
    )
    service.sign_off(passport, skills[0])
    detail = service.detail(passport["id"], nurse)
    skill = detail["domains"][0]["skills"][0]
    assert skill["self_assessment"]["level"] == "independent" and skill["signoff"]["outcome"] == "proficient"
    assert skill["learning"][0]["hours"] == 2.0
    assert detail["progress"] == {"skills_total": len(skills), "self_assessed": 1, "signed_off": 1}
    assert_matches_documented_response(service.client, "get", "/passports/{passport_id}", 200, detail)
    broken = {**detail, "domains": [{**detail["domains"][0], "skills": [{**skill, "learning": [{"hours": "two"}]}]}]}
    with pytest.raises(AssertionError):
        assert_matches_documented_response(service.client, "get", "/passports/{passport_id}", 200, broken)
