"""Run-chart and XmR rules on worked examples whose answers are computed by hand in the comments."""

from services.metrics import spc


def test_run_chart_median_shift_and_runs():
    # 12 points; sorted: 1 2 2 3 3 3 | 7 7 8 8 9 9 → median (3 + 7) / 2 = 5.
    values = [2, 3, 1, 3, 2, 3, 7, 8, 9, 7, 8, 9]
    chart = spc.run_chart(values)
    assert chart.median == 5
    # Sides: six below then six above: two runs, each a shift of 6.
    assert chart.shift == set(range(12))
    assert (chart.runs, chart.useful_observations) == (2, 12)
    # Swed–Eisenhart for 6 + 6 points: P(runs ≤ 3) = (2 + 10) / 924 = 1.3% < 2.5%, P(runs ≤ 4) = 62/924 = 6.7%:
    # fewer than 4 runs is too few; by symmetry more than 10 is too many.
    assert chart.runs_limits == (4, 10) and chart.too_few_runs and not chart.too_many_runs


def test_points_on_the_median_neither_break_nor_count_towards_a_shift():
    # 13 points sorted: 1 1 1 1 1 5 [5] 6 6 6 6 6 6 → median 5. Above: 6 6 6, on: 5, above: 6 6 6; the five 1s
    # below are one short of a shift.
    values = [6, 6, 6, 5, 6, 6, 6, 1, 1, 1, 1, 1, 5]
    chart = spc.run_chart(values)
    assert chart.median == 5
    assert chart.shift == {0, 1, 2, 4, 5, 6}  # six above, the point on the median skipped
    assert 3 not in chart.shift


def test_five_point_trend_with_a_repeat_skipped_and_four_is_no_trend():
    # 1 2 2 3 4 5 rises through five distinct steps (the repeated 2 neither counts nor breaks): a trend.
    assert spc.run_chart([1, 2, 2, 3, 4, 5, 3, 3, 3, 3]).trend == {0, 1, 3, 4, 5}
    # 9 8 7 6 then 7: only four falling points.
    assert spc.run_chart([9, 8, 7, 6, 7, 7, 8, 6, 7, 8]).trend == set()


def test_too_many_runs_when_the_points_alternate():
    # 20 points alternating 1, 9: median 5, 20 runs; for 10 + 10, P(runs ≥ 16) < 2.5%: more than 15 is too many.
    chart = spc.run_chart([1, 9] * 10)
    assert chart.runs == 20 and chart.runs_limits == (7, 15) and chart.too_many_runs


def test_astronomical_point_beyond_the_robust_limits():
    # Median 5; moving ranges 0 1 1 1 1 35 35 1 1 → median moving range 1; limits 5 ± 3.14: 40 is beyond.
    chart = spc.run_chart([5, 5, 6, 5, 6, 5, 40, 5, 6, 5])
    assert chart.astronomical == {6}


def test_xmr_limits_and_a_point_beyond_them():
    # Values 10 12 11 13 12 11 30 12: mean = 111 / 8 = 13.875; moving ranges 2 1 2 1 1 19 18 → 44 / 7 = 6.2857;
    # limits 13.875 ± 2.66 × 6.2857 = 13.875 ± 16.72 → 30.595 and -2.845: 30 is inside.
    chart = spc.xmr_chart([10, 12, 11, 13, 12, 11, 30, 12])
    assert round(chart.mean, 3) == 13.875 and round(chart.mean_moving_range, 4) == 6.2857
    assert round(chart.upper_limit, 3) == 30.595 and chart.beyond_limits == set()
    # With a baseline of the first 6: mean 69 / 6 = 11.5; ranges 2 1 2 1 1 → 1.4; limits 11.5 ± 3.724 = 15.224:
    # 30 is beyond the upper limit: special cause, improvement (higher is better).
    fixed = spc.xmr_chart([10, 12, 11, 13, 12, 11, 30, 12], baseline=6)
    assert round(fixed.upper_limit, 3) == 15.224 and fixed.beyond_limits == {6}
    assert fixed.special_cause[6] == spc.IMPROVEMENT and fixed.special_cause[0] is None


def test_xmr_shift_of_seven_on_one_side_of_the_mean():
    # 7 × 4 then 7 × 6: mean 5; seven below then seven above. Moving range mean 2/13: limits 5 ± 0.41,
    # so every point is also beyond a limit; the shift marks both runs.
    values = [4] * 7 + [6] * 7
    chart = spc.xmr_chart(values)
    assert chart.shift == set(range(14))
    # Six on one side is not a shift.
    assert spc.xmr_chart([4] * 6 + [6] * 6 + [5, 5]).shift == set()


def test_xmr_trend_of_seven_rising_or_falling():
    values = [5, 1, 2, 3, 4, 5, 6, 7, 3, 4]  # 1..7 rises for seven points: indices 1 to 7
    chart = spc.xmr_chart(values)
    assert chart.trend == {1, 2, 3, 4, 5, 6, 7}
    assert chart.special_cause[4] == spc.IMPROVEMENT
    assert spc.xmr_chart([5, 1, 2, 3, 4, 5, 6, 3, 4, 5]).trend == set()  # six only


def test_xmr_two_of_three_beyond_two_thirds_of_the_limits():
    # Baseline 10 11 10 11 10 11 10 11: mean 10.5, moving range 1 → limits 10.5 ± 2.66, two-thirds 10.5 ± 1.7733:
    # the band is above 12.273. In 13 11 13 (indices 8-10) two of three are beyond it, inside the limit (13.16),
    # and all three are above the mean.
    values = [10, 11, 10, 11, 10, 11, 10, 11, 13, 11, 13]
    chart = spc.xmr_chart(values, baseline=8)
    assert round(chart.upper_two_thirds, 3) == 12.273 and round(chart.upper_limit, 2) == 13.16
    assert chart.beyond_limits == set() and chart.two_of_three == {8, 10}
    # One beyond in three is not a signal.
    assert spc.xmr_chart([10, 11, 10, 11, 10, 11, 10, 11, 13, 10, 10], baseline=8).two_of_three == set()
    # Nor two of three when the third point is on the other side of the mean (13 10 13: 10 is below 10.5).
    assert spc.xmr_chart([10, 11, 10, 11, 10, 11, 10, 11, 13, 10, 13], baseline=8).two_of_three == set()
