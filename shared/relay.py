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

import psycopg
import sqlalchemy as sa
from kombu import Connection, Producer
from sqlalchemy.engine import make_url

from shared.broker import declare_topology, events_exchange, public_exchange
from shared.config import Settings
from shared.db import Database, utcnow
from shared.events import CONTENT_TYPE
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
        self.published = 0

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
        """Publish one batch of unsent rows, locked so that no other relay sends them meanwhile."""
        producer = self._producer()
        with self.database.session() as session, session.begin():
            rows = sorted(
                (
                    row
                    for unsent in (INTERNAL_UNSENT, PUBLIC_UNSENT)
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
            sent = 0
            try:
                for row in rows:
                    row.publish_attempts += 1
                    if row.sent_at is None:
                        self._publish(producer, row.envelope, events_exchange, row.event_type, row)
                        # publish() returned: the broker confirmed this message.
                        row.sent_at = utcnow()
                    if row.public_routing_key is not None and row.public_sent_at is None:
                        self._publish(producer, row.public_envelope, public_exchange, row.public_routing_key, row)
                        row.public_sent_at = utcnow()
                    sent += 1
            except Exception:
                # Keep what the broker confirmed (and the attempt counts); only the rest goes again.
                session.commit()
                self.published += sent
                raise
        self.published += len(rows)
        if rows:
            log.debug("outbox rows published", extra={"count": len(rows)})
        return len(rows)

    def _publish(self, producer: Producer, body: str, exchange, routing_key: str, row: OutboxMessage) -> None:
        """Publish and wait for the broker's confirm (publish() returns only once it is confirmed)."""
        started = time.perf_counter()
        producer.publish(
            body.encode("utf-8"),
            exchange=exchange,
            routing_key=routing_key,
            content_type=CONTENT_TYPE,
            content_encoding="utf-8",
            message_id=str(row.event_id),
            delivery_mode=2,
            confirm_timeout=self.settings.publish_confirm_timeout,
            retry=False,
        )
        RELAY_CONFIRM_SECONDS.labels(self.settings.service).observe(time.perf_counter() - started)

    def _producer(self) -> Producer:
        if self.producer is None:
            self.connection = Connection(
                self.settings.amqp_url,
                connect_timeout=5,
                transport_options={"confirm_publish": True},
            )
            self.connection.ensure_connection(max_retries=1, timeout=5)
            channel = self.connection.channel()
            declare_topology(channel)
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
