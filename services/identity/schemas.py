"""Identity's request and response bodies."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, pre_load, validate

from services.identity.domain import (
    LINK_PURPOSES,
    PASSWORD_MAX_LENGTH,
    PASSWORD_MIN_LENGTH,
    ROLES,
    normalise_email,
)
from shared.language import code_pattern
from shared.schemas import RequestSchema

CODE_PATTERN = code_pattern(min_length=2, max_length=16)
PASSWORD = validate.Length(
    min=PASSWORD_MIN_LENGTH,
    max=PASSWORD_MAX_LENGTH,
    error=f"Use between {PASSWORD_MIN_LENGTH} and {PASSWORD_MAX_LENGTH} characters.",
)
DEPARTMENT = validate.Length(min=1, max=100)


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
    password = fields.String(
        load_default=None,
        allow_none=True,
        load_only=True,
        validate=PASSWORD,
        metadata={"description": "Without one the person cannot sign in until they set one from an invitation."},
    )
    trust_id = fields.UUID(load_default=None, allow_none=True)
    roles = fields.List(fields.String(validate=validate.OneOf(ROLES)), required=True, validate=validate.Length(min=1))
    staff_number = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=50))
    professional_group = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=100))
    department = fields.String(load_default=None, allow_none=True, validate=DEPARTMENT)


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
    department = fields.String(allow_none=True, validate=DEPARTMENT)
    active = fields.Boolean()


class User(Schema):
    id = fields.UUID(dump_only=True)
    email = fields.String()
    name = fields.String()
    trust_id = fields.UUID(allow_none=True)
    roles = fields.List(fields.String())
    staff_number = fields.String(allow_none=True)
    professional_group = fields.String(allow_none=True)
    department = fields.String(allow_none=True)
    active = fields.Boolean()
    password_set = fields.Boolean(dump_only=True, metadata={"description": "the person has a password"})
    invited_at = fields.AwareDateTime(
        dump_only=True, allow_none=True, metadata={"description": "when the latest invitation was made"}
    )
    created_at = fields.AwareDateTime(dump_only=True)
    updated_at = fields.AwareDateTime(dump_only=True)


class UserQuery(RequestSchema):
    trust_id = fields.UUID()
    role = fields.String(validate=validate.OneOf(ROLES))
    active = fields.Boolean()
    email = fields.String(validate=validate.Length(min=1, max=254))
    q = fields.String(
        validate=validate.Length(min=1, max=200),
        metadata={"description": "part of the name (any case), or the start of the staff number"},
    )
    department = fields.String(validate=DEPARTMENT)
    password_set = fields.Boolean()
    sort = fields.String(
        load_default="created",
        validate=validate.OneOf(("name", "created")),
        metadata={"description": "`created` (oldest first, the default) or `name`"},
    )


# --- Importing people ----------------------------------------------------------------------------------


class ImportQuery(RequestSchema):
    trust_id = fields.UUID(metadata={"description": "the Trust to import into (a platform admin names it)"})


class RolesCell(fields.Field):
    """A CSV cell of roles separated by `;`, e.g. `staff;supervisor`."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str):
            raise ValidationError("Roles are text separated by ';'.")
        roles = [role.strip() for role in value.split(";") if role.strip()]
        unknown = [role for role in roles if role not in ROLES]
        if unknown:
            raise ValidationError(f"Unknown role: {', '.join(unknown)}. The roles are: {', '.join(ROLES)}.")
        return sorted(set(roles), key=ROLES.index) or ["staff"]


class NormalisedEmail(fields.Email):
    def _deserialize(self, value, attr, data, **kwargs):
        return normalise_email(super()._deserialize(value, attr, data, **kwargs))


class ImportRow(RequestSchema):
    """One line of an import file, its cells as text. An empty optional cell is no value; empty roles
    are `staff`."""

    OPTIONAL = ("professional_group", "department", "roles")

    staff_number = fields.String(
        required=True,
        validate=validate.Length(max=50, error="A staff number has at most {max} characters."),
        error_messages={"required": "Enter a staff number."},
    )
    name = fields.String(
        required=True,
        validate=validate.Length(max=200, error="A name has at most {max} characters."),
        error_messages={"required": "Enter a name."},
    )
    email = NormalisedEmail(
        required=True,
        validate=validate.Length(max=254, error="An email address has at most {max} characters."),
        error_messages={
            "required": "Enter an email address.",
            "invalid": "Enter an email address in the correct format, like name@example.nhs.uk.",
        },
    )
    professional_group = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=100, error="A professional group has at most {max} characters."),
    )
    roles = RolesCell(load_default=lambda: ["staff"])
    department = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=100, error="A department has at most {max} characters."),
    )

    @pre_load
    def _blank_cells_are_no_value(self, data, **kwargs):
        cells = {}
        for name, value in data.items():
            value = value.strip() if isinstance(value, str) else value
            if value == "":
                if name in ("professional_group", "department"):
                    cells[name] = None
                continue  # required: "Enter a ..."; roles: staff
            cells[name] = value
        return cells


class RejectedRow(Schema):
    row = fields.Integer(required=True, metadata={"description": "the line number in the file (the header is line 1)"})
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()), required=True)


class ImportResult(Schema):
    created = fields.Integer(required=True)
    updated = fields.Integer(required=True)
    unchanged = fields.Integer(required=True)
    rejected = fields.List(fields.Nested(RejectedRow), required=True)


# --- Invitations, password resets and the links that do them --------------------------------------------


class Invitation(Schema):
    user_id = fields.UUID(required=True)
    name = fields.String(required=True)
    email = fields.String(required=True)
    expires_at = fields.AwareDateTime(required=True)
    emailed = fields.Boolean(required=True, metadata={"description": "the link was queued by email"})
    link = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "the link to hand over, when identity sends no email (no SMTP_URL); else null"},
    )


class InvitationsRequest(RequestSchema):
    user_ids = fields.List(fields.UUID(), required=True, validate=validate.Length(min=1, max=1000))


class Invitations(Schema):
    invitations = fields.List(fields.Nested(Invitation), required=True)


class PasswordResetRequest(RequestSchema):
    email = fields.String(required=True, validate=validate.Length(min=1, max=254))


class Accepted(Schema):
    """Nothing to say: the answer is the same whether or not the email is known."""


class LinkDetails(Schema):
    purpose = fields.String(required=True, validate=validate.OneOf(LINK_PURPOSES))
    name = fields.String(required=True)
    email = fields.String(required=True)
    expires_at = fields.AwareDateTime(required=True)


class SetPassword(RequestSchema):
    password = fields.String(required=True, load_only=True, validate=PASSWORD)


class PasswordSet(Schema):
    user_id = fields.UUID(required=True)
    email = fields.String(required=True)
