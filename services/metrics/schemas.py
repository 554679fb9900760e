"""The metrics service's request and response bodies."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from services.metrics import domain, spc
from shared.events.catalogue import IMPROVEMENT_DIRECTIONS, PassportTypeCounts
from shared.schemas import RequestSchema

FREQUENCY = fields.String(
    validate=validate.OneOf(domain.FREQUENCIES),
    load_default=None,
    metadata={
        "description": "daily, weekly (Monday to Sunday) or monthly; by default the "
        "measure's own frequency when it says daily or monthly, weekly "
        "otherwise"
    },
)
DIRECTION = fields.String(
    validate=validate.OneOf(IMPROVEMENT_DIRECTIONS),
    metadata={"description": "which way is better: increase or decrease (the measure's, from planning)"},
)
VARIATION = fields.String(
    allow_none=True,
    validate=validate.OneOf(spc.VARIATIONS),
    metadata={
        "description": "the Making Data Count variation icon, from the latest charted point: common_cause, "
        "improvement_high, improvement_low, concern_high or concern_low; null under 2 points"
    },
)
ASSURANCE = fields.String(
    allow_none=True,
    validate=validate.OneOf(spc.ASSURANCES),
    metadata={
        "description": "the Making Data Count assurance icon: pass (the current limits are all on the good side of the "
        "target), fail (all on the bad side) or hit_or_miss (the target is between them); null without "
        "a target, under 2 points, or for counts per period (a count's target is for its running total)"
    },
)
FORM = fields.String(
    metadata={
        "description": "period (what happened in each period), cumulative (the running "
        "total at each period's end), ratio or entered"
    }
)


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
    cohort_identified = fields.Integer(
        allow_none=True,
        metadata={
            "description": "staff identified for rotation (cohort.updated), or the aim's cohort size when none is"
        },
    )
    completed = fields.Integer()
    deadline = fields.Date(allow_none=True)
    value = fields.Float(allow_none=True, metadata={"description": "the percentage completed now"})
    percent_of_target = fields.Float(allow_none=True)
    on_track = fields.Boolean(
        allow_none=True,
        metadata={
            "description": "value now + the rate per day of the last 28 days × days to the deadline ≥ target; "
            "null without a deadline"
        },
    )


class LatestPoint(Schema):
    period_start = fields.Date()
    period_end = fields.Date()
    value = fields.Float(allow_none=True)


class ChartSummary(Schema):
    """What a measure's XmR chart shows, as NHS board reports summarise it."""

    frequency = fields.String()
    form = FORM
    improvement_direction = DIRECTION
    mean = fields.Float(
        allow_none=True, metadata={"description": "of the current limits' stretch; null under 2 points"}
    )
    upper_process_limit = fields.Float(allow_none=True)
    lower_process_limit = fields.Float(allow_none=True)
    variation = VARIATION
    assurance = ASSURANCE


class MeasureProgress(ChartSummary):
    measure_id = fields.UUID()
    plan_id = fields.UUID()
    name = fields.String()
    kind = fields.String()
    metric = fields.String(allow_none=True, metadata={"description": "null: values are entered per period"})
    entered = fields.Boolean(metadata={"description": "true when the values are entered by hand (no metric)"})
    passport_type = fields.String(allow_none=True)
    target = fields.Float(allow_none=True)
    deadline = fields.Date(allow_none=True, metadata={"description": "the deadline of its plan's aim"})
    value = fields.Float(
        allow_none=True, metadata={"description": "a count's running total, a ratio now, or the latest entered value"}
    )
    percent_of_target = fields.Float(allow_none=True)
    on_track = fields.Boolean(allow_none=True)
    latest = fields.Nested(LatestPoint, allow_none=True, metadata={"description": "the latest charted point"})


class Dashboard(Schema):
    trust_id = fields.UUID()
    as_of = fields.AwareDateTime()
    passport_types = fields.List(fields.Nested(PassportTypeFigures))
    aims = fields.List(fields.Nested(AimProgress))
    measures = fields.List(fields.Nested(MeasureProgress))


class SeriesQuery(RequestSchema):
    frequency = FREQUENCY
    form = fields.String(
        validate=validate.OneOf(domain.FORMS),
        load_default=None,
        metadata={
            "description": "counts only: period (what happened in each period, the default) or cumulative (the running "
            "total); ratios and entered values ignore it"
        },
    )
    baseline = fields.Integer(
        validate=validate.Range(min=2, max=1000),
        load_default=None,
        metadata={"description": "fix the mean and limits on the first N points (of each stretch, with rebase)"},
    )
    rebase = fields.List(
        fields.Date(),
        load_default=list,
        validate=validate.Length(max=20),
        metadata={
            "description": "repeatable: recalculate the limits from the period starting on or after this date (after a "
            "sustained change)"
        },
    )


class ChartQuery(SeriesQuery):
    kind = fields.String(
        validate=validate.OneOf(("spc", "run")),
        load_default="spc",
        metadata={"description": "spc (an XmR chart, the default) or run (a run chart)"},
    )


class SeriesPoint(Schema):
    period_start = fields.Date()
    period_end = fields.Date()
    value = fields.Float(allow_none=True, metadata={"description": "null while a ratio's denominator is 0"})
    partial = fields.Boolean(
        metadata={"description": "the period is still going on; a count for it is not charted until it ends"}
    )
    special_cause = fields.String(
        allow_none=True,
        validate=validate.OneOf((spc.IMPROVEMENT, spc.CONCERN)),
        metadata={"description": "improvement, concern, or null (common cause, or not charted)"},
    )
    note = fields.String(allow_none=True, metadata={"description": "entered values only"})


class Stretch(Schema):
    period_start = fields.Date(metadata={"description": "the first period the limits apply to"})
    mean = fields.Float()
    upper_process_limit = fields.Float()
    lower_process_limit = fields.Float()
    points_used = fields.Integer(metadata={"description": "the points the mean and limits come from"})


class Series(ChartSummary):
    measure_id = fields.UUID()
    name = fields.String()
    metric = fields.String(allow_none=True)
    passport_type = fields.String(allow_none=True)
    target = fields.Float(allow_none=True)
    baseline = fields.Integer(allow_none=True)
    rebase = fields.List(fields.Date())
    limits = fields.List(
        fields.Nested(Stretch), metadata={"description": "each stretch's mean and limits, oldest first"}
    )
    points = fields.List(fields.Nested(SeriesPoint))


class EnteredValueIn(RequestSchema):
    value = fields.Float(required=True, allow_nan=False, validate=validate.Range(min=-1e12, max=1e12))
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))


class EnteredValueOut(Schema):
    measure_id = fields.UUID()
    period_start = fields.Date()
    period_end = fields.Date()
    value = fields.Float()
    note = fields.String(allow_none=True)
    entered_by = fields.UUID()
    entered_at = fields.AwareDateTime()
