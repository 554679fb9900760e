"""Each certificate as an Open Badges 3.0 AchievementCredential (W3C VC data model v2), and its VC-JWT.

Pure functions: the credential from the certificate's facts, the JWT claims around it, and the check of a
presented JWT's signature. Signing itself is the key ring's.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import jwt

CONTEXT = ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]
CREDENTIAL_TYPE = ["VerifiableCredential", "OpenBadgeCredential"]
DEFAULT_ISSUER_NAME = "Skills Passports"
# Achievements are the passport types: one stable id per type version, whatever host serves it.
ACHIEVEMENT_NAMESPACE = uuid.UUID("0b7e8f9e-7a55-4b36-9d5a-6c1f3c0e2a41")


@dataclass(frozen=True)
class CertificateFacts:
    certificate_id: uuid.UUID
    staff_id: uuid.UUID
    trust_id: uuid.UUID
    trust_name: str | None
    passport_type: str
    type_version: int
    title: str
    issued_at: datetime
    expires_at: datetime
    public_base_url: str


def _timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def achievement_id(passport_type: str, type_version: int) -> str:
    return f"urn:uuid:{uuid.uuid5(ACHIEVEMENT_NAMESPACE, f'{passport_type}:{type_version}')}"


def build_credential(facts: CertificateFacts) -> dict[str, Any]:
    """The OpenBadgeCredential. The issuer is the holder's Trust; the holder appears only by id."""
    return {
        "@context": CONTEXT,
        "id": f"urn:uuid:{facts.certificate_id}",
        "type": CREDENTIAL_TYPE,
        "issuer": {
            "id": f"urn:uuid:{facts.trust_id}",
            "type": ["Profile"],
            "name": facts.trust_name or DEFAULT_ISSUER_NAME,
            "url": facts.public_base_url,
        },
        "validFrom": _timestamp(facts.issued_at),
        "validUntil": _timestamp(facts.expires_at),
        "name": f"{facts.title} — skills passport certificate",
        "credentialSubject": {
            "id": f"urn:uuid:{facts.staff_id}",
            "type": ["AchievementSubject"],
            "achievement": {
                "id": achievement_id(facts.passport_type, facts.type_version),
                "type": ["Achievement"],
                "achievementType": "Certificate",
                "name": facts.title,
                "description": (
                    f"Certified to work in the role {facts.title} ({facts.passport_type}) during critical care surge "
                    "rotation, having completed the digital skills passport for the role."
                ),
                "criteria": {
                    "narrative": (
                        f"Every skill of the {facts.passport_type} skills passport (version {facts.type_version}) "
                        "self-assessed by the holder and signed off proficient by a supervisor or educator."
                    ),
                },
            },
        },
    }


def jwt_claims(credential: dict[str, Any], issued_at: datetime, expires_at: datetime) -> dict[str, Any]:
    """The VC-JWT claims: the registered claims mirror the credential's issuer, subject, id and validity."""
    return {
        "iss": credential["issuer"]["id"],
        "sub": credential["credentialSubject"]["id"],
        "jti": credential["id"],
        "nbf": int(issued_at.timestamp()),
        "exp": int(expires_at.timestamp()),
        "vc": credential,
    }


def signature_holds(token: str, key_for: Callable[[str], Any | None]) -> bool:
    """Whether `token` is an RS256 JWT signed by the key its `kid` names. Validity dates are not judged here:
    an expired certificate's credential still carries a good signature."""
    try:
        kid = jwt.get_unverified_header(token).get("kid")
        key = key_for(kid) if isinstance(kid, str) else None
        if key is None:
            return False
        jwt.decode(token, key, algorithms=["RS256"], options={"verify_exp": False, "verify_nbf": False})
    except jwt.PyJWTError:
        return False
    return True
