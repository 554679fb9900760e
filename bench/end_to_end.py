"""End to end on PostgreSQL, every service as real processes (gunicorn, relays, consumers): from a
supervisor's final sign-off being accepted (201) to the person's roster entry and the Trust's dashboard
both showing the certificate, through signoff → passport → certificate → planning and metrics.

Passports are prepared up to their last skill first, and a few are finished to warm every process up
(not counted); the final sign-offs then arrive at a steady rate. How "showing it" is seen:

- `BENCH_OBSERVE=events` (the default): a subscriber on the exchange notes when the `roster.updated`
  matching the sign-off's correlation id arrives, and the first `metrics.recalculated` whose count of
  certificates issued includes its certificate (bench/support.py says why not by correlation id). Each is
  staged in the very transaction that changes what the API answers, and leaves only once that has
  committed, so the API shows the change no later: an upper bound that adds no load of its own. The APIs
  are read afterwards to check that every roster entry and the dashboard's count are there.

Every figure is also given as a multiple of the floor (bench/floor.py) measured in the same run.
- `BENCH_OBSERVE=api`: each final sign-off is followed by polling the roster and the dashboard every
  5 ms, as a person refreshing them would; the polling itself loads the services it measures.

    python -m bench.end_to_end          (BENCH_PASSPORTS=100, BENCH_RATE=10 per second by default)
"""

from __future__ import annotations

import json
import os
import time
from concurrent.futures import ThreadPoolExecutor

from bench import floor
from bench.support import (
    Arrivals,
    figure_line,
    percentiles,
    poll_until,
    running_platform,
    wait_until_counted,
    with_ratios,
)
from tests.support.journey import PASSPORT_TYPE, Trust, dashboard_counts, prepare, sign_off

PASSPORTS = int(os.environ.get("BENCH_PASSPORTS", "100"))
RATE_PER_SECOND = float(os.environ.get("BENCH_RATE", "10"))
WARM_UP = 3  # final sign-offs before the clock starts: each process's first certificate pays for loading keys
OBSERVE = os.environ.get("BENCH_OBSERVE", "events")
TIMEOUT_SECONDS = 30.0
# The quiet target, in multiples of the floor measured in the same run (bench/floor.py).
TARGET_FLOOR_RATIO = 8


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
            on_roster = poll_until(lambda: bool(own_roster.get(path).json()), deadline)
            counted = certified_before + index + 1
            on_dashboard = poll_until(
                lambda: dashboard_counts(trust, own_dashboard).get("certified", 0) >= counted, deadline
            )
        else:
            on_roster = arrivals.wait_for(correlation_id, "roster.updated", deadline)
            on_dashboard = arrivals.on_dashboard(trust.id, correlation_id, deadline)
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
    floor_p50 = floor.floor_p50()  # before the platform starts, on the same machine in the same run
    with running_platform() as (stack, amqp_url):
        trust = Trust(stack, "Benchmark Trust")
        with ThreadPoolExecutor(max_workers=4) as pool:
            journeys = list(pool.map(lambda _: prepare(trust, signed_off_but=1), range(WARM_UP + PASSPORTS)))
        # The clock starts once the preparation's events have all been applied.
        wait_until_counted(trust, "skills_signed_off", sum(len(journey.skills) - 1 for journey in journeys))
        with Arrivals(amqp_url) as arrivals:  # before the first certificate: it ranks every one
            measure(trust, journeys[:WARM_UP], arrivals)
            results = measure(trust, journeys[WARM_UP:], arrivals, certified_before=WARM_UP)
    figures = {
        name: percentiles([sample[column] for sample in results.values()])
        for column, name in enumerate(("roster", "dashboard", "both"))
    }
    print(floor.describe())
    print(
        f"End to end on PostgreSQL: final sign-off accepted → roster and dashboard show it "
        f"({PASSPORTS} passports, {RATE_PER_SECOND:g} final sign-offs/s, seen by {OBSERVE}, milliseconds)"
    )
    for name, label in (
        ("roster", "roster entry (planning)"),
        ("dashboard", "dashboard count (metrics)"),
        ("both", "both showing it"),
    ):
        print(figure_line(label, figures[name], floor_p50))
    print(f"  target: both showing it p50 ≤ {TARGET_FLOOR_RATIO} × floor ({TARGET_FLOOR_RATIO * floor_p50:.1f} ms)")
    print(
        json.dumps(
            {
                "end_to_end": {
                    "observed_by": OBSERVE,
                    "floor_p50_ms": floor_p50,
                    **{name: with_ratios(row, floor_p50) for name, row in figures.items()},
                }
            }
        )
    )


if __name__ == "__main__":
    main()
