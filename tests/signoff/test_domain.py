"""The sign-off rules as pure functions."""

import itertools
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from services.signoff import domain
from services.signoff.domain import Decision
from shared.domain import Caller, Conflict, Forbidden, NotFound

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
TRUST, OTHER_TRUST = uuid.uuid4(), uuid.uuid4()


def caller(*roles, trust=TRUST, user=None):
    return Caller(user_id=user or uuid.uuid4(), trust_id=trust, roles=frozenset(roles))


def decision(skill, outcome, minutes, revoked=False):
    return Decision(uuid.uuid4(), skill, outcome, T0 + timedelta(minutes=minutes), revoked)


@pytest.mark.parametrize(
    "status,changed_at,event_status,event_minutes,expected",
    [
        ("in_progress", None, "completed", 5, "completed"),
        ("completed", 5, "in_progress", 10, "in_progress"),
        ("in_progress", 10, "completed", 5, "in_progress"),  # an older completion arriving late
        ("completed", 10, "in_progress", 5, "completed"),  # an older reopening arriving late
        ("completed", 10, "completed", 10, "completed"),
        ("in_progress", 10, "withdrawn", 5, "withdrawn"),  # withdrawal wins whenever it arrives
        ("withdrawn", 5, "in_progress", 10, "withdrawn"),
        ("withdrawn", 5, "completed", 10, "withdrawn"),
    ],
)
def test_the_newest_status_holds_and_withdrawal_is_final(status, changed_at, event_status, event_minutes, expected):
    changed_at = None if changed_at is None else T0 + timedelta(minutes=changed_at)
    new_status, _ = domain.status_after(status, changed_at, event_status, T0 + timedelta(minutes=event_minutes))
    assert new_status == expected


def test_status_after_keeps_the_time_of_the_change_that_holds():
    assert domain.status_after("in_progress", None, "completed", T0) == ("completed", T0)
    late = T0 - timedelta(hours=1)
    assert domain.status_after("completed", T0, "in_progress", late) == ("completed", T0)
    assert domain.status_after("withdrawn", T0, "completed", T0 + timedelta(hours=1)) == ("withdrawn", T0)


def test_another_trusts_passport_is_answered_like_an_unknown_one():
    supervisor, passport_id = caller("supervisor"), uuid.uuid4()
    domain.check_in_trust(supervisor, passport_id, TRUST)
    with pytest.raises(NotFound) as other_trust:
        domain.check_in_trust(supervisor, passport_id, OTHER_TRUST)
    with pytest.raises(NotFound) as unknown:
        domain.check_in_trust(supervisor, passport_id, None)
    assert other_trust.value.detail == unknown.value.detail
    assert "on its way" in unknown.value.detail


def test_nobody_decides_on_their_own_passport_and_only_the_holder_requests():
    holder = uuid.uuid4()
    supervisor_holding_it = caller("supervisor", user=holder)
    with pytest.raises(Forbidden):
        domain.check_not_holder(supervisor_holding_it, holder)
    domain.check_not_holder(caller("supervisor"), holder)
    domain.check_holder(caller("staff", user=holder), holder)
    with pytest.raises(Forbidden):
        domain.check_holder(caller("supervisor"), holder)


def test_reading_is_for_the_holder_and_the_trusts_readers_only():
    holder = uuid.uuid4()
    assert domain.can_read(caller("staff", user=holder), holder, TRUST)
    assert not domain.can_read(caller("staff"), holder, TRUST)
    for role in domain.READERS:
        assert domain.can_read(caller(role), holder, TRUST)
        assert not domain.can_read(caller(role, trust=OTHER_TRUST), holder, TRUST)
    with pytest.raises(NotFound):
        domain.check_can_read(caller("staff"), holder, TRUST, "sign-off")


def test_only_in_progress_passports_that_have_started_take_signoffs():
    domain.check_open_for_signoff("in_progress")
    with pytest.raises(Conflict, match="withdrawn"):
        domain.check_open_for_signoff("withdrawn")
    with pytest.raises(Conflict, match="Revoke"):
        domain.check_open_for_signoff("completed")
    domain.check_started(["AIR-01"])
    with pytest.raises(NotFound, match="try again"):
        domain.check_started(None)


def test_unknown_and_repeated_skills_are_found_by_position():
    assert domain.unknown_skills(["A", "X", "B", "Y"], ["A", "B"]) == [1, 3]
    assert domain.unknown_skills(["A"], ["A", "B"]) == []
    assert domain.repeated(["A", "B", "A", "C", "B", "A"]) == [2, 4, 5]
    assert domain.repeated(["A", "B"]) == []


def test_a_skill_is_self_assessed_before_its_signoff():
    domain.check_self_assessed(["A", "B"], {"A", "B", "C"})
    with pytest.raises(Conflict, match="B, D"):
        domain.check_self_assessed(["A", "B", "D"], {"A"})


def test_not_yet_needs_a_plan_that_says_something():
    assert domain.needs_action_plan("not_yet", None)
    assert domain.needs_action_plan("not_yet", "   ")
    assert not domain.needs_action_plan("not_yet", "Two supervised shifts, then review")
    assert not domain.needs_action_plan("proficient", None)


def test_assessments_are_not_dated_in_the_future():
    today = date(2026, 11, 2)
    assert not domain.is_in_the_future(date(2026, 10, 1), today)
    assert not domain.is_in_the_future(today + timedelta(days=1), today)  # UK midnight is still yesterday in UTC
    assert domain.is_in_the_future(today + timedelta(days=2), today)


def test_each_skill_stands_on_its_newest_decision_not_revoked_in_any_order():
    early_yes, late_no, later_yes_revoked = (
        decision("A", "proficient", 1),
        decision("A", "not_yet", 2),
        decision("A", "proficient", 3, revoked=True),
    )
    other = decision("B", "proficient", 0)
    for order in itertools.permutations([early_yes, late_no, later_yes_revoked, other]):
        assert domain.standing_decisions(order) == {"A": late_no, "B": other}
    assert domain.standing_decisions([later_yes_revoked]) == {}


def test_a_proficient_skill_is_not_decided_again_until_revoked():
    standing = domain.standing_decisions([decision("A", "proficient", 1), decision("B", "not_yet", 1)])
    domain.check_not_signed_off(["B", "C"], standing)
    with pytest.raises(Conflict, match="A"):
        domain.check_not_signed_off(["B", "A"], standing)


def test_a_skill_is_requested_once_at_a_time():
    request_id = uuid.uuid4()
    domain.check_not_requested(["B"], {"A": request_id})
    with pytest.raises(Conflict, match=str(request_id)):
        domain.check_not_requested(["A", "B"], {"A": request_id})


def test_a_revocation_is_made_once():
    domain.check_not_revoked(False)
    with pytest.raises(Conflict):
        domain.check_not_revoked(True)


def test_a_profile_replaces_the_one_kept_unless_it_is_older():
    assert domain.is_newer_profile(None, T0)
    assert domain.is_newer_profile(T0, T0)
    assert domain.is_newer_profile(T0, T0 + timedelta(seconds=1))
    assert not domain.is_newer_profile(T0 + timedelta(seconds=1), T0)
