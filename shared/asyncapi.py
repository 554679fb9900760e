"""The AsyncAPI 3.0.0 document of the events, generated from the event catalogue and the services.

Nothing here is written by hand: channels and messages come from `shared.events.CATALOGUE`, payload
schemas are converted from its marshmallow schemas, consumers come from each service's `handlers`, and
queue arguments from `shared.broker`. The public events (DESIGN §9) are a second set of channels, on
`skillpass.public`, with their own minimised payload schemas and the broker account outside systems use. `docs/asyncapi.yaml` is this module's output, committed, and a
test fails when the two differ (`skillpass asyncapi --output docs/asyncapi.yaml` regenerates it).
"""

from __future__ import annotations

from importlib.metadata import version
from typing import Any

from marshmallow import Schema, fields, validate

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
    """A marshmallow field or validator the document cannot describe: teach `field_schema` about it."""


def build_document() -> dict[str, Any]:
    consumers = consumers_by_service()
    payload_schemas: dict[str, dict[str, Any]] = {}
    for spec in CATALOGUE.values():
        collect_payload_schemas(spec.schema, payload_schemas)
    public_specs = {event_type: spec for event_type, spec in CATALOGUE.items() if spec.public is not None}
    for spec in public_specs.values():
        collect_payload_schemas(spec.public, payload_schemas)

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
            "schemas": {ENVELOPE_SCHEMA: envelope_schema(), **dict(sorted(payload_schemas.items()))},
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


def collect_payload_schemas(schema_class: type[Schema], into: dict[str, dict[str, Any]]) -> None:
    """Add the JSON Schema of `schema_class`, and of every schema nested in it, to `into` by class name."""
    name = schema_class.__name__
    if name in into:
        return
    into[name] = {}  # claimed first, so that a schema nesting itself does not recurse forever
    properties, required = {}, []
    for field_name, field in schema_class().fields.items():
        key = field.data_key or field_name
        properties[key] = field_schema(field, into)
        if field.required:
            required.append(key)
    described = {"description": schema_class.__doc__.strip()} if schema_class.__doc__ else {}
    into[name] = {"type": "object", **described, "required": required, "properties": properties}


SIMPLE_FIELDS: dict[type[fields.Field], dict[str, str]] = {
    fields.String: {"type": "string"},
    fields.Integer: {"type": "integer"},
    fields.Float: {"type": "number"},
    fields.Boolean: {"type": "boolean"},
    fields.UUID: {"type": "string", "format": "uuid"},
    fields.Email: {"type": "string", "format": "email"},
    fields.Url: {"type": "string", "format": "uri"},
    fields.AwareDateTime: {"type": "string", "format": "date-time"},
    fields.Date: {"type": "string", "format": "date"},
}


def field_schema(field: fields.Field, schemas: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The JSON Schema of one field as it appears on the wire (what `Schema.dump` produces).

    Field types are matched exactly, not by subclass: a subclass may well serialise differently, and an
    unknown field must stop the build rather than be documented as something it is not.
    """
    field_type = type(field)
    if field_type in SIMPLE_FIELDS:
        result: dict[str, Any] = dict(SIMPLE_FIELDS[field_type])
    elif field_type is fields.List:
        result = {"type": "array", "items": field_schema(field.inner, schemas)}
    elif field_type is fields.Nested and isinstance(field.nested, type) and issubclass(field.nested, Schema):
        collect_payload_schemas(field.nested, schemas)
        result = _ref("components", "schemas", field.nested.__name__)
    else:
        raise UnsupportedField(f"no JSON Schema for {field_type.__name__} field {field.name!r}")

    for validator in field.validators:
        result.update(validator_schema(validator, field))
    if field.allow_none:
        result = _nullable(result)
    if description := field.metadata.get("description"):
        result = (
            {**result, "description": description}
            if "$ref" not in result
            else {"description": description, "allOf": [result]}
        )
    return result


# Validators these fields add themselves; the field's `format` already says as much.
FORMAT_VALIDATORS: dict[type[fields.Field], type[validate.Validator]] = {
    fields.Email: validate.Email,
    fields.Url: validate.URL,
}


def validator_schema(validator, field: fields.Field) -> dict[str, Any]:
    if isinstance(validator, FORMAT_VALIDATORS.get(type(field), ())):
        return {}
    if isinstance(validator, validate.OneOf):
        return {"enum": list(validator.choices)}
    if isinstance(validator, validate.Range) and type(field) in (fields.Integer, fields.Float):
        bounds = {}
        if validator.min is not None:
            bounds["minimum" if validator.min_inclusive else "exclusiveMinimum"] = validator.min
        if validator.max is not None:
            bounds["maximum" if validator.max_inclusive else "exclusiveMaximum"] = validator.max
        return bounds
    if isinstance(validator, validate.Length) and validator.equal is None:
        prefix = "Items" if type(field) is fields.List else "Length"
        bounds = {}
        if validator.min is not None:
            bounds[f"min{prefix}"] = validator.min
        if validator.max is not None:
            bounds[f"max{prefix}"] = validator.max
        return bounds
    raise UnsupportedField(f"no JSON Schema for validator {validator!r} of field {field.name!r}")


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in schema:
        return {"anyOf": [schema, {"type": "null"}]}
    nullable = {**schema, "type": [schema["type"], "null"]}
    if "enum" in nullable:
        nullable["enum"] = [*nullable["enum"], None]
    return nullable


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
