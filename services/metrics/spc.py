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

XmR chart (NHS England "Making Data Count"), around the mean of the baseline (every point, or the first
`baseline` points when fixed):
- a point beyond a process limit: mean ± 2.66 × the mean moving range;
- shift: 7 or more consecutive points above, or below, the mean (a point on the mean breaks it);
- trend: 7 or more consecutive points each higher, or each lower, than the one before;
- two of three: 2 or 3 of 3 consecutive points beyond two-thirds of the distance to the same limit (mean
  ± 2/3 × 2.66 × mean moving range), on the same side.
Higher is better for every measure here: a signal above the mean (or rising) is improvement, below
(or falling) is concern.
"""
from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from functools import lru_cache
from math import comb

RUN_SHIFT, RUN_TREND = 6, 5
SPC_SHIFT, SPC_TREND = 7, 7
XMR_SCALE = 2.66
ROBUST_SCALE = 3.14
RUNS_TAIL = 0.025
RUNS_TESTED = range(10, 61)

IMPROVEMENT, CONCERN, COMMON = "improvement", "concern", "common_cause"


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


@lru_cache(maxsize=None)
def runs_limits(useful_observations: int) -> tuple[int, int] | None:
    """The fewest and most runs that random data shows with 95% confidence, for this many useful observations
    split in two equal halves (one more above when odd); None outside 10–60 observations."""
    if useful_observations not in RUNS_TESTED:
        return None
    probabilities = _runs_distribution(useful_observations // 2, useful_observations - useful_observations // 2)
    fewest = min(runs for runs in probabilities
                 if sum(p for r, p in probabilities.items() if r < runs) < RUNS_TAIL
                 and sum(p for r, p in probabilities.items() if r <= runs) >= RUNS_TAIL)
    most = max(runs for runs in probabilities
               if sum(p for r, p in probabilities.items() if r > runs) < RUNS_TAIL
               and sum(p for r, p in probabilities.items() if r >= runs) >= RUNS_TAIL)
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
class XmRChart:
    mean: float
    mean_moving_range: float
    upper_limit: float
    lower_limit: float
    upper_two_thirds: float
    lower_two_thirds: float
    beyond_limits: frozenset[int]
    shift: frozenset[int]
    trend: frozenset[int]
    two_of_three: frozenset[int]
    variation: tuple[str, ...] = field(default=())  # per point: improvement, concern or common_cause

    @property
    def signals(self) -> frozenset[int]:
        return self.beyond_limits | self.shift | self.trend | self.two_of_three


def xmr_chart(values: list[float], baseline: int | None = None) -> XmRChart:
    """The XmR chart of the values; with `baseline`, the mean and limits come from the first points only
    (and the rules test every point against them)."""
    if not values:
        return XmRChart(0.0, 0.0, 0.0, 0.0, 0.0, 0.0, frozenset(), frozenset(), frozenset(), frozenset())
    fixed = values[:baseline] if baseline else values
    mean = statistics.fmean(fixed)
    ranges = moving_ranges(fixed)
    mean_range = statistics.fmean(ranges) if ranges else 0.0
    reach = XMR_SCALE * mean_range
    upper, lower = mean + reach, mean - reach
    upper_band, lower_band = mean + reach * 2 / 3, mean - reach * 2 / 3

    beyond = {i for i, value in enumerate(values) if value > upper or value < lower}
    shift = set(_long_side_runs([_side(v, mean) for v in values], SPC_SHIFT, skip_zero=False))
    rising, falling = _trends(values, SPC_TREND, skip_equal=False)
    trend = rising | falling
    two_of_three = set()
    for start in range(len(values) - 2):
        window = range(start, start + 3)
        for side, is_beyond in ((1, lambda v: v > upper_band), (-1, lambda v: v < lower_band)):
            outside = [i for i in window if is_beyond(values[i])]
            if len(outside) >= 2:
                two_of_three.update(outside)
    signals = beyond | shift | trend | two_of_three
    variation = tuple(
        COMMON if i not in signals
        else IMPROVEMENT if i in rising or (i not in falling and values[i] > mean)
        else CONCERN
        for i in range(len(values))
    )
    return XmRChart(mean, mean_range, upper, lower, upper_band, lower_band, frozenset(beyond), frozenset(shift),
                    frozenset(trend), frozenset(two_of_three), variation)


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
