"""The metrics service's projections, one per kind of fact: each takes a consumed event's payload, locks the
small state row of the entity it is about, brings it up to date and says which counters change (domain.Changes).
handlers.py keeps the event and applies the changes; `rebuild` replays kept events through the same functions."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from services.metrics import domain
from services.metrics.domain import Changes
from services.metrics.models import (
    CertificateState,
    Cohort,
    Holder,
    LearningState,
    MeasureDefinition,
    PassportState,
    Person,
    PlanAim,
    RosterState,
    SkillSignoff,
    SkillState,
)
from shared.db import upsert_locked
from shared.uow import UnitOfWork

Projection = Callable[[UnitOfWork, dict], "Projected | None"]


@dataclass
class Projected:
    trust_id: uuid.UUID
    changes: Changes


def _locked(session, model, key: dict, **defaults):
    """The state row for key, created if missing and locked for this transaction."""
    return upsert_locked(session, model, {**key, **defaults})


# --- Projections, one per kind of fact ------------------------------------------------------------------


def ignore(uow: UnitOfWork, payload: dict) -> None:
    """Events that move no counter (kept all the same, so that a rebuild sees what the consumer saw)."""
    return None


def person_changed(uow: UnitOfWork, payload: dict) -> None:
    at = payload.get("registered_at") or payload["updated_at"]
    person = _locked(uow.session, Person, {"user_id": payload["user_id"]})
    if domain.is_newer_profile(person.as_of, at):
        person.trust_id, person.name = payload["trust_id"], payload["name"]
        person.staff_number, person.professional_group, person.as_of = (
            payload["staff_number"],
            payload["professional_group"],
            at,
        )
    return None


def _passport(uow: UnitOfWork, payload: dict, changes: Changes, at: datetime) -> PassportState:
    """The passport's state row, locked; learning its type adds the sign-offs that came before it."""
    state = _locked(
        uow.session,
        PassportState,
        {"passport_id": payload["passport_id"]},
        trust_id=payload["trust_id"],
        staff_id=payload.get("staff_id") or payload.get("holder_id"),
    )
    passport_type = payload.get("passport_type")
    if passport_type and state.passport_type is None:
        state.passport_type = passport_type
        signed_off = uow.session.scalars(
            sa.select(SkillState.signed_off_at).where(
                SkillState.passport_id == state.passport_id, SkillState.signed_off_at.is_not(None)
            )
        )
        for since in signed_off:
            changes.add(passport_type, "skills_signed_off", since)
    if state.last_activity_at is None or at > state.last_activity_at:
        state.last_activity_at = at
    return state


def _status_event(uow: UnitOfWork, payload: dict, new_status: str, at: datetime, changes: Changes) -> PassportState:
    state = _passport(uow, payload, changes, at)
    status, status_at = domain.status_after(state.status, state.status_at, new_status, at)
    domain.move_status(changes, state.passport_type, state.status, status, at)
    state.status, state.status_at = status, status_at
    return state


def passport_started(uow: UnitOfWork, payload: dict) -> Projected:
    changes, at = Changes(), payload["started_at"]
    state = _status_event(uow, payload, domain.IN_PROGRESS, at, changes)
    if state.started_at is None:
        state.started_at = at
        changes.add(state.passport_type, "started", at)
    state.skills_total = len(payload["skill_codes"])
    return Projected(payload["trust_id"], changes)


def passport_completed(uow: UnitOfWork, payload: dict) -> Projected:
    changes = Changes()
    state = _status_event(uow, payload, domain.COMPLETED, payload["completed_at"], changes)
    state.skills_total = payload["skill_count"]
    return Projected(payload["trust_id"], changes)


def passport_reopened(uow: UnitOfWork, payload: dict) -> Projected:
    changes = Changes()
    _status_event(uow, payload, domain.IN_PROGRESS, payload["reopened_at"], changes)
    return Projected(payload["trust_id"], changes)


def passport_withdrawn(uow: UnitOfWork, payload: dict) -> Projected:
    changes = Changes()
    _status_event(uow, payload, domain.WITHDRAWN, payload["withdrawn_at"], changes)
    return Projected(payload["trust_id"], changes)


def skill_assessed(uow: UnitOfWork, payload: dict) -> Projected:
    changes, at = Changes(), payload["assessed_at"]
    state = _passport(uow, payload, changes, at)
    if payload["first_for_skill"]:  # the passport service marks a skill's first self-assessment once
        state.skills_self_assessed += 1
        changes.add(state.passport_type, "skills_self_assessed", at)
    return Projected(payload["trust_id"], changes)


def learning_recorded(uow: UnitOfWork, payload: dict) -> Projected:
    changes, at = Changes(), payload["recorded_at"]
    state = _passport(uow, payload, changes, at)
    record = _locked(
        uow.session, LearningState, {"learning_id": payload["learning_id"]}, passport_id=payload["passport_id"]
    )
    record.status, reached = domain.learning_reached(record.status, payload["status"])
    for counter in reached:
        changes.add(state.passport_type, counter, at)
    return Projected(payload["trust_id"], changes)


def signoff_recorded(uow: UnitOfWork, payload: dict) -> Projected:
    return _signoff_changed(
        uow, payload, payload["decided_at"], outcome=payload["outcome"], decided_at=payload["decided_at"]
    )


def signoff_revoked(uow: UnitOfWork, payload: dict) -> Projected:
    return _signoff_changed(uow, payload, payload["revoked_at"], revoked_at=payload["revoked_at"])


def _signoff_changed(uow: UnitOfWork, payload: dict, at: datetime, **facts) -> Projected:
    changes = Changes()
    state = _passport(uow, payload, changes, at)  # the passport's lock serialises its skills' decisions
    key = {"passport_id": payload["passport_id"], "skill_code": payload["skill_code"]}
    signoff = _locked(uow.session, SkillSignoff, {"signoff_id": payload["signoff_id"]}, **key)
    for name, value in facts.items():
        setattr(signoff, name, value)
    uow.session.flush()
    decisions = uow.session.scalars(
        sa.select(SkillSignoff).where(
            SkillSignoff.passport_id == key["passport_id"], SkillSignoff.skill_code == key["skill_code"]
        )
    )
    since = domain.signed_off_since(
        domain.Decision(d.signoff_id, d.outcome, d.decided_at, d.revoked_at is not None) for d in decisions
    )
    skill = _locked(uow.session, SkillState, key)
    delta = (since is not None) - (skill.signed_off_at is not None)
    skill.signed_off_at = since
    if delta:
        state.skills_signed_off += delta
        if state.passport_type is not None:
            changes.add(state.passport_type, "skills_signed_off", since if delta > 0 else at, delta)
    return Projected(payload["trust_id"], changes)


def certificate_issued(uow: UnitOfWork, payload: dict) -> Projected:
    return _certificate_changed(uow, payload, payload["issued_at"], issued=True)


def certificate_revoked(uow: UnitOfWork, payload: dict) -> Projected:
    return _certificate_changed(uow, payload, payload["revoked_at"], end_reason=domain.REVOKED)


def certificate_expired(uow: UnitOfWork, payload: dict) -> Projected:
    return _certificate_changed(uow, payload, payload["expired_at"], end_reason=domain.EXPIRED)


def _certificate_changed(
    uow: UnitOfWork, payload: dict, at: datetime, *, issued: bool = False, end_reason: str | None = None
) -> Projected:
    """Record the fact, then recount the person's valid certificates in the role (a handful): they count as
    certified while one is valid; a renewal supersedes the older ones without an event of its own."""
    session, changes, passport_type = uow.session, Changes(), payload["passport_type"]
    holder_key = {"trust_id": payload["trust_id"], "staff_id": payload["staff_id"], "passport_type": passport_type}
    holder = _locked(session, Holder, holder_key)  # every event about this person and role takes this lock
    certificate = _locked(
        session,
        CertificateState,
        {"certificate_id": payload["certificate_id"]},
        passport_id=payload["passport_id"],
        **holder_key,
    )
    if issued and certificate.issued_at is None:
        certificate.issued_at, certificate.expires_at = payload["issued_at"], payload["expires_at"]
        changes.add(passport_type, "certificates_issued", at)
    if end_reason:
        ended_at, reason = domain.earliest_end(certificate.ended_at, certificate.end_reason, at, end_reason)
        if reason != certificate.end_reason:
            if certificate.end_reason:
                changes.add(passport_type, domain.END_COUNTERS[certificate.end_reason], certificate.ended_at, -1)
            changes.add(passport_type, domain.END_COUNTERS[reason], ended_at)
        certificate.ended_at, certificate.end_reason = ended_at, reason
    session.flush()
    held = list(
        session.scalars(
            sa.select(CertificateState).where(
                CertificateState.trust_id == holder.trust_id,
                CertificateState.staff_id == holder.staff_id,
                CertificateState.passport_type == passport_type,
            )
        )
    )
    superseded = domain.superseded_certificates({c.certificate_id: c.issued_at for c in held if c.issued_at})
    for each in held:
        each.superseded = each.certificate_id in superseded
    valid = sum(1 for c in held if c.issued_at and c.end_reason is None and not c.superseded)
    delta = (valid > 0) - (holder.valid_certificates > 0)
    holder.valid_certificates = valid
    if delta:
        changes.add(passport_type, "certified", at, delta)
    return Projected(payload["trust_id"], changes)


def roster_updated(uow: UnitOfWork, payload: dict) -> Projected:
    changes, since = Changes(), payload["since"]
    entry = _locked(
        uow.session,
        RosterState,
        {"trust_id": payload["trust_id"], "staff_id": payload["staff_id"], "role": payload["role"]},
    )
    if entry.since is None or since >= entry.since:
        delta = (payload["status"] == domain.ELIGIBLE) - (entry.status == domain.ELIGIBLE)
        entry.status, entry.since = payload["status"], since
        if delta:
            changes.add(payload["role"], "rostered", since, delta)
    return Projected(payload["trust_id"], changes)


def plan_updated(uow: UnitOfWork, payload: dict) -> Projected:
    changes, at = Changes(), payload["updated_at"]
    aim = _locked(
        uow.session,
        PlanAim,
        {"plan_id": payload["plan_id"]},
        trust_id=payload["trust_id"],
        name=payload["name"],
        target_passport_types=[],
        updated_at=at,
    )
    if aim.deleted:
        return Projected(payload["trust_id"], changes)
    if at >= aim.updated_at or payload["deleted"]:
        aim.name, aim.statement = payload["name"], payload["aim_statement"]
        aim.target_passport_types = list(payload["target_passport_types"])
        aim.target_percentage, aim.target_cohort_size = payload["target_percentage"], payload["target_cohort_size"]
        aim.target_deadline, aim.deleted, aim.updated_at = payload["target_deadline"], payload["deleted"], at
    if aim.deleted:  # a deleted plan's cohorts no longer count
        for cohort in uow.session.scalars(sa.select(Cohort).where(Cohort.plan_id == aim.plan_id).with_for_update()):
            if cohort.counted:
                changes.add(cohort.role, "cohort_identified", at, -cohort.counted)
                cohort.counted = 0
    return Projected(payload["trust_id"], changes)


def cohort_updated(uow: UnitOfWork, payload: dict) -> Projected:
    changes, at = Changes(), payload["updated_at"]
    aim = uow.session.get(PlanAim, payload["plan_id"])
    cohort = _locked(
        uow.session, Cohort, {"plan_id": payload["plan_id"], "role": payload["role"]}, trust_id=payload["trust_id"]
    )
    if cohort.updated_at is None or at >= cohort.updated_at:
        cohort.identified, cohort.updated_at = payload["identified"], at
    counting = 0 if aim is not None and aim.deleted else cohort.identified
    if counting != cohort.counted:
        changes.add(payload["role"], "cohort_identified", at, counting - cohort.counted)
        cohort.counted = counting
    return Projected(payload["trust_id"], changes)


def measure_defined(uow: UnitOfWork, payload: dict) -> None:
    at = payload["defined_at"]
    measure = _locked(
        uow.session,
        MeasureDefinition,
        {"measure_id": payload["measure_id"]},
        plan_id=payload["plan_id"],
        trust_id=payload["trust_id"],
        name=payload["name"],
        kind=payload["kind"],
        defined_at=at,
    )
    if at >= measure.defined_at:
        for name in (
            "name",
            "kind",
            "metric",
            "passport_type",
            "target",
            "frequency",
            "improvement_direction",
            "deleted",
        ):
            setattr(measure, name, payload[name])
        measure.defined_at = at
    return None


# --- Helpers -----------------------------------------------------------------------------------------


def optional_uuid(value: str | None) -> uuid.UUID | None:
    return uuid.UUID(value) if value else None
