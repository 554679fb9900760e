"""A supervisor's bulk sign-off, end to end on PostgreSQL with every service as real processes: one
`POST /signoffs/bulk` signs off all 44 skills of an NRSS passport at once, and the clock runs from its 201
until the person's roster entry and the Trust's dashboard both show the certificate.

The request stages 44 `signoff.recorded` events in one transaction: passport and metrics each take all 44
before the last one completes the passport, and only then do `passport.completed`, `certificate.issued`,
`roster.updated` and the certificate's `metrics.recalculated` follow. Each passport's burst runs on a quiet
platform (the previous one has been applied), one passport after another; seen as in bench/end_to_end.py,
by a subscriber on the exchange matching the request's correlation id.

    python -m bench.burst          (BENCH_BURST_PASSPORTS=50 by default)
"""

from __future__ import annotations

import json
import os
import time
from concurrent.futures import ThreadPoolExecutor

from bench import floor
from bench.support import (
    Arrivals,
    bulk_sign_off,
    figure_line,
    percentiles,
    running_platform,
    wait_until_counted,
    with_ratios,
)
from tests.support.journey import PASSPORT_TYPE, Trust, dashboard_counts, self_assessed

PASSPORTS = int(os.environ.get("BENCH_BURST_PASSPORTS", "50"))
WARM_UP = 3  # bursts before the clock starts: each process's first certificate pays for loading keys
TIMEOUT_SECONDS = 60.0
SETTLE_SECONDS = 0.3  # after a burst's last event, for its stragglers (cohort, plan measures) to be applied
# Targets, in multiples of the floor measured in the same run (bench/floor.py).
TARGET_P50_RATIO, TARGET_P99_RATIO = 40, 100


def burst(trust: Trust, journey, correlation_id: str, arrivals: Arrivals) -> tuple[float, float, float, float]:
    """Milliseconds for the request itself, and from its 201 until the roster, the dashboard, and both."""
    sent = time.perf_counter()
    bulk_sign_off(trust, journey, journey.skills, **{"X-Correlation-ID": correlation_id})
    accepted = time.perf_counter()
    deadline = accepted + TIMEOUT_SECONDS
    on_roster = arrivals.wait_for(correlation_id, "roster.updated", deadline)
    on_dashboard = arrivals.on_dashboard(trust.id, correlation_id, deadline)
    return tuple(
        (moment - start) * 1000
        for moment, start in (
            (accepted, sent),
            (on_roster, accepted),
            (on_dashboard, accepted),
            (max(on_roster, on_dashboard), accepted),
        )
    )


def main() -> None:
    floor_p50 = floor.floor_p50()  # before the platform starts, on the same machine in the same run
    with running_platform() as (stack, amqp_url):
        trust = Trust(stack, "Burst Trust")
        with ThreadPoolExecutor(max_workers=4) as pool:
            journeys = list(pool.map(lambda _: self_assessed(trust), range(WARM_UP + PASSPORTS)))
        wait_until_counted(trust, "skills_self_assessed", sum(len(journey.skills) for journey in journeys))
        skills = {len(journey.skills) for journey in journeys}
        samples = []
        with Arrivals(amqp_url) as arrivals:  # before the first certificate: it ranks every one
            for index, journey in enumerate(journeys):
                sample = burst(trust, journey, f"bench-burst-{index}", arrivals)
                if index >= WARM_UP:
                    samples.append(sample)
                time.sleep(SETTLE_SECONDS)
        assert dashboard_counts(trust)["certified"] == len(journeys), "a certificate is not counted"
    figures = {
        name: percentiles([sample[column] for sample in samples])
        for column, name in enumerate(("request", "roster", "dashboard", "both"))
    }
    print(floor.describe())
    print(
        f"Burst on PostgreSQL: one bulk sign-off of all {'/'.join(map(str, sorted(skills)))} skills of an "
        f"{PASSPORT_TYPE} passport, 201 → roster and dashboard show the certificate ({PASSPORTS} passports, "
        f"one at a time, milliseconds)"
    )
    for name, label in (
        ("request", "bulk request (to its 201)"),
        ("roster", "roster entry (planning)"),
        ("dashboard", "dashboard count (metrics)"),
        ("both", "both showing it"),
    ):
        print(figure_line(label, figures[name], floor_p50))
    print(
        f"  target: both showing it p50 ≤ {TARGET_P50_RATIO} × floor ({TARGET_P50_RATIO * floor_p50:.0f} ms), "
        f"p99 ≤ {TARGET_P99_RATIO} × floor ({TARGET_P99_RATIO * floor_p50:.0f} ms)"
    )
    print(
        json.dumps(
            {
                "burst": {
                    "floor_p50_ms": floor_p50,
                    **{name: with_ratios(row, floor_p50) for name, row in figures.items()},
                }
            }
        )
    )


if __name__ == "__main__":
    main()
