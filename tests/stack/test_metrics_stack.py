"""Metrics as real processes beside identity: a certificate.issued on the exchange reaches the dashboard,
and metrics.recalculated goes out on the bus."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

import jsonschema
import pytest

from shared.events import make_envelope, serialise_payload
from tests.stack.test_identity_stack import Client
from tests.support.bus import publish_raw
from tests.support.stack import ADMIN_EMAIL, ADMIN_PASSWORD, Api, eventually

pytestmark = pytest.mark.stack


def test_an_issued_certificate_shows_on_the_dashboard_and_is_announced(stack, tap, amqp_url, cloudevents_schema):
    stack.start_service("identity")
    stack.start_service("metrics")
    identity = Client(stack.url("identity"))
    admin = identity.token(ADMIN_EMAIL, ADMIN_PASSWORD)
    trust = identity.post(
        "/trusts", {"name": "Metrics Trust", "ods_code": "RM" + uuid.uuid4().hex[:3].upper()}, admin
    ).json()
    lead = identity.new_user(admin, trust["id"], roles=["lead"])
    metrics = Api(stack.url("metrics")).as_user(identity.token(lead["email"], lead["password"]))
    path = f"/trusts/{trust['id']}/dashboard"
    assert all(row["certified"] == 0 for row in metrics.get(path).json()["passport_types"])

    certificate = {
        "certificate_id": uuid.uuid4(),
        "staff_id": uuid.uuid4(),
        "trust_id": uuid.UUID(trust["id"]),
        "passport_id": uuid.uuid4(),
        "passport_type": "NRSS",
    }
    issued_at = datetime.now(UTC).replace(microsecond=0)
    payload = serialise_payload(
        "certificate.issued",
        {
            **certificate,
            "type_version": 1,
            "role_title": "Non-Registered Support Staff",
            "issued_at": issued_at,
            "expires_at": issued_at + timedelta(days=365),
            "verify_url": "http://certificate.test/verify",
        },
    )
    envelope = make_envelope(
        service="certificate",
        event_type="certificate.issued",
        subject=str(certificate["certificate_id"]),
        data=payload,
        trust_id=trust["id"],
        correlation_id=None,
    )
    publish_raw(amqp_url, "certificate.issued", json.dumps(envelope).encode(), message_id=envelope["id"])

    def nrss():
        return next(row for row in metrics.get(path).json()["passport_types"] if row["code"] == "NRSS")

    row = eventually(nrss, lambda r: r["certified"] == 1)
    assert row["certificates_issued"] == 1
    [message] = tap.wait_for(
        lambda m: m.routing_key == "metrics.recalculated" and m.envelope.get("trustid") == trust["id"]
    )
    jsonschema.validate(message.envelope, cloudevents_schema, format_checker=jsonschema.FormatChecker())
    assert message.envelope["source"] == "/skillpass/metrics"
    assert message.envelope["data"]["counts"]["certified"] == 1
    assert message.envelope["data"]["caused_by"] == "certificate.issued"
