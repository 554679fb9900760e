"""End to end on PostgreSQL, every service as real processes (gunicorn, relays, consumers): from a
supervisor's final sign-off being accepted (201) to the person's roster entry and the Trust's dashboard
both showing the certificate, through signoff → passport → certificate → planning and metrics.

Passports are prepared up to their last skill first; the final sign-offs then arrive at a steady rate
and each is followed by polling the two APIs, so that the figure is what a person refreshing the roster
or the dashboard would see (the polling interval bounds the resolution).

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

from bench.support import DATABASE_SERVER_URL, isolated_vhost, percentiles
from tests.support.journey import PASSPORT_TYPE, Trust, dashboard_counts, prepare, sign_off, start_platform
from tests.support.stack import Stack

PASSPORTS = int(os.environ.get("BENCH_PASSPORTS", "100"))
RATE_PER_SECOND = float(os.environ.get("BENCH_RATE", "10"))
POLL_SECONDS = 0.002
TIMEOUT_SECONDS = 30.0


def _poll_until(check, deadline: float) -> float:
    while time.perf_counter() < deadline:
        if check():
            return time.perf_counter()
        time.sleep(POLL_SECONDS)
    raise TimeoutError("not visible in time")


def measure(trust: Trust, journeys: list) -> tuple[list[float], list[float], list[float]]:
    """For each journey, at its slot: the final sign-off, then wait for roster and dashboard."""
    roster_ms, dashboard_ms, both_ms = [], [], []
    results_lock = threading.Lock()

    def finish(index: int, journey) -> None:
        # Each journey's own clients: requests sessions are not shared between threads.
        own_roster, own_dashboard = trust.lead.api("planning"), trust.lead.api("metrics")
        path = f"/roster?staff_id={journey.nurse.id}&role={PASSPORT_TYPE}&status=eligible"
        sign_off(trust, journey, journey.skills[-1], **{"X-Correlation-ID": f"bench-final-{index}"})
        accepted = time.perf_counter()
        deadline = accepted + TIMEOUT_SECONDS
        on_roster = _poll_until(lambda: bool(own_roster.get(path).json()), deadline)
        on_dashboard = _poll_until(lambda: dashboard_counts(trust, own_dashboard).get("certified", 0) >= index + 1, deadline)
        with results_lock:
            roster_ms.append((on_roster - accepted) * 1000)
            dashboard_ms.append((on_dashboard - accepted) * 1000)
            both_ms.append((max(on_roster, on_dashboard) - accepted) * 1000)

    interval = 1.0 / RATE_PER_SECOND
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=8) as pool:
        futures = []
        for index, journey in enumerate(journeys):
            time.sleep(max(0.0, start + index * interval - time.perf_counter()))
            futures.append(pool.submit(finish, index, journey))
        for future in futures:
            future.result()
    assert dashboard_counts(trust)["certified"] == len(journeys), "a certificate is not counted"
    assert len(trust.lead.api("planning").get(f"/roster?role={PASSPORT_TYPE}&status=eligible&page_size=100").json()) == min(len(journeys), 100)
    return roster_ms, dashboard_ms, both_ms


def main() -> None:
    with isolated_vhost() as amqp_url, tempfile.TemporaryDirectory() as logs:
        stack = Stack(amqp_url, DATABASE_SERVER_URL, Path(logs))
        try:
            start_platform(stack, LOG_LEVEL="WARNING")
            trust = Trust(stack, "Benchmark Trust")
            with ThreadPoolExecutor(max_workers=4) as pool:
                journeys = list(pool.map(lambda _: prepare(trust, signed_off_but=1), range(PASSPORTS)))
            # The clock starts once the preparation's events have all been applied.
            expected = sum(len(journey.skills) - 1 for journey in journeys)
            _poll_until(lambda: dashboard_counts(trust).get("skills_signed_off", 0) >= expected,
                        time.perf_counter() + 300)
            roster_ms, dashboard_ms, both_ms = measure(trust, journeys)
        finally:
            stack.stop()
    figures = {name: percentiles(samples) for name, samples in
               (("roster", roster_ms), ("dashboard", dashboard_ms), ("both", both_ms))}
    print(f"End to end on PostgreSQL: final sign-off accepted → roster and dashboard show it "
          f"({PASSPORTS} passports, {RATE_PER_SECOND:g} final sign-offs/s, milliseconds)")
    for name, label in (("roster", "roster entry (planning)"), ("dashboard", "dashboard count (metrics)"),
                        ("both", "both showing it")):
        row = figures[name]
        print(f"  {label:28s} p50 {row['p50']:7.1f}   p99 {row['p99']:7.1f}   max {row['max']:7.1f}")
    print("  target: both showing it p50 ≤ 50 ms, p99 ≤ 150 ms")
    print(json.dumps({"end_to_end": figures}))


if __name__ == "__main__":
    main()
