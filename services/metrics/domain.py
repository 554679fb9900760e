"""The metrics rules, as pure functions: who reads what, how each fact moves the counters, the ratios
measures are computed as, progress against a target and whether the current rate meets the deadline."""

from __future__ import annotations

import uuid
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone

from shared.csv_safety import formula_safe
from shared.domain import Caller, Invalid, NotFound
from shared.language import (
    ATTENDED_VS_PLANNED,
    COMPLETED,
    COMPLETION_RATE,
    CUMULATIVE,
    DASHBOARD_READERS,
    ELIGIBLE,
    ENTERED,
    EXPIRED,
    IN_PROGRESS,
    LEARNING_STEPS,
    PERIOD,
    PROFICIENT,
    RATIO,
    REVOKED,
    USAGE_EXPORTERS,
    VALUE_ENTERERS,
    WITHDRAWN,
)
from shared.rules import KeptDecision as Decision
from shared.rules import is_newer_profile, standing_decision, superseded_certificates

READERS, EXPORTERS = DASHBOARD_READERS, USAGE_EXPORTERS

STATUS_COUNTERS = {IN_PROGRESS: "in_progress", COMPLETED: "completed", WITHDRAWN: "withdrawn"}
END_COUNTERS = {REVOKED: "certificates_revoked", EXPIRED: "certificates_expired"}
LEARNING_COUNTERS = {"planned": "learning_planned", "attended": "learning_attended", "completed": "learning_completed"}

# The metrics a measure can be bound to (planning's list), and the counters they read.
COUNT_METRICS = {
    "started": "started",
    "completed": "completed",
    "certified": "certified",
    "self_assessed": "skills_self_assessed",
    "signed_off": "skills_signed_off",
}
RATIO_METRICS = {
    COMPLETION_RATE: ("completed", "cohort_identified"),
    ATTENDED_VS_PLANNED: ("learning_attended", "learning_planned"),
}
DAILY, WEEKLY, MONTHLY = "daily", "weekly", "monthly"
FREQUENCIES = (DAILY, WEEKLY, MONTHLY)
# What a series' values are: what happened in each period (counts, by default), the running total at each
# period's end, a ratio at each period's end, or values people entered.
FORMS = (PERIOD, CUMULATIVE)
RATE_WINDOW_DAYS = 28


def check_trust(caller: Caller, trust_id: uuid.UUID | None, what: str) -> None:
    """Another Trust's figures are answered exactly like ones that do not exist."""
    if trust_id is None or trust_id != caller.trust_id:
        raise NotFound(f"No {what} in your Trust.")


def day_of(moment: datetime) -> date:
    return moment.astimezone(UTC).date()


# --- How facts move the counters ----------------------------------------------------------------------


@dataclass
class Changes:
    """The counter changes one event makes, by passport type, counter and day."""

    deltas: dict[tuple[str, str, date], int] = field(default_factory=lambda: defaultdict(int))

    def add(self, passport_type: str, counter: str, moment: datetime | date, delta: int = 1) -> None:
        day = moment if type(moment) is date else day_of(moment)
        self.deltas[(passport_type, counter, day)] += delta

    def nonzero(self) -> dict[tuple[str, str, date], int]:
        return {key: delta for key, delta in self.deltas.items() if delta}

    def changed_types(self) -> list[str]:
        """The passport types whose totals moved (a change undone the same event does not count)."""
        totals: dict[tuple[str, str], int] = defaultdict(int)
        for (passport_type, counter, _), delta in self.deltas.items():
            totals[(passport_type, counter)] += delta
        return sorted({passport_type for (passport_type, _), total in totals.items() if total})


def status_after(
    status: str | None, status_at: datetime | None, new_status: str, at: datetime
) -> tuple[str | None, datetime | None]:
    """A passport's status is the one its latest status event gave it, whatever the arrival order; withdrawal
    is final."""
    if status == WITHDRAWN:
        return status, status_at
    if new_status == WITHDRAWN or status_at is None or at >= status_at:
        return new_status, at
    return status, status_at


def move_status(changes: Changes, passport_type: str, old: str | None, new: str | None, at: datetime) -> None:
    if old == new:
        return
    if old is not None:
        changes.add(passport_type, STATUS_COUNTERS[old], at, -1)
    if new is not None:
        changes.add(passport_type, STATUS_COUNTERS[new], at, +1)


def learning_reached(old: str | None, new: str) -> tuple[str, list[str]]:
    """A learning record keeps the furthest status it reached; every record counts as planned, one attended
    or completed counts as attended too. Returns the status kept and the counters newly reached."""
    old_step = LEARNING_STEPS.index(old) if old else -1
    new_step = LEARNING_STEPS.index(new)
    if new_step <= old_step:
        return old, []
    reached = ["planned", "attended", "completed"][old_step + 1 : new_step + 1]
    return new, [LEARNING_COUNTERS[step] for step in reached]


def signed_off_since(decisions: Iterable[Decision]) -> datetime | None:
    """When the decision that holds for a skill (the latest not revoked) made it proficient, or None."""
    holding = standing_decision(decisions)
    return holding.decided_at if holding is not None and holding.outcome == PROFICIENT else None


def earliest_end(ended_at: datetime | None, reason: str | None, at: datetime, new_reason: str) -> tuple[datetime, str]:
    """A certificate ends once: by whichever of its revocation and expiry came first."""
    if ended_at is None or at < ended_at:
        return at, new_reason
    return ended_at, reason


# --- Measures and aims --------------------------------------------------------------------------------


def ratio(numerator: float, denominator: float | None) -> float | None:
    if not denominator:
        return None
    return round(numerator / denominator * 100, 1)


def counters_of(metric: str) -> tuple[str, ...]:
    """The counters a metric's value is computed from."""
    return (COUNT_METRICS[metric],) if metric in COUNT_METRICS else RATIO_METRICS[metric]


def metric_value(metric: str, counts: Mapping[str, float], cohort_fallback: int | None = None) -> float | None:
    """A metric's value from counter totals: a count, or a percentage (None while its denominator is 0)."""
    if metric in COUNT_METRICS:
        return counts.get(COUNT_METRICS[metric], 0)
    numerator, denominator = RATIO_METRICS[metric]
    base = counts.get(denominator, 0)
    if denominator == "cohort_identified" and not base:
        base = cohort_fallback
    return ratio(counts.get(numerator, 0), base)


def percent_reached(value: float | None, target: float | None) -> float | None:
    if value is None or not target:
        return None
    return round(value / target * 100, 1)


def on_track(
    value: float | None, rate_per_day: float | None, target: float | None, deadline: date | None, today: date
) -> bool | None:
    """Whether the value now plus the recent rate until the deadline reaches the target; None without a
    deadline or a target. On or after the deadline, whether the target is met."""
    if deadline is None or target is None or value is None:
        return None
    days_left = max((deadline - today).days, 0)
    return value + (rate_per_day or 0) * days_left >= target


def rate_per_day(value_now: float | None, value_then: float | None, days: int) -> float | None:
    """The average change per day over the last `days` days (28, or fewer since the first activity)."""
    if value_now is None or value_then is None or days <= 0:
        return None
    return (value_now - value_then) / days


def default_frequency(frequency_text: str | None) -> str:
    """A measure's series is daily or monthly when its own frequency says so, weekly otherwise."""
    text = (frequency_text or "").lower()
    return DAILY if "dai" in text else MONTHLY if "month" in text else WEEKLY


def series_form(metric: str | None, asked: str | None) -> str:
    """What a measure's series shows: entered values, a ratio, or for counts the form asked (per period by
    default: a running total rises every week, which the charts would read as a trend)."""
    if metric is None:
        return ENTERED
    if metric in RATIO_METRICS:
        return RATIO
    return asked or PERIOD


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # its last day, inclusive

    def partial(self, today: date) -> bool:
        """Still going on: a count for it is not yet a count for the whole period."""
        return self.end >= today


def period_of(day: date, frequency: str) -> Period:
    """The day, the week (Monday to Sunday) or the calendar month holding the day."""
    if frequency == DAILY:
        return Period(day, day)
    if frequency == WEEKLY:
        start = day - timedelta(days=day.weekday())
        return Period(start, start + timedelta(days=6))
    start = day.replace(day=1)
    following = (start + timedelta(days=32)).replace(day=1)
    return Period(start, following - timedelta(days=1))


def periods(first: date, last: date, frequency: str) -> list[Period]:
    """Every period from the one holding `first` to the one holding `last`."""
    found: list[Period] = []
    period = period_of(first, frequency)
    while period.start <= last:
        found.append(period)
        period = period_of(period.end + timedelta(days=1), frequency)
    return found


def periods_back(today: date, frequency: str, count: int) -> date:
    """The first day of the period `count - 1` periods before the one holding today."""
    start = period_of(today, frequency).start
    for _ in range(count - 1):
        start = period_of(start - timedelta(days=1), frequency).start
    return start


def check_period_start(day: date, frequency: str) -> None:
    """An entered value belongs to one whole period, named by its first day."""
    if period_of(day, frequency).start != day:
        first = {WEEKLY: "a Monday", MONTHLY: "the first day of a month"}.get(frequency, "a day")
        raise Invalid("period_start", f"This measure is {frequency}: give the first day of the period ({first}).")


def levels_at(
    ends: list[date], total_now: Mapping[str, int], deltas: Mapping[tuple[str, date], int]
) -> list[dict[str, int]]:
    """Each counter's value at the end of each of the days given: the total now less every change made after
    that day. `deltas` holds the changes by (counter, day) from the first day on; one pass over them, newest
    first, whatever the number of days asked."""
    newest_first = sorted(deltas.items(), key=lambda item: item[0][1], reverse=True)
    later: dict[str, int] = defaultdict(int)
    levels: dict[date, dict[str, int]] = {}
    taken = 0
    for end in sorted(set(ends), reverse=True):
        while taken < len(newest_first) and newest_first[taken][0][1] > end:
            (counter, _), delta = newest_first[taken]
            later[counter] += delta
            taken += 1
        levels[end] = {counter: total - later[counter] for counter, total in total_now.items()}
    return [levels[end] for end in ends]


def changes_within(periods_: list[Period], deltas: Mapping[tuple[str, date], int]) -> list[dict[str, int]]:
    """Each counter's net change within each period: what happened in it."""
    within: list[dict[str, int]] = [defaultdict(int) for _ in periods_]
    starts = [period.start for period in periods_]
    for (counter, day), delta in deltas.items():
        index = bisect_right(starts, day) - 1
        if index >= 0 and day <= periods_[index].end:
            within[index][counter] += delta
    return within


# --- The export --------------------------------------------------------------------------------------


def spreadsheet_cell(value) -> str:
    """A value as a spreadsheet cell: dates as YYYY-MM-DD, nothing for None, and text that a spreadsheet
    would run as a formula quoted with a leading apostrophe."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return day_of(value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return formula_safe(str(value))
