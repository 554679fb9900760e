"""The sign-off rules, as pure functions: who may decide, request, revoke and read, and on what."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from shared.domain import Caller, Conflict, Forbidden, NotFound
from shared.language import (
    COMPLETED,
    IN_PROGRESS,
    LEFT,
    NOT_YET,
    OUTCOMES,
    PROFICIENT,
    SIGNOFF_READERS,
    SIGNOFF_REVOKERS,
    SIGNOFF_SIGNERS,
    WITHDRAWN,
)
from shared.rules import is_newer_profile, may_read, repeated, standing_decisions

OPEN, CLOSED = "open", "closed"
# Why a request closed: every skill has a decision, the passport was withdrawn, or the holder left the Trust.
ANSWERED = "answered"
CLOSED_REASONS = (ANSWERED, WITHDRAWN, LEFT)

SIGNERS, REVOKERS, READERS = SIGNOFF_SIGNERS, SIGNOFF_REVOKERS, SIGNOFF_READERS


# --- Passports as their events describe them ---------------------------------------------------------


def status_after(
    status: str, changed_at: datetime | None, event_status: str, event_at: datetime
) -> tuple[str, datetime | None]:
    """The passport's status once an event saying `event_status` at `event_at` is applied: withdrawal is
    final, otherwise the newest change holds whatever order the events arrive in."""
    if status == WITHDRAWN:
        return status, changed_at
    if event_status != WITHDRAWN and changed_at is not None and event_at <= changed_at:
        return status, changed_at
    return event_status, event_at


# --- Who may do what ---------------------------------------------------------------------------------


def check_in_trust(caller: Caller, passport_id: uuid.UUID, trust_id: uuid.UUID | None) -> None:
    """A passport of another Trust is answered exactly like one this service has not heard of."""
    if trust_id is None or trust_id != caller.trust_id:
        raise NotFound(
            f"No passport {passport_id} of your Trust is known to the sign-off service. A passport started "
            "a moment ago may still be on its way here: try again shortly."
        )


def check_not_holder(caller: Caller, holder_id: uuid.UUID) -> None:
    if caller.user_id == holder_id:
        raise Forbidden("Nobody decides on the sign-off of their own passport.")


def check_holder(caller: Caller, holder_id: uuid.UUID) -> None:
    if caller.user_id != holder_id:
        raise Forbidden("Only the passport's holder may ask for sign-off.")


def can_read(caller: Caller, holder_id: uuid.UUID, trust_id: uuid.UUID) -> bool:
    return may_read(caller, holder_id, trust_id, READERS)


def check_can_read(caller: Caller, holder_id: uuid.UUID, trust_id: uuid.UUID, what: str) -> None:
    """Another Trust's sign-off, or a colleague's for plain staff, is as if it did not exist."""
    if not can_read(caller, holder_id, trust_id):
        raise NotFound(f"No such {what}.")


# --- What may be decided -----------------------------------------------------------------------------


def check_open_for_signoff(status: str) -> None:
    if status == WITHDRAWN:
        raise Conflict("The passport is withdrawn: none of its skills can be signed off.")
    if status == COMPLETED:
        raise Conflict(
            "The passport is completed: nothing is left to sign off. Revoke a sign-off to decide on that skill again."
        )


def check_started(skill_codes: list[str] | None) -> None:
    """A passport heard of through a later event, before passport.started, has no skills here yet."""
    if skill_codes is None:
        raise NotFound("The start of this passport has not reached the sign-off service yet: try again shortly.")


def unknown_skills(codes: list[str], skill_codes: Iterable[str]) -> list[int]:
    """The positions in `codes` of skills the passport's type version does not have."""
    known = set(skill_codes)
    return [index for index, code in enumerate(codes) if code not in known]


def check_self_assessed(codes: Iterable[str], self_assessed: set[str]) -> None:
    missing = [code for code in codes if code not in self_assessed]
    if missing:
        raise Conflict(
            f"Not self-assessed yet: {', '.join(missing)}. The holder self-assesses a skill before its sign-off; "
            "a self-assessment made a moment ago may still be on its way here: try again shortly."
        )


def needs_action_plan(outcome: str, action_plan: str | None) -> bool:
    return outcome == NOT_YET and not (action_plan or "").strip()


def is_in_the_future(assessed_on: date, today_utc: date) -> bool:
    # A day's grace: UK time runs up to an hour ahead of UTC.
    return assessed_on > today_utc + timedelta(days=1)


@dataclass(frozen=True)
class Decision:
    signoff_id: uuid.UUID
    skill_code: str
    outcome: str
    decided_at: datetime
    revoked: bool


def check_not_signed_off(codes: Iterable[str], standing: dict[str, Decision]) -> None:
    """A skill signed off proficient stays so until that decision is revoked: no second, silent one."""
    done = [code for code in codes if code in standing and standing[code].outcome == PROFICIENT]
    if done:
        raise Conflict(f"Already signed off proficient: {', '.join(done)}. Revoke that sign-off to decide again.")


def check_not_requested(codes: Iterable[str], open_requests: dict[str, uuid.UUID]) -> None:
    pending = [f"{code} (request {open_requests[code]})" for code in codes if code in open_requests]
    if pending:
        raise Conflict(f"Sign-off is already requested: {', '.join(pending)}.")


def check_not_revoked(revoked: bool) -> None:
    if revoked:
        raise Conflict("This sign-off is already revoked.")
