"""End to end on PostgreSQL, every service as real processes (gunicorn, relays, consumers): from a
supervisor's final sign-off being accepted (201) to the person's roster entry and the Trust's dashboard
both showing the certificate, through signoff → passport → certificate → planning and metrics.

Passports are prepared up to their last skill first, and a few are finished to warm every process up
(not counted); the final sign-offs then arrive at a steady rate and each is followed by polling the two
APIs every 5 ms, so that the figure is what a person refreshing the roster or the dashboard would see.

    python -m bench.end_to_end          (BENCH_PASSPORTS=100, BENCH_RATE=10 per second by default)
"""
from __future__ import annotations

import json
import os
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench.support import DATABASE_SERVER_URL, isolated_vhost, percentiles
from tests.support.journey import PASSPORT_TYPE, Trust, dashboard_counts, prepare, sign_off, start_platform
from tests.support.stack import Stack

PASSPORTS = int(os.environ.get("BENCH_PASSPORTS", "100"))
RATE_PER_SECOND = float(os.environ.get("BENCH_RATE", "10"))
WARM_UP = 3  # final sign-offs before the clock starts: each process's first certificate pays for loading keys
POLL_SECONDS = 0.005
TIMEOUT_SECONDS = 30.0


def _poll_until(check, deadline: float) -> float:
    while time.perf_counter() < deadline:
        if check():
            return time.perf_counter()
        time.sleep(POLL_SECONDS)
    raise TimeoutError("not visible in time")


def measure(trust: Trust, journeys: list, certified_before: int = 0) -> dict[int, tuple[float, float, float]]:
    """For each journey, at its slot: the final sign-off, then wait for roster and dashboard. By journey:
    milliseconds until the roster showed it, the dashboard counted it, and both."""
    results = {}

    def finish(index: int, journey) -> None:
        # Each journey's own clients: requests sessions are not shared between threads.
        own_roster, own_dashboard = trust.lead.api("planning"), trust.lead.api("metrics")
        path = f"/roster?staff_id={journey.nurse.id}&role={PASSPORT_TYPE}&status=eligible"
        sign_off(trust, journey, journey.skills[-1], **{"X-Correlation-ID": f"bench-final-{index}"})
        accepted = time.perf_counter()
        deadline = accepted + TIMEOUT_SECONDS
        on_roster = _poll_until(lambda: bool(own_roster.get(path).json()), deadline)
        counted = certified_before + index + 1
        on_dashboard = _poll_until(lambda: dashboard_counts(trust, own_dashboard).get("certified", 0) >= counted, deadline)
        results[index] = tuple((moment - accepted) * 1000 for moment in (on_roster, on_dashboard,
                                                                          max(on_roster, on_dashboard)))

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
            _poll_until(lambda: dashboard_counts(trust).get("skills_signed_off", 0) >= expected,
                        time.perf_counter() + 300)
            measure(trust, journeys[:WARM_UP])
            results = measure(trust, journeys[WARM_UP:], certified_before=WARM_UP)
        finally:
            stack.stop()
    figures = {name: percentiles([sample[column] for sample in results.values()])
               for column, name in enumerate(("roster", "dashboard", "both"))}
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
