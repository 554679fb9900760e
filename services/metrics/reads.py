"""The metrics service's reads: the dashboard, each measure's series and chart, the values entered for
measures bound to no metric, and the usage export. They touch the running totals and a bounded window of
days only, however long the history."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from services.metrics import domain, spc, svg
from services.metrics.models import (
    COUNTER_NAMES,
    CertificateState,
    CurrentCounts,
    DailyCount,
    EnteredValue,
    MeasureDefinition,
    PassportState,
    Person,
    PlanAim,
)
from shared.db import dialect_insert
from shared.domain import Caller, Conflict, Invalid, NotFound
from shared.language import BUNDLED_PASSPORT_TYPES
from shared.uow import UnitOfWork

SERIES_LENGTH = {domain.DAILY: 90, domain.WEEKLY: 26, domain.MONTHLY: 24}  # periods charted
ENTERED_LENGTH = 104  # the latest entered values charted
FEWEST_FOR_LIMITS = 2  # a moving range needs two points


# --- Counter totals and their recent changes -------------------------------------------------------------


@dataclass
class Window:
    """Counter totals now (summed over some passport types) and their changes after a given day."""

    totals: dict[str, int]
    deltas: dict[tuple[str, date], int]
    first_day: date | None

    def at(self, day: date) -> dict[str, int]:
        return domain.levels_at([day], self.totals, self.deltas)[0]


def _window(
    session, trust_id: uuid.UUID, passport_types: list[str] | None, after: date, counters: tuple[str, ...]
) -> Window:
    """The totals now and the daily changes after `after` of the counters named (the changes of the others are
    not read: a year of a Trust's days is thousands of rows)."""
    counts = sa.select(CurrentCounts).where(CurrentCounts.trust_id == trust_id)
    days = (
        sa.select(DailyCount.metric, DailyCount.day, sa.func.sum(DailyCount.delta))
        .where(
            DailyCount.trust_id == trust_id,
            DailyCount.day > after,
            DailyCount.metric.in_(counters),
        )
        .group_by(DailyCount.metric, DailyCount.day)
    )
    if passport_types:
        counts = counts.where(CurrentCounts.passport_type.in_(passport_types))
        days = days.where(DailyCount.passport_type.in_(passport_types))
    rows = list(session.scalars(counts))
    totals = {counter: sum(getattr(row, counter) for row in rows) for counter in COUNTER_NAMES}
    first_days = [row.first_day for row in rows if row.first_day]
    return Window(
        totals,
        {(metric, day): int(delta) for metric, day, delta in session.execute(days)},
        min(first_days, default=None),
    )


def _rate_days(window: Window, today: date) -> int:
    if window.first_day is None:
        return 0
    return min(domain.RATE_WINDOW_DAYS, (today - window.first_day).days + 1)


def dashboard(uow: UnitOfWork, caller: Caller, trust_id: uuid.UUID, now: datetime) -> dict:
    domain.check_trust(caller, trust_id, f"dashboard for Trust {trust_id}")
    session, today = uow.session, now.date()
    rows = {
        row.passport_type: row
        for row in session.scalars(sa.select(CurrentCounts).where(CurrentCounts.trust_id == trust_id))
    }
    codes = list(BUNDLED_PASSPORT_TYPES) + sorted(set(rows) - set(BUNDLED_PASSPORT_TYPES))
    passport_types = [
        {"code": code, **{c: getattr(rows[code], c) if code in rows else 0 for c in COUNTER_NAMES}} for code in codes
    ]
    aims = [
        _aim_progress(session, aim, today)
        for aim in session.scalars(
            sa.select(PlanAim)
            .where(PlanAim.trust_id == trust_id, PlanAim.deleted.is_(False), PlanAim.target_percentage.is_not(None))
            .order_by(PlanAim.name, PlanAim.plan_id)
        )
    ]
    measures = [
        measure_progress(uow, measure, today)
        for measure in session.scalars(
            sa.select(MeasureDefinition)
            .where(
                MeasureDefinition.trust_id == trust_id,
                MeasureDefinition.deleted.is_(False),
            )
            .order_by(MeasureDefinition.name, MeasureDefinition.measure_id)
        )
    ]
    return {"trust_id": trust_id, "as_of": now, "passport_types": passport_types, "aims": aims, "measures": measures}


def _aim_progress(session, aim: PlanAim, today: date) -> dict:
    """Completed passports of the aim's types as a percentage of the staff identified for rotation (the
    cohort.updated figures, or the aim's own cohort size while planning has sent none)."""
    window = _window(
        session,
        aim.trust_id,
        aim.target_passport_types or None,
        today - timedelta(days=domain.RATE_WINDOW_DAYS),
        domain.counters_of("completion_rate"),
    )
    cohort = window.totals["cohort_identified"] or aim.target_cohort_size
    value = domain.ratio(window.totals["completed"], cohort)
    days = _rate_days(window, today)
    then = domain.ratio(window.at(today - timedelta(days=days))["completed"], cohort) if days else None
    return {
        "plan_id": aim.plan_id,
        "name": aim.name,
        "statement": aim.statement,
        "passport_types": aim.target_passport_types,
        "metric": "completion_rate",
        "target": aim.target_percentage,
        "target_cohort_size": aim.target_cohort_size,
        "cohort_identified": cohort,
        "completed": window.totals["completed"],
        "deadline": aim.target_deadline,
        "value": value,
        "percent_of_target": domain.percent_reached(value, aim.target_percentage),
        "on_track": domain.on_track(
            value, domain.rate_per_day(value, then, days), aim.target_percentage, aim.target_deadline, today
        ),
    }


def measure_progress(uow: UnitOfWork, measure: MeasureDefinition, today: date) -> dict:
    """The measure's value now against its target and the rate needed, and what its chart shows: the latest
    point, the mean and limits, and the variation and assurance icons."""
    aim = uow.session.get(PlanAim, measure.plan_id)
    deadline = aim.target_deadline if aim and not aim.deleted else None
    series = measure_series(uow, measure, today)
    latest = series.points[series.charted[-1]] if series.charted else None
    if measure.metric is None:
        value, on_track = (latest["value"] if latest else None), None
    else:
        window = series.window  # reaches back at least the rate's 28 days
        cohort_fallback = aim.target_cohort_size if aim else None
        value = domain.metric_value(measure.metric, window.totals, cohort_fallback)
        days = _rate_days(window, today)
        then = (
            domain.metric_value(measure.metric, window.at(today - timedelta(days=days)), cohort_fallback)
            if days
            else None
        )
        on_track = domain.on_track(value, domain.rate_per_day(value, then, days), measure.target, deadline, today)
    return {
        "measure_id": measure.measure_id,
        "plan_id": measure.plan_id,
        "name": measure.name,
        "kind": measure.kind,
        "metric": measure.metric,
        "passport_type": measure.passport_type,
        "target": measure.target,
        "deadline": deadline,
        "value": value,
        "percent_of_target": domain.percent_reached(value, measure.target),
        "on_track": on_track,
        "entered": measure.metric is None,
        "latest": {key: latest[key] for key in ("period_start", "period_end", "value")} if latest else None,
        **series.summary(),
    }


def measure_of_caller(uow: UnitOfWork, caller: Caller, measure_id: uuid.UUID) -> MeasureDefinition:
    measure = uow.session.get(MeasureDefinition, measure_id)
    domain.check_trust(caller, measure.trust_id if measure and not measure.deleted else None, f"measure {measure_id}")
    return measure


# --- A measure's series ----------------------------------------------------------------------------------


@dataclass
class MeasureSeries:
    """A measure's values period by period, and its XmR chart over the points that are charted: every point
    with a value but a count for a period still going on (it would read as a fall)."""

    measure: MeasureDefinition
    frequency: str
    form: str
    points: list[dict]
    charted: list[int]
    chart: spc.XmRChart
    baseline: int | None
    rebase: list[date]
    window: Window | None  # the counters read, for a measure bound to a metric

    @property
    def values(self) -> list[float]:
        return [self.points[i]["value"] for i in self.charted]

    @property
    def target(self) -> float | None:
        """The target the points are judged against: a count's target is for its running total, not for what
        happens in one period."""
        return None if self.form == domain.PERIOD else self.measure.target

    @property
    def dates(self) -> list[date]:
        return [self.points[i]["period_end"] for i in self.charted]

    def summary(self) -> dict:
        enough = len(self.charted) >= FEWEST_FOR_LIMITS
        limits = self.chart.current if enough else None
        return {
            "frequency": self.frequency,
            "form": self.form,
            "improvement_direction": self.chart.direction,
            "mean": limits.mean if limits else None,
            "upper_process_limit": limits.upper_limit if limits else None,
            "lower_process_limit": limits.lower_limit if limits else None,
            "variation": self.chart.variation if enough else None,
            "assurance": spc.assurance(self.chart, self.target) if enough else None,
        }

    def as_response(self) -> dict:
        causes = dict(zip(self.charted, self.chart.special_cause))
        points = [{**point, "special_cause": causes.get(i)} for i, point in enumerate(self.points)]
        stretches = (
            [
                {
                    "period_start": self.points[self.charted[limits.start]]["period_start"],
                    "mean": limits.mean,
                    "upper_process_limit": limits.upper_limit,
                    "lower_process_limit": limits.lower_limit,
                    "points_used": limits.points_used,
                }
                for limits in self.chart.segments
            ]
            if len(self.charted) >= FEWEST_FOR_LIMITS
            else []
        )
        measure = self.measure
        return {
            "measure_id": measure.measure_id,
            "name": measure.name,
            "metric": measure.metric,
            "passport_type": measure.passport_type,
            "target": measure.target,
            "points": points,
            "baseline": self.baseline,
            "rebase": self.rebase,
            "limits": stretches,
            **self.summary(),
        }


def measure_series(
    uow: UnitOfWork,
    measure: MeasureDefinition,
    today: date,
    *,
    frequency: str | None = None,
    form: str | None = None,
    baseline: int | None = None,
    rebase: list[date] = (),
) -> MeasureSeries:
    """The series as asked: per period (counts, by default), cumulative, a ratio or entered values; with
    limits fixed on the first `baseline` points of each stretch, and a new stretch from each rebase date on."""
    frequency = frequency or domain.default_frequency(measure.frequency)
    form = domain.series_form(measure.metric, form)
    window = None if form == domain.ENTERED else _series_window(uow, measure, frequency, today)
    points = (
        _entered_points(uow, measure, frequency, today)
        if window is None
        else _computed_points(uow, measure, frequency, form, today, window)
    )
    charted = [
        i
        for i, point in enumerate(points)
        if point["value"] is not None and not (form == domain.PERIOD and point["partial"])
    ]
    starts = [points[i]["period_start"] for i in charted]
    rebase = sorted(set(rebase))
    rebase_at = [next((n for n, start in enumerate(starts) if start >= day), len(starts)) for day in rebase]
    chart = spc.xmr_chart(
        [points[i]["value"] for i in charted], baseline, rebase=rebase_at, direction=measure.improvement_direction
    )
    return MeasureSeries(measure, frequency, form, points, charted, chart, baseline, rebase, window)


def _series_window(uow: UnitOfWork, measure: MeasureDefinition, frequency: str, today: date) -> Window:
    """The counters of the measure's passport types and their changes since the first period charted, or the
    last 28 days when they reach further back (the rate its progress is judged on)."""
    after = min(
        domain.periods_back(today, frequency, SERIES_LENGTH[frequency]), today - timedelta(days=domain.RATE_WINDOW_DAYS)
    ) - timedelta(days=1)
    return _window(
        uow.session,
        measure.trust_id,
        [measure.passport_type] if measure.passport_type else None,
        after,
        domain.counters_of(measure.metric),
    )


def _computed_points(
    uow: UnitOfWork, measure: MeasureDefinition, frequency: str, form: str, today: date, window: Window
) -> list[dict]:
    """From the first period with activity (within the last SERIES_LENGTH periods) to the current one: what
    happened in each period, or the level at its end (today for the current one)."""
    start = domain.periods_back(today, frequency, SERIES_LENGTH[frequency])
    spans = domain.periods(max(start, window.first_day) if window.first_day else today, today, frequency)
    if form == domain.PERIOD:
        values = [domain.metric_value(measure.metric, within) for within in domain.changes_within(spans, window.deltas)]
    else:
        aim = uow.session.get(PlanAim, measure.plan_id)
        fallback = aim.target_cohort_size if aim else None
        levels = domain.levels_at([min(span.end, today) for span in spans], window.totals, window.deltas)
        values = [domain.metric_value(measure.metric, level, fallback) for level in levels]
    return [
        {"period_start": span.start, "period_end": span.end, "value": value, "partial": span.partial(today)}
        for span, value in zip(spans, values)
    ]


def _entered_points(uow: UnitOfWork, measure: MeasureDefinition, frequency: str, today: date) -> list[dict]:
    """The latest entered values, oldest first: a period with no value entered is no point at all."""
    rows = list(
        uow.session.scalars(
            sa.select(EnteredValue)
            .where(EnteredValue.measure_id == measure.measure_id)
            .order_by(EnteredValue.period_start.desc())
            .limit(ENTERED_LENGTH)
        )
    )
    points = []
    for row in reversed(rows):
        span = domain.period_of(row.period_start, frequency)
        points.append(
            {
                "period_start": row.period_start,
                "period_end": span.end,
                "value": row.value,
                "partial": span.partial(today),
                "note": row.note,
            }
        )
    return points


def chart(series: MeasureSeries, kind: str) -> str:
    """The series as a run chart or an XmR chart, signals marked."""
    measure = series.measure
    title = f"{measure.name} ({series.frequency}, {_what_is_counted(measure)})"
    if kind == "run":
        return svg.render_run_chart(
            title, series.dates, series.values, spc.run_chart(series.values), series.target, series.chart.direction
        )
    return svg.render_xmr_chart(title, series.dates, series.values, series.chart, series.target, series.baseline)


def _what_is_counted(measure: MeasureDefinition) -> str:
    if measure.metric is None:
        return "entered values"
    return measure.passport_type or "all passport types"


# --- Values entered for measures bound to no metric -------------------------------------------------------


def entered_values(uow: UnitOfWork, caller: Caller, measure_id: uuid.UUID) -> list[dict]:
    measure = measure_of_caller(uow, caller, measure_id)
    frequency = domain.default_frequency(measure.frequency)
    rows = uow.session.scalars(
        sa.select(EnteredValue).where(EnteredValue.measure_id == measure_id).order_by(EnteredValue.period_start)
    )
    return [_entered(row, frequency) for row in rows]


def enter_value(
    uow: UnitOfWork, caller: Caller, measure_id: uuid.UUID, period_start: date, body: dict, now: datetime
) -> dict:
    """Set the value of one period (a second entry for the same period replaces the first)."""
    measure = _measure_taking_values(uow, caller, measure_id)
    frequency = domain.default_frequency(measure.frequency)
    domain.check_period_start(period_start, frequency)
    if period_start > now.date():
        raise Invalid("period_start", "That period has not started yet.")
    values = {"value": body["value"], "note": body.get("note"), "entered_by": caller.user_id, "entered_at": now}
    insert = dialect_insert(uow.session)(EnteredValue).values(
        measure_id=measure_id, period_start=period_start, **values
    )
    uow.session.execute(insert.on_conflict_do_update(index_elements=["measure_id", "period_start"], set_=values))
    uow.session.flush()
    return _entered(uow.session.get(EnteredValue, (measure_id, period_start), populate_existing=True), frequency)


def remove_value(uow: UnitOfWork, caller: Caller, measure_id: uuid.UUID, period_start: date) -> None:
    _measure_taking_values(uow, caller, measure_id)
    removed = uow.session.execute(
        sa.delete(EnteredValue).where(EnteredValue.measure_id == measure_id, EnteredValue.period_start == period_start)
    )
    if not removed.rowcount:
        raise NotFound(f"No value entered for the period starting {period_start.isoformat()}.")


def _measure_taking_values(uow: UnitOfWork, caller: Caller, measure_id: uuid.UUID) -> MeasureDefinition:
    measure = measure_of_caller(uow, caller, measure_id)
    if measure.metric is not None:
        raise Conflict(
            f"Measure {measure_id} is computed from the passports' events ({measure.metric}); only a "
            "measure bound to no metric takes entered values."
        )
    return measure


def _entered(row: EnteredValue, frequency: str) -> dict:
    return {
        "measure_id": row.measure_id,
        "period_start": row.period_start,
        "period_end": domain.period_of(row.period_start, frequency).end,
        "value": row.value,
        "note": row.note,
        "entered_by": row.entered_by,
        "entered_at": row.entered_at,
    }


# --- The export --------------------------------------------------------------------------------------


def export_rows(uow: UnitOfWork, caller: Caller) -> list[dict]:
    """One row per passport of the caller's Trust, with what identity said of its holder and the state of
    the passport's newest certificate."""
    session = uow.session
    passports = session.execute(
        sa.select(PassportState, Person)
        .join(Person, Person.user_id == PassportState.staff_id, isouter=True)
        .where(PassportState.trust_id == caller.trust_id, PassportState.passport_type.is_not(None))
        .order_by(PassportState.passport_type, PassportState.started_at, PassportState.passport_id)
    )
    newest: dict[uuid.UUID, CertificateState] = {}
    for certificate in session.scalars(sa.select(CertificateState).where(CertificateState.trust_id == caller.trust_id)):
        held = newest.get(certificate.passport_id)
        if held is None or _issued_key(certificate) > _issued_key(held):
            newest[certificate.passport_id] = certificate
    rows = []
    for passport, person in passports:
        certificate = newest.get(passport.passport_id)
        rows.append(
            {
                "staff_id": passport.staff_id,
                "passport_id": passport.passport_id,
                "staff_number": person.staff_number if person and person.trust_id == caller.trust_id else None,
                "staff_name": person.name if person and person.trust_id == caller.trust_id else None,
                "professional_group": person.professional_group
                if person and person.trust_id == caller.trust_id
                else None,
                "passport_type": passport.passport_type,
                "started": passport.started_at,
                "last_activity": passport.last_activity_at,
                "skills_self_assessed": passport.skills_self_assessed,
                "skills_signed_off": passport.skills_signed_off,
                "skills_total": passport.skills_total,
                "status": passport.status,
                "certificate_status": _certificate_status(certificate),
                "certificate_expires": certificate.expires_at if certificate else None,
            }
        )
    return rows


def _issued_key(certificate: CertificateState) -> str:
    return certificate.issued_at.isoformat() if certificate.issued_at else ""


def _certificate_status(certificate: CertificateState | None) -> str | None:
    if certificate is None or certificate.issued_at is None:
        return None
    if certificate.end_reason:
        return certificate.end_reason
    return "superseded" if certificate.superseded else "valid"
