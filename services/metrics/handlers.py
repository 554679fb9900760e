"""The metrics service's event handlers: each consumed event is kept (applied_events) and projected
(projections.py), and the counter changes that follow are added to that day's bucket and to the running totals,
in constant time, per batch. `rebuild` replays the kept events through the same projections.
The reads (dashboard, series, export) are in reads.py."""

from __future__ import annotations

import random
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import ClassVar

import sqlalchemy as sa

from services.metrics.events import metrics_recalculated
from services.metrics.models import (
    COUNTER_NAMES,
    PROJECTIONS,
    AppliedEvent,
    CurrentCounts,
    DailyCount,
)
from services.metrics.projections import (
    Projected,
    Projection,
    certificate_expired,
    certificate_issued,
    certificate_revoked,
    cohort_updated,
    ignore,
    learning_recorded,
    measure_defined,
    optional_uuid,
    passport_completed,
    passport_reopened,
    passport_started,
    passport_withdrawn,
    person_changed,
    plan_updated,
    prepare,
    roster_updated,
    signoff_recorded,
    signoff_revoked,
    skill_assessed,
)
from shared.consumer import Prepared
from shared.db import dialect_insert, utcnow
from shared.events import Event, load_payload, parse_envelope
from shared.events.envelope import ce_type
from shared.logs import correlation, current_correlation_id
from shared.uow import UnitOfWork

# --- Applying events ---------------------------------------------------------------------------------


def recording(projection: Projection) -> Prepared:
    """The consumer's handler: keep the event, project it, move the counters and tell the bus what changed.
    The state rows of a batch's events are loaded and locked together first (`prepare`)."""

    def handle(uow: UnitOfWork, event: Event, payload: dict) -> None:
        uow.gathered(KeptEvents.KEY, KeptEvents).rows.append(
            {
                "event_id": event.id,
                "event_type": event.type,
                "trust_id": optional_uuid(event.trust_id),
                "envelope": _envelope_of(event),
                "applied_at": utcnow(),
            }
        )
        projected = projection(uow, payload)
        if projected is not None:
            apply_changes(uow, projected, caused_by=event.type)

    handle.__name__ = f"record_{projection.__name__}"
    return Prepared(handle, prepare_batch)


def prepare_batch(uow: UnitOfWork, events: list[tuple[Event, dict]]) -> None:
    prepare(uow, [(PROJECTION_OF[event.type], payload) for event, payload in events])


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
        day_rows = [
            {"trust_id": trust_id, "passport_type": passport_type, "metric": counter, "day": day, "delta": delta}
            for (trust_id, passport_type, counter, day), delta in sorted(self.days.items())
            if delta
        ]
        if day_rows:
            # One statement compiled once and sent with every row (SQLAlchemy's "insertmanyvalues").
            insert = dialect_insert(session)(DailyCount.__table__)
            session.execute(
                insert.on_conflict_do_update(
                    index_elements=["trust_id", "passport_type", "metric", "day"],
                    set_={"delta": DailyCount.delta + insert.excluded.delta},
                ),
                day_rows,
            )
        totals = {key: dict.fromkeys(COUNTER_NAMES, 0) for key in self.first_day}
        for (trust_id, passport_type, counter, _), delta in self.days.items():
            totals[(trust_id, passport_type)][counter] += delta
        total_rows = [
            {
                "trust_id": key[0],
                "passport_type": key[1],
                "first_day": self.first_day[key],
                "updated_at": now,
                **totals[key],
            }
            for key in sorted(totals)
        ]
        written = _add_to_totals(session, total_rows, now) if total_rows else {}
        if not self.caused_by:
            return
        for key, (caused_by, correlation_id) in sorted(self.caused_by.items()):
            row = written.get(key) or session.get(CurrentCounts, key)
            with correlation(correlation_id):
                uow.publish(
                    "metrics.recalculated",
                    subject=f"{key[0]}/{key[1]}",
                    trust_id=key[0],
                    data=metrics_recalculated(row, caused_by, now),
                )


def _add_to_totals(session, rows: list[dict], now: datetime) -> dict[tuple[uuid.UUID, str], CurrentCounts]:
    """One statement adding to the stored totals: two consumers at once add, never overwrite."""
    insert = dialect_insert(session)(CurrentCounts)
    day = insert.excluded.first_day
    earliest = sa.case(
        (CurrentCounts.first_day.is_(None), day),
        else_=sa.func.min(CurrentCounts.first_day, day)
        if session.get_bind().dialect.name == "sqlite"
        else sa.func.least(CurrentCounts.first_day, day),
    )
    added = {counter: getattr(CurrentCounts, counter) + getattr(insert.excluded, counter) for counter in COUNTER_NAMES}
    upsert = insert.on_conflict_do_update(
        index_elements=["trust_id", "passport_type"], set_={**added, "first_day": earliest, "updated_at": now}
    )
    written = session.scalars(upsert.returning(CurrentCounts), rows, execution_options={"populate_existing": True})
    return {(row.trust_id, row.passport_type): row for row in written}


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
        batch = ids[start : start + 500]
        rows = {
            row.sequence: row
            for row in session.scalars(sa.select(AppliedEvent).where(AppliedEvent.sequence.in_(batch)))
        }
        replayed = [parse_envelope(rows[sequence].envelope) for sequence in batch]
        replayed = [(projections[event.type], load_payload(event.type, event.data)) for event in replayed]
        prepare(uow, replayed)
        for projection, payload in replayed:
            projected = projection(uow, payload)
            if projected is not None:
                apply_changes(uow, projected, caused_by=None)
        session.flush()
        session.expunge_all()
    return len(ids)


def totals_of_every_trust(uow: UnitOfWork) -> list[CurrentCounts]:
    return list(
        uow.session.scalars(sa.select(CurrentCounts).order_by(CurrentCounts.trust_id, CurrentCounts.passport_type))
    )


# --- Helpers -----------------------------------------------------------------------------------------


def _envelope_of(event: Event) -> dict:
    envelope = {
        "specversion": "1.0",
        "id": str(event.id),
        "source": event.source,
        "type": ce_type(event.type),
        "time": event.time,
        "subject": event.subject,
        "datacontenttype": "application/json",
        "data": event.data,
    }
    if event.trust_id:
        envelope["trustid"] = event.trust_id
    if event.correlation_id:
        envelope["correlationid"] = event.correlation_id
    return envelope


# --- Consumed: each event type's projection; `rebuild` replays kept events through the same ones ------

PROJECTION_OF = {
    "trust.created": ignore,
    "user.registered": person_changed,
    "user.updated": person_changed,
    "user.deactivated": ignore,
    "passport.started": passport_started,
    "passport.skill_assessed": skill_assessed,
    "passport.learning_recorded": learning_recorded,
    "passport.completed": passport_completed,
    "passport.reopened": passport_reopened,
    "passport.withdrawn": passport_withdrawn,
    "signoff.requested": ignore,
    "signoff.recorded": signoff_recorded,
    "signoff.revoked": signoff_revoked,
    "certificate.issued": certificate_issued,
    "certificate.revoked": certificate_revoked,
    "certificate.expired": certificate_expired,
    "roster.updated": roster_updated,
    "plan.updated": plan_updated,
    "measure.defined": measure_defined,
    "cohort.updated": cohort_updated,
}

HANDLERS = {event_type: recording(projection) for event_type, projection in PROJECTION_OF.items()}
