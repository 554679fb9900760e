"""A test's own view of the bus: a durable queue bound to skillpass.events (or skillpass.public)."""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass

from kombu import Connection, Exchange, Producer, Queue

from shared.broker import events_exchange
from shared.events import CONTENT_TYPE


@dataclass
class Received:
    routing_key: str
    properties: dict
    body: bytes

    @property
    def envelope(self) -> dict:
        return json.loads(self.body)


class BusTap:
    def __init__(self, amqp_url: str, routing_key: str = "#", exchange: Exchange = events_exchange):
        self.amqp_url = amqp_url
        self.queue = Queue(
            f"test.tap.{uuid.uuid4().hex[:10]}",
            exchange=exchange,
            routing_key=routing_key,
            durable=True,  # survives the broker restarts some tests make
            auto_delete=False,
        )
        self.received: list[Received] = []
        self.connection: Connection | None = None
        self._bound = None
        self._connect()

    def _connect(self) -> None:
        self.connection = Connection(self.amqp_url, connect_timeout=5)
        self.connection.ensure_connection(max_retries=30, interval_start=0.5, interval_step=0.5, interval_max=2)
        self._bound = self.queue(self.connection.channel())
        self._bound.declare()

    def _get_one(self):
        try:
            return self._bound.get(no_ack=True)
        except Exception:  # the broker went away: reconnect and keep listening
            try:
                self.connection.release()
            except Exception:
                pass
            time.sleep(0.5)
            self._connect()
            return None

    def wait_for(self, predicate, count: int = 1, timeout: float = 30.0) -> list[Received]:
        """Collect messages until `count` of them match, or fail after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            matching = [m for m in self.received if predicate(m)]
            if len(matching) >= count:
                return matching
            if time.monotonic() > deadline:
                raise AssertionError(f"expected {count} matching messages, saw {len(matching)} in {timeout}s")
            message = self._get_one()
            if message is None:
                time.sleep(0.02)
                continue
            self.received.append(Received(message.delivery_info["routing_key"], dict(message.properties), message.body))

    def drain(self, quiet_seconds: float = 1.0) -> list[Received]:
        """Everything that arrives until the bus has been quiet for a while."""
        quiet_since = time.monotonic()
        while time.monotonic() - quiet_since < quiet_seconds:
            message = self._get_one()
            if message is None:
                time.sleep(0.02)
                continue
            quiet_since = time.monotonic()
            self.received.append(Received(message.delivery_info["routing_key"], dict(message.properties), message.body))
        return self.received

    def close(self) -> None:
        try:
            self._bound.delete()
        finally:
            self.connection.release()


def publish_raw(amqp_url: str, routing_key: str, body: bytes, *, message_id: str | None = None) -> None:
    """Publish as any publisher would (or a broken one: the body is sent as given)."""
    with Connection(amqp_url, transport_options={"confirm_publish": True}) as connection:
        producer = Producer(connection.channel(), exchange=events_exchange)
        events_exchange(producer.channel).declare()
        producer.publish(
            body,
            routing_key=routing_key,
            content_type=CONTENT_TYPE,
            content_encoding="utf-8",
            message_id=message_id or str(uuid.uuid4()),
            delivery_mode=2,
            confirm_timeout=5,
        )
