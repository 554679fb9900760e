"""passport.* events feed the service's view of passports, in any order, exactly once."""

import threading
import uuid
from datetime import UTC, datetime, timedelta

from tests.signoff.conftest import SKILLS, SignoffService, problem

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def test_events_that_overtake_the_start_still_count(service, holder, supervisor):
    passport = service.passport(holder, started=False, assessed=SKILLS[:2])
    service.start(passport)
    service.signed(supervisor, passport, SKILLS[1])


def test_a_withdrawal_that_arrives_before_the_start_still_holds(service, holder, supervisor):
    passport = service.passport(holder, started=False, assessed=[])
    service.withdraw(passport, at=T0)
    service.start(passport)
    service.self_assess(passport, SKILLS[0])
    service.reopen(passport, at=T0 + timedelta(days=1))  # nothing brings a withdrawn passport back
    assert "withdrawn" in problem(service.sign(supervisor, passport), 409)["detail"]


def test_the_newest_of_completed_and_reopened_holds_whatever_the_arrival_order(service, holder, supervisor):
    passport = service.passport(holder)
    service.complete(passport, at=T0 + timedelta(hours=2))
    service.reopen(passport, at=T0 + timedelta(hours=1))  # older, arriving late
    service.start(passport)  # a late start changes no status either
    problem(service.sign(supervisor, passport), 409)
    service.reopen(passport, at=T0 + timedelta(hours=3))
    service.signed(supervisor, passport)


def test_a_redelivered_event_changes_nothing(service, holder, supervisor):
    passport = service.passport(holder)
    completed_event = uuid.uuid4()
    assert service.passport_event(
        "passport.completed",
        passport,
        event_id=completed_event,
        type_version=1,
        title="Non-Registered Support Staff",
        skill_count=len(SKILLS),
        completed_at=T0,
    )
    service.reopen(passport, at=T0 + timedelta(hours=1))
    assert (
        service.passport_event(
            "passport.completed",
            passport,
            event_id=completed_event,
            type_version=1,
            title="Non-Registered Support Staff",
            skill_count=len(SKILLS),
            completed_at=T0 + timedelta(hours=2),
        )
        is False
    )
    service.signed(supervisor, passport)
    assert len(service.outbox("signoff.recorded")) == 1


def test_two_supervisors_deciding_the_same_skill_at_once_record_one_decision(postgres_url):
    service = SignoffService(postgres_url)
    for _ in range(5):
        holder = service.person("staff")
        passport = service.passport(holder)
        supervisors = [service.person("supervisor") for _ in range(2)]
        barrier = threading.Barrier(2)
        statuses = []

        def sign(supervisor):
            client = service.client.application.test_client()
            barrier.wait()
            body = {
                "passport_id": str(passport["passport_id"]),
                "skill_code": SKILLS[0],
                "outcome": "proficient",
                "comment": "Safe",
            }
            statuses.append(client.post("/signoffs", json=body, headers=supervisor.headers).status_code)

        threads = [threading.Thread(target=sign, args=(supervisor,)) for supervisor in supervisors]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(statuses) == [201, 409]
    assert len(service.outbox("signoff.recorded")) == 5
