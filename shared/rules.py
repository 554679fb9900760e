"""The rules several services must agree on, stated once beside the published language (shared/language.py).

Each service keeps its own read model of another's facts (sign-off decisions, certificates, people's
profiles) and must reach the same answer from it as the owner does, whatever order the events arrive in.
Plain Python, so that pure domain modules may import it.
"""

from __future__ import annotations

import uuid
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, TypeVar

from shared.domain import Caller


class Decision(Protocol):
    """What any service knows of one sign-off decision (signoff owns them; passport and metrics keep copies)."""

    @property
    def signoff_id(self) -> uuid.UUID: ...

    @property
    def outcome(self) -> str | None: ...  # None while only its revocation has arrived

    @property
    def decided_at(self) -> datetime | None: ...

    @property
    def revoked(self) -> bool: ...


@dataclass(frozen=True)
class KeptDecision:
    """A sign-off decision as a consumer of signoff.* events keeps it (passport, metrics), in whatever order its
    recording and its revocation arrive."""

    signoff_id: uuid.UUID
    outcome: str | None  # None while only its revocation has arrived
    decided_at: datetime | None
    revoked: bool


class SkillDecision(Decision, Protocol):
    @property
    def skill_code(self) -> str: ...


D = TypeVar("D", bound=Decision)
S = TypeVar("S", bound=SkillDecision)
K = TypeVar("K", bound=Hashable)


def standing_decision(decisions: Iterable[D]) -> D | None:
    """The decision that holds for one skill: the newest one not revoked, whatever order the events came in.
    Ties on the time go to the larger id, so that every service picks the same one. A decision known only
    from its revocation (no outcome or time yet) never holds."""
    standing = [d for d in decisions if d.outcome is not None and not d.revoked and d.decided_at is not None]
    return max(standing, key=lambda d: (d.decided_at, str(d.signoff_id)), default=None)


def standing_decisions(decisions: Iterable[S]) -> dict[str, S]:
    """Each skill's standing decision (standing_decision), by skill code."""
    by_skill: dict[str, list[S]] = {}
    for decision in decisions:
        by_skill.setdefault(decision.skill_code, []).append(decision)
    standing = {code: standing_decision(each) for code, each in by_skill.items()}
    return {code: decision for code, decision in standing.items() if decision is not None}


def standing_certificate(since: Mapping[K, datetime]) -> K | None:
    """Of one person's certificates in one role, the one that stands: the newest (by `since`, the moment each
    dates from), ties to the larger id, so that certificate, planning and metrics pick the same one."""
    if not since:
        return None
    return max(since, key=lambda c: (since[c], str(c)))


def superseded_certificates(since: Mapping[K, datetime]) -> set[K]:
    """Of one person's certificates in one role, every one but the one that stands."""
    return set(since) - {standing_certificate(since)}


def may_read(caller: Caller, holder_id: uuid.UUID, trust_id: uuid.UUID, readers: Iterable[str]) -> bool:
    """Whether the caller may read a Trust's object held by `holder_id`: its holder may, and those of its Trust
    with one of the `readers` roles; to anyone else it is as if it did not exist (404, never 403)."""
    if caller.trust_id != trust_id:
        return False
    return caller.user_id == holder_id or caller.has_any(*readers)


def is_newer_profile(known_as_of: datetime | None, event_at: datetime) -> bool:
    """Whether a user.* event's profile replaces the one kept: the newest wins, whatever the arrival order
    (an event as new as the one kept replaces it, so that a redelivered one changes nothing else)."""
    return known_as_of is None or event_at >= known_as_of


def repeated(values: Iterable[Hashable]) -> list[int]:
    """The positions in `values` of values given earlier in the list."""
    seen: set = set()
    positions = []
    for index, value in enumerate(values):
        if value in seen:
            positions.append(index)
        seen.add(value)
    return positions
