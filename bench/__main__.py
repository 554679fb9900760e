"""Run every benchmark: `make bench` (or `python -m bench`)."""

from bench import (
    end_to_end,
    identity_import,
    metrics_projection,
    outbox_latency,
    passport_read,
    portal_page,
    service_throughput,
)

if __name__ == "__main__":
    outbox_latency.main()
    passport_read.main()
    service_throughput.main()
    metrics_projection.main()
    __import__("bench.passport_consumer", fromlist=["main"]).main()
    end_to_end.main()
    identity_import.main()
    portal_page.main()
