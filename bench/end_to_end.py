"""End to end on PostgreSQL, every service as real processes (gunicorn, relays, consumers): from a
supervisor's final sign-off being accepted (201) to the person's roster entry and the Trust's dashboard
both showing the certificate, through signoff → passport → certificate → planning and metrics.

Passports are prepared up to their last skill first, and a few are finished to warm every process up
(not counted); the final sign-offs then arrive at a steady rate. How "showing it" is seen:

- `BENCH_OBSERVE=events` (the default): a subscriber on the exchange notes when `roster.updated` and the
  `metrics.recalculated` caused by the certificate arrive, matched by the sign-off's correlation id. Each
  is staged in the very transaction that changes what the API answers, and leaves only once that has
  committed, so the API shows the change no later: an upper bound that adds no load of its own. The APIs
  are read afterwards to check that every roster entry and the dashboard's count are there.
- `BENCH_OBSERVE=api`: each final sign-off is followed by polling the roster and the dashboard every
  5 ms, as a person refreshing them would; the polling itself loads the services it measures.

    python -m bench.end_to_end          (BENCH_PASSPORTS=100, BENCH_RATE=10 per second by default)
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from kombu import Connection, Consumer, Queue, binding

from bench.support import DATABASE_SERVER_URL, isolated_vhost, percentiles
from shared.broker import events_exchange
from tests.support.journey import PASSPORT_TYPE, Trust, dashboard_counts, prepare, sign_off, start_platform
from tests.support.stack import Stack

PASSPORTS = int(os.environ.get("BENCH_PASSPORTS", "100"))
RATE_PER_SECOND = float(os.environ.get("BENCH_RATE", "10"))
WARM_UP = 3  # final sign-offs before the clock starts: each process's first certificate pays for loading keys
OBSERVE = os.environ.get("BENCH_OBSERVE", "events")
POLL_SECONDS = 0.005
TIMEOUT_SECONDS = 30.0


class Arrivals(threading.Thread):
    """When each final sign-off's roster.updated and metrics.recalculated (for its certificate) arrive."""

    def __init__(self, amqp_url: str):
        super().__init__(daemon=True)
        self.connection = Connection(amqp_url)
        self.queue = Queue(
            exclusive=True,
            bindings=[
                binding(events_exchange, routing_key="roster.updated"),
                binding(events_exchange, routing_key="metrics.recalculated"),
            ],
        )
        self.seen: dict[tuple[str, str], float] = {}
        self.changed = threading.Condition()
        self.stopping = threading.Event()
        self.ready = threading.Event()

    def run(self) -> None:
        with Consumer(self.connection, [self.queue], callbacks=[self._arrived], accept=None, no_ack=True):
            self.ready.set()
            while not self.stopping.is_set():
                try:
                    self.connection.drain_events(timeout=0.2)
                except TimeoutError:
                    pass

    def _arrived(self, body, message) -> None:
        at = time.perf_counter()
        envelope = json.loads(body)
        event_type = message.delivery_info["routing_key"]
        if event_type == "metrics.recalculated" and envelope["data"]["caused_by"] != "certificate.issued":
            return
        with self.changed:
            self.seen.setdefault((envelope.get("correlationid") or "", event_type), at)
            self.changed.notify_all()

    def wait_for(self, correlation_id: str, event_type: str, deadline: float) -> float:
        with self.changed:
            while (correlation_id, event_type) not in self.seen:
                if not self.changed.wait(timeout=max(0.0, deadline - time.perf_counter())):
                    raise TimeoutError(f"no {event_type} for {correlation_id}")
            return self.seen[correlation_id, event_type]

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=5)
        self.connection.release()


def _poll_until(check, deadline: float) -> float:
    while time.perf_counter() < deadline:
        if check():
            return time.perf_counter()
        time.sleep(POLL_SECONDS)
    raise TimeoutError("not visible in time")


def measure(
    trust: Trust, journeys: list, arrivals: Arrivals, certified_before: int = 0
) -> dict[int, tuple[float, float, float]]:
    """For each journey, at its slot: the final sign-off, then wait for roster and dashboard. By journey:
    milliseconds until the roster showed it, the dashboard counted it, and both."""
    results = {}

    def finish(index: int, journey) -> None:
        # Each journey's own clients: requests sessions are not shared between threads.
        own_roster, own_dashboard = trust.lead.api("planning"), trust.lead.api("metrics")
        path = f"/roster?staff_id={journey.nurse.id}&role={PASSPORT_TYPE}&status=eligible"
        correlation_id = f"bench-final-{certified_before + index}"
        sign_off(trust, journey, journey.skills[-1], **{"X-Correlation-ID": correlation_id})
        accepted = time.perf_counter()
        deadline = accepted + TIMEOUT_SECONDS
        if OBSERVE == "api":
            on_roster = _poll_until(lambda: bool(own_roster.get(path).json()), deadline)
            counted = certified_before + index + 1
            on_dashboard = _poll_until(
                lambda: dashboard_counts(trust, own_dashboard).get("certified", 0) >= counted, deadline
            )
        else:
            on_roster = arrivals.wait_for(correlation_id, "roster.updated", deadline)
            on_dashboard = arrivals.wait_for(correlation_id, "metrics.recalculated", deadline)
        results[index] = tuple(
            (moment - accepted) * 1000 for moment in (on_roster, on_dashboard, max(on_roster, on_dashboard))
        )

    interval = 1.0 / RATE_PER_SECOND
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=8) as pool:
        futures = []
        for index, journey in enumerate(journeys):
            time.sleep(max(0.0, start + index * interval - time.perf_counter()))
            futures.append(pool.submit(finish, index, journey))
        for future in futures:
            future.result()
    certified = certified_before + len(journeys)
    assert dashboard_counts(trust)["certified"] == certified, "a certificate is not counted"
    roster = trust.lead.api("planning").get(f"/roster?role={PASSPORT_TYPE}&status=eligible&page_size=1")
    assert json.loads(roster.headers["X-Pagination"])["total"] == certified, "a roster entry is missing"
    return results


def main() -> None:
    with isolated_vhost() as amqp_url, tempfile.TemporaryDirectory() as logs:
        stack = Stack(amqp_url, DATABASE_SERVER_URL, Path(logs))
        try:
            start_platform(stack, LOG_LEVEL="WARNING")
            trust = Trust(stack, "Benchmark Trust")
            with ThreadPoolExecutor(max_workers=4) as pool:
                journeys = list(pool.map(lambda _: prepare(trust, signed_off_but=1), range(WARM_UP + PASSPORTS)))
            # The clock starts once the preparation's events have all been applied.
            expected = sum(len(journey.skills) - 1 for journey in journeys)
            _poll_until(
                lambda: dashboard_counts(trust).get("skills_signed_off", 0) >= expected, time.perf_counter() + 300
            )
            arrivals = Arrivals(amqp_url)
            arrivals.start()
            arrivals.ready.wait(10)
            measure(trust, journeys[:WARM_UP], arrivals)
            results = measure(trust, journeys[WARM_UP:], arrivals, certified_before=WARM_UP)
            arrivals.stop()
        finally:
            stack.stop()
    figures = {
        name: percentiles([sample[column] for sample in results.values()])
        for column, name in enumerate(("roster", "dashboard", "both"))
    }
    print(
        f"End to end on PostgreSQL: final sign-off accepted → roster and dashboard show it "
        f"({PASSPORTS} passports, {RATE_PER_SECOND:g} final sign-offs/s, seen by {OBSERVE}, milliseconds)"
    )
    for name, label in (
        ("roster", "roster entry (planning)"),
        ("dashboard", "dashboard count (metrics)"),
        ("both", "both showing it"),
    ):
        row = figures[name]
        print(f"  {label:28s} p50 {row['p50']:7.1f}   p99 {row['p99']:7.1f}   max {row['max']:7.1f}")
    print("  target: both showing it p50 ≤ 50 ms, p99 ≤ 150 ms")
    print(json.dumps({"end_to_end": {"observed_by": OBSERVE, **figures}}))


if __name__ == "__main__":
    main()
