"""The passport service's request and response bodies."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from services.passport.domain import LEVELS
from shared.schemas import SKILL_CODE, TYPE_CODE, RequestSchema

NOTE = validate.Length(max=4000)
MAX_IDS = 100
IDS = validate.Length(max=MAX_IDS, error=f"At most {MAX_IDS} ids at a time.")
MAX_BULK = 1000


# --- Passport type content ---------------------------------------------------------------------------


class LearningResource(RequestSchema):
    kind = fields.String(required=True, validate=validate.OneOf(("elearning", "face_to_face")))
    title = fields.String(required=True, validate=validate.Length(min=1, max=300))
    provider = fields.String(validate=validate.Length(max=200))
    url = fields.Url(schemes={"https", "http"}, validate=validate.Length(max=500))
    duration_hours = fields.Float(validate=validate.Range(min=0, max=100))
    description = fields.String(validate=validate.Length(max=2000))

    @validates_schema
    def _elearning_has_a_link(self, data, **kwargs):
        if data.get("kind") == "elearning" and not data.get("url"):
            raise ValidationError("An e-learning resource needs its url.", "url")


class Skill(RequestSchema):
    code = fields.String(required=True, validate=SKILL_CODE)
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    description = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    learning_resources = fields.List(fields.Nested(LearningResource), required=True, validate=validate.Length(min=1))


class Domain(RequestSchema):
    code = fields.String(required=True, validate=SKILL_CODE)
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    skills = fields.List(fields.Nested(Skill), required=True, validate=validate.Length(max=500))


class PassportTypeImport(RequestSchema):
    """A new version of a passport type's content, as a platform admin imports it."""

    code = fields.String(required=True, validate=TYPE_CODE)
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    care_setting = fields.String(required=True, validate=validate.OneOf(("adult", "paediatric")))
    description = fields.String(required=True, validate=validate.Length(min=1, max=4000))
    sample = fields.Boolean(load_default=False, metadata={"description": "true for illustrative sample content"})
    notice = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))
    domains = fields.List(fields.Nested(Domain), required=True, validate=validate.Length(min=1, max=100))


class BundledPassportType(PassportTypeImport):
    """A content file shipped in the repository: the same, with its version."""

    version = fields.Integer(required=True, validate=validate.Range(min=1))


class PassportTypeSummary(Schema):
    code = fields.String()
    version = fields.Integer()
    title = fields.String()
    care_setting = fields.String()
    sample = fields.Boolean(metadata={"description": "illustrative sample content, not the official list"})
    skill_count = fields.Integer()


class PassportTypeDetail(PassportTypeSummary):
    description = fields.String()
    notice = fields.String(allow_none=True)
    current = fields.Boolean(metadata={"description": "the version new passports start on"})
    imported_at = fields.AwareDateTime()
    domains = fields.List(
        fields.Dict(), metadata={"description": "domains, each with its skills and their learning resources"}
    )


class PassportTypeQuery(RequestSchema):
    version = fields.Integer(validate=validate.Range(min=1, max=1_000_000))


# --- Passports ---------------------------------------------------------------------------------------


class Retrospective(RequestSchema):
    retrospective = fields.Boolean(metadata={"description": "staff deployed in an earlier surge"})
    surge_started_on = fields.Date(allow_none=True)
    surge_ended_on = fields.Date(allow_none=True)
    retrospective_evidence = fields.String(allow_none=True, validate=NOTE)


class PassportCreate(Retrospective):
    passport_type = fields.String(required=True, validate=TYPE_CODE, metadata={"example": "NRSS"})
    staff_id = fields.UUID(
        load_default=None,
        allow_none=True,
        metadata={"description": "whom to assign it to (lead, educator, trust_admin); omitted: the caller"},
    )


class BulkAssignment(RequestSchema):
    passport_type = fields.String(required=True, validate=TYPE_CODE, metadata={"example": "NRSS"})
    staff_ids = fields.List(
        fields.UUID(),
        required=True,
        validate=validate.Length(min=1, max=MAX_BULK, error=f"Give 1 to {MAX_BULK} staff ids."),
        metadata={"description": f"the people to assign it to, each once (at most {MAX_BULK})"},
    )
    all_or_nothing = fields.Boolean(
        load_default=False,
        metadata={
            "description": "true: if anyone would be rejected, 422 naming each and nothing is created; "
            "false (the default): everyone who can be is assigned, the rest are listed"
        },
    )

    @validates_schema
    def _each_person_once(self, data, **kwargs):
        seen: set = set()
        repeats = {}
        for index, staff_id in enumerate(data["staff_ids"]):
            if staff_id in seen:
                repeats[index] = [f"{staff_id} is given more than once."]
            seen.add(staff_id)
        if repeats:
            raise ValidationError(repeats, "staff_ids")


class PassportUpdate(Retrospective):
    MIN_PROPERTIES = 1


class Withdrawal(RequestSchema):
    reason = fields.String(load_default=None, allow_none=True, validate=NOTE)


class PassportQuery(RequestSchema):
    id = fields.List(
        fields.UUID(),
        validate=IDS,
        metadata={"description": f"only these passports (repeat the parameter, at most {MAX_IDS})"},
    )
    staff_id = fields.UUID()
    passport_type = fields.String(validate=TYPE_CODE)
    status = fields.String(validate=validate.OneOf(("in_progress", "completed", "withdrawn")))


class Progress(Schema):
    skills_total = fields.Integer()
    self_assessed = fields.Integer()
    signed_off = fields.Integer()


class Passport(Schema):
    id = fields.UUID()
    staff_id = fields.UUID()
    staff_name = fields.String(allow_none=True, metadata={"description": "the holder's name; null until known here"})
    staff_number = fields.String(allow_none=True, metadata={"description": "the holder's staff number, if any"})
    trust_id = fields.UUID()
    passport_type = fields.String()
    type_version = fields.Integer()
    title = fields.String()
    sample_content = fields.Boolean()
    status = fields.String(metadata={"description": "in_progress, completed or withdrawn"})
    retrospective = fields.Boolean()
    surge_started_on = fields.Date(allow_none=True)
    surge_ended_on = fields.Date(allow_none=True)
    retrospective_evidence = fields.String(allow_none=True)
    assigned_by = fields.UUID(allow_none=True)
    started_at = fields.AwareDateTime()
    completed_at = fields.AwareDateTime(allow_none=True)
    withdrawn_at = fields.AwareDateTime(allow_none=True)
    withdrawal_reason = fields.String(allow_none=True)
    last_activity_at = fields.AwareDateTime()
    progress = fields.Nested(Progress)


class BulkResult(Schema):
    staff_id = fields.UUID()
    status = fields.String(
        metadata={
            "description": "created (a new passport), existing (they already hold one of the type, in progress or "
            "completed: no second one), or rejected (not of your Trust, not known here yet, or left)"
        }
    )
    passport_id = fields.UUID(
        allow_none=True, metadata={"description": "the new or existing passport; null if rejected"}
    )
    errors = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String()),
        allow_none=True,
        metadata={"description": "why it was rejected, by field"},
    )


class BulkAssignmentResult(Schema):
    created = fields.Integer()
    existing = fields.Integer()
    rejected = fields.Integer()
    results = fields.List(fields.Nested(BulkResult), metadata={"description": "one per staff id, in the order given"})


class SelfAssessmentIn(RequestSchema):
    level = fields.String(required=True, validate=validate.OneOf(LEVELS))
    note = fields.String(load_default=None, allow_none=True, validate=NOTE)


class SelfAssessmentOut(Schema):
    level = fields.String()
    note = fields.String(allow_none=True)
    assessed_at = fields.AwareDateTime()


class LearningIn(RequestSchema):
    kind = fields.String(required=True, validate=validate.OneOf(("elearning", "face_to_face")))
    status = fields.String(required=True, validate=validate.OneOf(("planned", "attended", "completed")))
    date = fields.Date(load_default=None, allow_none=True)
    hours = fields.Float(load_default=None, allow_none=True, validate=validate.Range(min=0, max=1000))
    note = fields.String(load_default=None, allow_none=True, validate=NOTE)


class LearningOut(Schema):
    id = fields.UUID()
    skill_code = fields.String()
    kind = fields.String()
    status = fields.String()
    date = fields.Date(allow_none=True)
    hours = fields.Float(allow_none=True)
    note = fields.String(allow_none=True)
    recorded_at = fields.AwareDateTime()
    recorded_by = fields.UUID()


class SignoffState(Schema):
    signoff_id = fields.UUID()
    outcome = fields.String(metadata={"description": "proficient or not_yet"})
    decided_at = fields.AwareDateTime()
    supervisor_id = fields.UUID(allow_none=True)


class SkillOnPassport(Schema):
    code = fields.String()
    title = fields.String()
    description = fields.String()
    learning_resources = fields.List(fields.Dict())
    self_assessment = fields.Nested(SelfAssessmentOut, allow_none=True)
    learning = fields.List(fields.Nested(LearningOut))
    signoff = fields.Nested(SignoffState, allow_none=True)


class DomainOnPassport(Schema):
    code = fields.String()
    title = fields.String()
    skills = fields.List(fields.Nested(SkillOnPassport))


class PassportDetail(Passport):
    domains = fields.List(fields.Nested(DomainOnPassport))


class SkillDetail(SkillOnPassport):
    passport_id = fields.UUID()
    self_assessment_history = fields.List(fields.Nested(SelfAssessmentOut))
    signoff_history = fields.List(fields.Dict())


# --- Staff -------------------------------------------------------------------------------------------


class StaffQuery(RequestSchema):
    id = fields.List(
        fields.UUID(),
        validate=validate.Length(min=1, max=MAX_IDS, error=f"Give 1 to {MAX_IDS} ids."),
        metadata={
            "description": f"only these people (repeat the parameter, at most {MAX_IDS}); unknown ids are left out"
        },
    )
    q = fields.String(
        validate=validate.Length(min=1, max=100),
        metadata={"description": "part of the name, or the start of the staff number"},
    )
    professional_group = fields.String(
        validate=validate.Length(min=1, max=100), metadata={"description": "this professional group only (any case)"}
    )
    department = fields.String(
        validate=validate.Length(min=1, max=100), metadata={"description": "this department only (any case)"}
    )
    active = fields.Boolean(
        metadata={
            "description": "true: people still with the Trust, false: leavers. By default only those still with the "
            "Trust, except when naming people by `id`, where leavers are named too"
        }
    )


class StaffMember(Schema):
    id = fields.UUID(metadata={"description": "the user's id (the same as staff_id)"})
    staff_id = fields.Function(lambda member: str(member.id), metadata={"type": "string", "format": "uuid"})
    name = fields.String()
    staff_number = fields.String(allow_none=True)
    professional_group = fields.String(allow_none=True)
    department = fields.String(allow_none=True)
    active = fields.Boolean(metadata={"description": "false once the person has left (their account deactivated)"})
