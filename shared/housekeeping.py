"""Housekeeping: the shared outbox and inbox tables are pruned, so that they do not grow for ever.

Every service's worker runs it (shared/worker.py) shortly after start and then every
HOUSEKEEPING_INTERVAL_SECONDS. It removes

- outbox rows whose every message the broker confirmed more than OUTBOX_RETENTION_DAYS ago (for a public
  event both the internal and the public one). A row with a message still to send (unsent, or a public
  message held for its Trust's ODS code) is never touched, however old: it is work not done yet;
- inbox rows recorded more than INBOX_RETENTION_DAYS ago. The inbox is what makes a second delivery of
  an event change nothing, so its retention bounds deduplication: a copy of an event delivered after
  its row is gone would be applied again. RabbitMQ redelivers an unacknowledged message at once, so only
  a dead-lettered message replayed by hand can come back that late, and `dead-letters replay` refuses
  messages older than the inbox retention unless told otherwise (shared/dead_letters.py).

Nothing else is touched: only these two tables of the shared plumbing, never a service's own tables,
some of which are kept for ever on purpose (metrics' applied events, which `skillpass metrics rebuild`
replays; signoff's decisions, the audit trail; certificates).

It must never hold up traffic: rows go in small batches, each one statement in a short transaction of
its own, oldest first by the index on their time, deleted by primary key, with a pause between batches.
On PostgreSQL a batch takes only rows no one else has locked (`FOR UPDATE SKIP LOCKED`), so two workers
of one service pruning at once share the rows out rather than wait for each other, and it gives up
rather than queue behind a table lock (a migration), which would make every writer queue behind it.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import InstrumentedAttribute, Session

from shared.config import Settings
from shared.db import Database, utcnow
from shared.inbox import InboxEntry
from shared.outbox import OutboxMessage
from shared.service import PeriodicJob

log = logging.getLogger(__name__)

JOB_NAME = "housekeeping"
BATCH_SIZE = 1000
PAUSE_BETWEEN_BATCHES_SECONDS = 0.05
# Soon after start, not at once: a worker starting up has the relay's and the consumer's backlog first.
FIRST_RUN_AFTER_SECONDS = 60.0
# How long a batch may wait for a lock before the run gives up (and is tried again at the next tick).
LOCK_TIMEOUT = "2s"

# A public message waiting for its Trust's ODS code.
HELD = sa.and_(OutboxMessage.public_envelope.is_not(None), OutboxMessage.public_routing_key.is_(None))


@dataclass(frozen=True)
class Retention:
    outbox_days: int
    inbox_days: int

    @classmethod
    def of(cls, settings: Settings) -> Retention:
        return cls(outbox_days=settings.outbox_retention_days, inbox_days=settings.inbox_retention_days)

    def outbox_cutoff(self, now: datetime) -> datetime:
        return now - timedelta(days=self.outbox_days)

    def inbox_cutoff(self, now: datetime) -> datetime:
        return now - timedelta(days=self.inbox_days)


@dataclass(frozen=True)
class Pruned:
    outbox: int
    inbox: int


def outbox_done_before(cutoff: datetime) -> sa.ColumnElement[bool]:
    """Outbox rows with nothing left to send, the last of their messages confirmed before `cutoff`."""
    internal_sent = sa.and_(OutboxMessage.sent_at.is_not(None), OutboxMessage.sent_at < cutoff)
    # A public message not yet sent (held or waiting for the relay) keeps its row, whatever its age.
    public_sent_or_none = sa.or_(
        OutboxMessage.public_envelope.is_(None),
        sa.and_(OutboxMessage.public_sent_at.is_not(None), OutboxMessage.public_sent_at < cutoff),
    )
    return sa.and_(internal_sent, public_sent_or_none)


def inbox_recorded_before(cutoff: datetime) -> sa.ColumnElement[bool]:
    return InboxEntry.processed_at < cutoff


def housekeep(
    database: Database,
    retention: Retention,
    *,
    batch_size: int = BATCH_SIZE,
    pause_seconds: float = PAUSE_BETWEEN_BATCHES_SECONDS,
    stop: threading.Event | None = None,
) -> Pruned:
    """Prune the outbox and the inbox down to their retention; how many rows of each went."""
    stop = stop or threading.Event()
    started = time.perf_counter()
    now = utcnow()
    batches = {"batch_size": batch_size, "pause_seconds": pause_seconds, "stop": stop}
    pruned = Pruned(
        outbox=prune(
            database,
            OutboxMessage.id,
            OutboxMessage.sent_at,
            outbox_done_before(retention.outbox_cutoff(now)),
            **batches,
        ),
        inbox=prune(
            database,
            InboxEntry.event_id,
            InboxEntry.processed_at,
            inbox_recorded_before(retention.inbox_cutoff(now)),
            **batches,
        ),
    )
    log.info(
        "housekeeping removed old outbox and inbox rows",
        extra={
            "outbox_rows_removed": pruned.outbox,
            "inbox_rows_removed": pruned.inbox,
            "outbox_retention_days": retention.outbox_days,
            "inbox_retention_days": retention.inbox_days,
            "duration_ms": round((time.perf_counter() - started) * 1000, 2),
        },
    )
    _warn_of_long_held_public_events(database, retention.outbox_cutoff(now), retention.outbox_days)
    return pruned


def prune(
    database: Database,
    key: InstrumentedAttribute,
    oldest_first: InstrumentedAttribute,
    prunable: sa.ColumnElement[bool],
    *,
    batch_size: int,
    pause_seconds: float,
    stop: threading.Event,
) -> int:
    """Delete the rows `prunable` selects, batch after batch, until none is left or the worker stops."""
    total = 0
    while not stop.is_set():
        with database.session() as session, session.begin():
            _limit_lock_waits(session)
            batch = (
                sa.select(key)
                .where(prunable)
                .order_by(oldest_first)
                .limit(batch_size)
                .with_for_update(skip_locked=True)
            )
            removed = session.execute(
                sa.delete(key.class_).where(key.in_(batch)).execution_options(synchronize_session=False)
            ).rowcount
        total += removed
        # Fewer than a batch: nothing more is due, or another worker holds the rest and is deleting them.
        if removed < batch_size or stop.wait(pause_seconds):
            break
    return total


def _limit_lock_waits(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.text(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'"))


def _warn_of_long_held_public_events(database: Database, cutoff: datetime, older_than_days: int) -> None:
    with database.session() as session:
        held = session.scalar(sa.select(sa.func.count()).where(HELD, OutboxMessage.created_at < cutoff))
    if held:
        log.warning(
            "public events wait for their Trust's ODS code: trust.created has not reached this service",
            extra={"count": held, "older_than_days": older_than_days},
        )


def housekeeping_job(settings: Settings, stop: threading.Event) -> PeriodicJob:
    """The periodic job, its retention and interval fixed from the worker's settings."""
    retention = Retention.of(settings)
    return PeriodicJob(
        name=JOB_NAME,
        every_seconds=settings.housekeeping_interval_seconds,
        run=lambda runtime: housekeep(runtime.database, retention, stop=stop),
        first_run_after_seconds=FIRST_RUN_AFTER_SECONDS,
    )
