"""Run-chart and XmR (statistical process control) rules, as pure functions: a list of numbers in, the centre
line, limits and every signal out. Indices in the results are positions in the list given.

Run chart (IHI; Perla, Provost & Murray 2011), around the median:
- shift: 6 or more consecutive points all above or all below the median; points on the median neither
  break nor count;
- trend: 5 or more consecutive points all rising or all falling; a point equal to its predecessor neither
  breaks nor counts;
- runs: the number of runs (series of consecutive points on one side of the median, points on the median
  ignored) is too few or too many for the number of useful observations (points not on the median) when it
  falls outside the limits of `runs_limits` — the Swed–Eisenhart distribution of runs for two halves of equal
  size, a run count beyond either limit having under 2.5% chance in random data (5% risk in all), the
  criterion the published run-chart tables rest on; tested only for 10 to 60 useful observations;
- astronomical point: a point beyond the median ± 3.14 × the median moving range (Wheeler's robust
  individuals limits, which an outlier cannot widen much by itself); not tested when that range is 0.

XmR chart (NHS England "Making Data Count", as its Excel tool and NHSRplotthedots compute it), around the
mean of each stretch (every point of it, or its first `baseline` points when fixed; a rebase starts a
new stretch):
- limits: mean ± 2.66 × the mean moving range, moving ranges of 3.267 × their mean or more left out;
- a point beyond a process limit;
- trend: 7 or more consecutive points each higher, or each lower, than the one before (a repeat breaks it);
- two of three: 2 or 3 of 3 consecutive points, all on one side of the mean, beyond two-thirds of the way
  to the limit (and not beyond the limit itself);
- shift: 7 or more consecutive points above, or below, the mean (a point on the mean breaks it).
A point signalled by several rules takes the first in that order; it is improvement or concern by the side
of the mean it is on (for a trend, the way the trend goes) and the measure's improvement direction. The
variation icon is what the latest point shows; the assurance icon compares the target with the current
limits.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from math import comb

from shared.events.catalogue import INCREASE  # which way is better: the published language's words

RUN_SHIFT, RUN_TREND = 6, 5
SPC_SHIFT, SPC_TREND = 7, 7
XMR_SCALE = 2.66
ROBUST_SCALE = 3.14
RUNS_TAIL = 0.025
RUNS_TESTED = range(10, 61)

MR_OUTLIER = 3.267  # the upper limit of a moving range chart: a range this large is an outlier

IMPROVEMENT, CONCERN, COMMON = "improvement", "concern", "common_cause"
OUTSIDE_LIMITS, TREND, TWO_OF_THREE, SHIFT = "outside_limits", "trend", "two_of_three", "shift"
PASS, FAIL, HIT_OR_MISS = "pass", "fail", "hit_or_miss"
VARIATIONS = (COMMON, "improvement_high", "improvement_low", "concern_high", "concern_low")
ASSURANCES = (PASS, FAIL, HIT_OR_MISS)


# --- Run chart ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RunChart:
    median: float
    shift: frozenset[int]
    trend: frozenset[int]
    runs: int
    useful_observations: int
    runs_limits: tuple[int, int] | None  # (fewest, most) runs expected; None where the test does not apply
    astronomical: frozenset[int]

    @property
    def too_few_runs(self) -> bool:
        return self.runs_limits is not None and self.runs < self.runs_limits[0]

    @property
    def too_many_runs(self) -> bool:
        return self.runs_limits is not None and self.runs > self.runs_limits[1]

    @property
    def signals(self) -> frozenset[int]:
        return self.shift | self.trend | self.astronomical


def run_chart(values: list[float]) -> RunChart:
    if not values:
        return RunChart(0.0, frozenset(), frozenset(), 0, 0, None, frozenset())
    median = statistics.median(values)
    sides = [_side(value, median) for value in values]
    useful = [side for side in sides if side != 0]
    runs = sum(1 for i, side in enumerate(useful) if i == 0 or side != useful[i - 1])
    return RunChart(
        median=median,
        shift=frozenset(_long_side_runs(sides, RUN_SHIFT, skip_zero=True)),
        trend=frozenset(set.union(*_trends(values, RUN_TREND, skip_equal=True))),
        runs=runs,
        useful_observations=len(useful),
        runs_limits=runs_limits(len(useful)),
        astronomical=frozenset(astronomical_points(values, median)),
    )


def astronomical_points(values: list[float], median: float) -> list[int]:
    ranges = moving_ranges(values)
    if not ranges:
        return []
    reach = ROBUST_SCALE * statistics.median(ranges)
    if reach == 0:
        return []
    return [i for i, value in enumerate(values) if abs(value - median) > reach]


@cache
def runs_limits(useful_observations: int) -> tuple[int, int] | None:
    """The fewest and most runs that random data shows with 95% confidence, for this many useful observations
    split in two equal halves (one more above when odd); None outside 10–60 observations."""
    if useful_observations not in RUNS_TESTED:
        return None
    probabilities = _runs_distribution(useful_observations // 2, useful_observations - useful_observations // 2)
    fewest = min(
        runs
        for runs in probabilities
        if sum(p for r, p in probabilities.items() if r < runs) < RUNS_TAIL
        and sum(p for r, p in probabilities.items() if r <= runs) >= RUNS_TAIL
    )
    most = max(
        runs
        for runs in probabilities
        if sum(p for r, p in probabilities.items() if r > runs) < RUNS_TAIL
        and sum(p for r, p in probabilities.items() if r >= runs) >= RUNS_TAIL
    )
    return fewest, most


def _runs_distribution(above: int, below: int) -> dict[int, float]:
    """Swed & Eisenhart (1943): the chance of each number of runs in a random order of the two kinds."""
    orders = comb(above + below, above)
    chances = {}
    for runs in range(2, above + below + 1):
        half = runs // 2
        if runs % 2 == 0:
            ways = 2 * comb(above - 1, half - 1) * comb(below - 1, half - 1)
        else:
            ways = comb(above - 1, half) * comb(below - 1, half - 1) + comb(above - 1, half - 1) * comb(below - 1, half)
        chances[runs] = ways / orders
    return chances


# --- XmR chart ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Limits:
    """The centre line and limits of one stretch of an XmR chart: from point `start` to the next rebase."""

    start: int
    mean: float
    mean_moving_range: float
    upper_limit: float
    lower_limit: float
    upper_two_thirds: float
    lower_two_thirds: float
    points_used: int  # how many points the mean and limits come from (the baseline, or the whole stretch)


@dataclass(frozen=True)
class XmRChart:
    direction: str
    segments: tuple[Limits, ...]
    beyond_limits: frozenset[int]
    shift: frozenset[int]
    trend: frozenset[int]
    two_of_three: frozenset[int]
    rule: tuple[str | None, ...]  # per point: the rule that flags it (by precedence), None for common cause
    special_cause: tuple[str | None, ...]  # per point: improvement, concern or None

    @property
    def signals(self) -> frozenset[int]:
        return self.beyond_limits | self.shift | self.trend | self.two_of_three

    @property
    def current(self) -> Limits | None:
        """The limits now: those of the last stretch."""
        return self.segments[-1] if self.segments else None

    def limits_at(self, index: int) -> Limits:
        return next(limits for limits in reversed(self.segments) if limits.start <= index)

    # The last stretch's figures, as the summary of a chart reads them.
    mean = property(lambda self: self.current.mean if self.current else 0.0)
    mean_moving_range = property(lambda self: self.current.mean_moving_range if self.current else 0.0)
    upper_limit = property(lambda self: self.current.upper_limit if self.current else 0.0)
    lower_limit = property(lambda self: self.current.lower_limit if self.current else 0.0)
    upper_two_thirds = property(lambda self: self.current.upper_two_thirds if self.current else 0.0)
    lower_two_thirds = property(lambda self: self.current.lower_two_thirds if self.current else 0.0)

    @property
    def variation(self) -> str | None:
        """The Making Data Count variation icon: what the latest point shows. None with fewer than 2 points."""
        if len(self.special_cause) < 2:
            return None
        latest = self.special_cause[-1]
        if latest is None:
            return COMMON
        higher = (latest == IMPROVEMENT) == (self.direction == INCREASE)
        return f"{latest}_{'high' if higher else 'low'}"


def xmr_chart(
    values: list[float],
    baseline: int | None = None,
    *,
    direction: str = INCREASE,
    rebase: Iterable[int] = (),
    screen_outliers: bool = True,
) -> XmRChart:
    """The XmR chart of the values, as Making Data Count draws it. Each rebase index starts a new stretch
    with limits of its own (after a sustained change); with `baseline`, each stretch's mean and limits come
    from its first points only, and the rules test every point against them. With screen_outliers, moving
    ranges of 3.267 × the mean moving range or more are left out of the mean moving range (they would
    widen the limits)."""
    starts = sorted({0, *(i for i in rebase if 0 < i < len(values))}) if values else []
    segments, beyond, shift, trend, two_of_three = [], set(), set(), set(), set()
    rule: list[str | None] = []
    sides: list[int] = []
    for start, end in zip(starts, starts[1:] + [len(values)]):
        stretch = values[start:end]
        limits = _limits(start, stretch[:baseline] if baseline else stretch, screen_outliers)
        segments.append(limits)
        found = _signals(stretch, limits)
        for name, marked in zip((OUTSIDE_LIMITS, TREND, TWO_OF_THREE, SHIFT), found):
            {OUTSIDE_LIMITS: beyond, TREND: trend, TWO_OF_THREE: two_of_three, SHIFT: shift}[name].update(
                start + i for i in marked
            )
        stretch_rule, stretch_sides = _classify(stretch, limits.mean, *found)
        rule.extend(stretch_rule)
        sides.extend(stretch_sides)
    good = 1 if direction == INCREASE else -1
    special = tuple(None if r is None else IMPROVEMENT if side == good else CONCERN for r, side in zip(rule, sides))
    return XmRChart(
        direction,
        tuple(segments),
        frozenset(beyond),
        frozenset(shift),
        frozenset(trend),
        frozenset(two_of_three),
        tuple(rule),
        special,
    )


def assurance(chart: XmRChart, target: float | None) -> str | None:
    """The Making Data Count assurance icon: whether the process limits now put the target always within
    reach (pass), never (fail), or sometimes (hit_or_miss). None without a target or fewer than 2 points."""
    if target is None or chart.current is None or len(chart.rule) < 2:
        return None
    limits = chart.current
    if target > limits.upper_limit:
        return FAIL if chart.direction == INCREASE else PASS
    if target < limits.lower_limit:
        return PASS if chart.direction == INCREASE else FAIL
    return HIT_OR_MISS


def _limits(start: int, fixed: list[float], screen_outliers: bool) -> Limits:
    mean = statistics.fmean(fixed)
    ranges = moving_ranges(fixed)
    mean_range = statistics.fmean(ranges) if ranges else 0.0
    if screen_outliers and ranges:
        kept = [r for r in ranges if r < MR_OUTLIER * mean_range]
        mean_range = statistics.fmean(kept) if kept else mean_range
    reach = XMR_SCALE * mean_range
    return Limits(
        start, mean, mean_range, mean + reach, mean - reach, mean + reach * 2 / 3, mean - reach * 2 / 3, len(fixed)
    )


def _signals(values: list[float], limits: Limits) -> tuple[set[int], set[int], set[int], set[int]]:
    """Points beyond a limit, in a trend, in two of three close to a limit, and in a shift."""
    beyond = {i for i, v in enumerate(values) if v > limits.upper_limit or v < limits.lower_limit}
    sides = [_side(v, limits.mean) for v in values]
    shift = set(_long_side_runs(sides, SPC_SHIFT, skip_zero=False))
    rising, falling = _trends(values, SPC_TREND, skip_equal=False)
    close = [
        i not in beyond and (v > limits.upper_two_thirds or v < limits.lower_two_thirds) for i, v in enumerate(values)
    ]
    two_of_three = set()
    for start in range(len(values) - 2):
        window = range(start, start + 3)
        if sum(close[i] for i in window) >= 2 and abs(sum(sides[i] for i in window)) == 3:
            two_of_three.update(i for i in window if close[i])
    return beyond, rising | falling, two_of_three, shift


def _classify(
    values: list[float], mean: float, beyond: set[int], trend: set[int], two_of_three: set[int], shift: set[int]
) -> tuple[list[str | None], list[int]]:
    """Each point's rule (beyond a limit first, then trend, two of three, shift) and the direction it points
    (above or below the mean; for a trend, rising or falling: the step after the point while the trend goes on,
    else the step before it)."""
    rules, directions = [], []
    for i, value in enumerate(values):
        if i in beyond:
            rules.append(OUTSIDE_LIMITS)
        elif i in trend:
            rules.append(TREND)
        elif i in two_of_three:
            rules.append(TWO_OF_THREE)
        elif i in shift:
            rules.append(SHIFT)
        else:
            rules.append(None)
        if rules[-1] == TREND:
            after = i + 1 < len(values) and i + 1 in trend
            directions.append(_side(values[i + 1], value) if after else _side(value, values[i - 1]))
        else:
            directions.append(_side(value, mean))
    return rules, directions


def moving_ranges(values: list[float]) -> list[float]:
    return [abs(b - a) for a, b in zip(values, values[1:])]


# --- Shared patterns ---------------------------------------------------------------------------------


def _side(value: float, centre: float) -> int:
    return (value > centre) - (value < centre)


def _long_side_runs(sides: list[int], length: int, *, skip_zero: bool) -> list[int]:
    """Indices of points in runs of at least `length` on one side; with skip_zero a point on the centre line
    neither breaks nor counts, without it a point on the line ends the run."""
    marked, run, side = [], [], 0
    for i, point_side in enumerate(sides + [None]):  # a sentinel closes the last run
        if point_side == 0 and skip_zero:
            continue
        if point_side is not None and point_side != 0 and point_side == side:
            run.append(i)
            continue
        if len(run) >= length:
            marked.extend(run)
        run, side = ([i], point_side) if point_side else ([], 0)
    return marked


def _trends(values: list[float], length: int, *, skip_equal: bool) -> tuple[set[int], set[int]]:
    """Indices of points in rising and in falling runs of at least `length` points, each higher (or lower) than
    the last counted one; with skip_equal a repeated value is passed over, without it a repeat ends the trend."""
    found: dict[int, set[int]] = {1: set(), -1: set()}
    for direction, marked in found.items():
        run: list[int] = []
        for i, value in enumerate(values):
            if not run:
                run = [i]
                continue
            step = _side(value, values[run[-1]])
            if step == 0 and skip_equal:
                continue
            if step == direction:
                run.append(i)
                continue
            if len(run) >= length:
                marked.update(run)
            run = [i]
        if len(run) >= length:
            marked.update(run)
    return found[1], found[-1]
