"""Identity's request and response bodies."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from shared.schemas import RequestSchema

from services.identity.domain import ROLES

CODE_PATTERN = r"^[A-Z0-9][A-Z0-9.-]{1,15}$"
PASSWORD = validate.Length(min=10, max=256)


def _upper(value):
    return value.strip().upper() if isinstance(value, str) else value


class UpperCode(fields.String):
    """A code (ODS, passport type...) given in any case, kept in upper case."""

    def _deserialize(self, value, attr, data, **kwargs):
        return super()._deserialize(_upper(value), attr, data, **kwargs)


class TokenRequest(RequestSchema):
    email = fields.String(required=True, validate=validate.Length(min=1, max=254))
    password = fields.String(required=True, validate=validate.Length(min=1, max=256))


class TokenResponse(Schema):
    access_token = fields.String(required=True)
    token_type = fields.String(required=True, metadata={"example": "Bearer"})
    expires_in = fields.Integer(required=True, metadata={"description": "seconds"})


class JwksResponse(Schema):
    keys = fields.List(fields.Dict(), required=True)


class TrustCreate(RequestSchema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    ods_code = UpperCode(
        required=True,
        validate=validate.Regexp(CODE_PATTERN, error="An ODS code is 2 to 16 letters, digits, '-' or '.'."),
        metadata={"example": "RX1"},
    )


class Trust(Schema):
    id = fields.UUID(dump_only=True)
    name = fields.String()
    ods_code = fields.String()
    created_at = fields.AwareDateTime(dump_only=True)


class TrustQuery(RequestSchema):
    ods_code = UpperCode()


class UserCreate(RequestSchema):
    email = fields.Email(required=True, validate=validate.Length(max=254))
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    password = fields.String(required=True, load_only=True, validate=PASSWORD)
    trust_id = fields.UUID(load_default=None, allow_none=True)
    roles = fields.List(fields.String(validate=validate.OneOf(ROLES)), required=True, validate=validate.Length(min=1))
    staff_number = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=50))
    professional_group = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=100))


class UserUpdate(RequestSchema):
    MIN_PROPERTIES = 1

    email = fields.Email(validate=validate.Length(max=254))
    name = fields.String(validate=validate.Length(min=1, max=200))
    password = fields.String(load_only=True, validate=PASSWORD)
    current_password = fields.String(load_only=True, validate=validate.Length(min=1, max=256))
    trust_id = fields.UUID(allow_none=True)
    roles = fields.List(fields.String(validate=validate.OneOf(ROLES)), validate=validate.Length(min=1))
    staff_number = fields.String(allow_none=True, validate=validate.Length(min=1, max=50))
    professional_group = fields.String(allow_none=True, validate=validate.Length(min=1, max=100))
    active = fields.Boolean()


class User(Schema):
    id = fields.UUID(dump_only=True)
    email = fields.String()
    name = fields.String()
    trust_id = fields.UUID(allow_none=True)
    roles = fields.List(fields.String())
    staff_number = fields.String(allow_none=True)
    professional_group = fields.String(allow_none=True)
    active = fields.Boolean()
    created_at = fields.AwareDateTime(dump_only=True)
    updated_at = fields.AwareDateTime(dump_only=True)


class UserQuery(RequestSchema):
    trust_id = fields.UUID()
    role = fields.String(validate=validate.OneOf(ROLES))
    active = fields.Boolean()
    email = fields.String(validate=validate.Length(min=1, max=254))
