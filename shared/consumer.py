"""Event consumer: a quorum queue per service, batches applied in one transaction, an inbox for exactly-once
effects, DLQ for poison."""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from kombu import Connection
from kombu.mixins import ConsumerMixin
from marshmallow import ValidationError
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from shared.broker import declare_topology, service_queue
from shared.config import Settings
from shared.db import Database, dialect_insert, utcnow
from shared.events import Event, MalformedEnvelope, load_payload, parse_envelope
from shared.events.catalogue import UnknownEventType
from shared.inbox import InboxEntry
from shared.logs import correlation
from shared.prometheus import EVENTS_APPLIED, EVENTS_FAILED, UNREADABLE_EVENT
from shared.uow import UnitOfWork

log = logging.getLogger(__name__)

Handler = Callable[[UnitOfWork, Event, dict], None]
T = TypeVar("T")


class Unprocessable(Exception):
    """A handler's verdict that this event can never be applied: dead-letter it without retrying."""


MAX_REQUEUE_PAUSE_SECONDS = 2.0


@dataclass
class Delivery:
    """A message read off the queue, with the event it carries and the handler that applies it."""

    message: Any
    event: Event
    payload: dict
    handler: Handler


class EventConsumer(ConsumerMixin):
    """Takes what is waiting on the queue (up to the prefetch) and applies it in one transaction.

    One inbox row per event still makes each exactly-once; the batch is acknowledged after its commit. A
    batch that fails is applied again event by event, so that the one event at fault is retried (or
    dead-lettered) alone and the others are applied.
    """

    def __init__(
        self,
        *,
        service: str,
        settings: Settings,
        database: Database,
        handlers: dict[str, Handler],
        stop: threading.Event,
    ):
        self.service = service
        self.settings = settings
        self.database = database
        self.handlers = handlers
        self.stop = stop
        self.connection = Connection(settings.amqp_url, heartbeat=20, connect_timeout=5)
        self.applied = 0
        self._received: list = []

    @property
    def should_stop(self) -> bool:  # ConsumerMixin polls this between deliveries
        return self.stop.is_set()

    def get_consumers(self, Consumer, channel):
        declare_topology(channel, self.service, list(self.handlers))
        return [
            Consumer(
                queues=[service_queue(self.service, list(self.handlers))],
                on_message=self._received.append,
                prefetch_count=self.settings.consumer_prefetch,
            )
        ]

    def consume(self, limit=None, timeout=None, safety_interval=1, **kwargs):
        """ConsumerMixin's loop, but each wake-up takes every delivery already waiting and handles them
        together: the broker has sent up to the prefetch, and each read returns one of them."""
        with self.consumer_context(**kwargs) as (connection, _channel, _consumers):
            while not self.should_stop:
                self._received.clear()  # unacknowledged after a lost connection: the broker redelivers them
                try:
                    connection.drain_events(timeout=safety_interval)
                except TimeoutError:
                    connection.heartbeat_check()
                    continue
                except OSError:
                    if self.should_stop:
                        break
                    raise
                self._read_what_is_waiting(connection)
                self.handle(list(self._received))
                yield

    def _read_what_is_waiting(self, connection) -> None:
        while len(self._received) < self.settings.consumer_prefetch:
            try:
                connection.drain_events(timeout=0)  # what has arrived already, without waiting for more
            except TimeoutError:
                return

    def on_connection_revived(self):
        log.info("consumer connected", extra={"queue": f"{self.service}.events"})

    def on_connection_error(self, exc, interval):
        log.warning("broker unreachable; reconnecting", extra={"error": str(exc), "retry_in_seconds": interval})

    def handle(self, messages: list) -> None:
        """Apply these messages: together in one transaction when there are several, else alone."""
        deliveries = [d for d in map(self._read, messages) if d is not None]
        if len(deliveries) > 1:
            started = time.perf_counter()
            try:
                outcomes = self._apply_until_database_answers(
                    lambda: apply_batch(
                        self.database, self.service, [(d.event, d.payload, d.handler) for d in deliveries]
                    )
                )
            except Exception as error:
                log.warning(
                    "batch failed; applying its events one by one",
                    extra={"events": len(deliveries), "error": str(error)[:200]},
                )
            else:
                if outcomes is None:
                    return  # stopping while the database is away: the broker redelivers them
                duration_ms = round((time.perf_counter() - started) * 1000, 2)
                for delivery, applied in zip(deliveries, outcomes):
                    delivery.message.ack()
                    self._handled(delivery.event, applied, duration_ms, batch=len(deliveries))
                return
        for delivery in deliveries:
            self._handle_alone(delivery)

    def _read(self, message) -> Delivery | None:
        """The delivery a message carries; None when it cannot be read (it is dead-lettered at once)."""
        try:
            event = parse_envelope(message.body)
            return Delivery(message, event, load_payload(event.type, event.data), self.handlers[event.type])
        except (MalformedEnvelope, UnknownEventType, KeyError, ValidationError) as error:
            # Retrying cannot fix a message we cannot read: straight to the dead-letter queue.
            log.error(
                "poison message dead-lettered",
                extra={"error": str(error), "message_id": message.properties.get("message_id")},
            )
            EVENTS_FAILED.labels(self.service, UNREADABLE_EVENT).inc()
            message.reject(requeue=False)
            return None

    def _handle_alone(self, delivery: Delivery) -> None:
        event, message = delivery.event, delivery.message
        with correlation(event.correlation_id or str(event.id)):
            started = time.perf_counter()
            try:
                applied = self._apply_until_database_answers(
                    lambda: apply_once(self.database, self.service, event, delivery.payload, delivery.handler)
                )
            except Unprocessable as error:
                log.error(
                    "event cannot be applied; dead-lettered",
                    extra={"event_id": str(event.id), "event_type": event.type, "error": str(error)},
                )
                EVENTS_FAILED.labels(self.service, event.type).inc()
                message.reject(requeue=False)
                return
            except Exception:
                deliveries = int(message.headers.get("x-delivery-count") or 0)
                pause = min(0.1 * 2**deliveries, MAX_REQUEUE_PAUSE_SECONDS)
                log.exception(
                    "event handler failed; requeueing",
                    extra={"event_id": str(event.id), "event_type": event.type, "deliveries": deliveries},
                )
                EVENTS_FAILED.labels(self.service, event.type).inc()
                self.stop.wait(pause)
                message.requeue()
                return
            if applied is None:
                return  # stopping while the database is away: the broker redelivers it
            message.ack()
            self._handled(event, applied, round((time.perf_counter() - started) * 1000, 2), batch=1)

    def _handled(self, event: Event, applied: bool, duration_ms: float, *, batch: int) -> None:
        self.applied += int(applied)
        if applied:
            EVENTS_APPLIED.labels(self.service, event.type).inc()
        with correlation(event.correlation_id or str(event.id)):
            log.info(
                "event handled",
                extra={
                    "event_id": str(event.id),
                    "event_type": event.type,
                    "duplicate": not applied,
                    "batch": batch,
                    "duration_ms": duration_ms,
                },
            )

    def _apply_until_database_answers(self, apply: Callable[[], T]) -> T | None:
        """Apply; while the database is unreachable, wait and retry without spending deliveries."""
        pause = 0.2
        while True:
            try:
                return apply()
            except (OperationalError, DBAPIError) as error:
                if isinstance(error, IntegrityError) or not _is_connectivity_error(error):
                    raise
                log.warning("database unreachable; retrying event", extra={"error": str(error)[:200]})
                if self.stop.wait(pause):
                    return None
                pause = min(pause * 2, 5.0)


def apply_once(database: Database, service: str, event: Event, payload: dict, handler: Handler) -> bool:
    """Run the handler and record the event in the inbox in one transaction; False if seen before."""
    return apply_batch(database, service, [(event, payload, handler)])[0]


def apply_batch(database: Database, service: str, events: list[tuple[Event, dict, Handler]]) -> list[bool]:
    """Run each event's handler and record each in the inbox, all in one transaction; per event, False if
    it was seen before (in an earlier transaction or earlier in this batch).

    Handlers that share a `prepare(uow, [(event, payload), ...])` (see `Prepared`) are given each run of
    consecutive events of theirs at once first, to load and lock what those events are about together; the
    events of a run then follow one another on the rows as prepared, without a flush in between."""
    outcomes = []
    with UnitOfWork(database, service) as uow:
        claimed = claim_in_inbox(uow.session, [event for event, _, _ in events])
        todo = []
        for event, payload, handler in events:
            applied = event.id in claimed
            claimed.discard(event.id)  # a second copy later in the batch is a duplicate
            outcomes.append(applied)
            if applied:
                todo.append((event, payload, handler))
        for prepare, run in _runs(todo):
            if prepare is not None:
                prepare(uow, [(event, payload) for event, payload, _ in run])
            for event, payload, handler in run:
                # What the handler stages and logs carries its event's correlation, not its neighbours'.
                with correlation(event.correlation_id or str(event.id)):
                    handler(uow, event, payload)
                if len(todo) > 1 and prepare is None:
                    # Each handler reads the rows as the database now holds them, as it would in a transaction
                    # of its own: nothing an earlier one loaded is taken as current.
                    uow.session.flush()
                    uow.session.expire_all()
            if len(todo) > 1 and prepare is not None:
                uow.session.flush()
                uow.session.expire_all()  # what the run prepared is current for that run only
        uow.commit()
    return outcomes


class Prepared:
    """A handler that prepares the runs of events it is given together (apply_batch): `prepare` loads and locks
    the rows a run's events are about, in one statement a table, and `handle` applies one event on them."""

    def __init__(self, handle: Handler, prepare: Callable[[UnitOfWork, list[tuple[Event, dict]]], None]):
        self.handle, self.prepare = handle, prepare
        self.__name__ = getattr(handle, "__name__", type(self).__name__)

    def __call__(self, uow: UnitOfWork, event: Event, payload: dict) -> None:
        self.handle(uow, event, payload)


def _runs(todo: list[tuple[Event, dict, Handler]]):
    """The events in order, in runs of consecutive ones whose handlers share a prepare (each other alone)."""
    run: list = []
    current = None
    for item in todo:
        prepare = getattr(item[2], "prepare", None)
        if run and (prepare is None or prepare != current):
            yield current, run
            run = []
        run.append(item)
        current = prepare
    if run:
        yield current, run


def claim_in_inbox(session, events: list[Event]) -> set[uuid.UUID]:
    """Record the events in the inbox in one statement; the ids of those not recorded before. A consumer
    recording one of them at this moment holds its row: this waits for that commit, and then finds the
    event applied (or, if it rolled back, claims it)."""
    now = utcnow()
    rows = [{"event_id": event.id, "event_type": event.type, "processed_at": now} for event in events]
    inserted = dialect_insert(session)(InboxEntry.__table__).on_conflict_do_nothing().returning(InboxEntry.event_id)
    return set(session.scalars(inserted, rows))


def _is_connectivity_error(error: DBAPIError) -> bool:
    return bool(error.connection_invalidated) or isinstance(error, OperationalError)
