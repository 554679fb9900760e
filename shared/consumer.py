"""Event consumer: a quorum queue per service, an inbox for exactly-once effects, DLQ for poison."""
from __future__ import annotations

import logging
import threading
import time
from typing import Callable

from kombu import Connection
from kombu.mixins import ConsumerMixin
from marshmallow import ValidationError
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from shared.broker import declare_topology, service_queue
from shared.config import Settings
from shared.db import Database, insert_if_missing, utcnow
from shared.events import Event, MalformedEnvelope, load_payload, parse_envelope
from shared.events.catalogue import UnknownEventType
from shared.inbox import InboxEntry
from shared.logs import correlation
from shared.uow import UnitOfWork

log = logging.getLogger(__name__)

Handler = Callable[[UnitOfWork, Event, dict], None]


class Unprocessable(Exception):
    """A handler's verdict that this event can never be applied: dead-letter it without retrying."""

MAX_REQUEUE_PAUSE_SECONDS = 2.0


class EventConsumer(ConsumerMixin):
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

    @property
    def should_stop(self) -> bool:  # ConsumerMixin polls this between deliveries
        return self.stop.is_set()

    def get_consumers(self, Consumer, channel):
        declare_topology(channel, self.service, list(self.handlers))
        return [
            Consumer(
                queues=[service_queue(self.service, list(self.handlers))],
                on_message=self.on_message,
                prefetch_count=self.settings.consumer_prefetch,
            )
        ]

    def on_connection_revived(self):
        log.info("consumer connected", extra={"queue": f"{self.service}.events"})

    def on_connection_error(self, exc, interval):
        log.warning("broker unreachable; reconnecting", extra={"error": str(exc), "retry_in_seconds": interval})

    def on_message(self, message) -> None:
        try:
            event = parse_envelope(message.body)
            handler = self.handlers[event.type]
            payload = load_payload(event.type, event.data)
        except (MalformedEnvelope, UnknownEventType, KeyError, ValidationError) as error:
            # Retrying cannot fix a message we cannot read: straight to the dead-letter queue.
            log.error(
                "poison message dead-lettered",
                extra={"error": str(error), "message_id": message.properties.get("message_id")},
            )
            message.reject(requeue=False)
            return
        with correlation(event.correlation_id or str(event.id)):
            started = time.perf_counter()
            try:
                applied = self._apply_until_database_answers(event, payload, handler)
            except Unprocessable as error:
                log.error("event cannot be applied; dead-lettered",
                          extra={"event_id": str(event.id), "event_type": event.type, "error": str(error)})
                message.reject(requeue=False)
                return
            except Exception:
                deliveries = int(message.headers.get("x-delivery-count") or 0)
                pause = min(0.1 * 2**deliveries, MAX_REQUEUE_PAUSE_SECONDS)
                log.exception(
                    "event handler failed; requeueing",
                    extra={"event_id": str(event.id), "event_type": event.type, "deliveries": deliveries},
                )
                self.stop.wait(pause)
                message.requeue()
                return
            if applied is None:
                return  # stopping while the database is away: the broker redelivers it
            message.ack()
            self.applied += int(applied)
            log.info(
                "event handled",
                extra={
                    "event_id": str(event.id),
                    "event_type": event.type,
                    "duplicate": not applied,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                },
            )

    def _apply_until_database_answers(self, event: Event, payload: dict, handler: Handler) -> bool | None:
        """Apply once; while the database is unreachable, wait and retry without spending deliveries."""
        pause = 0.2
        while True:
            try:
                return apply_once(self.database, self.service, event, payload, handler)
            except (OperationalError, DBAPIError) as error:
                if isinstance(error, IntegrityError) or not _is_connectivity_error(error):
                    raise
                log.warning("database unreachable; retrying event", extra={"error": str(error)[:200]})
                if self.stop.wait(pause):
                    return None
                pause = min(pause * 2, 5.0)


def apply_once(database: Database, service: str, event: Event, payload: dict, handler: Handler) -> bool:
    """Run the handler and record the event in the inbox in one transaction; False if seen before."""
    with UnitOfWork(database, service) as uow:
        # A consumer applying the same event at this moment holds the row: this waits for its commit
        # and then finds the event applied (or, if it rolled back, claims it).
        if not insert_if_missing(uow.session, InboxEntry,
                                 {"event_id": event.id, "event_type": event.type, "processed_at": utcnow()}):
            return False
        handler(uow, event, payload)
        uow.commit()
        return True


def _is_connectivity_error(error: DBAPIError) -> bool:
    return bool(error.connection_invalidated) or isinstance(error, OperationalError)
