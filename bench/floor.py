"""The floor every latency figure is compared with: four chained hops, each a bare confirmed publish to a
quorum queue, a consumer taking it, one PostgreSQL insert-and-commit, and the confirmed publish of the next
hop. It is what the platform's core journey (signoff → passport → certificate → planning and metrics) would
cost if the services did nothing but move the event on, so that a figure divided by it says how many
"bare journeys" of time the services spend, whatever the machine's load at that moment.

Each hop is a thread with its own consuming connection, publishing connection (confirms on) and psycopg
connection, as a service's worker has; chains run one at a time.

    python -m bench.floor          (BENCH_FLOOR_CHAINS=300 by default)

Other benchmarks call `floor_p50()` (measured once per process, on first use) and `ratio(milliseconds)`.
"""

from __future__ import annotations

import json
import os
import threading
import time
import uuid

import psycopg
from kombu import Connection, Consumer, Exchange, Producer, Queue
from sqlalchemy.engine import make_url

from bench.support import drain_until_stopped, fresh_postgres_database, isolated_vhost, percentiles

CHAINS = int(os.environ.get("BENCH_FLOOR_CHAINS", "300"))
WARM_UP = 20
HOPS = 4
TIMEOUT_SECONDS = 10.0

_measured: dict[str, float] | None = None


class Hop(threading.Thread):
    """Takes a message off its quorum queue, inserts one row and commits, then publishes to the next hop
    (with a confirm) and acknowledges; the last hop reports the chain as finished instead."""

    def __init__(self, index: int, amqp_url: str, dsn: str, exchange: Exchange, finished):
        super().__init__(daemon=True)
        self.index = index
        self.exchange = exchange
        self.finished = finished
        self.queue = Queue(
            f"floor.hop{index}",
            exchange=exchange,
            routing_key=f"hop{index}",
            durable=True,
            queue_arguments={"x-queue-type": "quorum"},
        )
        self.consuming = Connection(amqp_url)
        self.publishing = Connection(amqp_url, transport_options={"confirm_publish": True})
        self.database = psycopg.connect(dsn)
        self.stopping = threading.Event()
        self.ready = threading.Event()

    def run(self) -> None:
        producer = Producer(self.publishing.channel(), exchange=self.exchange, auto_declare=False)
        channel = self.consuming.channel()
        self.queue(channel).declare()

        def on_message(message) -> None:
            chain = message.body if isinstance(message.body, bytes) else message.body.encode()
            with self.database.transaction():
                self.database.execute(
                    "INSERT INTO floor_hop (chain, hop) VALUES (%s, %s)", (chain.decode(), self.index)
                )
            if self.index < HOPS:
                publish(producer, f"hop{self.index + 1}", chain)
            else:
                self.finished(chain.decode())
            message.ack()

        with Consumer(channel, [self.queue], on_message=on_message, prefetch_count=1):
            self.ready.set()
            drain_until_stopped(self.consuming, self.stopping)

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=5)
        self.consuming.release()
        self.publishing.release()
        self.database.close()


def publish(producer: Producer, routing_key: str, body: bytes) -> None:
    producer.publish(
        body,
        routing_key=routing_key,
        content_type="application/octet-stream",
        content_encoding="binary",
        delivery_mode=2,
        confirm_timeout=5,
        retry=False,
    )


def chains(amqp_url: str, database_url: str, count: int) -> list[float]:
    """Milliseconds from the first hop's publish to the last hop's commit, for each of `count` chains."""
    dsn = make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as setup:
        setup.execute("CREATE TABLE floor_hop (id bigserial PRIMARY KEY, chain text NOT NULL, hop int NOT NULL)")
    exchange = Exchange(f"floor.{uuid.uuid4().hex[:8]}", type="direct", durable=False, auto_delete=True)
    done = threading.Event()
    ended: dict[str, float] = {}

    def finished(chain: str) -> None:
        ended[chain] = time.perf_counter()
        done.set()

    with Connection(amqp_url, transport_options={"confirm_publish": True}) as connection:
        channel = connection.channel()
        exchange(channel).declare()
        hops = [Hop(index, amqp_url, dsn, exchange, finished) for index in range(1, HOPS + 1)]
        for hop in hops:
            hop.start()
        for hop in hops:
            hop.ready.wait(10)
        producer = Producer(channel, exchange=exchange, auto_declare=False)
        samples = []
        try:
            for number in range(WARM_UP + count):
                chain = uuid.uuid4().hex
                done.clear()
                started = time.perf_counter()
                publish(producer, "hop1", chain.encode())
                if not done.wait(TIMEOUT_SECONDS):
                    raise TimeoutError(f"chain {number} did not finish")
                if number >= WARM_UP:
                    samples.append((ended[chain] - started) * 1000)
        finally:
            for hop in hops:
                hop.stop()
            for hop in hops:
                try:
                    hop.queue(channel).delete()
                except Exception:  # the vhost goes with the run anyway
                    pass
    return samples


def measure(count: int = CHAINS) -> dict[str, float]:
    with isolated_vhost() as amqp_url, fresh_postgres_database("floor") as database_url:
        return percentiles(chains(amqp_url, database_url, count))


def floor() -> dict[str, float]:
    """The floor's percentiles, measured on first use in this process."""
    global _measured
    if _measured is None:
        _measured = measure()
    return _measured


def floor_p50() -> float:
    return floor()["p50"]


def ratio(milliseconds: float) -> float:
    """A figure as a multiple of the floor's p50 in this run."""
    return round(milliseconds / floor_p50(), 1)


def describe() -> str:
    figures = floor()
    return (
        f"Floor: {HOPS} hops of confirmed publish to a quorum queue → consume → PostgreSQL insert and commit "
        f"({figures['n']} chains, milliseconds)\n"
        f"  {'four hops':28s} p50 {figures['p50']:7.2f}   p99 {figures['p99']:7.2f}   max {figures['max']:7.2f}"
    )


def main() -> None:
    print(describe())
    print(json.dumps({"floor_ms": floor()}))


if __name__ == "__main__":
    main()
