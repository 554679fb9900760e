"""The AsyncAPI document: valid AsyncAPI 3, committed as generated, and in agreement with the code."""

from __future__ import annotations

import copy
import json
import uuid
from datetime import UTC, date, datetime
from urllib.parse import urlsplit

import jsonschema
import pytest
import yaml
from marshmallow import Schema, fields, validate
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

from shared import asyncapi
from shared.asyncapi import build_document, render_yaml
from shared.broker import dead_letter_queue, service_queue
from shared.cli import main
from shared.events import CATALOGUE, make_envelope, serialise_payload
from shared.service import installed_services, load_spec
from tests.conftest import REPO_ROOT, reference_schema

COMMITTED = REPO_ROOT / "docs" / "asyncapi.yaml"
REGENERATE = "regenerate it with `skillpass asyncapi --output docs/asyncapi.yaml` (or `make asyncapi`)"
DOCUMENT_URI = "urn:skillpass:asyncapi"


@pytest.fixture(scope="module")
def document():
    return build_document()


@pytest.fixture(scope="module")
def asyncapi_validator():
    schema = reference_schema("asyncapi-3.0.0.json")
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema)


def test_the_document_is_valid_asyncapi_3(document, asyncapi_validator):
    errors = sorted(asyncapi_validator.iter_errors(document), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{'/'.join(map(str, e.absolute_path))}: {e.message[:300]}" for e in errors)


@pytest.mark.parametrize("breakage", ["amqp binding", "operation action", "server"])
def test_the_validator_does_reach_into_channels_operations_and_servers(document, asyncapi_validator, breakage):
    broken = copy.deepcopy(document)
    if breakage == "amqp binding":
        broken["channels"]["planning.events"]["bindings"]["amqp"]["is"] = "exchange"
    elif breakage == "operation action":
        next(iter(broken["operations"].values()))["action"] = "publish"  # AsyncAPI 2 wording
    else:
        del broken["servers"]["rabbitmq"]["protocol"]
    assert not asyncapi_validator.is_valid(broken)


def test_every_reference_in_the_document_resolves_inside_it(document):
    def references(node):
        if isinstance(node, dict):
            if isinstance(node.get("$ref"), str):
                yield node["$ref"]
            for value in node.values():
                yield from references(value)
        elif isinstance(node, list):
            for value in node:
                yield from references(value)

    resolver = _registry(document).resolver()
    found = list(references(document))
    assert found
    for reference in found:
        assert reference.startswith("#/"), reference
        resolver.lookup(DOCUMENT_URI + reference)  # raises when the target is missing


def test_the_committed_document_is_the_generated_one(document):
    assert COMMITTED.exists(), f"{COMMITTED} is missing: {REGENERATE}"
    committed_text = COMMITTED.read_text(encoding="utf-8")
    committed = yaml.safe_load(committed_text)
    assert committed == document, f"docs/asyncapi.yaml differs at {_differences(committed, document)}: {REGENERATE}"
    assert committed_text == render_yaml(document), f"docs/asyncapi.yaml was edited by hand: {REGENERATE}"


def _differences(old, new, path="") -> list[str]:
    """Where two documents differ, down to the first level that is not a mapping on both sides."""
    if not (isinstance(old, dict) and isinstance(new, dict)):
        return [path or "/"] if old != new else []
    return [
        found
        for key in sorted(set(old) | set(new))
        for found in _differences(old.get(key), new.get(key), f"{path}/{key}")
    ]


def test_asyncapi_check_fails_on_a_stale_document_and_passes_on_a_fresh_one(tmp_path, capsys):
    stale = tmp_path / "asyncapi.yaml"
    stale.write_text(COMMITTED.read_text(encoding="utf-8").replace("certificate.issued", "certificate.minted"))
    assert main(["asyncapi", "--check", str(stale)]) == 1
    assert "skillpass asyncapi --output" in capsys.readouterr().err

    assert main(["asyncapi", "--output", str(stale)]) == 0
    assert main(["asyncapi", "--check", str(stale)]) == 0


def test_every_catalogue_event_has_a_channel_a_message_and_its_publisher(document):
    for event_type, spec in CATALOGUE.items():
        channel = document["channels"][event_type]
        assert channel["address"] == event_type
        assert channel["bindings"]["amqp"]["exchange"] == {
            "name": "skillpass.events",
            "type": "topic",
            "durable": True,
            "autoDelete": False,
        }
        message = document["components"]["messages"][event_type]
        assert message["contentType"] == "application/cloudevents+json"
        assert message["summary"] == spec.summary
        send = document["operations"][f"{spec.publisher}.sends.{event_type}"]
        assert send["action"] == "send" and send["channel"] == {"$ref": f"#/channels/{event_type}"}
        assert send["bindings"]["amqp"]["deliveryMode"] == 2


@pytest.mark.parametrize("event_type", list(CATALOGUE))
def test_each_message_carries_every_payload_field_with_its_requiredness(document, event_type):
    spec = CATALOGUE[event_type]
    schemas = document["components"]["schemas"]
    data = schemas[spec.schema.__name__]
    declared = spec.schema().fields
    assert list(data["properties"]) == list(declared)
    assert data["required"] == [name for name, field in declared.items() if field.required]
    for name, field in declared.items():
        if field.metadata.get("description"):
            assert field.metadata["description"] in json.dumps(data["properties"][name])


def test_each_consumer_receives_what_it_handles_from_its_own_queue(document):
    for service in installed_services():
        handled = set(load_spec(service).handlers)
        received = {
            key.split(".receives.", 1)[1] for key in document["operations"] if key.startswith(f"{service}.receives.")
        }
        assert received == handled, service
        for event_type in handled:
            operation = document["operations"][f"{service}.receives.{event_type}"]
            assert operation["action"] == "receive"
            assert operation["channel"] == {"$ref": f"#/channels/{service}.events"}


def test_queue_arguments_are_those_the_broker_module_declares(document):
    consumers = {service: sorted(load_spec(service).handlers) for service in installed_services()}
    consumers = {service: keys for service, keys in consumers.items() if keys}
    assert consumers, "no consuming service found"
    for service, keys in consumers.items():
        declared = service_queue(service, keys)
        channel = document["channels"][f"{service}.events"]
        assert channel["bindings"]["amqp"]["x-arguments"] == declared.queue_arguments
        assert channel["bindings"]["amqp"]["queue"]["name"] == declared.name
        assert channel["x-bound-routing-keys"] == sorted(b.routing_key for b in declared.bindings)

        declared_dlq = dead_letter_queue(service)
        dlq_channel = document["channels"][f"{service}.events.dlq"]
        assert dlq_channel["address"] == declared_dlq.name
        assert dlq_channel["bindings"]["amqp"]["x-arguments"] == declared_dlq.queue_arguments


# --- The document and the code agree on the wire format ----------------------------------------------


def _registry(document) -> Registry:
    return Registry().with_resource(DOCUMENT_URI, Resource(contents=document, specification=DRAFT7))


def _strict_format_checker() -> jsonschema.FormatChecker:
    """Checks date-time and uri too, which jsonschema leaves unchecked without optional packages."""
    checker = jsonschema.FormatChecker()

    @checker.checks("date-time", raises=ValueError)
    def is_date_time(value):
        if not isinstance(value, str):
            return True
        return datetime.fromisoformat(value).tzinfo is not None and "T" in value

    @checker.checks("uri")
    def is_uri(value):
        return not isinstance(value, str) or bool(urlsplit(value).scheme and urlsplit(value).netloc)

    return checker


def payload_validator(document, event_type: str) -> jsonschema.Draft7Validator:
    """The message's payload schema as published in the document, $refs resolved within the document."""
    reference = {"$ref": f"{DOCUMENT_URI}#/components/messages/{event_type}/payload"}
    return jsonschema.Draft7Validator(reference, registry=_registry(document), format_checker=_strict_format_checker())


SAMPLES = {
    fields.UUID: lambda: uuid.uuid4(),
    fields.String: lambda: "text",
    fields.Email: lambda: "someone@example.nhs.uk",
    fields.Url: lambda: "https://certificate.example/verify/1",
    fields.AwareDateTime: lambda: datetime(2025, 3, 1, 9, 30, tzinfo=UTC),
    fields.Date: lambda: date(2025, 3, 1),
    fields.Integer: lambda: 3,
    fields.Float: lambda: 2.5,
    fields.Boolean: lambda: True,
}


def sample(schema_class: type[Schema], *, nulls: bool) -> dict:
    """Python values for every field; with `nulls`, None wherever the schema allows it."""

    def value(field):
        if nulls and field.allow_none:
            return None
        choices = [v for v in field.validators if isinstance(v, validate.OneOf)]
        if choices:
            return choices[0].choices[-1]
        if isinstance(field, fields.List):
            return [value(field.inner)]
        if isinstance(field, fields.Nested):
            return sample(field.nested, nulls=nulls)
        return SAMPLES[type(field)]()

    return {name: value(field) for name, field in schema_class().fields.items()}


def envelope_for(event_type: str, *, nulls: bool = False) -> dict:
    spec = CATALOGUE[event_type]
    data = serialise_payload(event_type, sample(spec.schema, nulls=nulls))
    return json.loads(
        json.dumps(
            make_envelope(
                service=spec.publisher,
                event_type=event_type,
                subject=str(uuid.uuid4()),
                data=data,
                trust_id=str(uuid.uuid4()),
                correlation_id="request-1",
            )
        )
    )


@pytest.mark.parametrize("nulls", [False, True], ids=["values", "nulls"])
@pytest.mark.parametrize("event_type", list(CATALOGUE))
def test_an_envelope_the_code_makes_is_valid_against_its_message(document, event_type, nulls):
    validator = payload_validator(document, event_type)
    envelope = envelope_for(event_type, nulls=nulls)
    errors = list(validator.iter_errors(envelope))
    assert not errors, [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors]


@pytest.mark.parametrize("event_type", list(CATALOGUE))
def test_a_message_schema_refuses_what_the_code_would_not_send(document, event_type):
    validator = payload_validator(document, event_type)
    spec = CATALOGUE[event_type]
    envelope = envelope_for(event_type)

    other_type = copy.deepcopy(envelope)
    other_type["type"] = "uk.nhs.skillpass.something.else.v1"
    assert not validator.is_valid(other_type)
    other_source = copy.deepcopy(envelope)
    other_source["source"] = "/skillpass/elsewhere"
    assert not validator.is_valid(other_source)

    required = [name for name, field in spec.schema().fields.items() if field.required]
    for name in required:
        missing = copy.deepcopy(envelope)
        del missing["data"][name]
        assert not validator.is_valid(missing), f"{event_type}: data without {name} accepted"
    for name, field in spec.schema().fields.items():
        wrong = copy.deepcopy(envelope)
        wrong["data"][name] = {"not": "this"} if not isinstance(field, fields.Nested) else "not this"
        assert not validator.is_valid(wrong), f"{event_type}: data.{name} of the wrong type accepted"


def test_an_unknown_field_type_stops_the_build():
    class WithDecimal(Schema):
        amount = fields.Decimal(required=True)

    with pytest.raises(asyncapi.UnsupportedField, match="Decimal"):
        asyncapi.payload_schemas([WithDecimal])


def test_an_unknown_validator_stops_the_build():
    class WithPattern(Schema):
        code = fields.String(required=True, validate=validate.Regexp("^[A-Z]+$"))

    with pytest.raises(asyncapi.UnsupportedField, match="Regexp"):
        asyncapi.payload_schemas([WithPattern])


def test_payload_schemas_stay_open_and_say_what_apispec_alone_would_not():
    class Part(Schema):
        """A part."""

        share = fields.Float(required=True, validate=validate.Range(min=0, max=1, min_inclusive=False))

    class Whole(Schema):
        part = fields.Nested(Part, required=True, metadata={"description": "the part"})
        link = fields.Url(required=True)
        colour = fields.String(load_default="blue", validate=validate.OneOf(["blue", "red"]))

    schemas = asyncapi.payload_schemas([Whole])
    assert schemas["Part"] == {
        "type": "object",
        "description": "A part.",
        "required": ["share"],
        "properties": {"share": {"type": "number", "maximum": 1.0, "exclusiveMinimum": 0.0}},
    }
    assert schemas["Whole"]["properties"] == {
        "part": {"description": "the part", "allOf": [{"$ref": "#/components/schemas/Part"}]},
        "link": {"type": "string", "format": "uri"},
        "colour": {"type": "string", "enum": ["blue", "red"]},
    }
    assert "additionalProperties" not in schemas["Whole"]


def test_the_uri_format_leaves_apispec_s_own_mapping_to_the_services_openapi_documents():
    from apispec.ext.marshmallow import OpenAPIConverter

    asyncapi.payload_schemas([CATALOGUE["certificate.issued"].schema])
    assert OpenAPIConverter.field_mapping[fields.Url] == ("string", "url")


# --- The public channels (DESIGN §9) -------------------------------------------------------------------

PUBLIC_EVENTS = [event_type for event_type, spec in CATALOGUE.items() if spec.public is not None]


def test_the_public_events_are_a_second_channel_set_on_the_public_exchange_behind_the_broker_s_security(document):
    assert {"certificate.issued", "certificate.revoked", "certificate.expired", "roster.updated"} <= set(PUBLIC_EVENTS)
    scheme = document["components"]["securitySchemes"]["brokerAccount"]
    assert scheme["type"] == "userPassword" and "skillpass subscribers add" in scheme["description"]
    server = document["servers"]["rabbitmq-subscribers"]
    assert server["security"] == [{"$ref": "#/components/securitySchemes/brokerAccount"}]
    public_channels = {key for key in document["channels"] if key.startswith("public.")}
    assert public_channels == {f"public.{event_type}" for event_type in PUBLIC_EVENTS}
    for event_type in PUBLIC_EVENTS:
        spec = CATALOGUE[event_type]
        channel = document["channels"][f"public.{event_type}"]
        assert channel["address"] == "{ods}." + event_type and "ods" in channel["parameters"]
        assert channel["servers"] == [{"$ref": "#/servers/rabbitmq-subscribers"}]
        assert channel["bindings"]["amqp"]["exchange"] == {
            "name": "skillpass.public",
            "type": "topic",
            "durable": True,
            "autoDelete": False,
        }
        send = document["operations"][f"{spec.publisher}.sends.public.{event_type}"]
        assert send["action"] == "send" and send["channel"] == {"$ref": f"#/channels/public.{event_type}"}
        message = document["components"]["messages"][f"public.{event_type}"]
        data = message["payload"]["allOf"][1]["properties"]["data"]
        assert data == {"$ref": f"#/components/schemas/{spec.public.__name__}"}
        schema = document["components"]["schemas"][spec.public.__name__]
        assert list(schema["properties"]) == list(spec.public().fields)
        assert "email" not in json.dumps(schema) and "staff_number" in schema["required"]
    internal_only = [event_type for event_type in CATALOGUE if event_type not in PUBLIC_EVENTS]
    assert not [
        key
        for key in document["channels"]
        if key.removeprefix("public.") in internal_only and key.startswith("public.")
    ]


@pytest.mark.parametrize("nulls", [False, True], ids=["values", "nulls"])
@pytest.mark.parametrize("event_type", PUBLIC_EVENTS)
def test_a_public_envelope_the_code_makes_is_valid_against_its_public_message(document, event_type, nulls):
    from shared.events.public import PublicFacts, public_envelope, public_payload

    spec = CATALOGUE[event_type]
    internal = sample(spec.schema, nulls=nulls)
    if "reason" in spec.public().fields:
        internal["reason"] = "revoked"  # the internal schema leaves it free; the domain uses three words
    facts = PublicFacts() if nulls else PublicFacts("N0042", "Sam Okafor")
    envelope = envelope_for(event_type)
    public = json.loads(json.dumps(public_envelope(envelope, public_payload(event_type, internal, facts))))
    validator = payload_validator(document, f"public.{event_type}")
    errors = list(validator.iter_errors(public))
    assert not errors, [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors]
    assert not validator.is_valid(envelope), "the internal payload passes for the public one"
