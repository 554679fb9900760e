"""People in sign-off: the holder's name and staff number from identity's user.* events beside every
decision and request, and a leaver's (user.deactivated) open requests closed, in any order, exactly once."""

import uuid
from datetime import UTC, datetime, timedelta

from tests.signoff.conftest import SKILLS
from tests.signoff.test_requests_api import asked, requests

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def profile(service, person, name="Sam Okafor", staff_number="N7", *, at=T0, event="user.updated", event_id=None):
    moment = {"registered_at": at} if event == "user.registered" else {"changed": ["name"], "updated_at": at}
    return service.deliver(
        event,
        {
            "user_id": person.id,
            "trust_id": person.trust_id,
            "email": "someone@example.nhs.uk",
            "name": name,
            "staff_number": staff_number,
            "professional_group": None,
            "roles": person.roles,
            "active": True,
            **moment,
        },
        subject=person.id,
        trust_id=person.trust_id,
        event_id=event_id,
    )


def deactivated(service, person, at=T0 + timedelta(days=30), *, event_id=None):
    return service.deliver(
        "user.deactivated",
        {"user_id": person.id, "trust_id": person.trust_id, "deactivated_at": at},
        subject=person.id,
        trust_id=person.trust_id,
        event_id=event_id,
    )


def named(item):
    return item["staff_name"], item["staff_number"]


# --- Names ---------------------------------------------------------------------------------------------


def test_decisions_and_requests_carry_the_holder_s_name_and_staff_number_null_until_known(service, holder, supervisor):
    passport = service.passport(holder)
    request = asked(service, holder, passport, SKILLS[:2])
    decision = service.signed(supervisor, passport, SKILLS[2])
    assert named(request) == named(decision) == (None, None)

    assert profile(service, holder, "Sam Okafor", "N7", event="user.registered")
    [listed_request] = requests(service, supervisor, status="open")
    [listed_decision] = service.history(supervisor)
    single = service.client.get(f"/signoffs/{decision['id']}", headers=supervisor.headers).get_json()
    assert named(listed_request) == named(listed_decision) == named(single) == ("Sam Okafor", "N7")
    assert listed_request["holder_id"] == str(holder.id)
    # Answers made once the name is known carry it at once, in the 201 itself.
    assert named(service.signed(supervisor, passport, SKILLS[0])) == ("Sam Okafor", "N7")
    assert named(asked(service, holder, service.passport(holder), SKILLS[:1])) == ("Sam Okafor", "N7")


def test_the_newest_profile_wins_and_an_older_update_arriving_late_is_ignored(service, holder, supervisor):
    asked(service, holder, service.passport(holder), SKILLS[:1])
    profile(service, holder, "Sam Okafor-Lee", "N8", at=T0 + timedelta(hours=2))
    profile(service, holder, "Sam Okafor", "N7", event="user.registered", at=T0)  # registered, arriving late
    profile(service, holder, "Sam Old", "N1", at=T0 + timedelta(hours=1))  # an older update, arriving late
    [request] = requests(service, supervisor)
    assert named(request) == ("Sam Okafor-Lee", "N8")


def test_the_same_profile_event_twice_applies_once(service, holder, supervisor):
    event_id = uuid.uuid4()
    assert profile(service, holder, "Sam Okafor", at=T0, event_id=event_id) is True
    assert profile(service, holder, "Someone Else", at=T0 + timedelta(hours=1), event_id=event_id) is False
    asked(service, holder, service.passport(holder), SKILLS[:1])
    assert requests(service, supervisor)[0]["staff_name"] == "Sam Okafor"


# --- Leavers -------------------------------------------------------------------------------------------


def test_a_leaver_s_open_requests_close_with_reason_left_and_leave_the_queue(service, holder, supervisor):
    passport = service.passport(holder)
    answered = asked(service, holder, passport, SKILLS[:1])
    service.signed(supervisor, passport, SKILLS[0])
    pending = [
        asked(service, holder, passport, SKILLS[1:3]),
        asked(service, holder, service.passport(holder), SKILLS[:1]),
    ]
    colleague = service.person("staff")
    theirs = asked(service, colleague, service.passport(colleague), SKILLS[:1])
    left_at = T0 + timedelta(days=30)

    assert deactivated(service, holder, left_at)
    assert [r["id"] for r in requests(service, supervisor, status="open")] == [theirs["id"]]
    closed = {r["id"]: r for r in requests(service, supervisor, status="closed")}
    assert set(closed) == {answered["id"], *(r["id"] for r in pending)}
    assert closed[answered["id"]]["closed_reason"] == "answered"  # already closed: left as it was
    for request in pending:
        assert (closed[request["id"]]["status"], closed[request["id"]]["closed_reason"]) == ("closed", "left")
        assert closed[request["id"]]["closed_at"] == left_at.isoformat()
    assert len(service.history(supervisor)) == 1  # the decisions stay in the audit trail
    assert service.outbox("signoff.recorded") and not service.outbox("signoff.revoked")


def test_the_same_leaving_twice_applies_once(service, holder, supervisor):
    asked(service, holder, service.passport(holder), SKILLS[:1])
    event_id = uuid.uuid4()
    assert deactivated(service, holder, event_id=event_id) is True
    assert deactivated(service, holder, T0 + timedelta(days=40), event_id=event_id) is False
    assert deactivated(service, holder, T0 + timedelta(days=40)) is True  # a new id: nothing open is left to close
    [request] = requests(service, supervisor, status="closed")
    assert request["closed_at"] == (T0 + timedelta(days=30)).isoformat()


def test_a_leaver_of_whom_nothing_is_known_changes_nothing(service, supervisor):
    assert deactivated(service, service.person("staff")) is True
    assert requests(service, supervisor) == []
