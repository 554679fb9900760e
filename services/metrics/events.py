"""The metrics service's events: the payload it publishes (services/metrics/handlers.py consumes every other)."""

from __future__ import annotations

from datetime import datetime

from services.metrics.models import COUNTER_NAMES, CurrentCounts

PUBLISHES = ("metrics.recalculated",)


def metrics_recalculated(counts: CurrentCounts, caused_by: str, at: datetime) -> dict:
    return {
        "trust_id": counts.trust_id,
        "passport_type": counts.passport_type,
        "counts": {counter: getattr(counts, counter) for counter in COUNTER_NAMES},
        "caused_by": caused_by,
        "recalculated_at": at,
    }
