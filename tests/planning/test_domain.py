"""The planning rules as pure functions: quadrants, the driver tree, the measure limit, roster standing."""

import itertools
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from services.planning import domain
from services.planning.domain import ACTIVITY, PRIMARY, SECONDARY, CertificateFacts, DriverNode
from shared.domain import Invalid

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "power, impact, quadrant",
    [
        ("high", "high", "Manage"),
        ("high", "low", "Satisfy"),
        ("low", "high", "Inform"),
        ("low", "low", "Monitor"),
    ],
)
def test_power_and_impact_place_a_stakeholder_in_its_quadrant(power, impact, quadrant):
    assert domain.quadrant(power, impact) == quadrant


# --- The driver tree ---------------------------------------------------------------------------------


def node(kind, parent=None):
    return DriverNode(uuid.uuid4(), kind, parent.id if parent else None)


@pytest.fixture
def tree():
    primary = node(PRIMARY)
    secondary = node(SECONDARY, primary)
    activity = node(ACTIVITY, secondary)
    return primary, secondary, activity, {n.id: n for n in (primary, secondary, activity)}


def test_a_well_formed_tree_has_no_problems(tree):
    primary, secondary, activity, drivers = tree
    for candidate in (node(PRIMARY), node(SECONDARY, primary), node(ACTIVITY, secondary), node(ACTIVITY, primary)):
        assert domain.tree_problems(candidate, drivers) == {}
    for existing in drivers.values():  # each stored node, saved again unchanged
        assert domain.tree_problems(existing, drivers) == {}


def test_a_primary_driver_has_no_parent(tree):
    primary, *_, drivers = tree
    assert "no parent" in domain.tree_problems(node(PRIMARY, primary), drivers)["parent_id"][0]


@pytest.mark.parametrize(
    "kind, message", [(SECONDARY, "links to a primary"), (ACTIVITY, "links to a primary or secondary")]
)
def test_secondary_drivers_and_activities_need_a_parent(tree, kind, message):
    *_, drivers = tree
    assert message in domain.tree_problems(node(kind), drivers)["parent_id"][0]


def test_a_secondary_driver_hangs_from_a_primary_only(tree):
    _, secondary, activity, drivers = tree
    assert "is a secondary" in domain.tree_problems(node(SECONDARY, secondary), drivers)["parent_id"][0]
    assert "is a activity" in domain.tree_problems(node(SECONDARY, activity), drivers)["parent_id"][0]


def test_nothing_hangs_from_an_activity(tree):
    *_, activity, drivers = tree
    assert domain.tree_problems(node(ACTIVITY, activity), drivers)["parent_id"]


def test_a_parent_of_another_plan_or_none_at_all_is_unknown(tree):
    *_, drivers = tree
    elsewhere = node(PRIMARY)
    assert domain.tree_problems(node(SECONDARY, elsewhere), drivers) == {
        "parent_id": [f"No driver {elsewhere.id} in this plan."]
    }


def test_links_that_make_a_cycle_are_refused(tree):
    primary, secondary, activity, drivers = tree
    to_itself = DriverNode(secondary.id, SECONDARY, secondary.id)
    under_its_own_child = DriverNode(primary.id, SECONDARY, secondary.id)
    under_its_grandchild = DriverNode(primary.id, ACTIVITY, activity.id)
    for change in (to_itself, under_its_own_child, under_its_grandchild):
        assert "cycle" in domain.tree_problems(change, drivers)["parent_id"][0]


def test_a_driver_cannot_change_kind_under_its_children(tree):
    primary, secondary, activity, drivers = tree
    other_primary = node(PRIMARY)
    drivers[other_primary.id] = other_primary
    demoted = DriverNode(primary.id, SECONDARY, other_primary.id)  # its secondary would hang from a secondary
    assert str(secondary.id) in domain.tree_problems(demoted, drivers)["kind"][0]
    made_activity = DriverNode(secondary.id, ACTIVITY, primary.id)
    assert str(activity.id) in domain.tree_problems(made_activity, drivers)["kind"][0]


# --- Measures ----------------------------------------------------------------------------------------


def test_six_measures_at_most():
    for existing in range(domain.MAX_MEASURES):
        domain.check_measure_limit(existing)
    with pytest.raises(Invalid) as refused:
        domain.check_measure_limit(6)
    assert refused.value.errors == {"measures": [refused.value.errors["measures"][0]]}
    assert "at most 6 measures" in refused.value.detail


# --- The roster --------------------------------------------------------------------------------------

CERT_A, CERT_B = uuid.uuid4(), uuid.uuid4()
ISSUED_A = ("issued", CERT_A, T0)
REVOKED_A = ("revoked", CERT_A, T0 + timedelta(days=10))
ISSUED_B = ("issued", CERT_B, T0 + timedelta(days=20))
EXPIRED_B = ("expired", CERT_B, T0 + timedelta(days=400))


def apply_in_order(facts_in_order):
    """Each certificate's facts built up in the given arrival order, and the standing after each."""
    known: dict = {}
    standings = []
    for what, certificate_id, at in facts_in_order:
        facts = known.get(certificate_id, CertificateFacts(certificate_id, None, None, None))
        if what == "issued":
            known[certificate_id] = domain.facts_after(facts, issued_at=at)
        else:
            known[certificate_id] = domain.facts_after(facts, ended_at=at, end_reason=what)
        standings.append(domain.standing(known.values()))
    return standings


@pytest.mark.parametrize("order", list(itertools.permutations([ISSUED_A, REVOKED_A, ISSUED_B])))
def test_a_later_issued_certificate_wins_over_an_older_revoked_one_in_every_arrival_order(order):
    final = apply_in_order(order)[-1]
    assert final == domain.Standing("eligible", CERT_B, ISSUED_B[2], "certified")


@pytest.mark.parametrize("order", list(itertools.permutations([ISSUED_A, REVOKED_A])))
def test_a_revoked_certificate_makes_ineligible_whatever_arrives_first(order):
    assert apply_in_order(order)[-1] == domain.Standing("ineligible", CERT_A, REVOKED_A[2], "revoked")


@pytest.mark.parametrize("order", list(itertools.permutations([ISSUED_A, REVOKED_A, ISSUED_B, EXPIRED_B])))
def test_when_every_certificate_has_ended_the_latest_end_holds(order):
    assert apply_in_order(order)[-1] == domain.Standing("ineligible", CERT_B, EXPIRED_B[2], "expired")


def test_eligible_since_the_certificate_was_issued_and_on_that_certificate():
    [standing] = apply_in_order([ISSUED_A])
    assert (standing.status, standing.certificate_id, standing.since) == ("eligible", CERT_A, T0)


def test_a_certificate_ends_at_its_first_revocation_or_expiry():
    facts = CertificateFacts(CERT_A, T0, None, None)
    revoked = domain.facts_after(facts, ended_at=T0 + timedelta(days=5), end_reason="revoked")
    assert domain.facts_after(revoked, ended_at=T0 + timedelta(days=9), end_reason="expired") == revoked
    earlier = domain.facts_after(revoked, ended_at=T0 + timedelta(days=1), end_reason="expired")
    assert (earlier.ended_at, earlier.end_reason) == (T0 + timedelta(days=1), "expired")


def test_nothing_known_means_no_roster_entry():
    assert domain.standing([]) is None


# --- Leavers -----------------------------------------------------------------------------------------

LEFT_AT = T0 + timedelta(days=30)


def test_a_leaver_is_ineligible_since_leaving_on_the_certificate_they_hold():
    held = [CertificateFacts(CERT_A, T0, None, None)]
    assert domain.standing(held, left_at=LEFT_AT) == domain.Standing("ineligible", CERT_A, LEFT_AT, "left")


def test_a_certificate_issued_after_leaving_does_not_make_a_leaver_eligible():
    # Since its issue: the standing it replaces (eligible since then) is never followed by an older `since`.
    issued_later = [CertificateFacts(CERT_B, LEFT_AT + timedelta(days=1), None, None)]
    assert domain.standing(issued_later, left_at=LEFT_AT) == domain.Standing(
        "ineligible", CERT_B, LEFT_AT + timedelta(days=1), "left"
    )


def test_someone_taken_back_is_eligible_again_but_never_since_before_leaving():
    held = [CertificateFacts(CERT_A, T0, None, None)]
    assert domain.standing(held, left_at=LEFT_AT, taken_back=True) == domain.Standing(
        "eligible", CERT_A, LEFT_AT, "certified"
    )
    renewed = [*held, CertificateFacts(CERT_B, LEFT_AT + timedelta(days=5), None, None)]
    assert domain.standing(renewed, left_at=LEFT_AT, taken_back=True) == domain.Standing(
        "eligible", CERT_B, LEFT_AT + timedelta(days=5), "certified"
    )


def test_leaving_changes_nothing_for_an_entry_already_ineligible_or_never_standing():
    ended = [CertificateFacts(CERT_A, T0, T0 + timedelta(days=3), "revoked")]
    assert domain.standing(ended, left_at=LEFT_AT) == domain.Standing(
        "ineligible", CERT_A, T0 + timedelta(days=3), "revoked"
    )
    assert domain.standing([], left_at=LEFT_AT) is None


@pytest.mark.parametrize(
    "left_at, active_at, left_since",
    [
        (None, None, None),
        (None, T0, None),
        (LEFT_AT, None, LEFT_AT),  # deactivated before any profile arrived
        (LEFT_AT, T0, LEFT_AT),  # registered, then left
        (LEFT_AT, LEFT_AT, LEFT_AT),  # a tie: the leaving holds
        (LEFT_AT, LEFT_AT + timedelta(days=1), None),  # taken back by a newer active profile
    ],
)
def test_whether_someone_has_left_is_decided_by_times_not_arrival(left_at, active_at, left_since):
    assert domain.left_since(left_at, active_at) == left_since


def test_the_latest_moment_only_moves_forward():
    assert domain.latest(None, T0) == T0
    assert domain.latest(LEFT_AT, T0) == LEFT_AT
    assert domain.latest(T0, LEFT_AT) == LEFT_AT
