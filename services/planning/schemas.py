"""The planning service's request and response bodies."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from services.planning import domain
from shared.events.catalogue import IMPROVEMENT_DIRECTIONS, INCREASE
from shared.schemas import TYPE_CODE, RequestSchema, not_blank

NAME = validate.Length(min=1, max=200)
TEXT = validate.Length(max=4000)
KEY = validate.Regexp(r"^[A-Za-z0-9_.-]{1,40}$", error="Keys are 1-40 letters, digits, '_', '-' or '.'.")
TEXT_LIST = validate.Length(max=50)


def _text(**kwargs) -> fields.String:
    return fields.String(load_default=None, allow_none=True, validate=TEXT, **kwargs)


def _texts(**kwargs) -> fields.List:
    return fields.List(fields.String(validate=[TEXT, not_blank]), load_default=list, validate=TEXT_LIST, **kwargs)


# --- Plans -------------------------------------------------------------------------------------------


class PlanCreate(RequestSchema):
    name = fields.String(required=True, validate=[NAME, not_blank])


class PlanSummary(Schema):
    id = fields.UUID()
    trust_id = fields.UUID()
    name = fields.String()
    created_by = fields.UUID(allow_none=True)
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()


# --- Aim ---------------------------------------------------------------------------------------------


class AimIn(RequestSchema):
    why = _text(metadata={"description": "Golden Circle: why (the purpose)"})
    how = _text(metadata={"description": "Golden Circle: how (who, and what they will do)"})
    what = _text(metadata={"description": "Golden Circle: what (the measurable result)"})
    statement = fields.String(
        required=True, validate=[TEXT, not_blank], metadata={"description": "the full aim statement"}
    )
    target_passport_types = fields.List(
        fields.String(validate=TYPE_CODE), load_default=list, validate=validate.Length(max=20)
    )
    target_percentage = fields.Float(load_default=None, allow_none=True, validate=validate.Range(min=0, max=100))
    target_cohort_size = fields.Integer(
        load_default=None, allow_none=True, validate=validate.Range(min=0, max=1_000_000)
    )
    target_deadline = fields.Date(load_default=None, allow_none=True)

    @validates_schema
    def _each_type_once(self, data, **kwargs):
        repeats = domain.repeated(data.get("target_passport_types") or [])
        if repeats:
            raise ValidationError({index: ["Given twice."] for index in repeats}, "target_passport_types")


class Aim(AimIn):
    plan_id = fields.UUID()
    updated_at = fields.AwareDateTime()


# --- Stakeholders ------------------------------------------------------------------------------------


class StakeholderIn(RequestSchema):
    name = fields.String(required=True, validate=[NAME, not_blank], metadata={"description": "a person or a group"})
    role = _text()
    power = fields.String(required=True, validate=validate.OneOf(domain.LEVELS))
    impact = fields.String(required=True, validate=validate.OneOf(domain.LEVELS))
    engage_when = _text()
    engage_how = _text()
    benefits = _texts()
    enablers = _texts()


class Stakeholder(StakeholderIn):
    id = fields.UUID()
    plan_id = fields.UUID()
    quadrant = fields.Function(
        lambda stakeholder: domain.quadrant(stakeholder.power, stakeholder.impact),
        metadata={"description": "Manage, Satisfy, Inform or Monitor: computed from power and impact"},
    )


# --- Drivers -----------------------------------------------------------------------------------------


class DriverIn(RequestSchema):
    kind = fields.String(required=True, validate=validate.OneOf(domain.DRIVER_KINDS))
    title = fields.String(required=True, validate=[TEXT, not_blank])
    parent_id = fields.UUID(
        load_default=None,
        allow_none=True,
        metadata={"description": "none for a primary driver; a primary for a secondary; a driver for an activity"},
    )
    status = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(domain.DRIVER_STATUSES))
    priority = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(domain.PRIORITIES))


class Driver(DriverIn):
    id = fields.UUID()
    plan_id = fields.UUID()


# --- Process map -------------------------------------------------------------------------------------


class Lane(RequestSchema):
    key = fields.String(required=True, validate=KEY)
    name = fields.String(required=True, validate=[NAME, not_blank])


class Step(RequestSchema):
    key = fields.String(required=True, validate=KEY)
    label = fields.String(required=True, validate=[validate.Length(max=500), not_blank])
    shape = fields.String(required=True, validate=validate.OneOf(domain.STEP_SHAPES))
    lane = fields.String(required=True, metadata={"description": "the key of its swim lane"})
    stage = fields.String(required=True, metadata={"description": "the key of its stage"})


class Link(RequestSchema):
    source = fields.String(required=True, data_key="from", metadata={"description": "the key of a step"})
    target = fields.String(required=True, data_key="to", metadata={"description": "the key of a step"})
    label = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))


def _default_stages() -> list[dict]:
    return [{"key": stage, "name": stage.capitalize()} for stage in domain.DEFAULT_STAGES]


class ProcessMapIn(RequestSchema):
    lanes = fields.List(fields.Nested(Lane), required=True, validate=validate.Length(min=1, max=30))
    stages = fields.List(
        fields.Nested(Lane),
        load_default=_default_stages,
        validate=validate.Length(min=1, max=20),
        metadata={"description": "columns; identification, completion, training, rostering if omitted"},
    )
    steps = fields.List(fields.Nested(Step), load_default=list, validate=validate.Length(max=300))
    links = fields.List(fields.Nested(Link), load_default=list, validate=validate.Length(max=600))

    @validates_schema(skip_on_field_errors=True)
    def _everything_refers_to_something_known(self, data, **kwargs):
        errors: dict = {}
        for name in ("lanes", "stages", "steps"):
            repeats = domain.repeated([item["key"] for item in data[name]])
            if repeats:
                errors[name] = {index: {"key": ["Given twice."]} for index in repeats}
        lanes = {lane["key"] for lane in data["lanes"]}
        stages = {stage["key"] for stage in data["stages"]}
        steps = {step["key"] for step in data["steps"]}
        for index, step in enumerate(data["steps"]):
            if step["lane"] not in lanes:
                errors.setdefault("steps", {}).setdefault(index, {})["lane"] = [f"No lane {step['lane']}."]
            if step["stage"] not in stages:
                errors.setdefault("steps", {}).setdefault(index, {})["stage"] = [f"No stage {step['stage']}."]
        for index, link in enumerate(data["links"]):
            for attribute, key in (("source", "from"), ("target", "to")):
                if link[attribute] not in steps:
                    errors.setdefault("links", {}).setdefault(index, {})[key] = [f"No step {link[attribute]}."]
        if errors:
            raise ValidationError(errors)


class ProcessMap(ProcessMapIn):
    plan_id = fields.UUID()
    updated_at = fields.AwareDateTime()


# --- Launch ------------------------------------------------------------------------------------------


class TimelineItem(RequestSchema):
    when = fields.String(
        required=True,
        validate=[validate.Length(max=100), not_blank],
        metadata={"description": "a date or a period, e.g. 2021-11 or 'week 2'"},
    )
    what = fields.String(required=True, validate=[TEXT, not_blank])


class LaunchIn(RequestSchema):
    ambition = _text(metadata={"description": "awareness raising, interest generation, passport sign-up..."})
    audiences = _texts(metadata={"description": "the staff groups the launch is aimed at"})
    stakeholders_involved = _texts()
    timeline = fields.List(fields.Nested(TimelineItem), load_default=list, validate=TEXT_LIST)
    forums_and_formats = _texts()
    locations = _texts()
    benefits = _texts(metadata={"description": "the benefits to stress to the audience"})


class Launch(LaunchIn):
    plan_id = fields.UUID()
    updated_at = fields.AwareDateTime()


# --- Measures ----------------------------------------------------------------------------------------


class MeasureIn(RequestSchema):
    name = fields.String(required=True, validate=[NAME, not_blank])
    kind = fields.String(required=True, validate=validate.OneOf(domain.MEASURE_KINDS))
    what = _text()
    already_measured = fields.Boolean(load_default=None, allow_none=True)
    already_measured_how = _text()
    frequency = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=100))
    method = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(domain.METHODS))
    owner = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    shared_where = _text()
    metric = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.OneOf(domain.METRICS),
        metadata={"description": "the computable metric the metrics service computes it from"},
    )
    passport_type = fields.String(
        load_default=None,
        allow_none=True,
        validate=TYPE_CODE,
        metadata={"description": "with a metric: the passport type it counts; none for all"},
    )
    target = fields.Float(load_default=None, allow_none=True, validate=validate.Range(min=0))
    improvement_direction = fields.String(
        load_default=INCREASE,
        validate=validate.OneOf(IMPROVEMENT_DIRECTIONS),
        metadata={
            "description": "which way is better: increase (higher values are better, the default) or decrease; "
            "the charts colour signals and judge the target by it"
        },
    )

    @validates_schema(skip_on_field_errors=True)
    def _a_passport_type_needs_a_metric(self, data, **kwargs):
        if data.get("passport_type") and not data.get("metric"):
            raise ValidationError("A passport type narrows a metric: name the metric too.", "passport_type")


class Measure(MeasureIn):
    id = fields.UUID()
    plan_id = fields.UUID()
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()


# --- PDSA cycles -------------------------------------------------------------------------------------


class CycleIn(RequestSchema):
    activity_id = fields.UUID(required=True, metadata={"description": "the activity (change idea) it tests"})
    title = fields.String(required=True, validate=[NAME, not_blank])
    plan = fields.String(required=True, validate=[TEXT, not_blank], metadata={"description": "Plan: what and how"})
    prediction = _text(metadata={"description": "what we expect to happen"})
    do = _text(metadata={"description": "Do: what happened"})
    study = _text(metadata={"description": "Study: the results against the prediction and the data"})
    act = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(domain.ACTS))
    act_notes = _text()
    started_on = fields.Date(load_default=None, allow_none=True)
    ended_on = fields.Date(load_default=None, allow_none=True)

    @validates_schema(skip_on_field_errors=True)
    def _ends_after_it_starts(self, data, **kwargs):
        if data.get("started_on") and data.get("ended_on") and data["ended_on"] < data["started_on"]:
            raise ValidationError("A cycle ends on or after the day it starts.", "ended_on")


class Cycle(CycleIn):
    id = fields.UUID()
    plan_id = fields.UUID()
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()


# --- Workforce ---------------------------------------------------------------------------------------

COUNT = validate.Range(min=0, max=100_000)


class WorkforceRoleIn(RequestSchema):
    role = fields.String(required=True, validate=TYPE_CODE, metadata={"description": "the passport type code"})
    needed = fields.Integer(required=True, validate=COUNT, metadata={"description": "staff the surge model needs"})
    prospective = fields.Integer(
        load_default=0, validate=COUNT, metadata={"description": "staff identified to rotate in future surges"}
    )
    retrospective = fields.Integer(
        load_default=0, validate=COUNT, metadata={"description": "staff identified who were deployed in earlier surges"}
    )


class WorkforceRole(WorkforceRoleIn):
    identified = fields.Function(
        lambda role: role.prospective + role.retrospective,
        metadata={"description": "the rotation cohort: prospective + retrospective"},
    )


class WorkforceIn(RequestSchema):
    roles = fields.List(fields.Nested(WorkforceRoleIn), required=True, validate=validate.Length(max=20))

    @validates_schema(skip_on_field_errors=True)
    def _each_role_once(self, data, **kwargs):
        repeats = domain.repeated([role["role"] for role in data["roles"]])
        if repeats:
            raise ValidationError({index: {"role": ["Given twice."]} for index in repeats}, "roles")


class Workforce(Schema):
    plan_id = fields.UUID()
    roles = fields.List(fields.Nested(WorkforceRole))


# --- A plan whole ------------------------------------------------------------------------------------


class PlanDetail(PlanSummary):
    aim = fields.Nested(Aim, allow_none=True)
    stakeholders = fields.List(fields.Nested(Stakeholder))
    drivers = fields.List(fields.Nested(Driver))
    process_map = fields.Nested(ProcessMap, allow_none=True)
    launch = fields.Nested(Launch, allow_none=True)
    measures = fields.List(fields.Nested(Measure))
    cycles = fields.List(fields.Nested(Cycle))
    workforce = fields.Nested(Workforce)


# --- The roster --------------------------------------------------------------------------------------


class RosterQuery(RequestSchema):
    trust_id = fields.UUID()
    role = fields.String(validate=TYPE_CODE)
    staff_id = fields.UUID()
    status = fields.String(validate=validate.OneOf((domain.ELIGIBLE, domain.INELIGIBLE)))


def _staff_name() -> fields.String:
    return fields.String(
        allow_none=True,
        metadata={"description": "the person's name; null until identity's user event reaches planning"},
    )


def _staff_number() -> fields.String:
    return fields.String(allow_none=True, metadata={"description": "the person's staff number; null when not known"})


class RosterEntry(Schema):
    staff_id = fields.UUID()
    staff_name = _staff_name()
    staff_number = _staff_number()
    trust_id = fields.UUID()
    role = fields.String(metadata={"description": "the passport type code"})
    status = fields.String(metadata={"description": "eligible or ineligible"})
    certificate_id = fields.UUID(allow_none=True)
    since = fields.AwareDateTime()
    reason = fields.String(metadata={"description": "certified, revoked, expired, or left (the person left the Trust)"})
    updated_at = fields.AwareDateTime()


class RosterHistoryQuery(RequestSchema):
    staff_id = fields.UUID(required=True)
    role = fields.String(required=True, validate=TYPE_CODE)


class RosterChange(Schema):
    staff_id = fields.UUID()
    staff_name = _staff_name()
    staff_number = _staff_number()
    role = fields.String()
    status = fields.String()
    certificate_id = fields.UUID(allow_none=True)
    since = fields.AwareDateTime()
    reason = fields.String()
    recorded_at = fields.AwareDateTime()
    event_id = fields.UUID(
        metadata={
            "description": "the event that made the change: a certificate event, or identity's user event of a leaver"
        }
    )
