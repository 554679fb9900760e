"""Sustained load, end to end on PostgreSQL with every service as real processes: many Trusts, each with
its staff, every member of staff taken through a whole passport (registered, passport started, every
skill self-assessed, all signed off in one bulk sign-off by the Trust's supervisor) until each is
certified, on the roster and counted on the Trust's dashboard.

What is reported is events a second: the events the services' consumers applied (each service's own
`skillpass_events_applied_total`, summed over every worker) divided by the time from the first request
to the moment the last passport shows on its Trust's dashboard, backlog included. It is measured with one
worker process per service and again with two, on fresh platforms in the same run. The drive time (all
requests answered) beside the settle time says whether the consumers kept up with the requests.

    python -m bench.load --trusts 20 --staff 150      (the issue's size)
    python -m bench.load --trusts 4 --staff 25        (what fits in minutes on 2 shared cores)

Under `make bench`, BENCH_LOAD_TRUSTS and BENCH_LOAD_STAFF give the size (20 and 150 by default).
"""

from __future__ import annotations

import argparse
import json
import os
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

from bench.support import bulk_sign_off, running_platform
from tests.support.journey import PASSPORT_TYPE, Trust, dashboard_counts, self_assessed

CLIENTS = 6  # people at their screens at once, across the Trusts
SETTLE_TIMEOUT_SECONDS = 1800.0


def events_applied(stack) -> int:
    """Events applied by every consumer of the platform so far, from each worker's /metrics."""
    total = 0
    for service in stack.worker_metrics_ports:
        for url in stack.worker_metrics_urls(service):
            with urllib.request.urlopen(url, timeout=10) as response:
                for line in response.read().decode().splitlines():
                    if line.startswith("skillpass_events_applied_total{"):
                        total += int(float(line.rsplit(" ", 1)[1]))
    return total


def whole_passport(trust: Trust) -> None:
    journey = self_assessed(trust)
    bulk_sign_off(trust, journey, journey.skills)


def run(trusts: int, staff: int, workers: int, clients: int) -> dict:
    with running_platform(workers=workers) as (stack, _amqp_url):
        people = [Trust(stack, f"Load Trust {index}") for index in range(trusts)]
        before = events_applied(stack)  # the Trusts' own people, registered before the clock starts
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=clients) as pool:
            # Round robin over the Trusts, as their staff would arrive at once.
            futures = [pool.submit(whole_passport, people[n % trusts]) for n in range(trusts * staff)]
            for future in futures:
                future.result()
        driven = time.perf_counter()
        deadline = driven + SETTLE_TIMEOUT_SECONDS
        for trust in people:
            while dashboard_counts(trust).get("certified", 0) < staff:
                if time.perf_counter() > deadline:
                    raise TimeoutError(f"{trust.record['name']} did not settle")
                time.sleep(0.2)
        settled = time.perf_counter()
        applied = events_applied(stack) - before
        rostered = sum(
            json.loads(
                t.lead.api("planning")
                .get(f"/roster?role={PASSPORT_TYPE}&status=eligible&page_size=1")
                .headers["X-Pagination"]
            )["total"]
            for t in people
        )
        assert rostered == trusts * staff, f"{rostered} of {trusts * staff} on the roster"
    return {
        "workers_per_service": workers,
        "passports": trusts * staff,
        "events_applied": applied,
        "drive_seconds": round(driven - started, 1),
        "settle_seconds": round(settled - started, 1),
        "events_per_second": round(applied / (settled - started), 1),
        "passports_per_second": round(trusts * staff / (settled - started), 2),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.split("\n\n")[0])
    # `make bench` runs it with no arguments: BENCH_LOAD_TRUSTS and BENCH_LOAD_STAFF size it there.
    parser.add_argument("--trusts", type=int, default=int(os.environ.get("BENCH_LOAD_TRUSTS", "20")))
    parser.add_argument(
        "--staff", type=int, default=int(os.environ.get("BENCH_LOAD_STAFF", "150")), help="staff per Trust"
    )
    parser.add_argument("--workers", default="1,2", help="worker processes per service, one platform each")
    parser.add_argument("--clients", type=int, default=CLIENTS, help="requests in flight at once")
    args = parser.parse_args(argv)
    results = [run(args.trusts, args.staff, int(n), args.clients) for n in args.workers.split(",")]
    print(
        f"Load on PostgreSQL: {args.trusts} Trusts × {args.staff} staff, each through a whole {PASSPORT_TYPE} "
        f"passport ({args.clients} clients at once)"
    )
    for row in results:
        print(
            f"  {row['workers_per_service']} worker(s) per service: {row['events_per_second']:7.1f} events/s applied "
            f"({row['events_applied']} events, {row['passports']} passports in {row['settle_seconds']:.1f} s; "
            f"requests done at {row['drive_seconds']:.1f} s)"
        )
    if len(results) > 1:
        print(f"  two workers / one: × {results[1]['events_per_second'] / results[0]['events_per_second']:.2f}")
    print(json.dumps({"load": {"trusts": args.trusts, "staff": args.staff, "runs": results}}))


if __name__ == "__main__":
    main()
