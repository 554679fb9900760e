"""The metrics service's request and response bodies."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from services.metrics import domain
from shared.events.catalogue import PassportTypeCounts
from shared.schemas import RequestSchema

FREQUENCY = fields.String(validate=validate.OneOf((domain.DAILY, domain.WEEKLY)), load_default=None,
                          metadata={"description": "daily or weekly (Monday to Sunday); by default the measure's own "
                                                   "frequency when it says daily, weekly otherwise"})


class PassportTypeFigures(PassportTypeCounts):
    code = fields.String(required=True)

    class Meta:
        ordered = True


class AimProgress(Schema):
    plan_id = fields.UUID()
    name = fields.String()
    statement = fields.String(allow_none=True)
    passport_types = fields.List(fields.String(), metadata={"description": "empty: every type"})
    metric = fields.String(metadata={"description": "completion_rate: completed ÷ staff identified × 100"})
    target = fields.Float(metadata={"description": "the target percentage"})
    target_cohort_size = fields.Integer(allow_none=True)
    cohort_identified = fields.Integer(allow_none=True, metadata={
        "description": "staff identified for rotation (cohort.updated), or the aim's cohort size when none is"})
    completed = fields.Integer()
    deadline = fields.Date(allow_none=True)
    value = fields.Float(allow_none=True, metadata={"description": "the percentage completed now"})
    percent_of_target = fields.Float(allow_none=True)
    on_track = fields.Boolean(allow_none=True, metadata={
        "description": "value now + the rate per day of the last 28 days × days to the deadline ≥ target; "
                       "null without a deadline"})


class MeasureProgress(Schema):
    measure_id = fields.UUID()
    plan_id = fields.UUID()
    name = fields.String()
    kind = fields.String()
    metric = fields.String()
    passport_type = fields.String(allow_none=True)
    target = fields.Float(allow_none=True)
    deadline = fields.Date(allow_none=True, metadata={"description": "the deadline of its plan's aim"})
    value = fields.Float(allow_none=True)
    percent_of_target = fields.Float(allow_none=True)
    on_track = fields.Boolean(allow_none=True)


class Dashboard(Schema):
    trust_id = fields.UUID()
    as_of = fields.AwareDateTime()
    passport_types = fields.List(fields.Nested(PassportTypeFigures))
    aims = fields.List(fields.Nested(AimProgress))
    measures = fields.List(fields.Nested(MeasureProgress))


class SeriesQuery(RequestSchema):
    frequency = FREQUENCY


class ChartQuery(RequestSchema):
    kind = fields.String(validate=validate.OneOf(("spc", "run")), load_default="spc",
                         metadata={"description": "spc (an XmR chart, the default) or run (a run chart)"})
    frequency = FREQUENCY
    baseline = fields.Integer(validate=validate.Range(min=2), load_default=None, metadata={
        "description": "SPC only: fix the mean and limits on the first N points"})


class SeriesPoint(Schema):
    period_end = fields.Date()
    value = fields.Float(allow_none=True, metadata={"description": "null while a ratio's denominator is 0"})


class Series(Schema):
    measure_id = fields.UUID()
    name = fields.String()
    metric = fields.String()
    passport_type = fields.String(allow_none=True)
    frequency = fields.String()
    target = fields.Float(allow_none=True)
    points = fields.List(fields.Nested(SeriesPoint))
