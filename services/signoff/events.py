"""The sign-off service's events: the payloads it publishes and the handlers of those it consumes."""
from __future__ import annotations

from services.signoff import domain, handlers
from services.signoff.models import Signoff, SignoffRequest

PUBLISHES = ("signoff.requested", "signoff.recorded", "signoff.revoked")


def signoff_requested(request: SignoffRequest) -> dict:
    return {"request_id": request.id, "passport_id": request.passport_id, "holder_id": request.holder_id,
            "trust_id": request.trust_id, "skill_codes": [skill.skill_code for skill in request.skills],
            "requested_at": request.requested_at}


def _ref(signoff: Signoff) -> dict:
    return {"signoff_id": signoff.id, "passport_id": signoff.passport_id, "skill_code": signoff.skill_code,
            "holder_id": signoff.holder_id, "trust_id": signoff.trust_id}


def signoff_recorded(signoff: Signoff) -> dict:
    return {**_ref(signoff), "outcome": signoff.outcome, "supervisor_id": signoff.supervisor_id,
            "decided_at": signoff.decided_at}


def signoff_revoked(signoff: Signoff) -> dict:
    revocation = signoff.revocation
    return {**_ref(signoff), "revoked_by": revocation.revoked_by, "reason": revocation.reason,
            "revoked_at": revocation.revoked_at}


# --- Consumed ----------------------------------------------------------------------------------------

def on_passport_started(uow, event, payload):
    handlers.apply_passport_started(uow, payload)


def on_skill_assessed(uow, event, payload):
    handlers.apply_self_assessment(uow, payload)


def on_passport_completed(uow, event, payload):
    handlers.apply_status(uow, payload, domain.COMPLETED, payload["completed_at"])


def on_passport_reopened(uow, event, payload):
    handlers.apply_status(uow, payload, domain.IN_PROGRESS, payload["reopened_at"])


def on_passport_withdrawn(uow, event, payload):
    handlers.apply_status(uow, payload, domain.WITHDRAWN, payload["withdrawn_at"])


def on_user_registered(uow, event, payload):
    handlers.apply_staff(uow, payload, payload["registered_at"])


def on_user_updated(uow, event, payload):
    handlers.apply_staff(uow, payload, payload["updated_at"])


def on_user_deactivated(uow, event, payload):
    handlers.apply_leaver(uow, payload)


HANDLERS = {
    "passport.started": on_passport_started,
    "passport.skill_assessed": on_skill_assessed,
    "passport.completed": on_passport_completed,
    "passport.reopened": on_passport_reopened,
    "passport.withdrawn": on_passport_withdrawn,
    "user.registered": on_user_registered,
    "user.updated": on_user_updated,
    "user.deactivated": on_user_deactivated,
}
