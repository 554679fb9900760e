"""Sign-off events drive each skill's state and the passport's completion, in any order, exactly once."""

import threading
import uuid
from datetime import UTC, datetime, timedelta

import pytest

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def nurse_and_passport(service):
    nurse = service.person("staff")
    passport = service.start(nurse, "NRSS")
    return nurse, passport, service.skill_codes(passport["id"], nurse)


def test_the_last_proficient_signoff_completes_the_passport_once(service, nurse_and_passport):
    nurse, passport, skills = nurse_and_passport
    for code in skills[:-1]:
        service.sign_off(passport, code)
    assert service.detail(passport["id"], nurse)["status"] == "in_progress"
    assert service.outbox("passport.completed") == []
    service.sign_off(passport, skills[-1])

    detail = service.detail(passport["id"], nurse)
    assert detail["status"] == "completed" and detail["completed_at"]
    assert detail["progress"]["signed_off"] == len(skills)
    [completed] = service.outbox("passport.completed")
    data = completed["data"]
    assert datetime.fromisoformat(data.pop("completed_at")) == datetime.fromisoformat(detail["completed_at"])
    assert data == {
        "passport_id": passport["id"],
        "staff_id": str(nurse.id),
        "trust_id": str(service.trust_id),
        "passport_type": "NRSS",
        "type_version": 1,
        "title": "Non-Registered Support Staff",
        "skill_count": len(skills),
    }


def test_not_yet_does_not_count(service, nurse_and_passport):
    nurse, passport, skills = nurse_and_passport
    for code in skills[:-1]:
        service.sign_off(passport, code)
    service.sign_off(passport, skills[-1], "not_yet")
    detail = service.detail(passport["id"], nurse)
    assert detail["status"] == "in_progress"
    assert detail["domains"][-1]["skills"][-1]["signoff"]["outcome"] == "not_yet"


def test_a_redelivered_event_changes_nothing(service, nurse_and_passport):
    nurse, passport, skills = nurse_and_passport
    event_id = uuid.uuid4()
    signoff = uuid.uuid4()
    assert service.sign_off(passport, skills[0], signoff_id=signoff, event_id=event_id)
    for code in skills[1:]:
        service.sign_off(passport, code)
    service.revoke(passport, skills[0], signoff)
    assert service.detail(passport["id"], nurse)["status"] == "in_progress"
    # The original sign-off arrives again: it must not bring the revoked decision back.
    assert (
        service.deliver(
            "signoff.recorded",
            {
                "signoff_id": signoff,
                "passport_id": passport["id"],
                "skill_code": skills[0],
                "outcome": "proficient",
                "supervisor_id": uuid.uuid4(),
                "holder_id": passport["staff_id"],
                "trust_id": passport["trust_id"],
                "decided_at": datetime.now(UTC),
            },
            event_id=event_id,
        )
        is False
    )
    assert service.detail(passport["id"], nurse)["status"] == "in_progress"
    assert len(service.outbox("passport.completed")) == 1


def test_revocation_reopens_a_completed_passport(service, nurse_and_passport):
    nurse, passport, skills = nurse_and_passport
    signoffs = {code: service.sign_off(passport, code) for code in skills}
    service.revoke(passport, skills[3], signoffs[skills[3]])
    detail = service.detail(passport["id"], nurse)
    assert detail["status"] == "in_progress" and detail["completed_at"] is None
    assert detail["progress"]["signed_off"] == len(skills) - 1
    [reopened] = service.outbox("passport.reopened")
    assert reopened["data"]["skill_code"] == skills[3]
    service.sign_off(passport, skills[3])
    assert service.detail(passport["id"], nurse)["status"] == "completed"
    assert len(service.outbox("passport.completed")) == 2


def test_a_revocation_that_arrives_before_its_signoff_still_wins(service, nurse_and_passport):
    nurse, passport, skills = nurse_and_passport
    for code in skills[1:]:
        service.sign_off(passport, code)
    early = uuid.uuid4()
    service.revoke(passport, skills[0], early, revoked_at=T0 + timedelta(hours=1))
    service.sign_off(passport, skills[0], signoff_id=early, decided_at=T0)
    assert service.detail(passport["id"], nurse)["status"] == "in_progress"
    assert service.outbox("passport.completed") == []


def test_the_newest_decision_holds_whatever_the_arrival_order(service, nurse_and_passport):
    nurse, passport, skills = nurse_and_passport
    for code in skills[1:]:
        service.sign_off(passport, code)
    service.sign_off(passport, skills[0], "not_yet", decided_at=T0 + timedelta(days=1))
    service.sign_off(passport, skills[0], "proficient", decided_at=T0)  # older, arriving late
    assert service.detail(passport["id"], nurse)["status"] == "in_progress"
    service.sign_off(passport, skills[0], "proficient", decided_at=T0 + timedelta(days=2))
    assert service.detail(passport["id"], nurse)["status"] == "completed"


def test_a_withdrawn_passport_never_completes(service, nurse_and_passport):
    nurse, passport, skills = nurse_and_passport
    service.client.post(f"/passports/{passport['id']}/withdraw", json={}, headers=nurse.headers)
    for code in skills:
        service.sign_off(passport, code)
    assert service.detail(passport["id"], nurse)["status"] == "withdrawn"
    assert service.outbox("passport.completed") == []


def test_signoffs_for_unknown_passports_or_skills_are_unprocessable(service, nurse_and_passport):
    from shared.consumer import Unprocessable

    nurse, passport, skills = nurse_and_passport
    with pytest.raises(Unprocessable):
        service.sign_off({**passport, "id": str(uuid.uuid4())}, skills[0])
    with pytest.raises(Unprocessable):
        service.sign_off(passport, "NOT-A-SKILL")


def test_two_consumers_applying_the_last_two_signoffs_at_once_complete_it_once(postgres_url):
    from tests.passport.conftest import PassportService

    service = PassportService(postgres_url)
    for _ in range(5):
        nurse = service.person("staff")
        passport = service.start(nurse, "NRSS")
        skills = service.skill_codes(passport["id"], nurse)
        for code in skills[:-2]:
            service.sign_off(passport, code)
        barrier = threading.Barrier(2)
        errors = []

        def last(code):
            try:
                barrier.wait()
                service.sign_off(passport, code)
            except Exception as error:  # surfaced below
                errors.append(error)

        threads = [threading.Thread(target=last, args=(code,)) for code in skills[-2:]]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        assert service.detail(passport["id"], nurse)["status"] == "completed"
    assert len(service.outbox("passport.completed")) == 5


def test_user_events_keep_the_newest_profile_in_any_order(service):
    lead = service.person("lead")
    nurse = service.person("staff", known=False)
    profile = {
        "user_id": nurse.id,
        "trust_id": service.trust_id,
        "email": "n@example.nhs.uk",
        "name": "N",
        "staff_number": "1",
        "professional_group": "Nursing",
        "roles": ["staff"],
        "active": True,
    }
    service.deliver(
        "user.deactivated",
        {"user_id": nurse.id, "trust_id": service.trust_id, "deactivated_at": T0 + timedelta(hours=1)},
    )
    service.deliver("user.registered", {**profile, "registered_at": T0})  # older: must not reactivate
    response = service.client.post(
        "/passports", json={"passport_type": "NRSS", "staff_id": str(nurse.id)}, headers=lead.headers
    )
    assert response.status_code == 409
    service.deliver("user.updated", {**profile, "changed": ["active"], "updated_at": T0 + timedelta(hours=2)})
    response = service.client.post(
        "/passports", json={"passport_type": "NRSS", "staff_id": str(nurse.id)}, headers=lead.headers
    )
    assert response.status_code == 201


def test_signoffs_applied_together_decide_as_one_by_one_and_complete_each_time_once(service):
    nurse, colleague = service.person("staff"), service.person("staff")
    first, second = service.start(nurse, "NRSS"), service.start(colleague, "NRSS")
    skills = service.skill_codes(first["id"], nurse)
    with service.delivered_together() as outcomes:
        for code in skills[1:]:
            service.sign_off(first, code)
            service.sign_off(second, code)
        service.sign_off(first, skills[0], "not_yet", decided_at=T0 + timedelta(days=1))
        service.sign_off(first, skills[0], "proficient", decided_at=T0)  # older, arriving late: not yet stands
        decision = service.sign_off(second, skills[0])  # completes it
        service.revoke(second, skills[0], decision)  # reopens it
        service.sign_off(second, skills[0])  # completes it again
    assert all(outcomes)

    detail = service.detail(first["id"], nurse)
    assert (detail["status"], detail["progress"]["signed_off"]) == ("in_progress", len(skills) - 1)
    detail = service.detail(second["id"], colleague)
    assert (detail["status"], detail["progress"]["signed_off"]) == ("completed", len(skills))
    told = [(event["type"].split(".")[-2], event["subject"]) for event in service.outbox()]
    assert told[-3:] == [("completed", second["id"]), ("reopened", second["id"]), ("completed", second["id"])]
