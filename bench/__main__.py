"""Run every benchmark: `make bench` (or `python -m bench`)."""
from bench import metrics_projection, outbox_latency, passport_read

if __name__ == "__main__":
    outbox_latency.main()
    passport_read.main()
    metrics_projection.main()
