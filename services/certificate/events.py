"""The certificate service's events: the payloads it publishes (handlers.py holds the table of those it consumes).

Published (payload schemas in shared/events/catalogue.py; subject = the certificate id; trustid = its Trust):
- `certificate.issued`: a passport completion was certified. The holder may be rostered in the role
  (`passport_type`) until `expires_at`, unless a later `certificate.revoked` or `certificate.expired` for
  the same `certificate_id` says otherwise. `verify_url` is the public, login-free check. A renewal (a newer
  completion of the same passport type by the same person) is a new `certificate.issued`; the certificate
  it replaces becomes `superseded` without an event of its own, since the new one carries the role on.
- `certificate.revoked`: the certificate no longer certifies anything. `revoked_by` is the trust_admin or
  lead who revoked it, or null when the passport was reopened (a sign-off no longer holds).
- `certificate.expired`: the certificate reached `expires_at`; published once, by the worker's sweep.

All three are public too (DESIGN §9): the relay republishes each to skillpass.public as
`<ODS code>.certificate.<...>` with a minimised payload naming the holder by staff number and name (kept
from user.* events) and no reason or revoker; the ODS code comes from trust.created.
"""

from __future__ import annotations

from services.certificate.models import Certificate
from shared.events.payloads import facts_of

PUBLISHES = ("certificate.issued", "certificate.revoked", "certificate.expired")


def _ref(certificate: Certificate) -> dict:
    return facts_of(certificate, "staff_id", "trust_id", "passport_id", "passport_type", certificate_id="id")


def certificate_issued(certificate: Certificate, verify_url: str) -> dict:
    return {
        **_ref(certificate),
        **facts_of(certificate, "type_version", "issued_at", "expires_at", role_title="title"),
        "verify_url": verify_url,
    }


def certificate_revoked(certificate: Certificate) -> dict:
    return {**_ref(certificate), **facts_of(certificate, "revoked_by", "revoked_at", reason="revocation_reason")}


def certificate_expired(certificate: Certificate) -> dict:
    return {**_ref(certificate), **facts_of(certificate, "expired_at")}
