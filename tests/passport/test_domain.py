"""The passport's rules as pure functions."""

import itertools
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from services.passport import domain
from services.passport.domain import Decision
from shared.domain import Caller, Conflict, Forbidden, NotFound

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
TRUST, OTHER_TRUST = uuid.uuid4(), uuid.uuid4()


def caller(*roles, trust=TRUST, user=None):
    return Caller(user_id=user or uuid.uuid4(), trust_id=trust, roles=frozenset(roles))


def decision(outcome, minutes, revoked=False):
    return Decision(uuid.uuid4(), outcome, T0 + timedelta(minutes=minutes), revoked)


def test_content_errors_name_repeated_codes_and_empty_domains():
    domains = [
        {"code": "AIR", "skills": [{"code": "AIR-01"}, {"code": "AIR-01"}]},
        {"code": "AIR", "skills": []},
        {"code": "IPC", "skills": [{"code": "AIR-01"}]},
    ]
    errors = domain.content_errors(domains)
    assert set(errors) == {"domains.0.skills.1.code", "domains.1.code", "domains.1.skills", "domains.2.skills.0.code"}
    assert domain.content_errors([{"code": "A", "skills": [{"code": "A-1"}]}]) == {}
    assert "domains" in domain.content_errors([])


def test_the_latest_decision_not_revoked_stands_whatever_the_arrival_order():
    early_yes, late_no, later_yes_revoked = (
        decision("proficient", 1),
        decision("not_yet", 2),
        decision("proficient", 3, True),
    )
    revocation_only = Decision(uuid.uuid4(), None, None, True)
    for order in itertools.permutations([early_yes, late_no, later_yes_revoked, revocation_only]):
        assert domain.standing_decision(order) == late_no
    assert domain.standing_decision([]) is None
    assert domain.standing_decision([later_yes_revoked]) is None


@pytest.mark.parametrize(
    "status,all_proficient,expected",
    [
        ("in_progress", True, "completed"),
        ("in_progress", False, "in_progress"),
        ("completed", False, "in_progress"),
        ("completed", True, "completed"),
        ("withdrawn", True, "withdrawn"),
        ("withdrawn", False, "withdrawn"),
    ],
)
def test_status_follows_whether_every_skill_is_signed_off(status, all_proficient, expected):
    assert domain.next_status(status, all_proficient) == expected


def test_progress_counts_self_assessed_and_proficient_skills():
    progress = domain.progress([("independent", "proficient"), ("none", "not_yet"), (None, None), (None, "proficient")])
    assert (progress.skills_total, progress.self_assessed, progress.signed_off) == (4, 2, 2)
    assert not progress.complete
    assert domain.progress([("supervised", "proficient")]).complete
    assert not domain.progress([]).complete


def test_anyone_in_a_trust_starts_their_own_and_only_assigners_start_for_others():
    staff = caller("staff")
    assert domain.check_can_start(staff, None) == staff.user_id
    assert domain.check_can_start(staff, staff.user_id) == staff.user_id
    with pytest.raises(Forbidden):
        domain.check_can_start(staff, uuid.uuid4())
    with pytest.raises(Forbidden):
        domain.check_can_start(caller("supervisor"), uuid.uuid4())
    someone = uuid.uuid4()
    for role in ("lead", "educator", "trust_admin"):
        assert domain.check_can_start(caller(role), someone) == someone
    with pytest.raises(Forbidden):
        domain.check_can_start(caller("platform_admin", trust=None), None)


def test_assignment_needs_a_known_member_of_the_callers_trust():
    lead = caller("lead")
    domain.check_staff_of_trust(lead, TRUST, known=True)
    with pytest.raises(NotFound):
        domain.check_staff_of_trust(lead, OTHER_TRUST, known=True)
    with pytest.raises(NotFound):
        domain.check_staff_of_trust(lead, None, known=False)


def test_reading_is_for_the_holder_and_the_trusts_readers_only():
    holder = uuid.uuid4()
    assert domain.can_read(caller("staff", user=holder), holder, TRUST)
    assert not domain.can_read(caller("staff"), holder, TRUST)
    for role in domain.READERS:
        assert domain.can_read(caller(role), holder, TRUST)
        assert not domain.can_read(caller(role, trust=OTHER_TRUST), holder, TRUST)
    with pytest.raises(NotFound):
        domain.check_can_read(caller("trust_admin", trust=OTHER_TRUST), holder, TRUST)


def test_only_the_holder_self_assesses():
    holder = uuid.uuid4()
    domain.check_holder(caller("staff", user=holder), holder, TRUST, "self-assess")
    with pytest.raises(Forbidden):
        domain.check_holder(caller("supervisor"), holder, TRUST, "self-assess")
    with pytest.raises(NotFound):
        domain.check_holder(caller("staff"), holder, TRUST, "self-assess")


def test_only_in_progress_passports_change():
    domain.check_in_progress("in_progress", "self-assess")
    for status in ("completed", "withdrawn"):
        with pytest.raises(Conflict):
            domain.check_in_progress(status, "self-assess")


# --- Assigning in bulk -------------------------------------------------------------------------------


def test_bulk_outcomes_reject_other_trusts_and_unknown_alike_and_leavers_and_keep_what_is_held():
    mine, theirs, unknown, leaver, holder = (uuid.uuid4() for _ in range(5))
    held = uuid.uuid4()
    known = {
        mine: domain.Colleague(TRUST, True),
        theirs: domain.Colleague(OTHER_TRUST, True),
        leaver: domain.Colleague(TRUST, False),
        holder: domain.Colleague(TRUST, True),
    }
    outcomes = domain.bulk_outcomes(TRUST, [mine, theirs, unknown, leaver, holder], known, {holder: held, theirs: held})
    assert [o.status for o in outcomes] == ["created", "rejected", "rejected", "rejected", "existing"]
    assert outcomes[1].errors == outcomes[2].errors == {"staff_id": [domain.NOT_IN_TRUST]}
    assert outcomes[3].errors == {"staff_id": [domain.LEFT]}
    assert outcomes[4].passport_id == held and outcomes[0].passport_id is None
    assert domain.rejections_as_errors(outcomes) == {
        f"staff_ids.{i}": [f"{outcomes[i].staff_id}: {outcomes[i].errors['staff_id'][0]}"] for i in (1, 2, 3)
    }


def test_the_passport_held_is_the_one_in_progress_else_the_newest_completed_never_a_withdrawn_one():
    ids = [uuid.uuid4() for _ in range(4)]
    assert domain.held_passport([(ids[0], "completed", T0), (ids[1], "in_progress", T0 - timedelta(days=1))]) == ids[1]
    assert (
        domain.held_passport(
            [
                (ids[0], "completed", T0),
                (ids[2], "completed", T0 + timedelta(days=1)),
                (ids[3], "withdrawn", T0 + timedelta(days=2)),
            ]
        )
        == ids[2]
    )
    assert domain.held_passport([(ids[3], "withdrawn", T0)]) is None
    assert domain.held_passport([]) is None


def test_only_assigners_of_a_trust_assign():
    for role in domain.ASSIGNERS:
        domain.check_can_assign(caller(role))
    for who in (caller("staff"), caller("supervisor", "workforce"), caller("lead", trust=None)):
        with pytest.raises(Forbidden):
            domain.check_can_assign(who)
