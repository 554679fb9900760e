"""The metrics service's events: the payload it publishes and the handlers of every event it consumes.

Every event type of the catalogue but its own is consumed: each is kept for `rebuild`, and projected."""
from __future__ import annotations

from datetime import datetime

from services.metrics import handlers
from services.metrics.models import COUNTER_NAMES, CurrentCounts

PUBLISHES = ("metrics.recalculated",)


def metrics_recalculated(counts: CurrentCounts, caused_by: str, at: datetime) -> dict:
    return {
        "trust_id": counts.trust_id, "passport_type": counts.passport_type,
        "counts": {counter: getattr(counts, counter) for counter in COUNTER_NAMES},
        "caused_by": caused_by, "recalculated_at": at,
    }


# --- Consumed: each event type's projection; `rebuild` replays kept events through the same ones ------

PROJECTIONS = {
    "trust.created": handlers.ignore,
    "user.registered": handlers.person_changed,
    "user.updated": handlers.person_changed,
    "user.deactivated": handlers.ignore,
    "passport.started": handlers.passport_started,
    "passport.skill_assessed": handlers.skill_assessed,
    "passport.learning_recorded": handlers.learning_recorded,
    "passport.completed": handlers.passport_completed,
    "passport.reopened": handlers.passport_reopened,
    "passport.withdrawn": handlers.passport_withdrawn,
    "signoff.requested": handlers.ignore,
    "signoff.recorded": handlers.signoff_recorded,
    "signoff.revoked": handlers.signoff_revoked,
    "certificate.issued": handlers.certificate_issued,
    "certificate.revoked": handlers.certificate_revoked,
    "certificate.expired": handlers.certificate_expired,
    "roster.updated": handlers.roster_updated,
    "plan.updated": handlers.plan_updated,
    "measure.defined": handlers.measure_defined,
    "cohort.updated": handlers.cohort_updated,
}

HANDLERS = {event_type: handlers.recording(projection) for event_type, projection in PROJECTIONS.items()}
