"""Commit → consumer latency of an event through the transactional outbox and the real relay process,
against a direct confirmed publish → consume as the baseline, both measured in this run.

    python -m bench.outbox_latency            (needs RabbitMQ, and PostgreSQL for the NOTIFY path)
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid

from kombu import Connection, Consumer, Producer, Queue

from bench.support import fresh_postgres_database, isolated_vhost, percentiles
from services.identity.service import SERVICE
from shared.broker import declare_topology, events_exchange
from shared.db import Database, utcnow
from shared.events import CONTENT_TYPE
from shared.migrations import upgrade
from shared.uow import UnitOfWork

EVENTS = int(os.environ.get("BENCH_EVENTS", "300"))
INTERVAL_SECONDS = 0.02  # 50 events a second: latency, not throughput


class Arrivals:
    """Records when each event id arrives, from a consumer thread of its own."""

    def __init__(self, amqp_url: str):
        self.times: dict[str, float] = {}
        self.connection = Connection(amqp_url)
        channel = self.connection.channel()
        declare_topology(channel)
        self.queue = Queue(
            f"bench.{uuid.uuid4().hex[:8]}", exchange=events_exchange, routing_key="#", exclusive=True, auto_delete=True
        )
        self.consumer = Consumer(channel, queues=[self.queue], on_message=self._on_message, no_ack=True)
        self.consumer.consume()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._drain, daemon=True)
        self.thread.start()

    def _on_message(self, message):
        self.times[message.properties["message_id"]] = time.perf_counter()

    def _drain(self):
        while not self.stop.is_set():
            try:
                self.connection.drain_events(timeout=0.2)
            except TimeoutError:
                pass

    def wait_for(self, ids: list[str], timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while not all(i in self.times for i in ids):
            if time.monotonic() > deadline:
                raise RuntimeError(f"only {sum(i in self.times for i in ids)} of {len(ids)} events arrived")
            time.sleep(0.01)

    def close(self):
        self.stop.set()
        self.thread.join()
        self.connection.release()


def direct_publish(amqp_url: str) -> list[float]:
    arrivals = Arrivals(amqp_url)
    sent: dict[str, float] = {}
    with Connection(amqp_url, transport_options={"confirm_publish": True}) as connection:
        producer = Producer(connection.channel(), exchange=events_exchange)
        for _ in range(EVENTS):
            event_id = str(uuid.uuid4())
            sent[event_id] = time.perf_counter()
            producer.publish(
                b"{}",
                routing_key="bench.direct",
                content_type=CONTENT_TYPE,
                content_encoding="utf-8",
                message_id=event_id,
                delivery_mode=2,
                confirm_timeout=5,
            )
            time.sleep(INTERVAL_SECONDS)
    arrivals.wait_for(list(sent))
    arrivals.close()
    return [(arrivals.times[i] - t) * 1000 for i, t in sent.items()]


def through_outbox(amqp_url: str, database_url: str) -> list[float]:
    upgrade(database_url, SERVICE.migrations)
    database = Database(database_url)
    arrivals = Arrivals(amqp_url)
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "AMQP_URL": amqp_url,
        "LOG_LEVEL": "WARNING",
        "WORKER_HEARTBEAT_FILE": os.path.join(tempfile.gettempdir(), f"bench-{uuid.uuid4().hex}.alive"),
    }
    skillpass = os.path.join(os.path.dirname(sys.executable), "skillpass")
    relay = subprocess.Popen([skillpass, "identity", "worker"], env=env)
    try:
        _warm_up(database, arrivals)
        committed: dict[str, float] = {}
        for _ in range(EVENTS):
            event_id = _commit_an_event(database)
            committed[event_id] = time.perf_counter()
            time.sleep(INTERVAL_SECONDS)
        arrivals.wait_for(list(committed))
        return [(arrivals.times[i] - t) * 1000 for i, t in committed.items()]
    finally:
        relay.terminate()
        relay.wait(timeout=20)
        arrivals.close()
        database.dispose()


def _warm_up(database: Database, arrivals: Arrivals) -> None:
    """Wait until the relay is publishing, so that its start-up is not measured."""
    arrivals.wait_for([_commit_an_event(database)], timeout=30)


def _commit_an_event(database: Database) -> str:
    with UnitOfWork(database, "identity") as uow:
        trust_id = uuid.uuid4()
        data = {"trust_id": trust_id, "name": "Bench", "ods_code": "RB1", "created_at": utcnow()}
        envelope = uow.publish("trust.created", subject=trust_id, trust_id=trust_id, data=data)
        uow.commit()
    return envelope["id"]


def main() -> None:
    with isolated_vhost() as amqp_url:
        baseline = percentiles(direct_publish(amqp_url))
        results = {"direct publish → consume (baseline)": baseline}
        with fresh_postgres_database("outbox") as database_url:
            results["commit → relay → consume, PostgreSQL NOTIFY"] = percentiles(through_outbox(amqp_url, database_url))
        with tempfile.TemporaryDirectory() as folder:
            sqlite_url = f"sqlite:///{folder}/bench.db"
            results["commit → relay → consume, SQLite poll"] = percentiles(through_outbox(amqp_url, sqlite_url))
    print(f"Outbox latency, {EVENTS} events at {int(1 / INTERVAL_SECONDS)}/s (milliseconds)")
    for name, figures in results.items():
        ratio = figures["p50"] / baseline["p50"] if baseline["p50"] else float("nan")
        print(
            f"  {name:48s} p50 {figures['p50']:7.2f}  p99 {figures['p99']:7.2f}  max {figures['max']:7.2f}"
            f"  p50 ratio to baseline {ratio:5.1f}x"
        )
    print(json.dumps({"outbox_latency_ms": results}, ensure_ascii=False))


if __name__ == "__main__":
    main()
