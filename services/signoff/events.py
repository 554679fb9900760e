"""The sign-off service's events: the payloads it publishes (handlers.py holds the table of those it consumes)."""

from __future__ import annotations

from services.signoff.models import Signoff, SignoffRequest

PUBLISHES = ("signoff.requested", "signoff.recorded", "signoff.revoked")


def signoff_requested(request: SignoffRequest) -> dict:
    return {
        "request_id": request.id,
        "passport_id": request.passport_id,
        "holder_id": request.holder_id,
        "trust_id": request.trust_id,
        "skill_codes": [skill.skill_code for skill in request.skills],
        "requested_at": request.requested_at,
    }


def _ref(signoff: Signoff) -> dict:
    return {
        "signoff_id": signoff.id,
        "passport_id": signoff.passport_id,
        "skill_code": signoff.skill_code,
        "holder_id": signoff.holder_id,
        "trust_id": signoff.trust_id,
    }


def signoff_recorded(signoff: Signoff) -> dict:
    return {
        **_ref(signoff),
        "outcome": signoff.outcome,
        "supervisor_id": signoff.supervisor_id,
        "decided_at": signoff.decided_at,
    }


def signoff_revoked(signoff: Signoff) -> dict:
    revocation = signoff.revocation
    return {
        **_ref(signoff),
        "revoked_by": revocation.revoked_by,
        "reason": revocation.reason,
        "revoked_at": revocation.revoked_at,
    }
