"""The sign-off service's events: the payloads it publishes (handlers.py holds the table of those it consumes)."""

from __future__ import annotations

from services.signoff.models import Signoff, SignoffRequest
from shared.events.payloads import facts_of

PUBLISHES = ("signoff.requested", "signoff.recorded", "signoff.revoked")


def signoff_requested(request: SignoffRequest) -> dict:
    return {
        **facts_of(request, "passport_id", "holder_id", "trust_id", request_id="id"),
        "skill_codes": [skill.skill_code for skill in request.skills],
        "requested_at": request.requested_at,
    }


def _ref(signoff: Signoff) -> dict:
    return facts_of(signoff, "passport_id", "skill_code", "holder_id", "trust_id", signoff_id="id")


def signoff_recorded(signoff: Signoff) -> dict:
    return {**_ref(signoff), **facts_of(signoff, "outcome", "supervisor_id", "decided_at")}


def signoff_revoked(signoff: Signoff) -> dict:
    return {**_ref(signoff), **facts_of(signoff.revocation, "revoked_by", "reason", "revoked_at")}
