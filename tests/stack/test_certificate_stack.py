"""Certificate as real processes beside identity: passport.completed off the exchange to a certificate that
verifies over HTTP, and its revocation seen at /verify and on the exchange."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import pytest

from shared.events import make_envelope, serialise_payload
from tests.stack.test_identity_stack import Client
from tests.support.bus import publish_raw
from tests.support.stack import ADMIN_EMAIL, ADMIN_PASSWORD, Api, eventually

pytestmark = pytest.mark.stack


def passport_completed(nurse: dict, trust_id: str) -> tuple[str, bytes]:
    passport_id = str(uuid.uuid4())
    data = serialise_payload(
        "passport.completed",
        {
            "passport_id": uuid.UUID(passport_id),
            "staff_id": uuid.UUID(nurse["id"]),
            "trust_id": uuid.UUID(trust_id),
            "passport_type": "NRSS",
            "type_version": 1,
            "title": "Non-Registered Support Staff",
            "skill_count": 12,
            "completed_at": datetime.now(UTC),
        },
    )
    envelope = make_envelope(
        service="passport",
        event_type="passport.completed",
        subject=passport_id,
        data=data,
        trust_id=trust_id,
        correlation_id=None,
    )
    return passport_id, json.dumps(envelope).encode()


def test_a_completed_passport_becomes_a_certificate_that_verifies_until_revoked(stack, tap, amqp_url):
    stack.start_service("identity")
    stack.start_service("certificate")
    identity = Client(stack.url("identity"))
    admin = identity.token(ADMIN_EMAIL, ADMIN_PASSWORD)
    trust = identity.post(
        "/trusts", {"name": "Stack Certificate Trust", "ods_code": "RC" + uuid.uuid4().hex[:3].upper()}, admin
    ).json()
    nurse = identity.new_user(admin, trust["id"], roles=["staff"])
    trust_admin = identity.new_user(admin, trust["id"], roles=["trust_admin"])
    public = Api(stack.url("certificate"))

    passport_id, body = passport_completed(nurse, trust["id"])
    publish_raw(amqp_url, "passport.completed", body)
    publish_raw(amqp_url, "passport.completed", body)  # redelivered: still one certificate
    [issued] = tap.wait_for(
        lambda m: m.routing_key == "certificate.issued" and m.envelope["data"]["passport_id"] == passport_id, timeout=60
    )
    data = issued.envelope["data"]
    assert data["staff_id"] == nurse["id"] and data["trust_id"] == trust["id"] and data["passport_type"] == "NRSS"
    certificate_id = data["certificate_id"]
    assert data["verify_url"].endswith(f"/certificates/{certificate_id}/verify")

    # The names come from identity's events, which may reach the certificate service after the completion.
    verified = eventually(
        lambda: public.get(f"/certificates/{certificate_id}/verify").json(),
        lambda v: v["holder_name"] == "Stack User" and v["trust_name"] == "Stack Certificate Trust",
    )
    assert verified["valid"] is True and verified["status"] == "valid"
    assert verified["role"] == "Non-Registered Support Staff"

    as_nurse = public.as_user(identity.token(nurse["email"], nurse["password"]))
    credential = as_nurse.get(f"/certificates/{certificate_id}/credential")
    assert credential.status_code == 200, credential.text
    assert credential.json()["credential"]["id"] == f"urn:uuid:{certificate_id}"
    assert as_nurse.get(f"/certificates/{certificate_id}/pdf").headers["Content-Type"] == "application/pdf"

    as_trust_admin = public.as_user(identity.token(trust_admin["email"], trust_admin["password"]))
    revoked = as_trust_admin.post(f"/certificates/{certificate_id}/revoke", {"reason": "Issued in error"})
    assert revoked.status_code == 200, revoked.text
    [event] = tap.wait_for(lambda m: m.routing_key == "certificate.revoked" and m.envelope["subject"] == certificate_id)
    assert event.envelope["data"]["revoked_by"] == trust_admin["id"]
    assert event.envelope["data"]["reason"] == "Issued in error"
    after = public.get(f"/certificates/{certificate_id}/verify").json()
    assert after["valid"] is False and after["status"] == "revoked"

    tap.drain(quiet_seconds=2)
    issued_for_passport = [
        m
        for m in tap.received
        if m.routing_key == "certificate.issued" and m.envelope["data"]["passport_id"] == passport_id
    ]
    assert len(issued_for_passport) == 1
    assert len(as_nurse.get("/certificates").json()) == 1
