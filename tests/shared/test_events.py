import json
import uuid
from datetime import UTC, datetime

import jsonschema
import pytest
from marshmallow import ValidationError

from shared.events import CATALOGUE, MalformedEnvelope, load_payload, make_envelope, parse_envelope, serialise_payload


def _user_registered_data(**overrides):
    data = {
        "user_id": uuid.uuid4(),
        "trust_id": uuid.uuid4(),
        "email": "nurse@example.nhs.uk",
        "name": "Ada Nurse",
        "staff_number": "S123",
        "professional_group": "Nursing",
        "roles": ["staff"],
        "active": True,
        "registered_at": datetime.now(UTC),
    }
    return {**data, **overrides}


def test_envelope_is_a_valid_cloudevent_with_the_contract_attributes(cloudevents_schema):
    data = serialise_payload("user.registered", _user_registered_data())
    envelope = make_envelope(
        service="identity",
        event_type="user.registered",
        subject=data["user_id"],
        data=data,
        trust_id=data["trust_id"],
        correlation_id="req-1",
    )
    jsonschema.validate(envelope, cloudevents_schema, format_checker=jsonschema.FormatChecker())
    assert envelope["specversion"] == "1.0"
    assert envelope["type"] == "uk.nhs.skillpass.user.registered.v1"
    assert envelope["source"] == "/skillpass/identity"
    assert envelope["datacontenttype"] == "application/json"
    assert envelope["time"].endswith("Z")
    assert envelope["trustid"] == data["trust_id"]
    assert envelope["correlationid"] == "req-1"
    uuid.UUID(envelope["id"])


def test_envelope_without_a_trust_leaves_trustid_out(cloudevents_schema):
    envelope = make_envelope(
        service="identity",
        event_type="user.deactivated",
        subject="x",
        data={},
        trust_id=None,
        correlation_id=None,
    )
    assert "trustid" not in envelope and "correlationid" not in envelope
    jsonschema.validate(envelope, cloudevents_schema)


def test_parse_round_trips_an_envelope():
    envelope = make_envelope(
        service="identity", event_type="trust.created", subject="s", data={"a": 1}, trust_id="t", correlation_id="c"
    )
    event = parse_envelope(json.dumps(envelope).encode())
    assert (event.type, event.subject, event.trust_id, event.correlation_id) == ("trust.created", "s", "t", "c")
    assert str(event.id) == envelope["id"] and event.data == {"a": 1}


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[1, 2]",
        json.dumps(
            {"specversion": "0.3", "id": str(uuid.uuid4()), "type": "uk.nhs.skillpass.x.v1", "source": "/", "data": {}}
        ),
        json.dumps(
            {"specversion": "1.0", "id": "not-a-uuid", "type": "uk.nhs.skillpass.x.v1", "source": "/", "data": {}}
        ),
        json.dumps({"specversion": "1.0", "id": str(uuid.uuid4()), "type": "com.other.x", "source": "/", "data": {}}),
        json.dumps(
            {
                "specversion": "1.0",
                "id": str(uuid.uuid4()),
                "type": "uk.nhs.skillpass.x.v1",
                "source": "/",
                "data": "text",
            }
        ),
    ],
)
def test_parse_refuses_what_is_not_our_cloudevent(body):
    with pytest.raises(MalformedEnvelope):
        parse_envelope(body)


def test_publisher_refuses_a_payload_missing_a_field():
    data = _user_registered_data()
    del data["email"]
    with pytest.raises(ValidationError) as error:
        serialise_payload("user.registered", data)
    assert "email" in error.value.messages


def test_publisher_refuses_a_field_the_catalogue_does_not_describe():
    with pytest.raises(ValidationError) as error:
        serialise_payload("user.registered", _user_registered_data(password_hash="secret"))
    assert "password_hash" in error.value.messages


def test_consumer_loads_python_values_and_ignores_fields_added_later():
    payload = serialise_payload("user.registered", _user_registered_data())
    loaded = load_payload("user.registered", {**payload, "added_in_v1_1": True})
    assert isinstance(loaded["user_id"], uuid.UUID)
    assert "added_in_v1_1" not in loaded


def test_every_catalogued_event_names_its_publisher_and_has_fields():
    for event_type, spec in CATALOGUE.items():
        assert spec.type == event_type
        assert spec.publisher and spec.summary
        assert spec.schema().fields, event_type
