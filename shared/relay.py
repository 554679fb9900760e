"""Outbox relay: publishes committed outbox rows with publisher confirms, then marks them sent.

A row of a public event holds two messages: the internal one for skillpass.events and the public one for
skillpass.public (same event id). Each is marked sent (`sent_at`, `public_sent_at`) only after the broker
confirmed it, so a row is done only once both are confirmed; a failure between the two resends only the
one not yet confirmed. A public message held for its Trust's ODS code (no routing key yet) does not hold
up the internal one.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

import psycopg
import sqlalchemy as sa
from kombu import Connection, Producer
from sqlalchemy.engine import make_url

from shared.broker import declare_topology, events_exchange, public_exchange
from shared.config import Settings
from shared.db import Database, utcnow
from shared.events import CONTENT_TYPE
from shared.events.catalogue import publishes_public_events
from shared.outbox import INTERNAL_UNSENT, NOTIFY_CHANNEL, PUBLIC_UNSENT, OutboxMessage
from shared.prometheus import RELAY_CONFIRM_SECONDS

log = logging.getLogger(__name__)

MAX_BACKOFF_SECONDS = 5.0


class PollWaker:
    """Where the database cannot notify (SQLite), a short poll."""

    def __init__(self, stop: threading.Event, interval: float):
        self.stop = stop
        self.interval = interval

    def wait(self, timeout: float) -> bool:
        self.stop.wait(min(timeout, self.interval))
        return True  # nothing tells us about commits: every poll is worth a look

    def close(self) -> None:
        pass


class NotifyWaker:
    """Wakes when a transaction that wrote outbox rows commits (PostgreSQL LISTEN/NOTIFY)."""

    def __init__(self, stop: threading.Event, database_url: str):
        self.stop = stop
        self.dsn = make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)
        self.connection: psycopg.Connection | None = None

    def wait(self, timeout: float) -> bool:
        """True when a commit (or a reconnect, after which commits may have been missed) calls for a look."""
        try:
            if self.connection is None or self.connection.closed:
                self.connection = psycopg.connect(self.dsn, autocommit=True, connect_timeout=5)
                self.connection.execute(f"LISTEN {NOTIFY_CHANNEL}")
                return True
            deadline = min(timeout, 0.5)  # wake at least twice a second to see the stop flag
            return any(True for _ in self.connection.notifies(timeout=deadline, stop_after=1))
        except psycopg.Error as error:
            log.warning("outbox listener lost its connection", extra={"error": str(error)})
            self.close()
            self.stop.wait(1.0)
            return True

    def close(self) -> None:
        if self.connection is not None:
            try:
                self.connection.close()
            finally:
                self.connection = None


class Relay:
    def __init__(self, database: Database, settings: Settings, stop: threading.Event):
        self.database = database
        self.settings = settings
        self.stop = stop
        self.connection: Connection | None = None
        self.producer: Producer | None = None
        self.confirms: Confirms | None = None
        self.published = 0
        # A service none of whose events is public has no public half to send: one query a batch, not two.
        self.unsent = (
            (INTERNAL_UNSENT, PUBLIC_UNSENT) if publishes_public_events(settings.service) else (INTERNAL_UNSENT,)
        )

    def run(self) -> None:
        waker = (
            NotifyWaker(self.stop, self.settings.database_url)
            if self.database.is_postgres
            else PollWaker(self.stop, self.settings.relay_poll_seconds)
        )
        failures = 0
        log.info("outbox relay started")
        look = True
        last_look = time.monotonic()
        try:
            while not self.stop.is_set():
                if look or time.monotonic() - last_look >= self.settings.relay_safety_poll_seconds:
                    last_look = time.monotonic()
                    try:
                        # Sent rows are pruned by the worker's housekeeping (shared/housekeeping.py).
                        self.drain()
                        failures = 0
                    except Exception as error:  # broker or database trouble: rows stay unsent, retry later
                        failures += 1
                        backoff = min(0.1 * 2**failures, MAX_BACKOFF_SECONDS)
                        log.warning(
                            "outbox relay could not publish; will retry",
                            extra={"error": str(error) or type(error).__name__, "retry_in_seconds": backoff},
                        )
                        self._disconnect()
                        self.stop.wait(backoff)
                        look = True
                        continue
                look = waker.wait(self.settings.relay_safety_poll_seconds)
        finally:
            waker.close()
            self._disconnect()
            log.info("outbox relay stopped")

    def drain(self) -> int:
        total = 0
        while not self.stop.is_set():
            sent = self.publish_batch()
            total += sent
            if sent < self.settings.relay_batch_size:
                break
        return total

    def publish_batch(self) -> int:
        """Publish one batch of unsent rows, locked so that no other relay sends them meanwhile.

        Every message of the batch is sent before any confirm is awaited, then the confirms are awaited
        together: a batch costs one round trip to the broker, not one per message (a bulk sign-off stages
        44 events in one transaction, and they are on the critical path of the last one). What the broker
        confirmed is marked sent; the rest goes again."""
        producer = self._producer()
        confirms = self.confirms
        with self.database.session() as session, session.begin():
            rows = sorted(
                (
                    row
                    for unsent in self.unsent
                    for row in session.scalars(
                        sa.select(OutboxMessage)
                        .where(unsent)
                        .order_by(OutboxMessage.id)
                        .limit(self.settings.relay_batch_size)
                        .with_for_update(skip_locked=True)
                    )
                ),
                key=lambda row: row.id,
            )
            if not rows:
                return 0
            internal: set[int] = set()
            public: set[int] = set()
            try:
                for row in rows:
                    if row.sent_at is None:
                        self._publish(producer, row.envelope, events_exchange, row.event_type, row)
                        confirms.expect(lambda row_id=row.id: internal.add(row_id))
                    if row.public_routing_key is not None and row.public_sent_at is None:
                        self._publish(producer, row.public_envelope, public_exchange, row.public_routing_key, row)
                        confirms.expect(lambda row_id=row.id: public.add(row_id))
                confirms.wait(self.settings.publish_confirm_timeout)
            except Exception:
                # Keep what the broker confirmed before the failure (and the attempt counts); only the rest
                # goes again.
                try:
                    confirms.wait(self.settings.publish_confirm_timeout)
                except Exception:  # the connection itself is gone: what was not confirmed goes again
                    pass
                self._mark(session, rows, internal, public)
                session.commit()
                self.published += sum(1 for row in rows if _done(row, internal, public))
                raise
            self._mark(session, rows, internal, public)
        self.published += len(rows)
        log.debug("outbox rows published", extra={"count": len(rows)})
        return len(rows)

    @staticmethod
    def _mark(session, rows: list[OutboxMessage], internal: set[int], public: set[int]) -> None:
        """One statement for the batch: each row's attempt counted, and each confirmed message marked sent."""
        now = utcnow()
        session.execute(
            sa.update(OutboxMessage)
            .where(OutboxMessage.id.in_([row.id for row in rows]))
            .values(
                publish_attempts=OutboxMessage.publish_attempts + 1,
                sent_at=_now_if_in(OutboxMessage.sent_at, internal, now),
                public_sent_at=_now_if_in(OutboxMessage.public_sent_at, public, now),
            )
            .execution_options(synchronize_session=False)
        )

    def _publish(self, producer: Producer, body: str, exchange, routing_key: str, row: OutboxMessage) -> None:
        """Send one message; its confirm is awaited with the rest of the batch (Confirms.wait)."""
        producer.publish(
            body.encode("utf-8"),
            exchange=exchange,
            routing_key=routing_key,
            content_type=CONTENT_TYPE,
            content_encoding="utf-8",
            message_id=str(row.event_id),
            delivery_mode=2,
            retry=False,
        )

    def _producer(self) -> Producer:
        if self.producer is None:
            self.connection = Connection(self.settings.amqp_url, connect_timeout=5)
            self.connection.ensure_connection(max_retries=1, timeout=5)
            channel = self.connection.channel()
            declare_topology(channel)
            self.confirms = Confirms(self.connection, channel, self.settings.service)
            self.producer = Producer(channel, exchange=events_exchange, auto_declare=False)
        return self.producer

    def _disconnect(self) -> None:
        if self.connection is not None:
            try:
                self.connection.release()
            except Exception:  # closing a broken connection may itself fail
                pass
        self.connection = None
        self.producer = None
        self.confirms = None


def _now_if_in(column, ids: set[int], now):
    if not ids:
        return column
    # Bound with the column's own type, so that each database stores it as it stores the column.
    return sa.case((OutboxMessage.id.in_(sorted(ids)), sa.literal(now, column.type)), else_=column)


def _done(row: OutboxMessage, internal: set[int], public: set[int]) -> bool:
    return (row.sent_at is not None or row.id in internal) and (
        row.public_routing_key is None or row.public_sent_at is not None or row.id in public
    )


class Unconfirmed(Exception):
    """The broker refused a message (basic.nack) or did not confirm it in time."""


class Confirms:
    """Publisher confirms on one channel (RabbitMQ's confirm mode), awaited for many messages at once.

    The broker numbers the messages published on the channel 1, 2, 3… and acknowledges them by that
    number, one at a time or all up to one (`multiple`); a nack means it did not take the message."""

    def __init__(self, connection: Connection, channel, service: str):
        self.connection = connection
        self.service = service
        channel.confirm_select()
        channel.events["basic_ack"].add(self._acked)
        channel.events["basic_nack"].add(self._nacked)
        self.sent = 0
        self.outstanding: dict[int, tuple[float, Callable[[], None]]] = {}
        self.refused = 0

    def expect(self, on_confirm: Callable[[], None]) -> None:
        """The message just published: `on_confirm` runs when the broker confirms it."""
        self.sent += 1
        self.outstanding[self.sent] = (time.perf_counter(), on_confirm)

    def wait(self, timeout: float) -> None:
        """Until every message published so far is confirmed; Unconfirmed if any was refused or is late."""
        deadline = time.monotonic() + timeout
        try:
            while self.outstanding:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise Unconfirmed(f"{len(self.outstanding)} messages not confirmed within {timeout} s")
                try:
                    self.connection.drain_events(timeout=remaining)
                except TimeoutError:
                    continue
            if self.refused:
                raise Unconfirmed(f"the broker refused {self.refused} messages")
        finally:
            self.refused = 0

    def _settled(self, tag: int, multiple: bool) -> list[tuple[float, Callable[[], None]]]:
        tags = [t for t in self.outstanding if t <= tag] if multiple else [tag]
        return [self.outstanding.pop(t) for t in tags if t in self.outstanding]

    def _acked(self, tag: int, multiple: bool) -> None:
        now = time.perf_counter()
        for published_at, on_confirm in self._settled(tag, multiple):
            on_confirm()
            RELAY_CONFIRM_SECONDS.labels(self.service).observe(now - published_at)

    def _nacked(self, tag: int, multiple: bool) -> None:
        self.refused += len(self._settled(tag, multiple))
