"""The rules several services agree on (shared/rules.py): which sign-off decision stands, which certificate
stands, whose profile is newer, which values repeat."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import permutations

from shared import rules
from shared.domain import Caller
from tests.shared.test_pure_domain import FRAMEWORKS, modules_loaded_by

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Decision:
    signoff_id: uuid.UUID
    skill_code: str
    outcome: str | None
    decided_at: datetime | None
    revoked: bool = False


def decision(skill: str, minutes: int, outcome: str | None = "proficient", revoked: bool = False) -> Decision:
    return Decision(uuid.uuid4(), skill, outcome, T0 + timedelta(minutes=minutes), revoked)


def test_the_newest_decision_not_revoked_stands_whatever_the_order():
    early_yes, late_no, later_yes_revoked = (
        decision("A", 0),
        decision("A", 5, "not_yet"),
        decision("A", 9, revoked=True),
    )
    for order in permutations([early_yes, late_no, later_yes_revoked]):
        assert rules.standing_decision(order) is late_no
    assert rules.standing_decision([later_yes_revoked]) is None
    assert rules.standing_decision([]) is None


def test_a_decision_known_only_from_its_revocation_never_stands():
    only_revoked = Decision(uuid.uuid4(), "A", None, None, revoked=True)
    not_yet_decided = Decision(uuid.uuid4(), "A", None, None)
    assert rules.standing_decision([only_revoked, not_yet_decided]) is None
    earlier = decision("A", 0)
    assert rules.standing_decision([only_revoked, earlier, not_yet_decided]) is earlier


def test_decisions_at_the_same_moment_go_to_the_larger_id():
    first, second = (Decision(uuid.uuid4(), "A", "proficient", T0) for _ in range(2))
    larger = max(first, second, key=lambda d: str(d.signoff_id))
    assert rules.standing_decision([first, second]) is larger
    assert rules.standing_decision([second, first]) is larger


def test_each_skill_has_its_own_standing_decision():
    a_old, a_new, b = decision("A", 0), decision("A", 1, "not_yet"), decision("B", 0)
    b_revoked = decision("B", 3, revoked=True)
    c_revoked = decision("C", 2, revoked=True)
    for order in permutations([a_old, a_new, b, b_revoked, c_revoked]):
        assert rules.standing_decisions(order) == {"A": a_new, "B": b}


def test_the_newest_certificate_stands_and_every_other_is_superseded():
    old, new, newest = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    since = {old: T0, newest: T0 + timedelta(days=2), new: T0 + timedelta(days=1)}
    assert rules.standing_certificate(since) == newest
    assert rules.superseded_certificates(since) == {old, new}
    assert rules.standing_certificate({}) is None
    assert rules.superseded_certificates({}) == set()
    assert rules.superseded_certificates({old: T0}) == set()


def test_certificates_of_the_same_moment_go_to_the_larger_id():
    first, second = uuid.uuid4(), uuid.uuid4()
    assert rules.standing_certificate({first: T0, second: T0}) == max(first, second, key=str)
    assert rules.standing_certificate({second: T0, first: T0}) == max(first, second, key=str)


def test_a_profile_as_new_or_newer_than_the_one_kept_replaces_it():
    assert rules.is_newer_profile(None, T0)
    assert rules.is_newer_profile(T0, T0)
    assert rules.is_newer_profile(T0, T0 + timedelta(seconds=1))
    assert not rules.is_newer_profile(T0, T0 - timedelta(seconds=1))


def test_repeated_values_are_found_by_position():
    assert rules.repeated(["A", "B", "A", "C", "B", "A"]) == [2, 4, 5]
    assert rules.repeated(["A", "B"]) == []
    assert rules.repeated([]) == []


def test_the_rules_import_no_framework():
    loaded = modules_loaded_by("shared.rules")
    assert "shared.rules" in loaded
    assert not [name for name in loaded if name.split(".")[0] in FRAMEWORKS]


def test_a_trusts_object_is_read_by_its_holder_and_its_readers_only():
    trust, holder = uuid.uuid4(), uuid.uuid4()
    own = Caller(holder, trust, frozenset({"staff"}))
    colleague = Caller(uuid.uuid4(), trust, frozenset({"staff"}))
    reader = Caller(uuid.uuid4(), trust, frozenset({"supervisor"}))
    other_trusts = Caller(uuid.uuid4(), uuid.uuid4(), frozenset({"supervisor"}))
    assert rules.may_read(own, holder, trust, ("supervisor",))
    assert rules.may_read(reader, holder, trust, ("supervisor",))
    assert not rules.may_read(colleague, holder, trust, ("supervisor",))
    assert not rules.may_read(other_trusts, holder, trust, ("supervisor",))
    assert not rules.may_read(Caller(holder, uuid.uuid4(), frozenset({"staff"})), holder, trust, ("supervisor",))
