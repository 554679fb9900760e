"""The metrics service's projections, one per kind of fact: each takes a consumed event's payload, locks the
small state row of the entity it is about, brings it up to date and says which counters change (domain.Changes).
handlers.py keeps the event and applies the changes; `rebuild` replays kept events through the same functions.

`prepare` loads and locks the state rows of many events at once (a batch the consumer takes, a stretch of a
rebuild): one statement a table instead of several for each event. The projections then find their rows
loaded; a row it did not foresee a projection locks by itself, as it would alone."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

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
from shared.db import upsert_locked, upsert_locked_many
from shared.uow import UnitOfWork

Projection = Callable[[UnitOfWork, dict], "Projected | None"]


@dataclass
class Projected:
    trust_id: uuid.UUID
    changes: Changes


class Row(NamedTuple):
    """A state row an event is about: its model, its primary key and what a new one starts with."""

    model: type
    key: dict
    defaults: dict


# The order every transaction locks state rows in, table by table and by key within a table (an event alone
# locks its passport before its skill, its holder before the certificate, as a batch does).
LOCK_ORDER = (
    PassportState,
    LearningState,
    SkillSignoff,
    SkillState,
    Holder,
    CertificateState,
    RosterState,
    Person,
    PlanAim,
    Cohort,
    MeasureDefinition,
)


@dataclass
class StateRows:
    """The state rows of the events being applied, loaded and locked: by model and primary key; and, for the
    pairs and holders among them, every sign-off decision of a passport's skill and every certificate of a
    person in a role, which the projections recount."""

    transaction: object = None
    rows: dict[type, dict[tuple, object]] = field(default_factory=lambda: defaultdict(dict))
    decisions: dict[tuple, list[SkillSignoff]] = field(default_factory=dict)
    held: dict[tuple, list[CertificateState]] = field(default_factory=dict)


_STATE_ROWS = "metrics.state_rows"


def _state_rows(uow: UnitOfWork) -> StateRows:
    loaded = uow.session.info.get(_STATE_ROWS)
    # Its locks last as long as the transaction that took them.
    if loaded is None or loaded.transaction is not uow.session.get_transaction():
        loaded = uow.session.info[_STATE_ROWS] = StateRows(uow.session.get_transaction())
    return loaded


def _key_of(model, values: dict) -> tuple:
    return tuple(values[column.name] for column in sa.inspect(model).primary_key)


def prepare(uow: UnitOfWork, events: list[tuple[Projection, dict]]) -> None:
    """Load and lock the state rows these events' projections will lock, each table in one statement and in
    LOCK_ORDER, with the decisions and certificates they will recount; what was loaded before is forgotten."""
    session, loaded = uow.session, StateRows(uow.session.get_transaction())
    session.info[_STATE_ROWS] = loaded
    wanted: dict[type, list[dict]] = defaultdict(list)
    for projection, payload in events:
        for row in ROWS_OF.get(projection, _no_rows)(payload):
            wanted[row.model].append({**row.key, **row.defaults})
    for model in LOCK_ORDER:
        if wanted.get(model):
            loaded.rows[model].update(upsert_locked_many(session, model, wanted[model]))
    pairs = {(s.passport_id, s.skill_code) for s in loaded.rows[SkillSignoff].values()}
    if pairs:
        # The passports' locks, taken above, keep these from changing under us.
        loaded.decisions = {pair: [] for pair in pairs}
        pair = sa.tuple_(SkillSignoff.passport_id, SkillSignoff.skill_code)
        for decision in session.scalars(sa.select(SkillSignoff).where(pair.in_(sorted(pairs)))):
            loaded.decisions[(decision.passport_id, decision.skill_code)].append(decision)
    holders = list(loaded.rows[Holder])
    if holders:
        # As for the holders' locks.
        loaded.held = {holder: [] for holder in holders}
        holder = sa.tuple_(CertificateState.trust_id, CertificateState.staff_id, CertificateState.passport_type)
        for certificate in session.scalars(sa.select(CertificateState).where(holder.in_(sorted(holders)))):
            loaded.held[(certificate.trust_id, certificate.staff_id, certificate.passport_type)].append(certificate)


def _no_rows(payload: dict) -> list[Row]:
    return []


def _locked(uow: UnitOfWork, row: Row):
    """The state row, created if missing and locked for this transaction: as prepared, or locked now."""
    loaded = _state_rows(uow).rows[row.model]
    key = _key_of(row.model, row.key)
    if key not in loaded:
        loaded[key] = upsert_locked(uow.session, row.model, {**row.key, **row.defaults})
    return loaded[key]


def _recounted(uow: UnitOfWork, cached: dict, key: tuple, query, member) -> list:
    """The rows the projection recounts (under a lock it holds), as prepared or read now, with `member`."""
    if key not in cached:
        uow.session.flush()
        cached[key] = list(uow.session.scalars(query))
    rows = cached[key]
    if member not in rows:
        rows.append(member)  # new in this transaction since they were read
    return rows


# --- Projections, one per kind of fact ------------------------------------------------------------------


def ignore(uow: UnitOfWork, payload: dict) -> None:
    """Events that move no counter (kept all the same, so that a rebuild sees what the consumer saw)."""
    return None


def _person_row(payload: dict) -> Row:
    return Row(Person, {"user_id": payload["user_id"]}, {})


def person_changed(uow: UnitOfWork, payload: dict) -> None:
    at = payload.get("registered_at") or payload["updated_at"]
    person = _locked(uow, _person_row(payload))
    if domain.is_newer_profile(person.as_of, at):
        person.trust_id, person.name = payload["trust_id"], payload["name"]
        person.staff_number, person.professional_group, person.as_of = (
            payload["staff_number"],
            payload["professional_group"],
            at,
        )
    return None


def _passport_row(payload: dict) -> Row:
    return Row(
        PassportState,
        {"passport_id": payload["passport_id"]},
        {"trust_id": payload["trust_id"], "staff_id": payload.get("staff_id") or payload.get("holder_id")},
    )


def _passport(uow: UnitOfWork, payload: dict, changes: Changes, at: datetime) -> PassportState:
    """The passport's state row, locked; learning its type adds the sign-offs that came before it."""
    state = _locked(uow, _passport_row(payload))
    passport_type = payload.get("passport_type")
    if passport_type and state.passport_type is None:
        state.passport_type = passport_type
        # skills_signed_off counts its skills signed off now: when none is, there is nothing to look for.
        if state.skills_signed_off:
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


def _learning_row(payload: dict) -> Row:
    return Row(LearningState, {"learning_id": payload["learning_id"]}, {"passport_id": payload["passport_id"]})


def learning_recorded(uow: UnitOfWork, payload: dict) -> Projected:
    changes, at = Changes(), payload["recorded_at"]
    state = _passport(uow, payload, changes, at)
    record = _locked(uow, _learning_row(payload))
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


def _signoff_rows(payload: dict) -> list[Row]:
    key = {"passport_id": payload["passport_id"], "skill_code": payload["skill_code"]}
    return [
        _passport_row(payload),
        Row(SkillSignoff, {"signoff_id": payload["signoff_id"]}, key),
        Row(SkillState, key, {}),
    ]


def _signoff_changed(uow: UnitOfWork, payload: dict, at: datetime, **facts) -> Projected:
    changes = Changes()
    state = _passport(uow, payload, changes, at)  # the passport's lock serialises its skills' decisions
    _, signoff_row, skill_row = _signoff_rows(payload)
    signoff = _locked(uow, signoff_row)
    for name, value in facts.items():
        setattr(signoff, name, value)
    pair = (signoff.passport_id, signoff.skill_code)
    decisions = _recounted(
        uow,
        _state_rows(uow).decisions,
        pair,
        sa.select(SkillSignoff).where(SkillSignoff.passport_id == pair[0], SkillSignoff.skill_code == pair[1]),
        signoff,
    )
    since = domain.signed_off_since(
        domain.Decision(d.signoff_id, d.outcome, d.decided_at, d.revoked_at is not None) for d in decisions
    )
    skill = _locked(uow, skill_row)
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


def _certificate_rows(payload: dict) -> list[Row]:
    holder = {
        "trust_id": payload["trust_id"],
        "staff_id": payload["staff_id"],
        "passport_type": payload["passport_type"],
    }
    certificate = {"passport_id": payload["passport_id"], **holder}
    return [Row(Holder, holder, {}), Row(CertificateState, {"certificate_id": payload["certificate_id"]}, certificate)]


def _certificate_changed(
    uow: UnitOfWork, payload: dict, at: datetime, *, issued: bool = False, end_reason: str | None = None
) -> Projected:
    """Record the fact, then recount the person's valid certificates in the role (a handful): they count as
    certified while one is valid; a renewal supersedes the older ones without an event of its own."""
    changes, passport_type = Changes(), payload["passport_type"]
    holder_row, certificate_row = _certificate_rows(payload)
    holder = _locked(uow, holder_row)  # every event about this person and role takes this lock
    certificate = _locked(uow, certificate_row)
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
    held = _recounted(
        uow,
        _state_rows(uow).held,
        (holder.trust_id, holder.staff_id, holder.passport_type),
        sa.select(CertificateState).where(
            CertificateState.trust_id == holder.trust_id,
            CertificateState.staff_id == holder.staff_id,
            CertificateState.passport_type == passport_type,
        ),
        certificate,
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


def _roster_row(payload: dict) -> Row:
    return Row(
        RosterState, {"trust_id": payload["trust_id"], "staff_id": payload["staff_id"], "role": payload["role"]}, {}
    )


def roster_updated(uow: UnitOfWork, payload: dict) -> Projected:
    changes, since = Changes(), payload["since"]
    entry = _locked(uow, _roster_row(payload))
    if entry.since is None or since >= entry.since:
        delta = (payload["status"] == domain.ELIGIBLE) - (entry.status == domain.ELIGIBLE)
        entry.status, entry.since = payload["status"], since
        if delta:
            changes.add(payload["role"], "rostered", since, delta)
    return Projected(payload["trust_id"], changes)


def _aim_row(payload: dict) -> Row:
    return Row(
        PlanAim,
        {"plan_id": payload["plan_id"]},
        {
            "trust_id": payload["trust_id"],
            "name": payload["name"],
            "target_passport_types": [],
            "updated_at": payload["updated_at"],
        },
    )


def plan_updated(uow: UnitOfWork, payload: dict) -> Projected:
    changes, at = Changes(), payload["updated_at"]
    aim = _locked(uow, _aim_row(payload))
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


def _cohort_row(payload: dict) -> Row:
    return Row(Cohort, {"plan_id": payload["plan_id"], "role": payload["role"]}, {"trust_id": payload["trust_id"]})


def cohort_updated(uow: UnitOfWork, payload: dict) -> Projected:
    changes, at = Changes(), payload["updated_at"]
    aim = uow.session.get(PlanAim, payload["plan_id"])
    cohort = _locked(uow, _cohort_row(payload))
    if cohort.updated_at is None or at >= cohort.updated_at:
        cohort.identified, cohort.updated_at = payload["identified"], at
    counting = 0 if aim is not None and aim.deleted else cohort.identified
    if counting != cohort.counted:
        changes.add(payload["role"], "cohort_identified", at, counting - cohort.counted)
        cohort.counted = counting
    return Projected(payload["trust_id"], changes)


def _measure_row(payload: dict) -> Row:
    return Row(
        MeasureDefinition,
        {"measure_id": payload["measure_id"]},
        {
            "plan_id": payload["plan_id"],
            "trust_id": payload["trust_id"],
            "name": payload["name"],
            "kind": payload["kind"],
            "defined_at": payload["defined_at"],
        },
    )


def measure_defined(uow: UnitOfWork, payload: dict) -> None:
    at = payload["defined_at"]
    measure = _locked(uow, _measure_row(payload))
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


# --- What each projection locks, for `prepare` ------------------------------------------------------


def _one(row_of: Callable[[dict], Row]) -> Callable[[dict], list[Row]]:
    return lambda payload: [row_of(payload)]


ROWS_OF: dict[Projection, Callable[[dict], list[Row]]] = {
    person_changed: _one(_person_row),
    passport_started: _one(_passport_row),
    passport_completed: _one(_passport_row),
    passport_reopened: _one(_passport_row),
    passport_withdrawn: _one(_passport_row),
    skill_assessed: _one(_passport_row),
    learning_recorded: lambda payload: [_passport_row(payload), _learning_row(payload)],
    signoff_recorded: _signoff_rows,
    signoff_revoked: _signoff_rows,
    certificate_issued: _certificate_rows,
    certificate_revoked: _certificate_rows,
    certificate_expired: _certificate_rows,
    roster_updated: _one(_roster_row),
    plan_updated: _one(_aim_row),
    cohort_updated: _one(_cohort_row),
    measure_defined: _one(_measure_row),
}


# --- Helpers -----------------------------------------------------------------------------------------


def optional_uuid(value: str | None) -> uuid.UUID | None:
    return uuid.UUID(value) if value else None
