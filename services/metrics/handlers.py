"""The metrics service's projections.

Each consumed event is kept (applied_events) and projected: the small state row of the entity it is about
is locked and brought up to date, and the counter changes that follow are added to that day's bucket and to
the running totals, in constant time. `rebuild` replays the kept events through the same projections.
The reads (dashboard, series, export) are in reads.py."""
from __future__ import annotations

import random
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Callable, ClassVar

import sqlalchemy as sa

from services.metrics import domain
from services.metrics.domain import Changes
from services.metrics.models import (
    COUNTER_NAMES, PROJECTIONS, AppliedEvent, CertificateState, Cohort, CurrentCounts, DailyCount, Holder,
    LearningState, MeasureDefinition, PassportState, Person, PlanAim, RosterState, SkillSignoff, SkillState,
)
from shared.db import dialect_insert, upsert_locked, utcnow
from shared.events import Event, load_payload, parse_envelope
from shared.events.envelope import ce_type
from shared.logs import correlation, current_correlation_id
from shared.uow import UnitOfWork

Projection = Callable[[UnitOfWork, dict], "Projected | None"]


@dataclass
class Projected:
    trust_id: uuid.UUID
    changes: Changes


# --- Applying events ---------------------------------------------------------------------------------

def recording(projection: Projection):
    """The consumer's handler: keep the event, project it, move the counters and tell the bus what changed."""

    def handle(uow: UnitOfWork, event: Event, payload: dict) -> None:
        uow.gathered(KeptEvents.KEY, KeptEvents).rows.append({
            "event_id": event.id, "event_type": event.type, "trust_id": _uuid(event.trust_id),
            "envelope": _envelope_of(event), "applied_at": utcnow()})
        projected = projection(uow, payload)
        if projected is not None:
            apply_changes(uow, projected, caused_by=event.type)

    handle.__name__ = f"record_{projection.__name__}"
    return handle


@dataclass
class KeptEvents:
    """The events one transaction applies, kept for `rebuild` in one statement as it commits, in the order
    they were applied."""

    KEY: ClassVar[str] = "metrics.kept_events"
    rows: list[dict] = field(default_factory=list)

    def write(self, uow: UnitOfWork) -> None:
        if self.rows:
            uow.session.execute(sa.insert(AppliedEvent.__table__), self.rows)


def apply_changes(uow: UnitOfWork, projected: Projected, *, caused_by: str | None) -> None:
    """Add the changes to their days and to the running totals, and stage metrics.recalculated for each
    passport type whose totals moved (not when replaying: caused_by None). Written as the transaction
    commits, together with the changes of every other event it applies (PendingCounts)."""
    uow.gathered(PendingCounts.KEY, PendingCounts).add(projected, caused_by)


@dataclass
class PendingCounts:
    """The counter changes of every event one transaction applies (a batch, or a rebuild), added up and
    written as it commits: one statement for the day buckets, one for the running totals and one
    metrics.recalculated per Trust and passport type, however many events moved them."""

    KEY: ClassVar[str] = "metrics.counts"

    days: dict[tuple[uuid.UUID, str, str, date], int] = field(default_factory=lambda: defaultdict(int))
    first_day: dict[tuple[uuid.UUID, str], date] = field(default_factory=dict)
    # Per Trust and passport type, the last event that moved its totals: its type and its correlation.
    caused_by: dict[tuple[uuid.UUID, str], tuple[str, str | None]] = field(default_factory=dict)

    def add(self, projected: Projected, caused_by: str | None) -> None:
        trust_id = projected.trust_id
        for (passport_type, counter, day), delta in projected.changes.nonzero().items():
            self.days[(trust_id, passport_type, counter, day)] += delta
            key = (trust_id, passport_type)
            self.first_day[key] = min(day, self.first_day.get(key, day))
        if caused_by is not None:
            for passport_type in projected.changes.changed_types():
                self.caused_by[(trust_id, passport_type)] = (caused_by, current_correlation_id())

    def write(self, uow: UnitOfWork) -> None:
        session, now = uow.session, utcnow()
        # In key order, as every consumer writes them: two transactions never wait for each other crosswise.
        day_rows = [{"trust_id": trust_id, "passport_type": passport_type, "metric": counter, "day": day, "delta": delta}
                    for (trust_id, passport_type, counter, day), delta in sorted(self.days.items()) if delta]
        if day_rows:
            # One statement compiled once and sent with every row (SQLAlchemy's "insertmanyvalues").
            insert = dialect_insert(session)(DailyCount.__table__)
            session.execute(insert.on_conflict_do_update(
                index_elements=["trust_id", "passport_type", "metric", "day"],
                set_={"delta": DailyCount.delta + insert.excluded.delta},
            ), day_rows)
        totals = {key: dict.fromkeys(COUNTER_NAMES, 0) for key in self.first_day}
        for (trust_id, passport_type, counter, _), delta in self.days.items():
            totals[(trust_id, passport_type)][counter] += delta
        total_rows = [{"trust_id": key[0], "passport_type": key[1], "first_day": self.first_day[key], "updated_at": now,
                       **totals[key]} for key in sorted(totals)]
        written = _add_to_totals(session, total_rows, now) if total_rows else {}
        if not self.caused_by:
            return
        from services.metrics.events import metrics_recalculated  # events.py builds its handlers from this module

        for key, (caused_by, correlation_id) in sorted(self.caused_by.items()):
            row = written.get(key) or session.get(CurrentCounts, key)
            with correlation(correlation_id):
                uow.publish("metrics.recalculated", subject=f"{key[0]}/{key[1]}", trust_id=key[0],
                            data=metrics_recalculated(row, caused_by, now))


def _add_to_totals(session, rows: list[dict], now: datetime) -> dict[tuple[uuid.UUID, str], CurrentCounts]:
    """One statement adding to the stored totals: two consumers at once add, never overwrite."""
    insert = dialect_insert(session)(CurrentCounts)
    day = insert.excluded.first_day
    earliest = sa.case((CurrentCounts.first_day.is_(None), day),
                       else_=sa.func.min(CurrentCounts.first_day, day) if session.get_bind().dialect.name == "sqlite"
                       else sa.func.least(CurrentCounts.first_day, day))
    added = {counter: getattr(CurrentCounts, counter) + getattr(insert.excluded, counter) for counter in COUNTER_NAMES}
    upsert = insert.on_conflict_do_update(index_elements=["trust_id", "passport_type"],
                                          set_={**added, "first_day": earliest, "updated_at": now})
    written = session.scalars(upsert.returning(CurrentCounts), rows, execution_options={"populate_existing": True})
    return {(row.trust_id, row.passport_type): row for row in written}


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
    if person.as_of is None or at >= person.as_of:
        person.trust_id, person.name = payload["trust_id"], payload["name"]
        person.staff_number, person.professional_group, person.as_of = (
            payload["staff_number"], payload["professional_group"], at)
    return None


def _passport(uow: UnitOfWork, payload: dict, changes: Changes, at: datetime) -> PassportState:
    """The passport's state row, locked; learning its type adds the sign-offs that came before it."""
    state = _locked(uow.session, PassportState, {"passport_id": payload["passport_id"]},
                    trust_id=payload["trust_id"], staff_id=payload.get("staff_id") or payload.get("holder_id"))
    passport_type = payload.get("passport_type")
    if passport_type and state.passport_type is None:
        state.passport_type = passport_type
        signed_off = uow.session.scalars(sa.select(SkillState.signed_off_at).where(
            SkillState.passport_id == state.passport_id, SkillState.signed_off_at.is_not(None)))
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
    record = _locked(uow.session, LearningState, {"learning_id": payload["learning_id"]},
                     passport_id=payload["passport_id"])
    record.status, reached = domain.learning_reached(record.status, payload["status"])
    for counter in reached:
        changes.add(state.passport_type, counter, at)
    return Projected(payload["trust_id"], changes)


def signoff_recorded(uow: UnitOfWork, payload: dict) -> Projected:
    return _signoff_changed(uow, payload, payload["decided_at"], outcome=payload["outcome"],
                            decided_at=payload["decided_at"])


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
    decisions = uow.session.scalars(sa.select(SkillSignoff).where(
        SkillSignoff.passport_id == key["passport_id"], SkillSignoff.skill_code == key["skill_code"]))
    since = domain.signed_off_since(
        domain.Decision(d.signoff_id, d.outcome, d.decided_at, d.revoked_at is not None) for d in decisions)
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


def _certificate_changed(uow: UnitOfWork, payload: dict, at: datetime, *, issued: bool = False,
                         end_reason: str | None = None) -> Projected:
    """Record the fact, then recount the person's valid certificates in the role (a handful): they count as
    certified while one is valid; a renewal supersedes the older ones without an event of its own."""
    session, changes, passport_type = uow.session, Changes(), payload["passport_type"]
    holder_key = {"trust_id": payload["trust_id"], "staff_id": payload["staff_id"], "passport_type": passport_type}
    holder = _locked(session, Holder, holder_key)  # every event about this person and role takes this lock
    certificate = _locked(session, CertificateState, {"certificate_id": payload["certificate_id"]},
                          passport_id=payload["passport_id"], **holder_key)
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
    held = list(session.scalars(sa.select(CertificateState).where(
        CertificateState.trust_id == holder.trust_id, CertificateState.staff_id == holder.staff_id,
        CertificateState.passport_type == passport_type)))
    superseded = domain.newest_first_superseded({c.certificate_id: c.issued_at for c in held if c.issued_at})
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
    entry = _locked(uow.session, RosterState, {"trust_id": payload["trust_id"], "staff_id": payload["staff_id"],
                                               "role": payload["role"]})
    if entry.since is None or since >= entry.since:
        delta = (payload["status"] == domain.ELIGIBLE) - (entry.status == domain.ELIGIBLE)
        entry.status, entry.since = payload["status"], since
        if delta:
            changes.add(payload["role"], "rostered", since, delta)
    return Projected(payload["trust_id"], changes)


def plan_updated(uow: UnitOfWork, payload: dict) -> Projected:
    changes, at = Changes(), payload["updated_at"]
    aim = _locked(uow.session, PlanAim, {"plan_id": payload["plan_id"]}, trust_id=payload["trust_id"],
                  name=payload["name"], target_passport_types=[], updated_at=at)
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
    cohort = _locked(uow.session, Cohort, {"plan_id": payload["plan_id"], "role": payload["role"]},
                     trust_id=payload["trust_id"])
    if cohort.updated_at is None or at >= cohort.updated_at:
        cohort.identified, cohort.updated_at = payload["identified"], at
    counting = 0 if aim is not None and aim.deleted else cohort.identified
    if counting != cohort.counted:
        changes.add(payload["role"], "cohort_identified", at, counting - cohort.counted)
        cohort.counted = counting
    return Projected(payload["trust_id"], changes)


def measure_defined(uow: UnitOfWork, payload: dict) -> None:
    at = payload["defined_at"]
    measure = _locked(uow.session, MeasureDefinition, {"measure_id": payload["measure_id"]},
                      plan_id=payload["plan_id"], trust_id=payload["trust_id"], name=payload["name"],
                      kind=payload["kind"], defined_at=at)
    if at >= measure.defined_at:
        for name in ("name", "kind", "metric", "passport_type", "target", "frequency", "improvement_direction",
                     "deleted"):
            setattr(measure, name, payload[name])
        measure.defined_at = at
    return None


# --- Rebuild -----------------------------------------------------------------------------------------

def rebuild(uow: UnitOfWork, projections: dict[str, Projection], *, shuffle_seed: int | None = None) -> int:
    """Forget every projection and apply every kept event again (in the order first applied, or shuffled);
    nothing is published. Returns the number of events replayed."""
    session = uow.session
    for model in PROJECTIONS:
        session.execute(sa.delete(model))
    ids = list(session.scalars(sa.select(AppliedEvent.sequence).order_by(AppliedEvent.sequence)))
    if shuffle_seed is not None:
        random.Random(shuffle_seed).shuffle(ids)
    for start in range(0, len(ids), 500):
        batch = ids[start:start + 500]
        rows = {row.sequence: row for row in session.scalars(sa.select(AppliedEvent).where(AppliedEvent.sequence.in_(batch)))}
        for sequence in batch:
            event = parse_envelope(rows[sequence].envelope)
            projected = projections[event.type](uow, load_payload(event.type, event.data))
            if projected is not None:
                apply_changes(uow, projected, caused_by=None)
        session.flush()
        session.expunge_all()
    return len(ids)


def totals_of_every_trust(uow: UnitOfWork) -> list[CurrentCounts]:
    return list(uow.session.scalars(sa.select(CurrentCounts).order_by(CurrentCounts.trust_id, CurrentCounts.passport_type)))


# --- Helpers -----------------------------------------------------------------------------------------

def _uuid(value: str | None) -> uuid.UUID | None:
    return uuid.UUID(value) if value else None


def _envelope_of(event: Event) -> dict:
    envelope = {"specversion": "1.0", "id": str(event.id), "source": event.source, "type": ce_type(event.type),
                "time": event.time, "subject": event.subject, "datacontenttype": "application/json",
                "data": event.data}
    if event.trust_id:
        envelope["trustid"] = event.trust_id
    if event.correlation_id:
        envelope["correlationid"] = event.correlation_id
    return envelope
