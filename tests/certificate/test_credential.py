"""Each certificate as a signed Open Badges 3.0 credential, and its public verification."""

import base64
import json
import uuid
from datetime import UTC, datetime, timedelta

import jwt
import pytest

from services.certificate.credential import signature_holds
from services.certificate.models import Certificate
from shared.auth import keys_from_jwks
from tests.certificate.conftest import ROLE, TRUST_NAME, problem


def credential_of(service, certificate, person):
    response = service.client.get(f"/certificates/{certificate['id']}/credential", headers=person.headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def published_keys(service) -> dict:
    response = service.client.get("/.well-known/jwks.json")  # public: no token
    assert response.status_code == 200
    return keys_from_jwks(response.get_json())


def _timestamp(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_the_credential_is_an_open_badges_3_achievement_credential_that_verifies_with_the_jwks(service, holder):
    certificate = service.certified(holder)
    body = credential_of(service, certificate, holder)
    token, credential = body["jwt"], body["credential"]

    header = jwt.get_unverified_header(token)
    assert header["alg"] == "RS256"
    keys = published_keys(service)
    assert header["kid"] in keys
    claims = jwt.decode(token, keys[header["kid"]], algorithms=["RS256"])
    assert claims["vc"] == credential

    assert credential["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    assert credential["id"] == f"urn:uuid:{certificate['id']}"
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    issuer = credential["issuer"]
    assert issuer["type"] == ["Profile"] and issuer["name"] == TRUST_NAME
    assert issuer["id"] == f"urn:uuid:{service.trust_id}"
    assert _timestamp(credential["validFrom"]) == datetime.fromisoformat(certificate["issued_at"]).replace(
        microsecond=0
    )
    assert _timestamp(credential["validUntil"]) == datetime.fromisoformat(certificate["expires_at"]).replace(
        microsecond=0
    )
    assert ROLE in credential["name"]
    subject = credential["credentialSubject"]
    assert subject["type"] == ["AchievementSubject"] and subject["id"] == f"urn:uuid:{holder.id}"
    achievement = subject["achievement"]
    assert achievement["type"] == ["Achievement"] and achievement["name"] == ROLE
    assert achievement["id"].startswith("urn:uuid:")
    assert "NRSS" in achievement["description"] and "signed off" in achievement["criteria"]["narrative"]

    # The registered claims mirror the credential (VC-JWT).
    assert claims["iss"] == issuer["id"] and claims["sub"] == subject["id"] and claims["jti"] == credential["id"]
    assert claims["nbf"] == int(_timestamp(credential["validFrom"]).timestamp())
    assert claims["exp"] == int(_timestamp(credential["validUntil"]).timestamp())
    assert "Alex" not in json.dumps(credential)  # the holder appears by id only


def _tampered(token: str) -> str:
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["vc"]["credentialSubject"]["achievement"]["name"] = "Registered Children's Nurse"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{forged}.{signature}"


def test_a_credential_with_a_broken_signature_does_not_verify(service, holder):
    token = credential_of(service, service.certified(holder), holder)["jwt"]
    keys = published_keys(service)
    assert signature_holds(token, keys.get)
    assert not signature_holds(_tampered(token), keys.get)
    header, payload, signature = token.split(".")
    assert not signature_holds(f"{header}.{payload}.{signature[:-6]}AAAAAA", keys.get)
    assert not signature_holds(token, {}.get)  # a key nobody published
    assert not signature_holds("not a jwt", keys.get)
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(_tampered(token), keys[jwt.get_unverified_header(token)["kid"]], algorithms=["RS256"])


def test_verify_needs_no_login_and_shows_only_name_role_trust_and_dates(service, holder):
    certificate = service.certified(holder)
    verification = service.verify(certificate["id"])
    assert verification == {
        "valid": True,
        "status": "valid",
        "certificate_id": certificate["id"],
        "holder_name": "Alex Morgan-Reyes",
        "role": ROLE,
        "passport_type": "NRSS",
        "trust_name": TRUST_NAME,
        "issued_at": certificate["issued_at"],
        "expires_at": certificate["expires_at"],
    }


def test_verify_of_an_unknown_certificate_is_a_404_problem(service):
    problem(service.client.get(f"/certificates/{uuid.uuid4()}/verify"), 404)
    problem(service.client.get("/certificates/not-a-uuid/verify"), 404)


def test_a_revoked_certificate_does_not_verify_and_certificate_revoked_is_staged(service, holder):
    certificate = service.certified(holder)
    admin = service.person("trust_admin")
    response = service.revoke(certificate["id"], admin, reason="Sign-off evidence was falsified")
    assert response.status_code == 200, response.get_json()
    revoked = response.get_json()
    assert revoked["status"] == "revoked" and revoked["revoked_by"] == str(admin.id)

    verification = service.verify(certificate["id"])
    assert verification["valid"] is False and verification["status"] == "revoked"
    [event] = service.outbox("certificate.revoked")
    assert event["subject"] == certificate["id"]
    assert event["data"]["reason"] == "Sign-off evidence was falsified"
    assert event["data"]["revoked_by"] == str(admin.id)
    assert datetime.fromisoformat(event["data"]["revoked_at"]) == datetime.fromisoformat(revoked["revoked_at"])
    # The credential itself still carries a good signature: revocation is what /verify adds.
    token = credential_of(service, certificate, holder)["jwt"]
    assert signature_holds(token, published_keys(service).get)


def test_a_certificate_past_its_expiry_verifies_as_expired_even_before_the_sweep(service, holder):
    certificate = service.certified(holder)
    with service.runtime.database.session() as session:
        session.get(Certificate, uuid.UUID(certificate["id"])).expires_at = datetime.now(UTC) - timedelta(seconds=1)
        session.commit()
    verification = service.verify(certificate["id"])
    assert verification["valid"] is False and verification["status"] == "expired"
