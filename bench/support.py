"""What the benchmarks share: an isolated vhost and database, percentiles, a results line, events applied as
the consumer applies them."""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import tempfile
import threading
import time
import urllib.parse
import uuid
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

from kombu import Connection, Consumer, Queue, binding

from shared.broker import events_exchange
from shared.consumer import Handler, apply_batch
from shared.db import Database, drop_database, ensure_database
from shared.events import Event, load_payload, make_envelope, parse_envelope, serialise_payload
from tests.support.journey import SERVICES, dashboard_counts
from tests.support.stack import Stack, eventually

AMQP_URL = os.environ.get("AMQP_URL", "amqp://guest:guest@127.0.0.1:5672//")
DATABASE_SERVER_URL = os.environ.get("DATABASE_SERVER_URL", "postgresql://postgres@127.0.0.1:5432").rstrip("/")


@contextmanager
def isolated_vhost():
    """A fresh vhost when rabbitmqctl is at hand, so that a running stack sees none of the traffic."""
    ctl = shutil.which("rabbitmqctl")
    if not ctl:
        yield AMQP_URL
        return
    vhost = f"skillpass-bench-{uuid.uuid4().hex[:8]}"
    user = urllib.parse.urlsplit(AMQP_URL).username or "guest"
    subprocess.run([ctl, "add_vhost", vhost], check=True, capture_output=True)
    subprocess.run([ctl, "set_permissions", "-p", vhost, user, ".*", ".*", ".*"], check=True, capture_output=True)
    try:
        parsed = urllib.parse.urlsplit(AMQP_URL)
        yield urllib.parse.urlunsplit(parsed._replace(path="/" + vhost))
    finally:
        subprocess.run([ctl, "delete_vhost", vhost], capture_output=True)


@contextmanager
def fresh_postgres_database(name: str):
    url = f"postgresql+psycopg://{DATABASE_SERVER_URL.split('://', 1)[1]}/skillpass_bench_{name}_{uuid.uuid4().hex[:8]}"
    ensure_database(url)
    try:
        yield url
    finally:
        drop_database(url)


def percentiles(samples_ms: list[float]) -> dict[str, float]:
    ordered = sorted(samples_ms)
    cuts = statistics.quantiles(ordered, n=100, method="inclusive")
    return {"p50": round(cuts[49], 2), "p99": round(cuts[98], 2), "max": round(ordered[-1], 2), "n": len(ordered)}


def consumed(events: list[tuple[str, dict]], trust_id: uuid.UUID) -> list[tuple[Event, dict]]:
    """Events as a consumer reads them off its queue: each envelope made as its publisher makes it, parsed and
    its payload loaded (not timed: the baseline does the same)."""
    read = []
    for event_type, data in events:
        envelope = make_envelope(
            service="bench",
            event_type=event_type,
            subject="bench",
            data=serialise_payload(event_type, data),
            trust_id=str(trust_id),
            correlation_id=None,
        )
        event = parse_envelope(envelope)
        read.append((event, load_payload(event.type, event.data)))
    return read


def inbox_only(_event_type: str) -> Handler:
    """The baseline's handler: nothing beyond the inbox row and the transaction."""
    return lambda uow, event, payload: None


def applied_per_second(
    database: Database, service: str, events: list[tuple[Event, dict]], handler_for: Callable, batch: int = 1
) -> float:
    """Events applied as the consumer applies them: `batch` at a time in one transaction (a backlog, up to its
    prefetch), or one a transaction (events arriving one by one)."""
    started = time.perf_counter()
    for start in range(0, len(events), batch):
        apply_batch(
            database,
            service,
            [(event, payload, handler_for(event.type)) for event, payload in events[start : start + batch]],
        )
    return len(events) / (time.perf_counter() - started)


def throughput_figures(baseline: float, one_a_transaction: float, batched: float) -> dict[str, float]:
    """A consumer benchmark's figures for its JSON line: events a second and each as a ratio of the baseline."""
    return {
        "inbox_only_eps": round(baseline),
        "one_a_transaction_eps": round(one_a_transaction),
        "ratio": round(one_a_transaction / baseline, 2),
        "batched_eps": round(batched),
        "batched_ratio": round(batched / baseline, 2),
    }


def drain_until_stopped(connection: Connection, stopping: threading.Event) -> None:
    """Delivers to the connection's consumers whatever arrives, looking every 0.2 s whether to stop."""
    while not stopping.is_set():
        try:
            connection.drain_events(timeout=0.2)
        except TimeoutError:
            pass


def best_of_rounds(rounds: int, measures: dict[str, Callable[[], float]]) -> dict[str, float]:
    """Each measure taken `rounds` times, taking turns (so that a busy moment of a shared machine falls on all of
    them alike), and the best of its rounds kept."""
    best: dict[str, float] = {}
    for _ in range(max(rounds, 1)):
        for name, measure in measures.items():
            best[name] = max(best.get(name, 0.0), measure())
    return best


# --- The whole platform as real processes (end_to_end, burst, load) ------------------------------------

POLL_SECONDS = 0.005


class Arrivals(threading.Thread):
    """When each final sign-off (known by its correlation id) shows on the roster and on the dashboard, seen
    by a subscriber queue of its own on the exchange (exclusive, server-named, no acknowledgements).

    The roster: the `roster.updated` carrying the correlation id. The dashboard cannot be matched that way:
    metrics publishes one `metrics.recalculated` per Trust and passport type for each transaction, and a
    transaction applies a batch of events, so the message names only the batch's last event (its type in
    `caused_by`, its correlation id). A certificate counts instead from the first `metrics.recalculated` of
    its Trust whose `certificates_issued` reaches the certificate's rank among the Trust's
    `certificate.issued` events as they arrived here: one certificate worker publishes them in one order to
    this queue and to metrics' alike. (Waiting for a correlation id on `metrics.recalculated` times out
    whenever another event shared the certificate's batch; the platform then stops and deletes the vhost
    with this subscriber still consuming, and the broker's basic.cancel for its deleted queue surfaces as
    ConsumerCancelled: a consequence of the time-out, not its cause.)"""

    def __init__(self, amqp_url: str):
        super().__init__(daemon=True)
        self.connection = Connection(amqp_url)
        self.queue = Queue(
            exclusive=True,
            bindings=[
                binding(events_exchange, routing_key="roster.updated"),
                binding(events_exchange, routing_key="certificate.issued"),
                binding(events_exchange, routing_key="metrics.recalculated"),
            ],
        )
        self.seen: dict[tuple[str, str], float] = {}
        self.issued: dict[str, list[str]] = {}  # per Trust, correlation ids in order of certificate.issued
        self.counted: dict[str, list[tuple[float, int]]] = {}  # per Trust, (when, certificates_issued)
        self.changed = threading.Condition()
        self.stopping = threading.Event()
        self.ready = threading.Event()

    def __enter__(self) -> Arrivals:
        self.start()
        if not self.ready.wait(10):
            raise TimeoutError("the subscriber did not start consuming")
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def run(self) -> None:
        with Consumer(self.connection, [self.queue], callbacks=[self._arrived], accept=None, no_ack=True):
            self.ready.set()
            drain_until_stopped(self.connection, self.stopping)

    def _arrived(self, body, message) -> None:
        at = time.perf_counter()
        envelope = json.loads(body)
        event_type = message.delivery_info["routing_key"]
        trust_id = envelope.get("trustid") or ""
        correlation_id = envelope.get("correlationid") or ""
        with self.changed:
            if event_type == "metrics.recalculated":
                counts = envelope["data"]["counts"]
                self.counted.setdefault(trust_id, []).append((at, counts.get("certificates_issued", 0)))
            else:
                if (correlation_id, event_type) not in self.seen and event_type == "certificate.issued":
                    self.issued.setdefault(trust_id, []).append(correlation_id)
                self.seen.setdefault((correlation_id, event_type), at)
            self.changed.notify_all()

    def _until(self, found, what: str, deadline: float):
        with self.changed:
            while (result := found()) is None:
                if not self.is_alive():
                    raise RuntimeError("the subscriber stopped consuming")
                if not self.changed.wait(timeout=min(1.0, max(0.0, deadline - time.perf_counter()))):
                    if time.perf_counter() >= deadline:
                        raise TimeoutError(f"no {what}")
            return result

    def wait_for(self, correlation_id: str, event_type: str, deadline: float) -> float:
        """When the event of this type caused by the correlation id arrived."""
        return self._until(
            lambda: self.seen.get((correlation_id, event_type)), f"{event_type} for {correlation_id}", deadline
        )

    def on_dashboard(self, trust_id: str, correlation_id: str, deadline: float) -> float:
        """When the Trust's dashboard first counted the certificate this correlation id caused."""
        self.wait_for(correlation_id, "certificate.issued", deadline)
        with self.changed:
            rank = self.issued[trust_id].index(correlation_id) + 1

        def counted() -> float | None:
            moments = [at for at, issued in self.counted.get(trust_id, []) if issued >= rank]
            return min(moments) if moments else None

        return self._until(counted, f"dashboard count of the certificate for {correlation_id}", deadline)

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=5)
        self.connection.release()


def poll_until(check, deadline: float) -> float:
    while time.perf_counter() < deadline:
        if check():
            return time.perf_counter()
        time.sleep(POLL_SECONDS)
    raise TimeoutError("not visible in time")


@contextmanager
def running_platform(workers: int = 1, **settings: str):
    """The six services as real processes on fresh databases in a vhost of their own: (stack, amqp_url)."""
    with isolated_vhost() as amqp_url, tempfile.TemporaryDirectory() as logs:
        stack = Stack(amqp_url, DATABASE_SERVER_URL, Path(logs))
        try:
            for service in SERVICES:
                stack.start_service(service, workers=workers, LOG_LEVEL="WARNING", **settings)
            yield stack, amqp_url
        finally:
            stack.stop()


def wait_until_counted(trust, field: str, expected: int, timeout: float = 300) -> None:
    """Until the Trust's dashboard counts at least `expected` (`skills_signed_off`, `skills_self_assessed`…):
    the events of the preparation have been applied, and the clock can start on a quiet platform."""
    poll_until(lambda: dashboard_counts(trust).get(field, 0) >= expected, time.perf_counter() + timeout)


def bulk_sign_off(trust, journey, codes: list[str], **headers):
    """A supervisor's sign-off of these skills of a passport in one request (all recorded, or none)."""
    decision = {"outcome": "proficient", "comment": "Observed in practice, safe and confident"}
    body = {"passport_id": journey.passport_id, "signoffs": [{"skill_code": code, **decision} for code in codes]}
    signoff = trust.supervisor.api("signoff")
    # passport.started and the self-assessments may still be on their way to the sign-off service.
    response = eventually(
        lambda: signoff.post("/signoffs/bulk", body, **headers),
        lambda r: r.status_code not in (404, 409, 422),
        timeout=120,
        interval=0.05,
    )
    assert response.status_code == 201, response.text
    return response


def figure_line(label: str, row: dict, floor_p50: float) -> str:
    """A figure's percentiles in milliseconds and as multiples of the floor's p50."""
    return (
        f"  {label:28s} p50 {row['p50']:7.1f}   p99 {row['p99']:7.1f}   max {row['max']:7.1f}"
        f"   = floor × {row['p50'] / floor_p50:5.1f} (p50), × {row['p99'] / floor_p50:5.1f} (p99)"
    )


def with_ratios(row: dict, floor_p50: float) -> dict:
    return {
        **row,
        "p50_floor_ratio": round(row["p50"] / floor_p50, 1),
        "p99_floor_ratio": round(row["p99"] / floor_p50, 1),
    }
