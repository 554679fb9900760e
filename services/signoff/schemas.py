"""The sign-off service's request and response bodies."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates, validates_schema

from services.signoff import domain
from shared.db import utcnow
from shared.schemas import SKILL_CODE, RequestSchema, not_blank

MANY_SKILLS = validate.Length(min=1, max=500)


TEXT = [validate.Length(max=4000), not_blank]
OPTIONAL_TEXT = validate.Length(max=4000)


def _repeats(codes: list[str]) -> dict[int, list[str]]:
    return {index: [f"{codes[index]} is given twice."] for index in domain.repeated(codes)}


# --- Decisions ---------------------------------------------------------------------------------------


class Decision(RequestSchema):
    skill_code = fields.String(required=True, validate=SKILL_CODE)
    outcome = fields.String(required=True, validate=validate.OneOf(domain.OUTCOMES))
    comment = fields.String(required=True, validate=TEXT, metadata={"description": "why: what was observed"})
    evidence = fields.String(
        load_default=None,
        allow_none=True,
        validate=OPTIONAL_TEXT,
        metadata={"description": "what the decision rests on (observation, document, link)"},
    )
    action_plan = fields.String(
        load_default=None,
        allow_none=True,
        validate=OPTIONAL_TEXT,
        metadata={"description": "required with not_yet: what happens next"},
    )
    assessed_on = fields.Date(
        load_default=None, allow_none=True, metadata={"description": "the day the skill was observed; omitted: today"}
    )

    @validates("assessed_on")
    def _not_in_the_future(self, assessed_on, **kwargs):
        if assessed_on and domain.is_in_the_future(assessed_on, utcnow().date()):
            raise ValidationError("The assessment cannot be dated in the future.")

    @validates_schema(skip_on_field_errors=False)
    def _not_yet_has_a_plan(self, data, **kwargs):
        if domain.needs_action_plan(data.get("outcome"), data.get("action_plan")):
            raise ValidationError("An action plan is required when the outcome is not_yet.", "action_plan")


class SignoffCreate(Decision):
    passport_id = fields.UUID(required=True)


class BulkSignoffCreate(RequestSchema):
    passport_id = fields.UUID(required=True)
    signoffs = fields.List(
        fields.Nested(Decision),
        required=True,
        validate=MANY_SKILLS,
        metadata={"description": "one decision per skill; all are recorded or none"},
    )

    @validates_schema
    def _one_decision_per_skill(self, data, **kwargs):
        repeats = _repeats([item["skill_code"] for item in data["signoffs"]])
        if repeats:
            raise ValidationError({index: {"skill_code": messages} for index, messages in repeats.items()}, "signoffs")


class SignoffQuery(RequestSchema):
    passport_id = fields.UUID()
    skill_code = fields.String(validate=SKILL_CODE)
    holder_id = fields.UUID()
    outcome = fields.String(validate=validate.OneOf(domain.OUTCOMES))


class RevocationCreate(RequestSchema):
    reason = fields.String(required=True, validate=TEXT)


class Revocation(Schema):
    revoked_by = fields.UUID()
    reason = fields.String()
    revoked_at = fields.AwareDateTime()


def _staff_name() -> fields.String:
    return fields.String(
        allow_none=True,
        metadata={
            "description": "the holder's name (whose skill it is); null until identity's user event reaches sign-off"
        },
    )


def _staff_number() -> fields.String:
    return fields.String(allow_none=True, metadata={"description": "the holder's staff number; null when not known"})


class Signoff(Schema):
    id = fields.UUID()
    passport_id = fields.UUID()
    skill_code = fields.String()
    holder_id = fields.UUID()
    staff_name = _staff_name()
    staff_number = _staff_number()
    trust_id = fields.UUID()
    outcome = fields.String(metadata={"description": "proficient or not_yet"})
    comment = fields.String()
    evidence = fields.String(allow_none=True)
    action_plan = fields.String(allow_none=True)
    assessed_on = fields.Date()
    supervisor_id = fields.UUID(metadata={"description": "who decided"})
    decided_at = fields.AwareDateTime()
    revocation = fields.Nested(Revocation, allow_none=True, metadata={"description": "null unless revoked"})


# --- Requests ----------------------------------------------------------------------------------------


class SignoffRequestCreate(RequestSchema):
    passport_id = fields.UUID(required=True)
    skill_codes = fields.List(fields.String(validate=SKILL_CODE), required=True, validate=MANY_SKILLS)

    @validates_schema
    def _each_skill_once(self, data, **kwargs):
        repeats = _repeats(data["skill_codes"])
        if repeats:
            raise ValidationError(repeats, "skill_codes")


class SignoffRequestQuery(RequestSchema):
    status = fields.String(validate=validate.OneOf((domain.OPEN, domain.CLOSED)))
    passport_id = fields.UUID()
    holder_id = fields.UUID()


class RequestedSkill(Schema):
    skill_code = fields.String()
    signoff_id = fields.UUID(allow_none=True, metadata={"description": "the decision that answered it, if any"})


class SignoffRequest(Schema):
    id = fields.UUID()
    passport_id = fields.UUID()
    holder_id = fields.UUID()
    staff_name = _staff_name()
    staff_number = _staff_number()
    trust_id = fields.UUID()
    requested_at = fields.AwareDateTime()
    status = fields.Function(
        lambda request: domain.OPEN if request.closed_at is None else domain.CLOSED,
        metadata={
            "description": "open until every skill has a decision, the passport is withdrawn or the holder "
            "leaves; then closed"
        },
    )
    closed_at = fields.AwareDateTime(allow_none=True)
    closed_reason = fields.String(
        allow_none=True,
        metadata={
            "description": "null while open; answered (every skill has a decision), withdrawn (the passport was "
            "withdrawn) or left (the holder left the Trust)"
        },
    )
    skills = fields.List(fields.Nested(RequestedSkill))
