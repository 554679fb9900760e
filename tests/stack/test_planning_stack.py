"""Planning as real processes beside identity: certificate events off the exchange drive the roster."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from shared.events import make_envelope, serialise_payload
from tests.stack.test_identity_stack import Client
from tests.support.bus import publish_raw
from tests.support.stack import ADMIN_EMAIL, ADMIN_PASSWORD, Api, eventually

pytestmark = pytest.mark.stack


@pytest.fixture
def people(stack):
    """identity and planning running; a Trust with a nurse and a workforce lead, signed in."""
    stack.start_service("identity")
    stack.start_service("planning")
    identity = Client(stack.url("identity"))
    admin = identity.token(ADMIN_EMAIL, ADMIN_PASSWORD)
    trust = identity.post(
        "/trusts", {"name": "Stack Trust", "ods_code": "RQ" + uuid.uuid4().hex[:3].upper()}, admin
    ).json()
    nurse = identity.new_user(admin, trust["id"], roles=["staff"])
    workforce = identity.new_user(admin, trust["id"], roles=["workforce", "lead"])
    planning = Api(stack.url("planning"))
    return {
        "trust": trust,
        "nurse": nurse,
        "as_nurse": planning.as_user(identity.token(nurse["email"], nurse["password"])),
        "as_workforce": planning.as_user(identity.token(workforce["email"], workforce["password"])),
    }


def certificate_event(event_type: str, certificate: dict, **data) -> bytes:
    payload = serialise_payload(event_type, {**certificate, **data})
    envelope = make_envelope(
        service="certificate",
        event_type=event_type,
        subject=str(certificate["certificate_id"]),
        data=payload,
        trust_id=str(certificate["trust_id"]),
        correlation_id=None,
    )
    return json.dumps(envelope).encode()


def test_certification_makes_the_nurse_eligible_and_revocation_ineligible(stack, tap, people, amqp_url):
    nurse_id = uuid.UUID(people["nurse"]["id"])
    certificate = {
        "certificate_id": uuid.uuid4(),
        "staff_id": nurse_id,
        "trust_id": uuid.UUID(people["trust"]["id"]),
        "passport_id": uuid.uuid4(),
        "passport_type": "NRSS",
    }
    issued_at = datetime.now(UTC).replace(microsecond=0)
    publish_raw(
        amqp_url,
        "certificate.issued",
        certificate_event(
            "certificate.issued",
            certificate,
            type_version=1,
            role_title="Non-Registered Support Staff",
            issued_at=issued_at,
            expires_at=issued_at + timedelta(days=365),
            verify_url=f"http://certificate.test/certificates/{certificate['certificate_id']}/verify",
        ),
    )

    roster_path = f"/roster?staff_id={nurse_id}&role=NRSS"
    as_workforce = people["as_workforce"]
    [entry] = eventually(
        lambda: as_workforce.get(roster_path).json(), lambda rows: rows and rows[0]["status"] == "eligible"
    )
    assert entry["certificate_id"] == str(certificate["certificate_id"])
    assert datetime.fromisoformat(entry["since"]) == issued_at
    [event] = tap.wait_for(
        lambda m: m.routing_key == "roster.updated" and m.envelope["data"]["staff_id"] == str(nurse_id)
    )
    assert event.envelope["data"]["status"] == "eligible" and event.envelope["source"] == "/skillpass/planning"
    assert [row["status"] for row in people["as_nurse"].get("/roster").json()] == ["eligible"]  # staff see their own

    publish_raw(
        amqp_url,
        "certificate.revoked",
        certificate_event(
            "certificate.revoked",
            certificate,
            reason="Sign-off revoked",
            revoked_by=None,
            revoked_at=issued_at + timedelta(minutes=5),
        ),
    )
    [entry] = eventually(lambda: as_workforce.get(roster_path).json(), lambda rows: rows[0]["status"] == "ineligible")
    assert entry["reason"] == "revoked"
    updates = tap.wait_for(
        lambda m: m.routing_key == "roster.updated" and m.envelope["data"]["staff_id"] == str(nurse_id), count=2
    )
    assert [m.envelope["data"]["status"] for m in updates] == ["eligible", "ineligible"]

    nurse = people["nurse"]  # named from identity's user.registered, which planning consumes
    line = f"{nurse_id},{nurse['staff_number']},{nurse['name']},NRSS,ineligible,{certificate['certificate_id']},"
    exported = eventually(lambda: as_workforce.get("/roster.csv"), lambda answer: line in answer.text)
    assert exported.status_code == 200 and exported.headers["Content-Type"].startswith("text/csv")


def test_the_worked_example_loads_through_the_running_service(people):
    as_lead = people["as_workforce"]
    loaded = as_lead.post("/plans/example")
    assert loaded.status_code == 201, loaded.text
    picture = as_lead.get(f"/plans/{loaded.json()['id']}/process-map.svg")
    assert picture.status_code == 200 and "Education team" in picture.text
