"""The planning rules, as pure functions: who may do what, stakeholder quadrants, the driver tree, the
measure limit and the roster's standing after certificate events."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from shared.domain import Caller, Invalid, NotFound
from shared.language import (
    CERTIFIED,
    ELIGIBLE,
    EXPIRED,
    INELIGIBLE,
    LEFT,
    MAX_MEASURES,
    MEASURE_KINDS,
    METRICS,
    PLAN_READERS,
    PLAN_WRITERS,
    REVOKED,
    ROSTER_READERS,
)
from shared.rules import is_newer_profile, repeated, standing_certificate

WRITERS, READERS = PLAN_WRITERS, PLAN_READERS

HIGH, LOW = "high", "low"
LEVELS = (HIGH, LOW)

PRIMARY, SECONDARY, ACTIVITY = "primary", "secondary", "activity"
DRIVER_KINDS = (PRIMARY, SECONDARY, ACTIVITY)
DRIVER_STATUSES = ("proposed", "planned", "in_progress", "done", "not_pursued")
PRIORITIES = ("high", "medium", "low")

DEFAULT_STAGES = ("identification", "completion", "training", "rostering")
STEP_SHAPES = ("start_end", "activity", "decision", "document")

METHODS = ("quantitative", "qualitative")

ACTS = ("adopt", "adapt", "abandon")


# --- Who may do what ---------------------------------------------------------------------------------


def check_plan_in_trust(caller: Caller, plan_id: uuid.UUID, trust_id: uuid.UUID | None) -> None:
    """Another Trust's plan is answered exactly like one that does not exist."""
    if trust_id is None or trust_id != caller.trust_id:
        raise NotFound(f"No plan {plan_id} in your Trust.")


def reads_whole_roster(caller: Caller) -> bool:
    """Leads, workforce and trust_admins see the Trust's roster; anyone else only their own entries."""
    return caller.has_any(*ROSTER_READERS)


# --- Stakeholders ------------------------------------------------------------------------------------


def quadrant(power: str, impact: str) -> str:
    """Where the power/impact grid places a stakeholder, and so how to engage them."""
    if power == HIGH:
        return "Manage" if impact == HIGH else "Satisfy"
    return "Inform" if impact == HIGH else "Monitor"


# --- The driver diagram ------------------------------------------------------------------------------


@dataclass(frozen=True)
class DriverNode:
    id: uuid.UUID
    kind: str
    parent_id: uuid.UUID | None


# The kinds a node of each kind may hang from.
ALLOWED_PARENTS = {PRIMARY: (), SECONDARY: (PRIMARY,), ACTIVITY: (PRIMARY, SECONDARY)}


def tree_problems(node: DriverNode, plan_drivers: Mapping[uuid.UUID, DriverNode]) -> dict[str, list[str]]:
    """What `node` (new, or replacing its earlier self) would break in its plan's driver tree, by field.

    `plan_drivers` is every driver of the plan as stored now; a parent outside it (another plan's, or none at
    all) is refused like an unknown one."""
    tree = {**plan_drivers, node.id: node}
    problems: dict[str, list[str]] = {}
    if node.kind == PRIMARY:
        if node.parent_id is not None:
            problems["parent_id"] = ["A primary driver has no parent: it leads straight to the aim."]
    elif node.parent_id is None:
        problems["parent_id"] = [_needs_parent(node.kind)]
    elif node.parent_id not in plan_drivers:
        problems["parent_id"] = [f"No driver {node.parent_id} in this plan."]
    elif _makes_cycle(node, tree):
        problems["parent_id"] = ["This link would make a cycle: a driver cannot lead to itself."]
    elif tree[node.parent_id].kind not in ALLOWED_PARENTS[node.kind]:
        problems["parent_id"] = [
            f"{_needs_parent(node.kind)} Driver {node.parent_id} is a {tree[node.parent_id].kind}."
        ]
    orphaned = [
        child
        for child in tree.values()
        if child.parent_id == node.id and child.id != node.id and node.kind not in ALLOWED_PARENTS[child.kind]
    ]
    if orphaned:
        problems["kind"] = [
            f"A {node.kind} cannot keep its {len(orphaned)} linked driver(s) or activities "
            f"({', '.join(sorted(str(child.id) for child in orphaned))}): move them first."
        ]
    return problems


def _needs_parent(kind: str) -> str:
    if kind == SECONDARY:
        return "A secondary driver links to a primary driver."
    return "An activity links to a primary or secondary driver."


def _makes_cycle(node: DriverNode, tree: Mapping[uuid.UUID, DriverNode]) -> bool:
    seen: set[uuid.UUID] = set()
    current = node.parent_id
    while current is not None and current not in seen:
        if current == node.id:
            return True
        seen.add(current)
        current = tree[current].parent_id if current in tree else None
    return False


# --- Measures ----------------------------------------------------------------------------------------


def check_measure_limit(existing: int) -> None:
    """The toolkit's advice, enforced: no more than six measures a plan."""
    if existing >= MAX_MEASURES:
        raise Invalid(
            "measures",
            f"A plan has at most {MAX_MEASURES} measures and this one has {existing}: remove one before adding another.",
        )


# --- The roster --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CertificateFacts:
    """What the certificate events have said about one certificate so far (in whatever order they came)."""

    certificate_id: uuid.UUID
    issued_at: datetime | None  # None while only its revocation or expiry has arrived
    ended_at: datetime | None
    end_reason: str | None  # revoked or expired


@dataclass(frozen=True)
class Standing:
    status: str
    certificate_id: uuid.UUID | None
    since: datetime
    reason: str


def facts_after(
    facts: CertificateFacts,
    *,
    issued_at: datetime | None = None,
    ended_at: datetime | None = None,
    end_reason: str | None = None,
) -> CertificateFacts:
    """A certificate's facts with one more event applied. It ends at its first revocation or expiry: a later
    one changes nothing, nor does an earlier one arriving late move the end back beyond its first cause."""
    if ended_at is not None and (facts.ended_at is None or ended_at < facts.ended_at):
        facts = CertificateFacts(facts.certificate_id, facts.issued_at, ended_at, end_reason)
    if issued_at is not None:
        facts = CertificateFacts(facts.certificate_id, issued_at, facts.ended_at, facts.end_reason)
    return facts


def standing(
    certificates: Iterable[CertificateFacts], left_at: datetime | None = None, taken_back: bool = False
) -> Standing | None:
    """Eligibility in a role from everything known of the person's certificates for it: eligible on the
    newest issued certificate still standing, otherwise ineligible since the latest end. Times decide,
    never the order the events arrived in.

    Someone who left the Trust (`left_at`) is ineligible with reason `left` on the certificate they hold,
    whenever it was issued: a leaver is never rostered. Once `taken_back`, they are eligible on it again.
    Either way `since` is the later of the leaving and that certificate's issue, so that it only moves
    forward whatever order the events arrive in (readers of roster.updated keep the newest `since`)."""
    certificates = list(certificates)
    standing_ones = [c for c in certificates if c.issued_at is not None and c.ended_at is None]
    if standing_ones:
        by_id = {c.certificate_id: c for c in standing_ones}
        newest = by_id[standing_certificate({key: c.issued_at for key, c in by_id.items()})]
        if left_at is None:
            return Standing(ELIGIBLE, newest.certificate_id, newest.issued_at, CERTIFIED)
        since = max(newest.issued_at, left_at)
        if not taken_back:
            return Standing(INELIGIBLE, newest.certificate_id, since, LEFT)
        return Standing(ELIGIBLE, newest.certificate_id, since, CERTIFIED)
    ended = [c for c in certificates if c.ended_at is not None]
    if not ended:
        return None
    latest = max(ended, key=lambda c: (c.ended_at, str(c.certificate_id)))
    return Standing(INELIGIBLE, latest.certificate_id, latest.ended_at, latest.end_reason)


# --- Leavers -----------------------------------------------------------------------------------------


def latest(moment: datetime | None, other: datetime) -> datetime:
    return other if moment is None or other > moment else moment


def left_since(left_at: datetime | None, active_at: datetime | None) -> datetime | None:
    """When the person left the Trust, or None while they are with it. `left_at` is the newest moment
    identity said their account was deactivated, `active_at` the newest moment one of its profiles said it
    was active: an active profile newer than the leaving means they were taken back. Both only move
    forward, so any arrival order agrees."""
    if left_at is None or (active_at is not None and active_at > left_at):
        return None
    return left_at
