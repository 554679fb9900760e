"""Worked examples whose answers are published: every expected figure below is stated in the source named
above its test (a test's expected value, a snapshot, a table), not worked out here.

Sources:
- NHSRplotthedots (github.com/nhs-r-community/NHSRplotthedots), the NHS-R community's R package for the
  Making Data Count charts: its unit tests (tests/testthat/*.R) and snapshots (tests/testthat/_snaps/).
  The integration snapshot (_snaps/integration_tests.md, commit 0c096d8) stores each ptd_spc() result
  serialised (R's XDR format, base64): the data, mean, lpl, upl and every point's outside_limits,
  relative_to_mean, close_to_limits and point_type; the values here are decoded from it, unchanged.
- nhspy-plotthedots (github.com/nhs-pycom/nhspy-plotthedots), its Python port: tests/unittests/.
- real-statistics.com "Runs Test Table" (the Swed–Eisenhart critical values at 5 %, two-tailed).

Perla, Provost & Murray (2011), Table 1 (fewest and most runs for 10–60 useful observations) could not be
retrieved from the material searched, so `runs_limits` is not compared with it here.
"""

import pytest

from services.metrics import spc

# NHSRplotthedots' improvement_direction values, which the chart takes as they are.
INCREASE, DECREASE = "increase", "decrease"

# R: set.seed(123); rnorm(48), as R prints it (8 decimals). The first 20 are the data of NHSRplotthedots'
# tests/testthat/test-ptd_spc_standard.R and test-ptd_spc.R; all 48 are drawn, in this order, by
# tests/testthat/test-geom_ptd_icon.R (rnorm(24), then rnorm(12, 5), then rnorm(12, -5)).
RNORM_123 = [
    -0.56047565,
    -0.23017749,
    1.55870831,
    0.07050839,
    0.12928774,
    1.71506499,
    0.46091621,
    -1.26506123,
    -0.68685285,
    -0.44566197,
    1.22408180,
    0.35981383,
    0.40077145,
    0.11068272,
    -0.55584113,
    1.78691314,
    0.49785048,
    -1.96661716,
    0.70135590,
    -0.47279141,
    -1.06782371,
    -0.21797491,
    -1.02600445,
    -0.72889123,
    -0.62503927,
    -1.68669331,
    0.83778704,
    0.15337312,
    -1.13813694,
    1.25381492,
    0.42646422,
    -0.29507148,
    0.89512566,
    0.87813349,
    0.82158108,
    0.68864025,
    0.55391765,
    -0.06191171,
    -0.30596266,
    -0.38047100,
    -0.69470698,
    -0.20791728,
    -1.26539635,
    2.16895597,
    1.20796200,
    -1.12310858,
    -0.40288484,
    -0.46665535,
]

# NHSRdatasets' ae_attendances summed over all organisations per month, April 2016 to March 2019 (36
# months), as the integration snapshot stores them: attendances, and performance = 1 - breaches/attendances.
AE_ATTENDANCES = [
    1867781,
    2070340,
    1958802,
    2079034,
    1932901,
    1952464,
    2001816,
    1907871,
    1944567,
    1895272,
    1735619,
    2015834,
    1949762,
    2066789,
    1994056,
    2073944,
    1924663,
    1925961,
    2044137,
    1976971,
    2003954,
    2000086,
    1820012,
    2049785,
    1984369,
    2164458,
    2093942,
    2179896,
    1997854,
    2005695,
    2079492,
    2037847,
    2047518,
    2113413,
    1954947,
    2167550,
]
AE_PERFORMANCE = [
    0.9003512724457525,
    0.9027555860390081,
    0.9055994429248081,
    0.9028524786030435,
    0.909763097023593,
    0.9064786853944554,
    0.8905308979446662,
    0.8837903610883545,
    0.8617594559611471,
    0.851413411900772,
    0.8753090395991286,
    0.9000949482943537,
    0.9051525263083392,
    0.8970035160821932,
    0.9072518525056468,
    0.9034785895858326,
    0.9029928875860346,
    0.8966609396555797,
    0.8994186788850258,
    0.8876655246839736,
    0.8498503458662225,
    0.8529918213516818,
    0.8504476893558943,
    0.8462121637147311,
    0.8857248828216929,
    0.9039011151983545,
    0.9076297242234981,
    0.8931949047110505,
    0.8972702710007838,
    0.8894368286304747,
    0.8900933497219513,
    0.8760446687116353,
    0.8644632183941728,
    0.843525141560121,
    0.8422525009629417,
    0.8660427671795345,
]

LETTER = {"improvement": "I", "concern": "C", None: "."}


def point_types(chart):
    """The chart's special causes as one letter a point (I improvement, C concern, . common cause), the way
    the expected point types are written below."""
    return "".join(LETTER[cause] for cause in chart.special_cause)


def published_types(text):
    return text.replace(" ", "")


def sides(chart, values):
    """relative_to_mean as NHSRplotthedots computes it: the sign of each value minus its stretch's mean."""
    means = [chart.limits_at(i).mean for i in range(len(values))]
    return [(v > m) - (v < m) for v, m in zip(values, means)]


def close_to_limits(chart, values):
    """close_to_limits as NHSRplotthedots computes it: beyond two-thirds of the way to a limit, not beyond it."""
    out = []
    for i, v in enumerate(values):
        limits = chart.limits_at(i)
        beyond = v > limits.upper_limit or v < limits.lower_limit
        out.append(not beyond and (v > limits.upper_two_thirds or v < limits.lower_two_thirds))
    return [i for i, close in enumerate(out) if close]


def chart_with_limits(direction, *segments):
    """An XmR chart carrying the given (lower, mean, upper) limits, one stretch each, for the assurance rule,
    which reads only the current (last) stretch's limits."""
    limits = tuple(
        spc.Limits(start, mean, 0.0, upper, lower, upper, lower, 2)
        for start, (lower, mean, upper) in enumerate(segments)
    )
    empty = frozenset()
    return spc.XmRChart(direction, limits, empty, empty, empty, empty, (None, None), (None, None))


# NHSRplotthedots tests/testthat/_snaps/ptd_spc_standard.md (commit ea2177d, "it returns expected values",
# r1): mean_col 0.1416238, lpl -3.01138, upl 3.294627; relative_to_mean starts -1, -1, 1, -1, -1, 1, 1, -1,
# -1, -1, 1, 1, 1, -1, -1; outside_limits and close_to_limits start with 8 FALSE.
# tests/testthat/_snaps/ptd_spc.md (commit 174380d, summary): mean_col 0.142, lpl -3.01, upl 3.29, n 20,
# common_cause 20, special_cause_improvement 0. The variation icon is the latest point's type
# (R/geom_ptd_icon.R, ptd_get_icons): common cause.
def test_nhsrplotthedots_rnorm_20_points():
    values = RNORM_123[:20]
    chart = spc.xmr_chart(values)
    assert round(chart.mean, 7) == 0.1416238
    assert round(chart.lower_limit, 5) == -3.01138 and round(chart.upper_limit, 6) == 3.294627
    assert (round(chart.mean, 3), round(chart.lower_limit, 2), round(chart.upper_limit, 2)) == (0.142, -3.01, 3.29)
    assert sides(chart, values)[:15] == [-1, -1, 1, -1, -1, 1, 1, -1, -1, -1, 1, 1, 1, -1, -1]
    assert not chart.beyond_limits & set(range(8)) and not set(close_to_limits(chart, values)) & set(range(8))
    assert chart.special_cause == (None,) * 20  # common_cause 20 of n 20
    assert chart.variation == spc.COMMON


# NHSRplotthedots tests/testthat/_snaps/ptd_spc_standard.md (commit ea2177d), the screen_outliers check of
# tests/testthat/test-ptd_spc_standard.R: the same 20 values with y[15] (1-based) set to 10.
# Screened (r2): mean_col 0.6694159, lpl -2.383666, upl 3.722497; relative_to_mean starts -1, -1, 1, -1, -1,
# 1, -1, -1, -1, -1, 1, -1, -1, -1; outside_limits starts with 8 FALSE.
# Not screened (r3): mean_col 0.6694159, lpl -4.596625, upl 5.935457.
def test_nhsrplotthedots_moving_range_outlier_screening():
    values = list(RNORM_123[:20])
    values[14] = 10
    screened = spc.xmr_chart(values)
    assert round(screened.mean, 7) == 0.6694159
    assert round(screened.lower_limit, 6) == -2.383666 and round(screened.upper_limit, 6) == 3.722497
    assert sides(screened, values)[:14] == [-1, -1, 1, -1, -1, 1, -1, -1, -1, -1, 1, -1, -1, -1]
    assert not screened.beyond_limits & set(range(8))
    unscreened = spc.xmr_chart(values, screen_outliers=False)
    assert round(unscreened.mean, 7) == 0.6694159
    assert round(unscreened.lower_limit, 6) == -4.596625 and round(unscreened.upper_limit, 6) == 5.935457


# NHSRplotthedots tests/testthat/_snaps/ptd_spc.md (commit 174380d, "it outputs expected content", the
# summary faceted by rep(c(0, 1), each = 10)): facet 0 mean_col 0.0746, lpl -2.60, upl 2.75, n 10,
# common_cause 10; facet 1 mean_col 0.209, lpl -3.28, upl 3.70, n 10, common_cause 10.
# R/ptd_spc_standard.R groups its calculations by facet and by rebase group alike (group_by(f) then
# rebase_group), so a rebase at the 11th point gives each stretch the limits of its facet.
def test_nhsrplotthedots_facets_as_rebased_stretches():
    values = RNORM_123[:20]

    def published_rounding(limits):
        return limits.mean, round(limits.lower_limit, 2), round(limits.upper_limit, 2)

    rebased = spc.xmr_chart(values, rebase=[10])
    for limits in (spc.xmr_chart(values[:10]).current, rebased.segments[0]):
        mean, lower, upper = published_rounding(limits)
        assert (round(mean, 4), lower, upper) == (0.0746, -2.60, 2.75)
    for limits in (spc.xmr_chart(values[10:]).current, rebased.segments[1]):
        mean, lower, upper = published_rounding(limits)
        assert (round(mean, 3), lower, upper) == (0.209, -3.28, 3.70)
    assert [(s.start, s.points_used) for s in rebased.segments] == [(0, 10), (10, 10)]
    assert rebased.special_cause == (None,) * 20  # common_cause 10 in each


# NHSRplotthedots tests/testthat/test-ptd_spc_standard.R, "it only reports special cause for 2 of 3 points
# close to limits when they are on the same side of the mean": rep(c(1, -1), 8) with the 15th value 5.5 and
# the 16th -5.5; the last two point types are "common_cause", "common_cause".
# (tests/testthat/test-ptd_calculate_point_type.R tests ptd_two_in_three the same way: 2 of 3 close points
# with relative_to_mean c(1, -1, 1) give no signal.)
def test_nhsrplotthedots_two_of_three_only_on_one_side_of_the_mean():
    values = [1, -1] * 8
    values[14], values[15] = 5.5, -5.5
    chart = spc.xmr_chart(values)
    assert close_to_limits(chart, values) == [14, 15]  # both beyond two-thirds, neither beyond a limit
    assert chart.special_cause[-2:] == (None, None)
    assert chart.two_of_three == set()


# NHSRplotthedots tests/testthat/test-ptd_calculate_point_type.R: ptd_seven_point_trend marks the point
# ending 7 points each higher (1) or each lower (-1) than the one before: 1:6 -> none; c(1:3, 3:6) -> none
# (a repeat breaks it); 1:7 -> the 7th; c(2, 1:7, 3) -> the 8th; 7:1 -> the 7th (-1); c(2, 7:1, 3) -> the 8th
# (-1). ptd_part_of_seven_trend marks that point and the 6 before it: c(rep(0, 7), 1, 0) -> c(0, rep(1, 7), 0).
def test_nhsrplotthedots_seven_point_trend():
    def trend(values):
        return spc.xmr_chart(values).trend

    assert trend([1, 2, 3, 4, 5, 6]) == set()
    assert trend([1, 2, 3, 3, 4, 5, 6]) == set()
    assert trend([1, 2, 3, 4, 5, 6, 7]) == set(range(7))
    assert trend([2, 1, 2, 3, 4, 5, 6, 7, 3]) == set(range(1, 8))
    assert trend([7, 6, 5, 4, 3, 2, 1]) == set(range(7))
    assert trend([2, 7, 6, 5, 4, 3, 2, 1, 3]) == set(range(1, 8))


# NHSRplotthedots tests/testthat/test-ptd_calculate_point_type.R: ptd_seven_point_one_side_mean on signs
# relative to the mean: rep(1, 6) -> none; c(rep(1, 6), -1) -> none; c(rep(1, 8), -1) -> the 7th and 8th end
# a run of 7, so (ptd_part_of_seven_trend) points 1 to 8 are in it. Here the signs are realised as values
# whose mean is 0.
def test_nhsrplotthedots_seven_points_on_one_side_of_the_mean():
    six_then_below = [2, 1, 2, 1, 2, 1, -9]
    eight_then_below = [2, 1, 2, 1, 2, 1, 2, 1, -12]
    for values in (six_then_below, eight_then_below):
        assert spc.xmr_chart(values).mean == 0
    assert spc.xmr_chart(six_then_below).shift == set()
    assert spc.xmr_chart(eight_then_below).shift == set(range(8))


# NHSRplotthedots pull request #180 ("fix colour of points in trends", merged 2023-10, fixing issues #171 and
# #122): "if you have a trend of 7 points that are above the mean line, but all trending down (with a
# direction of increase being good) previously this would be flagged as improvement when these are in fact a
# decreasing trend"; the rules are ranked 1 beyond the limits, 2 trend, 3 two in three, 4 seven on one side.
# The data are made here (the pull request gives none): 7 falling points all above a fixed mean of 11.
def test_nhsrplotthedots_a_falling_trend_above_the_mean_is_a_falling_trend():
    values = [10, 12] * 6 + [14.5, 14, 13.5, 13, 12.5, 12, 11.5]
    chart = spc.xmr_chart(values, baseline=12)
    assert chart.mean == 11 and chart.upper_two_thirds > 14.5  # within the limits, none close to them
    falling = set(range(12, 19))
    assert chart.trend == falling and falling <= chart.shift
    assert {chart.rule[i] for i in falling} == {spc.TREND}
    assert {chart.special_cause[i] for i in falling} == {spc.CONCERN}
    lower_is_better = spc.xmr_chart(values, baseline=12, direction=DECREASE)
    assert {lower_is_better.special_cause[i] for i in falling} == {spc.IMPROVEMENT}


# NHSRplotthedots tests/testthat/test-ptd_calculate_assurance_type.R: limits (lpl, mean, upl) of (1, 2, 3),
# (5, 6, 7) and (1, 4, 5) with target 4 give consistent_fail, consistent_pass, inconsistent when increase is
# better and consistent_pass, consistent_fail, inconsistent when decrease is; with rebase, the last row's
# limits decide: rows in the order (1, 2, 3) -> inconsistent, (2, 3, 1) -> consistent_pass, (3, 1, 2) ->
# consistent_fail (decrease).
def test_nhsrplotthedots_assurance():
    limits = [(1, 2, 3), (5, 6, 7), (1, 4, 5)]
    expected = {INCREASE: [spc.FAIL, spc.PASS, spc.HIT_OR_MISS], DECREASE: [spc.PASS, spc.FAIL, spc.HIT_OR_MISS]}
    for direction, icons in expected.items():
        assert [spc.assurance(chart_with_limits(direction, each), 4) for each in limits] == icons
    for order, icon in (((0, 1, 2), spc.HIT_OR_MISS), ((1, 2, 0), spc.PASS), ((2, 0, 1), spc.FAIL)):
        chart = chart_with_limits(DECREASE, *(limits[i] for i in order))
        assert spc.assurance(chart, 4) == icon


# NHSRplotthedots tests/testthat/test-geom_ptd_icon.R, "ptd_get_icons transforms the data correctly":
# d = 24 points rnorm(24) (seed 123), f = rep(0:1, each = 12).
#   s1 whole series: variation common_cause.  s2 target 0.5: common_cause, assurance inconsistent.
#   s3 faceted by f: common_cause, common_cause.  s4 faceted, target 0.5: both inconsistent.
# Then the second 12 replaced by rnorm(12, 5):
#   s5 target -3: improvement_high, pass.  s6 target -3, decrease: concern_high, fail.
# Then the second 12 replaced by rnorm(12, -5):
#   s7 target 3: concern_low, fail.  s8 target 3, decrease: improvement_low, pass.
def test_nhsrplotthedots_variation_and_assurance_icons():
    first = RNORM_123[:24]
    whole = spc.xmr_chart(first)
    assert whole.variation == spc.COMMON and spc.assurance(whole, 0.5) == spc.HIT_OR_MISS
    for facet in (first[:12], first[12:]):
        chart = spc.xmr_chart(facet)
        assert chart.variation == spc.COMMON and spc.assurance(chart, 0.5) == spc.HIT_OR_MISS

    higher = first[:12] + [5 + z for z in RNORM_123[24:36]]
    s5 = spc.xmr_chart(higher)
    assert (s5.variation, spc.assurance(s5, -3)) == ("improvement_high", spc.PASS)
    s6 = spc.xmr_chart(higher, direction=DECREASE)
    assert (s6.variation, spc.assurance(s6, -3)) == ("concern_high", spc.FAIL)

    lower = first[:12] + [-5 + z for z in RNORM_123[36:48]]
    s7 = spc.xmr_chart(lower)
    assert (s7.variation, spc.assurance(s7, 3)) == ("concern_low", spc.FAIL)
    s8 = spc.xmr_chart(lower, direction=DECREASE)
    assert (s8.variation, spc.assurance(s8, 3)) == ("improvement_low", spc.PASS)


# NHSRplotthedots tests/testthat/_snaps/integration_tests.md (commit 0c096d8), "ae_all attendances spc
# returns expected values" (ptd_spc(ae_all(), attendances, period)): mean 2000538.9444444445, lpl
# 1731844.3644444444, upl 2269233.5244444446; no point outside the limits; close_to_limits at points 11, 23
# and 28 (1-based); every point_type common_cause.
def test_nhsrplotthedots_ae_attendances():
    chart = spc.xmr_chart(AE_ATTENDANCES)
    assert chart.mean == pytest.approx(2000538.9444444445, rel=1e-12)
    assert chart.lower_limit == pytest.approx(1731844.3644444444, rel=1e-12)
    assert chart.upper_limit == pytest.approx(2269233.5244444446, rel=1e-12)
    assert sides(chart, AE_ATTENDANCES) == [
        -1,
        1,
        -1,
        1,
        -1,
        -1,
        1,
        -1,
        -1,
        -1,
        -1,
        1,
        -1,
        1,
        -1,
        1,
        -1,
        -1,
        1,
        -1,
        1,
        -1,
        -1,
        1,
        -1,
        1,
        1,
        1,
        -1,
        1,
        1,
        1,
        1,
        1,
        -1,
        1,
    ]
    assert chart.beyond_limits == set() and close_to_limits(chart, AE_ATTENDANCES) == [10, 22, 27]
    assert chart.special_cause == (None,) * 36 and chart.variation == spc.COMMON


# NHSRplotthedots tests/testthat/_snaps/integration_tests.md (commit 0c096d8), "ae_all attendances spc with
# rebase returns expected values" (rebase = as.Date("2017-04-01"), the 13th month): rebase_group 0 for the
# first 12 points, 1 for the other 24; mean 1946858.4166666667 then 2027379.2083333333, lpl
# 1639947.374848485 then 1772921.0639855072, upl 2253769.4584848485 then 2281837.3526811595; no point
# outside the limits; every point_type common_cause.
def test_nhsrplotthedots_ae_attendances_rebased_in_april_2017():
    chart = spc.xmr_chart(AE_ATTENDANCES, rebase=[12])
    published = [
        (0, 1946858.4166666667, 1639947.374848485, 2253769.4584848485),
        (12, 2027379.2083333333, 1772921.0639855072, 2281837.3526811595),
    ]
    for limits, (start, mean, lower, upper) in zip(chart.segments, published, strict=True):
        assert limits.start == start
        assert (limits.mean, limits.lower_limit, limits.upper_limit) == pytest.approx((mean, lower, upper), rel=1e-12)
    assert chart.beyond_limits == set()
    assert chart.special_cause == (None,) * 36 and chart.variation == spc.COMMON


# NHSRplotthedots tests/testthat/_snaps/integration_tests.md (commit 0c096d8), "ae_all performance spc
# returns expected values" (ptd_spc(ae_all(), performance, period, fix_after_n_points = 12), improvement
# direction increase): mean 0.8908915564349236, lpl 0.8614049789074258, upl 0.9203781339624213 for every
# point; outside_limits at points 10, 21-24, 34, 35 (1-based); close_to_limits at 9, 33, 36; point_type
# below (I special_cause_improvement, C special_cause_concern, . common_cause). The latest point is a
# concern, so the variation icon is concern_low when higher is better (R/geom_ptd_icon.R).
def test_nhsrplotthedots_ae_performance_fixed_after_12_points():
    chart = spc.xmr_chart(AE_PERFORMANCE, baseline=12)
    assert chart.current.points_used == 12
    assert (chart.mean, chart.lower_limit, chart.upper_limit) == pytest.approx(
        (0.8908915564349236, 0.8614049789074258, 0.9203781339624213), rel=1e-12
    )
    assert sides(chart, AE_PERFORMANCE) == [
        1,
        1,
        1,
        1,
        1,
        1,
        -1,
        -1,
        -1,
        -1,
        -1,
        1,
        1,
        1,
        1,
        1,
        1,
        1,
        1,
        -1,
        -1,
        -1,
        -1,
        -1,
        -1,
        1,
        1,
        1,
        1,
        -1,
        -1,
        -1,
        -1,
        -1,
        -1,
        -1,
    ]
    assert chart.beyond_limits == {9, 20, 21, 22, 23, 33, 34}
    assert close_to_limits(chart, AE_PERFORMANCE) == [8, 32, 35]
    assert point_types(chart) == published_types(".........C .IIIIIIII. CCCC..... CCCCCCC")
    assert {i for i, rule in enumerate(chart.rule) if rule == spc.OUTSIDE_LIMITS} == chart.beyond_limits
    assert chart.variation == "concern_low"


# NHSRplotthedots tests/testthat/_snaps/integration_tests.md (commit 0c096d8), "plot arguments behave as
# expected" (ptd_spc(ae_all(), performance, period), limits from all 36 points): mean 0.8847056829421236,
# lpl 0.8604472128746817, upl 0.9089641530095655; outside_limits at points 5, 10, 21-24, 34, 35 (1-based);
# close_to_limits at 2, 3, 4, 6, 9, 13, 15, 16, 17, 26, 27, 33, 36; point_type below. The latest point is
# common cause.
def test_nhsrplotthedots_ae_performance():
    chart = spc.xmr_chart(AE_PERFORMANCE)
    assert (chart.mean, chart.lower_limit, chart.upper_limit) == pytest.approx(
        (0.8847056829421236, 0.8604472128746817, 0.9089641530095655), rel=1e-12
    )
    assert sides(chart, AE_PERFORMANCE) == [
        1,
        1,
        1,
        1,
        1,
        1,
        1,
        -1,
        -1,
        -1,
        -1,
        1,
        1,
        1,
        1,
        1,
        1,
        1,
        1,
        1,
        -1,
        -1,
        -1,
        -1,
        1,
        1,
        1,
        1,
        1,
        1,
        1,
        -1,
        -1,
        -1,
        -1,
        -1,
    ]
    assert chart.beyond_limits == {4, 9, 20, 21, 22, 23, 33, 34}
    assert close_to_limits(chart, AE_PERFORMANCE) == [1, 2, 3, 5, 8, 12, 14, 15, 16, 25, 26, 32, 35]
    assert point_types(chart) == published_types("IIIIIII..C .IIIIIIIII CCCCIIIIII I..CC.")
    assert chart.variation == spc.COMMON


# nhspy-plotthedots tests/unittests/test_pandas_spc_x_calc.py, test_demo_case ("example reproduced from
# https://www.england.nhs.uk/statistical-process-control-tool/ ... I subtracted 10 from the original
# values"): mean 76.67 (2 places), lpl 57 and upl 96 (0 places, i.e. within 0.5); outside_limits only at the
# 12th point; no point close to the limits; special_cause_flag only at the 12th point.
def test_nhspy_mdc_tool_demo():
    values = [89, 86, 75, 77, 81, 74, 72, 78, 76, 82, 77, 54, 66, 77, 86]
    chart = spc.xmr_chart(values)
    assert round(chart.mean, 2) == 76.67
    assert abs(chart.lower_limit - 57) < 0.5 and abs(chart.upper_limit - 96) < 0.5
    assert chart.beyond_limits == {11} and close_to_limits(chart, values) == []
    assert chart.signals == {11}
    assert sides(chart, values) == [1 if v >= 76.67 else -1 for v in values]


# nhspy-plotthedots tests/unittests/test_limits_calculations.py: limits_calculations(values) returns
# (mean, lpl, upl, nlpl, nupl), nlpl/nupl the near (two-thirds) limits.
@pytest.mark.parametrize(
    "values, expected",
    [
        ([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], (5.5, 2.84, 8.16, 3.7266666666666666, 7.273333333333333)),
        ([10, 9, 8, 7, 6, 5, 4, 3, 2, 1], (5.5, 2.84, 8.16, 3.7266666666666666, 7.273333333333333)),
        ([1, 2, 3, 4, 5, 4, 3, 2, 1, 2], (2.7, 0.040000000000000036, 5.36, 0.9266666666666667, 4.473333333333334)),
        ([1, 2, 3], (2.0, -0.6600000000000001, 4.66, 0.22666666666666657, 3.7733333333333334)),
        (list(range(20)), (9.5, 6.84, 12.16, 7.726666666666667, 11.273333333333333)),
        (
            [3, 1, 4, 1, 5, 9, 2],
            (3.5714285714285716, -6.625238095238096, 13.768095238095238, -3.2263492063492065, 10.36920634920635),
        ),
        (
            [1, 2, 3, 2, 1, 2, 3, 4, 5, 6, 7, 4, 3, 2, 1, 2],
            (3.0, -0.014666666666666828, 6.014666666666667, 0.9902222222222221, 5.009777777777778),
        ),
        (
            [-1, -2, -3, -2, -1, -2, -3, -4, -5, -6, -7, -4, -3, -2, -1, -2],
            (-3.0, -6.014666666666667, 0.014666666666666828, -5.009777777777778, -0.9902222222222221),
        ),
    ],
)
def test_nhspy_limits(values, expected):
    chart = spc.xmr_chart(values)
    assert (
        chart.mean,
        chart.lower_limit,
        chart.upper_limit,
        chart.lower_two_thirds,
        chart.upper_two_thirds,
    ) == pytest.approx(expected, rel=1e-12, abs=1e-12)


# real-statistics.com, "Runs Test Table" (critical values of the runs test at 5 %, two-tailed, after Swed and
# Eisenhart): as a reader quotes it on that page, for n1 = n2 = 10 "your table says r-lower = 7 and r-upper =
# 15" (the range of runs not rejected). For a run chart of 20 useful observations split 10 and 10 that is:
# fewer than 7 runs is too few, more than 15 too many. (This is not the IHI table of Perla et al.)
def test_runs_test_table_for_ten_and_ten():
    assert spc.runs_limits(20) == (7, 15)
    alternating = spc.run_chart([1, 9] * 10)
    assert alternating.useful_observations == 20 and alternating.runs_limits == (7, 15)
