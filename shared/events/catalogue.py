"""The event catalogue: every event type on the bus, its payload schema and who publishes it.

Publishers validate against these schemas, consumers load with them, and the AsyncAPI
document is generated from them. Add an event here before publishing or handling it.
"""
from __future__ import annotations

from dataclasses import dataclass

from marshmallow import EXCLUDE, RAISE, Schema, ValidationError, fields, validate

ROLES = ("staff", "supervisor", "educator", "lead", "workforce", "trust_admin", "platform_admin")


class Payload(Schema):
    class Meta:
        ordered = True


class TrustCreated(Payload):
    trust_id = fields.UUID(required=True)
    name = fields.String(required=True)
    ods_code = fields.String(required=True)
    created_at = fields.AwareDateTime(required=True)


class UserProfile(Payload):
    user_id = fields.UUID(required=True)
    trust_id = fields.UUID(required=True, allow_none=True, metadata={"description": "null for platform admins outside any Trust"})
    email = fields.Email(required=True)
    name = fields.String(required=True)
    staff_number = fields.String(required=True, allow_none=True)
    professional_group = fields.String(required=True, allow_none=True)
    roles = fields.List(fields.String(validate=validate.OneOf(ROLES)), required=True)
    active = fields.Boolean(required=True)


class UserRegistered(UserProfile):
    registered_at = fields.AwareDateTime(required=True)


class UserUpdated(UserProfile):
    changed = fields.List(fields.String(), required=True, metadata={"description": "names of the fields that changed"})
    updated_at = fields.AwareDateTime(required=True)


class UserDeactivated(Payload):
    user_id = fields.UUID(required=True)
    trust_id = fields.UUID(required=True, allow_none=True)
    deactivated_at = fields.AwareDateTime(required=True)


@dataclass(frozen=True)
class EventSpec:
    type: str
    publisher: str
    schema: type[Payload]
    summary: str


CATALOGUE: dict[str, EventSpec] = {
    spec.type: spec
    for spec in [
        EventSpec("trust.created", "identity", TrustCreated, "A Trust was registered on the platform."),
        EventSpec("user.registered", "identity", UserRegistered, "A user account was created."),
        EventSpec("user.updated", "identity", UserUpdated, "A user's profile, roles or Trust changed."),
        EventSpec("user.deactivated", "identity", UserDeactivated, "A user can no longer sign in."),
    ]
}


class UnknownEventType(KeyError):
    pass


def spec_for(event_type: str) -> EventSpec:
    try:
        return CATALOGUE[event_type]
    except KeyError:
        raise UnknownEventType(event_type) from None


def serialise_payload(event_type: str, data: dict) -> dict:
    """Python values → JSON payload, refusing anything the catalogue does not describe."""
    schema = spec_for(event_type).schema(unknown=RAISE)
    payload = schema.dump(data)
    extra = set(data) - set(payload)
    errors = schema.validate(payload)
    if extra:
        errors.update({name: ["Unknown field."] for name in extra})
    if errors:
        raise ValidationError(errors)
    return payload


def load_payload(event_type: str, payload: dict) -> dict:
    """JSON payload → Python values; fields added by newer publishers are ignored."""
    return spec_for(event_type).schema(unknown=EXCLUDE).load(payload)
