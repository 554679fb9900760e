"""Run every benchmark: `make bench` (or `python -m bench`); `python -m bench floor burst` runs those named.

The floor (bench/floor.py) is measured once, first, and every latency benchmark after it in the same process
gives its figures as multiples of it."""

import sys

from bench import (
    burst,
    end_to_end,
    floor,
    identity_import,
    load,
    metrics_projection,
    outbox_latency,
    passport_consumer,
    passport_read,
    portal_page,
    service_throughput,
)

BENCHMARKS = {
    "floor": floor.main,
    "outbox_latency": outbox_latency.main,
    "passport_read": passport_read.main,
    "service_throughput": service_throughput.main,
    "metrics_projection": metrics_projection.main,
    "passport_consumer": passport_consumer.main,
    "end_to_end": end_to_end.main,
    "burst": burst.main,
    "load": lambda: load.main([]),
    "identity_import": identity_import.main,
    "portal_page": portal_page.main,
}

if __name__ == "__main__":
    names = sys.argv[1:] or list(BENCHMARKS)
    unknown = [name for name in names if name not in BENCHMARKS]
    if unknown:
        sys.exit(f"unknown benchmarks: {', '.join(unknown)}; known: {', '.join(BENCHMARKS)}")
    for name in names:
        BENCHMARKS[name]()
