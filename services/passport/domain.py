"""The passport's rules, as pure functions: content, who may do what, sign-off state, completion."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from shared.domain import Caller, Conflict, Forbidden, Invalid, NotFound
from shared.language import (
    COMPLETED,
    IN_PROGRESS,
    LEVELS,
    NOT_YET,
    PASSPORT_ASSIGNERS,
    PASSPORT_READERS,
    PLATFORM_ADMIN,
    PROFICIENT,
    WITHDRAWN,
    code_pattern,
)
from shared.rules import KeptDecision, is_newer_profile, may_read, standing_decision

CODE = re.compile(code_pattern())

READERS = PASSPORT_READERS
ASSIGNERS = PASSPORT_ASSIGNERS
# Who may look up the Trust's people by id (names and staff numbers only): the readers, and a platform admin.
STAFF_READERS = (*READERS, PLATFORM_ADMIN)


# --- Content -----------------------------------------------------------------------------------------


def content_errors(domains: list[dict]) -> dict[str, list[str]]:
    """What makes a passport type's content unusable: empty domains, repeated or unsafe codes."""
    errors: dict[str, list[str]] = {}
    if not domains:
        errors["domains"] = ["A passport type needs at least one domain."]
    domain_codes: set[str] = set()
    skill_codes: set[str] = set()
    for d, domain in enumerate(domains):
        if domain["code"] in domain_codes:
            errors.setdefault(f"domains.{d}.code", []).append(f"Domain code {domain['code']} is used twice.")
        domain_codes.add(domain["code"])
        if not domain["skills"]:
            errors.setdefault(f"domains.{d}.skills", []).append(f"Domain {domain['code']} has no skills.")
        for s, skill in enumerate(domain["skills"]):
            if skill["code"] in skill_codes:
                errors.setdefault(f"domains.{d}.skills.{s}.code", []).append(
                    f"Skill code {skill['code']} is used twice."
                )
            skill_codes.add(skill["code"])
    return errors


def skill_codes_of(domains: list[dict]) -> list[str]:
    return [skill["code"] for domain in domains for skill in domain["skills"]]


# --- Who may do what ---------------------------------------------------------------------------------


def check_can_start(caller: Caller, staff_id: uuid.UUID | None) -> uuid.UUID:
    """Returns whose passport it is: the caller's own, or a staff member's a lead/educator/admin assigns."""
    if caller.trust_id is None:
        raise Forbidden("Only members of a Trust hold passports.")
    if staff_id is None or staff_id == caller.user_id:
        return caller.user_id
    if not caller.has_any(*ASSIGNERS):
        raise Forbidden("Only a lead, educator or trust_admin may start a passport for someone else.")
    return staff_id


def check_can_assign(caller: Caller) -> None:
    if caller.trust_id is None or not caller.has_any(*ASSIGNERS):
        raise Forbidden("Only a lead, educator or trust_admin of a Trust may assign passports.")


def check_staff_of_trust(caller: Caller, staff_trust_id: uuid.UUID | None, known: bool) -> None:
    if not known or staff_trust_id != caller.trust_id:
        raise NotFound(
            "No such staff member in your Trust. A user registered a moment ago may take a second to "
            "appear here; try again shortly."
        )


def can_read(caller: Caller, holder_id: uuid.UUID, trust_id: uuid.UUID) -> bool:
    return may_read(caller, holder_id, trust_id, READERS)


def check_can_read(caller: Caller, holder_id: uuid.UUID, trust_id: uuid.UUID) -> None:
    """Another Trust's passport, or a colleague's for plain staff, is as if it did not exist."""
    if not can_read(caller, holder_id, trust_id):
        raise NotFound("No such passport.")


def check_holder(caller: Caller, holder_id: uuid.UUID, trust_id: uuid.UUID, action: str) -> None:
    check_can_read(caller, holder_id, trust_id)
    if caller.user_id != holder_id:
        raise Forbidden(f"Only the passport's holder may {action}.")


def check_can_withdraw(caller: Caller, holder_id: uuid.UUID, trust_id: uuid.UUID) -> None:
    check_can_read(caller, holder_id, trust_id)
    if caller.user_id != holder_id and not caller.has_any(*ASSIGNERS):
        raise Forbidden("Only the holder, a lead, an educator or a trust_admin may withdraw a passport.")


def check_in_progress(status: str, action: str) -> None:
    if status != IN_PROGRESS:
        raise Conflict(f"The passport is {status.replace('_', ' ')}: cannot {action}.")


def check_skill(skill_code: str, skill_codes: Iterable[str]) -> None:
    if skill_code not in set(skill_codes):
        raise NotFound(f"The passport has no skill {skill_code}.")


def check_surge_dates(started_on, ended_on) -> None:
    if started_on and ended_on and ended_on < started_on:
        raise Invalid("surge_ended_on", "The surge cannot end before it started.")


# --- Assigning in bulk -------------------------------------------------------------------------------

CREATED, EXISTING, REJECTED = "created", "existing", "rejected"
NOT_IN_TRUST = (
    "No such staff member in your Trust. Someone registered a moment ago may take a second to "
    "appear here; try again shortly."
)
LEFT = "This person's account is deactivated: they have left the Trust."


@dataclass(frozen=True)
class Colleague:
    """What a bulk assignment needs to know of a person this service has heard of."""

    trust_id: uuid.UUID | None
    active: bool


@dataclass(frozen=True)
class BulkOutcome:
    staff_id: uuid.UUID
    status: str  # created, existing or rejected
    passport_id: uuid.UUID | None = None  # the passport they already hold, for existing
    errors: dict[str, list[str]] | None = None


def bulk_outcomes(
    trust_id: uuid.UUID,
    staff_ids: list[uuid.UUID],
    known: dict[uuid.UUID, Colleague],
    holding: dict[uuid.UUID, uuid.UUID],
) -> list[BulkOutcome]:
    """Who gets a new passport: a person of another Trust, or unheard of, is rejected exactly alike; a leaver
    is rejected; someone already holding one of the type (`holding`: staff id → passport id) keeps it."""
    outcomes = []
    for staff_id in staff_ids:
        colleague = known.get(staff_id)
        if colleague is None or colleague.trust_id != trust_id:
            outcomes.append(BulkOutcome(staff_id, REJECTED, errors={"staff_id": [NOT_IN_TRUST]}))
        elif not colleague.active:
            outcomes.append(BulkOutcome(staff_id, REJECTED, errors={"staff_id": [LEFT]}))
        elif staff_id in holding:
            outcomes.append(BulkOutcome(staff_id, EXISTING, passport_id=holding[staff_id]))
        else:
            outcomes.append(BulkOutcome(staff_id, CREATED))
    return outcomes


def held_passport(passports: Iterable[tuple[uuid.UUID, str, datetime]]) -> uuid.UUID | None:
    """Of a person's passports of one type (id, status, started_at), the one that means they already hold the
    type: the one in progress, else the newest completed. Withdrawn ones do not count; renewing a completed
    one is a single assignment (POST /passports), never a side effect of assigning a whole cohort."""
    passports = [p for p in passports if p[1] in (IN_PROGRESS, COMPLETED)]
    in_progress = [p for p in passports if p[1] == IN_PROGRESS]
    chosen = max(in_progress or passports, key=lambda p: (p[2], str(p[0])), default=None)
    return chosen[0] if chosen else None


def rejections_as_errors(outcomes: list[BulkOutcome]) -> dict[str, list[str]]:
    """Each rejected person by position in `staff_ids`, naming the id: for all-or-nothing requests."""
    return {
        f"staff_ids.{index}": [f"{outcome.staff_id}: {message}" for message in outcome.errors["staff_id"]]
        for index, outcome in enumerate(outcomes)
        if outcome.status == REJECTED
    }


# --- Sign-off state and completion -------------------------------------------------------------------


@dataclass(frozen=True)
class Decision(KeptDecision):
    supervisor_id: uuid.UUID | None = None


def next_status(status: str, all_proficient: bool) -> str:
    """in_progress ⇄ completed follows whether every skill is signed off proficient; withdrawn stays."""
    if status == IN_PROGRESS and all_proficient:
        return COMPLETED
    if status == COMPLETED and not all_proficient:
        return IN_PROGRESS
    return status


@dataclass(frozen=True)
class Progress:
    skills_total: int
    self_assessed: int
    signed_off: int

    @property
    def complete(self) -> bool:
        return self.skills_total > 0 and self.signed_off == self.skills_total


def progress(states: Iterable[tuple[str | None, str | None]]) -> Progress:
    """From (self-assessed level, sign-off outcome) per skill."""
    states = list(states)
    return Progress(
        skills_total=len(states),
        self_assessed=sum(1 for level, _ in states if level is not None),
        signed_off=sum(1 for _, outcome in states if outcome == PROFICIENT),
    )
