"""The AsyncAPI 3.0.0 document of the events, generated from the event catalogue and the services.

Nothing here is written by hand: channels and messages come from `shared.events.CATALOGUE`, payload
schemas are converted from its marshmallow schemas by apispec's marshmallow converter, consumers come
from each service's `handlers`, and queue arguments from `shared.broker`. The public events (DESIGN §9)
are a second set of channels, on `skillpass.public`, with their own minimised payload schemas and the
broker account outside systems use. `docs/asyncapi.yaml` is this module's output, committed, and a
test fails when the two differ (`skillpass asyncapi --output docs/asyncapi.yaml` regenerates it).
"""

from __future__ import annotations

from importlib.metadata import version
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin, OpenAPIConverter
from apispec.ext.marshmallow.common import resolve_schema_cls
from marshmallow import fields, validate

from shared.broker import (
    dead_letter_queue,
    dead_letter_queue_name,
    events_exchange,
    public_exchange,
    queue_name,
    service_queue,
)
from shared.config import DEAD_LETTER_EXCHANGE, EVENTS_EXCHANGE, PUBLIC_EXCHANGE
from shared.events.catalogue import CATALOGUE, EventSpec
from shared.events.envelope import CONTENT_TYPE, SPEC_VERSION, ce_type

ASYNCAPI_VERSION = "3.0.0"
AMQP_BINDING_VERSION = "0.3.0"
SERVER = "rabbitmq"
PUBLIC_SERVER = "rabbitmq-subscribers"
SECURITY_SCHEME = "brokerAccount"
PUBLIC_PREFIX = "public."
ENVELOPE_SCHEMA = "CloudEvent"
PERSISTENT = 2

DESCRIPTION = f"""\
Every event of the Skills Passports platform, as published on RabbitMQ.

**Outside systems** subscribe to the durable topic exchange `{PUBLIC_EXCHANGE}` (the channels
`public.*` below), never to `{EVENTS_EXCHANGE}`, which carries every Trust's personal data and is for
the services alone. A Trust's IT runs `skillpass subscribers add NAME --trust ODS` to get an account
(server `{PUBLIC_SERVER}`): it may declare queues named `sub.NAME.<anything>` and bind them to
`{PUBLIC_EXCHANGE}` with its own Trust's routing keys only, `<ODS code>.<event type>`, for example
`RR8.certificate.#`; the broker refuses anything else. The public events carry the same `id`, `type`,
`source`, `time`, `subject` and extensions as the internal ones, with a minimised `data` (staff number and
name, never an email).

**The services' bus.** On `{EVENTS_EXCHANGE}` the routing key is the event type, so
`certificate.issued` binds one event, `certificate.#` every certificate event and `#` all of them.
Each channel below without the `public.` prefix is one routing key. Never consume from another
service's queue.

**Messages.** Each message is a persistent AMQP message whose body is a
[CloudEvents 1.0](https://github.com/cloudevents/spec) envelope in structured JSON mode
(`content_type` `{CONTENT_TYPE}`, UTF-8). The AMQP `message_id` equals the envelope's `id`.
The envelope's `type` is `uk.nhs.skillpass.<event type>.v1`, its `source` `/skillpass/<publisher>`,
and the extensions `trustid` (the Trust the event belongs to) and `correlationid` (the request or
event that caused it) are set whenever they are known. `data` is the event's payload.

**Delivery is at least once.** The same event can arrive more than once (a publisher resends when a
confirm is lost): record the `id`s you have processed and ignore repeats. Events of different
entities arrive in no particular order.

**Compatibility.** Within a `.v1` type, fields may be added to `data`: ignore fields you do not
know. Removing or changing a field means a new type version.

**The services' own queues.** Each consuming service reads a quorum queue `<service>.events` bound
to the event types it handles; a message it still cannot handle after its bounded retries is
dead-lettered through `{DEAD_LETTER_EXCHANGE}` to `<service>.events.dlq`, where it stays until an
operator replays it (`skillpass <service> dead-letters`). They are documented here as channels too.
"""


class UnsupportedField(TypeError):
    """A marshmallow field or validator the document cannot describe: teach `PayloadConverter` about it."""


def build_document() -> dict[str, Any]:
    consumers = consumers_by_service()
    public_specs = {event_type: spec for event_type, spec in CATALOGUE.items() if spec.public is not None}
    schemas = payload_schemas(
        [spec.schema for spec in CATALOGUE.values()] + [spec.public for spec in public_specs.values()]
    )

    channels: dict[str, Any] = {event_type: event_channel(spec) for event_type, spec in CATALOGUE.items()}
    operations: dict[str, Any] = {}
    for event_type, spec in CATALOGUE.items():
        operations[f"{spec.publisher}.sends.{event_type}"] = send_operation(spec)
    for service, event_types in consumers.items():
        channels[queue_name(service)] = service_queue_channel(service, event_types)
        channels[dead_letter_queue_name(service)] = dead_letter_queue_channel(service, event_types)
        for event_type in event_types:
            operations[f"{service}.receives.{event_type}"] = receive_operation(service, event_type)
    for event_type, spec in public_specs.items():
        channels[PUBLIC_PREFIX + event_type] = public_channel(spec)
        operations[f"{spec.publisher}.sends.{PUBLIC_PREFIX}{event_type}"] = public_send_operation(spec)
        operations[f"subscriber.receives.{PUBLIC_PREFIX}{event_type}"] = public_receive_operation(spec)

    return {
        "asyncapi": ASYNCAPI_VERSION,
        "info": {
            "title": "Skills Passports events",
            "version": version("skillpass"),
            "description": DESCRIPTION,
        },
        "defaultContentType": CONTENT_TYPE,
        "servers": {
            SERVER: {
                "host": "{host}",
                "protocol": "amqp",
                "protocolVersion": "0.9.1",
                "description": "The RabbitMQ broker every service publishes to and consumes from.",
                "variables": {"host": {"default": "localhost:5672", "description": "host:port of the broker"}},
                "security": [_ref("components", "securitySchemes", SECURITY_SCHEME)],
            },
            PUBLIC_SERVER: {
                "host": "{host}",
                "protocol": "amqp",
                "protocolVersion": "0.9.1",
                "description": (
                    "The same broker as an outside system reaches it, with the account (and on the vhost) "
                    f"`skillpass subscribers add` made for it: only `{PUBLIC_EXCHANGE}`, only its Trust's routing "
                    "keys, only its own `sub.NAME.*` queues, and no publishing."
                ),
                "variables": {"host": {"default": "localhost:5672", "description": "host:port of the broker"}},
                "security": [_ref("components", "securitySchemes", SECURITY_SCHEME)],
            },
        },
        "channels": channels,
        "operations": operations,
        "components": {
            "messages": {
                **{event_type: message(spec) for event_type, spec in CATALOGUE.items()},
                **{PUBLIC_PREFIX + event_type: public_message(spec) for event_type, spec in public_specs.items()},
            },
            "schemas": {ENVELOPE_SCHEMA: envelope_schema(), **schemas},
            "securitySchemes": {
                SECURITY_SCHEME: {
                    "type": "userPassword",
                    "description": (
                        "A RabbitMQ user and password (AMQP PLAIN). The services share the platform's account; "
                        "each outside system gets its own from `skillpass subscribers add NAME --trust ODS`, "
                        "which prints the password once."
                    ),
                }
            },
        },
    }


def consumers_by_service() -> dict[str, list[str]]:
    """Each consuming service of this checkout and the event types it handles, in catalogue order."""
    from shared.service import installed_services, load_spec  # imports every service: only when building

    consumers = {}
    for service in installed_services():
        handled = set(load_spec(service).handlers)
        if unknown := handled - set(CATALOGUE):
            raise ValueError(f"{service} handles event types missing from the catalogue: {sorted(unknown)}")
        if handled:
            consumers[service] = [event_type for event_type in CATALOGUE if event_type in handled]
    return consumers


# --- Channels and operations -------------------------------------------------------------------------


def _ref(*path: str) -> dict[str, str]:
    return {"$ref": "#/" + "/".join(part.replace("~", "~0").replace("/", "~1") for part in path)}


def _amqp(binding: dict[str, Any]) -> dict[str, Any]:
    return {"amqp": {**binding, "bindingVersion": AMQP_BINDING_VERSION}}


def event_channel(spec: EventSpec) -> dict[str, Any]:
    return {
        "address": spec.type,
        "title": spec.type,
        "description": f"Routing key `{spec.type}` on the topic exchange `{EVENTS_EXCHANGE}`. {spec.summary}",
        "servers": [_ref("servers", SERVER)],
        "messages": {spec.type: _ref("components", "messages", spec.type)},
        "bindings": _amqp(
            {
                "is": "routingKey",
                "exchange": {
                    "name": events_exchange.name,
                    "type": events_exchange.type,
                    "durable": events_exchange.durable,
                    "autoDelete": events_exchange.auto_delete,
                },
            }
        ),
    }


def _queue_binding(queue) -> dict[str, Any]:
    return _amqp(
        {
            "is": "queue",
            "queue": {
                "name": queue.name,
                "durable": queue.durable,
                "exclusive": queue.exclusive,
                "autoDelete": queue.auto_delete,
            },
            # The binding object has no field for queue arguments; they are part of the contract
            # (a queue redeclared with other arguments is refused), so they are given as an extension.
            "x-arguments": dict(queue.queue_arguments),
        }
    )


def service_queue_channel(service: str, event_types: list[str]) -> dict[str, Any]:
    queue = service_queue(service, event_types)
    return {
        "address": queue.name,
        "title": queue.name,
        "description": (
            f"The {service} service's own quorum queue, bound to `{EVENTS_EXCHANGE}` with the routing keys "
            f"of the events it handles. A message still failing after `x-delivery-limit` redeliveries, or "
            f"rejected as unreadable, is dead-lettered to `{dead_letter_queue_name(service)}`. Internal to "
            f"{service}: other subscribers bind queues of their own."
        ),
        "servers": [_ref("servers", SERVER)],
        "messages": {event_type: _ref("components", "messages", event_type) for event_type in event_types},
        "bindings": _queue_binding(queue),
        "x-bound-routing-keys": sorted(b.routing_key for b in queue.bindings),
    }


def dead_letter_queue_channel(service: str, event_types: list[str]) -> dict[str, Any]:
    queue = dead_letter_queue(service)
    return {
        "address": queue.name,
        "title": queue.name,
        "description": (
            f"Messages {service} could not handle, dead-lettered through `{DEAD_LETTER_EXCHANGE}` with their "
            f"`x-death` history. Nothing consumes it: operators list and replay them with "
            f"`skillpass {service} dead-letters`."
        ),
        "servers": [_ref("servers", SERVER)],
        "messages": {event_type: _ref("components", "messages", event_type) for event_type in event_types},
        "bindings": _queue_binding(queue),
    }


def send_operation(spec: EventSpec) -> dict[str, Any]:
    return {
        "action": "send",
        "channel": _ref("channels", spec.type),
        "title": f"{spec.publisher} publishes {spec.type}",
        "summary": spec.summary,
        "description": (
            f"Published by the {spec.publisher} service from its transactional outbox, with publisher "
            "confirms, only after the change it describes has been committed."
        ),
        "messages": [_ref("channels", spec.type, "messages", spec.type)],
        "bindings": _amqp({"deliveryMode": PERSISTENT, "mandatory": False}),
    }


def receive_operation(service: str, event_type: str) -> dict[str, Any]:
    return {
        "action": "receive",
        "channel": _ref("channels", queue_name(service)),
        "title": f"{service} handles {event_type}",
        "description": (
            f"The {service} service applies the event and records its id in the same transaction, so a "
            "repeat changes nothing."
        ),
        "messages": [_ref("channels", queue_name(service), "messages", event_type)],
        "bindings": _amqp({"ack": True}),
    }


# --- The public channels (skillpass.public) ---------------------------------------------------------


def public_channel(spec: EventSpec) -> dict[str, Any]:
    return {
        "address": "{ods}." + spec.type,
        "title": f"{PUBLIC_PREFIX}{spec.type}",
        "description": (
            f"Routing key `<ODS code>.{spec.type}` on the topic exchange `{PUBLIC_EXCHANGE}`, e.g. "
            f"`RR8.{spec.type}`. {spec.summary} The same event as `{spec.type}` on `{EVENTS_EXCHANGE}` (same "
            "`id`), with a minimised payload. A subscriber's account may bind only its own Trust's keys."
        ),
        "parameters": {
            "ods": {
                "description": (
                    "The Trust's ODS code in upper case, with any `.` written `_`: one word of the routing key. "
                    "`skillpass subscribers add` prints it, with the dot, as `routing_key_prefix`."
                ),
                "examples": ["RR8"],
            }
        },
        "servers": [_ref("servers", PUBLIC_SERVER)],
        "messages": {PUBLIC_PREFIX + spec.type: _ref("components", "messages", PUBLIC_PREFIX + spec.type)},
        "bindings": _amqp(
            {
                "is": "routingKey",
                "exchange": {
                    "name": public_exchange.name,
                    "type": public_exchange.type,
                    "durable": public_exchange.durable,
                    "autoDelete": public_exchange.auto_delete,
                },
            }
        ),
    }


def public_send_operation(spec: EventSpec) -> dict[str, Any]:
    channel = PUBLIC_PREFIX + spec.type
    return {
        "action": "send",
        "channel": _ref("channels", channel),
        "title": f"{spec.publisher} publishes {spec.type} to outside systems",
        "summary": spec.summary,
        "description": (
            f"Published by the {spec.publisher} service's outbox relay from the same outbox row as `{spec.type}` "
            f"on `{EVENTS_EXCHANGE}`, with publisher confirms; the row counts as sent only once both are "
            "confirmed. An event of a Trust whose ODS code the service does not know yet waits for it."
        ),
        "messages": [_ref("channels", channel, "messages", channel)],
        "bindings": _amqp({"deliveryMode": PERSISTENT, "mandatory": False}),
    }


def public_receive_operation(spec: EventSpec) -> dict[str, Any]:
    channel = PUBLIC_PREFIX + spec.type
    return {
        "action": "receive",
        "channel": _ref("channels", channel),
        "title": f"An outside system receives {spec.type}",
        "description": (
            f"An outside system binds its own durable queue `sub.NAME.<anything>` to `{PUBLIC_EXCHANGE}` with "
            f"`<ODS code>.{spec.type}` (or a pattern such as `<ODS code>.#`) and acknowledges each message once "
            "handled. Delivery is at least once: drop an `id` already handled."
        ),
        "security": [_ref("components", "securitySchemes", SECURITY_SCHEME)],
        "messages": [_ref("channels", channel, "messages", channel)],
        "bindings": _amqp({"ack": True}),
    }


# --- Messages and payloads ---------------------------------------------------------------------------


def message(spec: EventSpec) -> dict[str, Any]:
    return _message(spec, spec.type, spec.type, [{"name": spec.publisher}], spec.schema.__name__)


def public_message(spec: EventSpec) -> dict[str, Any]:
    """The same event on skillpass.public: same envelope, the minimised payload."""
    return _message(
        spec,
        PUBLIC_PREFIX + spec.type,
        f"{spec.type} (public)",
        [{"name": spec.publisher}, {"name": "public"}],
        spec.public.__name__,
    )


def _message(spec: EventSpec, name: str, title: str, tags: list[dict], data_schema: str) -> dict[str, Any]:
    return {
        "name": name,
        "title": title,
        "summary": spec.summary,
        "contentType": CONTENT_TYPE,
        "tags": tags,
        "correlationId": {
            "description": "The request or event that caused this one.",
            "location": "$message.payload#/correlationid",
        },
        "payload": {
            "allOf": [
                _ref("components", "schemas", ENVELOPE_SCHEMA),
                {
                    "type": "object",
                    "properties": {
                        "type": {"const": ce_type(spec.type)},
                        "source": {"const": f"/skillpass/{spec.publisher}"},
                        "data": _ref("components", "schemas", data_schema),
                    },
                },
            ]
        },
        "bindings": _amqp({"contentEncoding": "utf-8", "messageType": spec.type}),
    }


def envelope_schema() -> dict[str, Any]:
    return {
        "type": "object",
        "description": "A CloudEvents 1.0 envelope in structured JSON mode.",
        "required": ["specversion", "id", "source", "type", "time", "subject", "datacontenttype", "data"],
        "properties": {
            "specversion": {"const": SPEC_VERSION},
            "id": {"type": "string", "format": "uuid", "description": "Unique per event; the AMQP message_id."},
            "source": {"type": "string", "description": "/skillpass/<publishing service>"},
            "type": {"type": "string", "description": "uk.nhs.skillpass.<event type>.v1"},
            "time": {"type": "string", "format": "date-time", "description": "When it happened (UTC)."},
            "subject": {"type": "string", "description": "The id of the entity the event is about."},
            "datacontenttype": {"const": "application/json"},
            "trustid": {
                "type": "string",
                "format": "uuid",
                "description": "The Trust the event belongs to; absent only for events outside any Trust.",
            },
            "correlationid": {"type": "string", "description": "The request or event that caused this one."},
            "data": {"type": "object"},
        },
    }


def payload_schemas(schema_classes) -> dict[str, dict[str, Any]]:
    """The JSON Schema of each of `schema_classes`, and of every schema nested in them, by class name."""
    spec = APISpec(
        title="Skills Passports events",
        version=version("skillpass"),
        # 3.1's Schema Object is JSON Schema: a nullable field is a type list with "null", as AsyncAPI's
        # draft 7 schemas read it, not OpenAPI 3.0's `nullable: true`.
        openapi_version="3.1.0",
        # Each schema under its class name (apispec's default resolver would drop a trailing "Schema").
        plugins=[PayloadPlugin(schema_name_resolver=lambda schema: resolve_schema_cls(schema).__name__)],
    )
    for schema_class in schema_classes:
        if schema_class.__name__ not in spec.components.schemas:  # already added as another one's nested schema
            spec.components.schema(schema_class.__name__, schema=schema_class)
    return dict(sorted(spec.to_dict().get("components", {}).get("schemas", {}).items()))


# The fields the document is known to describe as they go over the wire (what `Schema.dump` produces).
# apispec maps any other field by its base class and silently skips a validator it does not know, which
# would document a payload as something it is not: the build stops instead.
SUPPORTED_FIELDS = frozenset(
    {
        fields.String,
        fields.Integer,
        fields.Float,
        fields.Boolean,
        fields.UUID,
        fields.Email,
        fields.Url,
        fields.AwareDateTime,
        fields.Date,
        fields.List,
        fields.Nested,
    }
)
NUMBER_FIELDS = (fields.Integer, fields.Float)
# Validators these fields add themselves; the field's `format` already says as much.
FORMAT_VALIDATORS: dict[type[fields.Field], type[validate.Validator]] = {
    fields.Email: validate.Email,
    fields.Url: validate.URL,
}
# Regexp is left out on purpose: apispec would copy a Python regular expression into `pattern`, which
# JSON Schema reads as ECMA-262, a different dialect.
SUPPORTED_VALIDATORS = (validate.OneOf, validate.Equal, validate.Length, validate.Range)


def _check_supported(field: fields.Field) -> None:
    """Field types are matched exactly, not by subclass: a subclass may well serialise differently."""
    field_type = type(field)
    if field_type not in SUPPORTED_FIELDS:
        raise UnsupportedField(f"no JSON Schema for {field_type.__name__} field {field.name!r}")
    for validator in field.validators:
        if type(validator) is FORMAT_VALIDATORS.get(field_type):
            continue
        if type(validator) not in SUPPORTED_VALIDATORS or (
            type(validator) is validate.Range and field_type not in NUMBER_FIELDS
        ):
            raise UnsupportedField(f"no JSON Schema for validator {validator!r} of field {field.name!r}")


class PayloadConverter(OpenAPIConverter):
    """apispec's marshmallow converter, adjusted where an event payload differs from an HTTP body."""

    # JSON Schema's format for a URL is "uri" (apispec writes "url"). A copy: the class attribute is
    # apispec's module-wide mapping, which every service's OpenAPI document shares in the same process.
    field_mapping = {**OpenAPIConverter.field_mapping, fields.Url: ("string", "uri")}

    def schema2jsonschema(self, schema):
        converted = super().schema2jsonschema(schema)
        # Payloads stay open: a `.v1` event may gain fields, and consumers ignore those they do not know.
        # apispec closes every schema whose `unknown` is not EXCLUDE (the publishers' RAISE).
        converted.pop("additionalProperties", None)
        schema_class = resolve_schema_cls(schema)
        if schema_class.__doc__ and "description" not in converted:
            # apispec reads only Meta.description; the payloads say what they are in their docstrings.
            converted["description"] = schema_class.__doc__.strip()
        properties = converted.pop("properties")
        # apispec sorts `required`; in the order of `properties` the document reads like the schema.
        converted["required"] = sorted(converted.get("required", []), key=list(properties).index)
        ordered = {key: converted.pop(key) for key in ("type", "description", "required") if key in converted}
        return {**ordered, **converted, "properties": properties}

    def field2property(self, field: fields.Field) -> dict:
        _check_supported(field)  # here, so that a List's items and nested schemas are checked too
        return super().field2property(field)

    def field2default(self, field: fields.Field, **kwargs: Any) -> dict:
        # A payload's load_default is what a consumer assumes when an event lacks the field (one published
        # before it existed), not something publishers send; where it matters, the description says so.
        return {}

    def field2range(self, field: fields.Field, ret) -> dict:
        bounds = super().field2range(field, ret)
        # apispec writes every bound as minimum/maximum, whether the Range includes it or not; of the
        # validators' bounds it keeps the tightest, which is exclusive when any validator excludes it.
        ranges = [validator for validator in field.validators if type(validator) is validate.Range]
        for side, inclusive, key, exclusive_key in (
            ("min", "min_inclusive", "minimum", "exclusiveMinimum"),
            ("max", "max_inclusive", "maximum", "exclusiveMaximum"),
        ):
            if key in bounds and any(
                getattr(validator, side) is not None
                and field._serialize(getattr(validator, side), None, None) == bounds[key]
                and not getattr(validator, inclusive)
                for validator in ranges
            ):
                bounds[exclusive_key] = bounds.pop(key)
        return bounds

    def nested2properties(self, field: fields.Field, ret) -> dict:
        ret = super().nested2properties(field, ret)
        if "$ref" in ret and len(ret) > 1:
            # apispec 3.1 puts a description beside the $ref; AsyncAPI's schemas are draft 7, where a
            # $ref's siblings are ignored, so the reference goes into an allOf of its own.
            ret["allOf"] = [{"$ref": ret.pop("$ref")}]
        return ret


class PayloadPlugin(MarshmallowPlugin):
    Converter = PayloadConverter


def render_yaml(document: dict[str, Any]) -> str:
    import yaml  # only the generator needs it, not the services

    class Dumper(yaml.SafeDumper):
        pass

    def string(dumper: yaml.SafeDumper, value: str):
        # Multi-line descriptions as literal blocks, so that the committed file reads like the Markdown it is.
        style = "|" if "\n" in value else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)

    Dumper.add_representer(str, string)
    return yaml.dump(document, Dumper=Dumper, sort_keys=False, allow_unicode=True, width=110)
