"""Measures through the API: counts per period (not running totals), values entered by hand for a measure bound
to no metric, and the chart summary (mean, limits, variation and assurance icons). The figures are worked out by
hand in the comments."""

import uuid
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, time, timedelta

import pytest

from tests.metrics.conftest import problem

SVG = "{http://www.w3.org/2000/svg}"
NOW = datetime.now(UTC)
THIS_MONDAY = NOW.date() - timedelta(days=NOW.date().weekday())
# 20 weeks alternating 6 and 7, then four weeks of 9: a staff satisfaction score, say.
SCORES = [6, 7] * 10 + [9, 9, 9, 9]


def monday(weeks_ago: int) -> date:
    return THIS_MONDAY - timedelta(weeks=weeks_ago)


@pytest.fixture
def entered(service):
    """A weekly measure bound to no metric with the 24 scores entered by a lead, oldest 24 weeks ago."""
    plan = uuid.uuid4()
    service.plan(plan, NOW - timedelta(days=200))
    measure = service.measure(
        plan, NOW - timedelta(days=200), metric=None, passport_type=None, target=8.0, frequency="Weekly"
    )
    lead = service.person("lead")
    for weeks_ago, score in zip(range(24, 0, -1), SCORES):
        response = service.client.put(
            f"/measures/{measure}/values/{monday(weeks_ago).isoformat()}",
            json={"value": score, "note": f"week {weeks_ago}"},
            headers=lead.headers,
        )
        assert response.status_code == 200, response.get_json()
    return measure, lead


def test_24_entered_values_give_the_limits_and_icons(service, entered):
    measure, lead = entered
    series = service.ok(f"/measures/{measure}/series", lead).get_json()
    assert series["form"] == "entered" and series["frequency"] == "weekly"
    assert [p["value"] for p in series["points"]] == SCORES
    assert series["points"][0]["period_start"] == monday(24).isoformat()
    assert series["points"][0]["period_end"] == (monday(24) + timedelta(days=6)).isoformat()
    assert series["points"][0]["note"] == "week 24"
    # Mean 166 / 24 = 6.9167. Moving ranges: nineteen of 1, then 7 → 9 = 2, then 0 0 0: 21 / 23 = 0.9130 (none
    # reaches 3.267 × 0.9130 = 2.98, so none is screened out). Limits 6.9167 ± 2.66 × 0.9130 = 6.9167 ± 2.4287.
    assert round(series["mean"], 4) == 6.9167
    assert round(series["upper_process_limit"], 4) == 9.3454
    assert round(series["lower_process_limit"], 4) == 4.4880
    # Two-thirds of the way to the upper limit is 8.5358: the four 9s are beyond it, inside the limit, above the
    # mean: two of three, special cause; higher is better, so improvement, and the latest point is one of them.
    assert [p["special_cause"] for p in series["points"]] == [None] * 20 + ["improvement"] * 4
    assert series["variation"] == "improvement_high"
    # The target 8 lies between the limits: it will be hit or missed.
    assert series["assurance"] == "hit_or_miss"
    assert series["limits"] == [
        {
            "period_start": monday(24).isoformat(),
            "mean": series["mean"],
            "upper_process_limit": series["upper_process_limit"],
            "lower_process_limit": series["lower_process_limit"],
            "points_used": 24,
        }
    ]

    # The same on the chart: the lines where the figures say, and the last four points marked as improvement.
    root = ET.fromstring(service.ok(f"/measures/{measure}/chart.svg", lead).get_data(as_text=True))
    lines = {
        line.get("class"): float(line.get("data-value")) for line in root.iter(f"{SVG}line") if line.get("data-value")
    }
    assert lines == {"centre": 6.92, "upper-limit": 9.35, "lower-limit": 4.49, "target": 8.0}
    kinds = [c.get("class").split()[1] for c in root.iter(f"{SVG}circle") if c.get("data-index")]
    assert kinds == ["common_cause"] * 20 + ["improvement"] * 4


def test_baseline_and_rebase_recalculate_the_limits(service, entered):
    measure, lead = entered
    # Fixed on the first 20 points: mean 6.5, moving range 1, limits 6.5 ± 2.66; the 9s are still inside.
    fixed = service.ok(f"/measures/{measure}/series", lead, baseline=20).get_json()
    assert (fixed["mean"], fixed["upper_process_limit"], fixed["lower_process_limit"]) == (6.5, 9.16, 3.84)
    assert fixed["baseline"] == 20 and fixed["variation"] == "improvement_high"
    # Rebased from the week of the first 9: two stretches. The first keeps 6.5 ± 2.66; the second, four 9s, has
    # mean 9 and no spread: every point on the mean, common cause.
    rebased = service.ok(f"/measures/{measure}/series", lead, rebase=monday(4).isoformat()).get_json()
    assert [(s["period_start"], s["mean"], s["points_used"]) for s in rebased["limits"]] == [
        (monday(24).isoformat(), 6.5, 20),
        (monday(4).isoformat(), 9.0, 4),
    ]
    assert rebased["limits"][0]["upper_process_limit"] == 9.16
    assert (rebased["mean"], rebased["upper_process_limit"], rebased["variation"]) == (9.0, 9.0, "common_cause")
    # A target of 8 is now below every point the current limits allow: it will always be met.
    assert rebased["assurance"] == "pass"
    root = ET.fromstring(
        service.ok(f"/measures/{measure}/chart.svg", lead, rebase=monday(4).isoformat()).get_data(as_text=True)
    )
    earlier = {
        line.get("class"): float(line.get("data-earlier-value"))
        for line in root.iter(f"{SVG}line")
        if line.get("data-earlier-value")
    }
    assert earlier == {"centre earlier": 6.5, "upper-limit earlier": 9.16, "lower-limit earlier": 3.84}


def test_lower_is_better_turns_the_same_signal_into_concern(service):
    plan = uuid.uuid4()
    service.plan(plan, NOW - timedelta(days=200))
    measure = service.measure(
        plan,
        NOW - timedelta(days=200),
        metric=None,
        passport_type=None,
        target=4.0,
        frequency="Weekly",
        direction="decrease",
    )
    lead = service.person("workforce")
    for weeks_ago, score in zip(range(24, 0, -1), SCORES):
        service.client.put(
            f"/measures/{measure}/values/{monday(weeks_ago).isoformat()}", json={"value": score}, headers=lead.headers
        )
    series = service.ok(f"/measures/{measure}/series", lead).get_json()
    assert series["improvement_direction"] == "decrease"
    assert series["points"][-1]["special_cause"] == "concern" and series["variation"] == "concern_high"
    # Lower is better and the target 4 is below the lower limit 4.488: it will always be missed.
    assert series["assurance"] == "fail"


def test_a_steady_five_a_week_is_common_cause_not_a_trend(service):
    plan = uuid.uuid4()
    service.plan(plan, NOW - timedelta(days=100))
    measure = service.measure(plan, NOW - timedelta(days=100), metric="started", target=None, frequency="Weekly")
    for weeks_ago in range(10, 0, -1):
        tuesday = datetime.combine(monday(weeks_ago) + timedelta(days=1), time(10), tzinfo=UTC)
        for n in range(5):
            service.started(service.passport(), tuesday + timedelta(minutes=n))
    service.started(service.passport(), NOW)  # this week, still going on
    lead = service.person("lead")
    per_week = service.ok(f"/measures/{measure}/series", lead).get_json()
    assert per_week["form"] == "period"
    assert [p["value"] for p in per_week["points"]] == [5] * 10 + [1]
    assert per_week["points"][-1]["partial"] and per_week["points"][-1]["special_cause"] is None
    # Ten fives (this week is not charted until it ends): mean 5, no spread, no point off the mean, no rise.
    assert (per_week["mean"], per_week["upper_process_limit"], per_week["lower_process_limit"]) == (5, 5, 5)
    assert per_week["variation"] == "common_cause"
    assert all(p["special_cause"] is None for p in per_week["points"])
    # The running total of the same events rises every week: the XmR rules read it as a trend.
    running = service.ok(f"/measures/{measure}/series", lead, form="cumulative").get_json()
    assert [p["value"] for p in running["points"]] == [5 * n for n in range(1, 11)] + [51]
    assert running["variation"] == "improvement_high"


def test_a_counts_target_is_judged_on_its_running_total(service):
    plan = uuid.uuid4()
    service.plan(plan, NOW - timedelta(days=100))
    measure = service.measure(plan, NOW - timedelta(days=100), metric="started", target=20, frequency="Weekly")
    for weeks_ago in range(8, 0, -1):
        service.started(service.passport(), datetime.combine(monday(weeks_ago), time(10), tzinfo=UTC))
    lead = service.person("lead")
    # One a week: a target of 20 staff started says nothing of one week's starts.
    assert service.ok(f"/measures/{measure}/series", lead).get_json()["assurance"] is None
    # The running total 1..8, and 8 this week: mean 44 / 9 = 4.889, moving ranges seven 1s and a 0 → 0.875,
    # limits 4.889 ± 2.3275, so 20 is above the upper limit 7.22: consistently missed, as it stands.
    running = service.ok(f"/measures/{measure}/series", lead, form="cumulative").get_json()
    assert round(running["upper_process_limit"], 2) == 7.22 and running["assurance"] == "fail"


def test_monthly_periods(service):
    plan = uuid.uuid4()
    service.plan(plan, NOW - timedelta(days=100))
    measure = service.measure(plan, NOW - timedelta(days=100), metric="started", frequency="Monthly")
    service.started(service.passport(), NOW)
    points = service.ok(f"/measures/{measure}/series", service.person("lead")).get_json()["points"]
    first = NOW.date().replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    assert points == [
        {
            "period_start": first.isoformat(),
            "period_end": (following - timedelta(days=1)).isoformat(),
            "value": 1,
            "partial": True,
            "special_cause": None,
        }
    ]


def test_the_dashboard_summarises_each_measures_chart(service, entered):
    measure, lead = entered
    [summary] = [m for m in service.dashboard(lead)["measures"] if m["measure_id"] == str(measure)]
    assert summary["entered"] is True and summary["metric"] is None
    assert summary["latest"] == {
        "period_start": monday(1).isoformat(),
        "period_end": (monday(1) + timedelta(days=6)).isoformat(),
        "value": 9,
    }
    assert summary["value"] == 9 and summary["percent_of_target"] == 112.5
    assert round(summary["mean"], 4) == 6.9167 and round(summary["upper_process_limit"], 4) == 9.3454
    assert (summary["variation"], summary["assurance"]) == ("improvement_high", "hit_or_miss")
    assert summary["improvement_direction"] == "increase" and summary["form"] == "entered"


def test_entering_values_changes_them_and_refuses_bad_input(service, entered):
    measure, lead = entered
    path = f"/measures/{measure}/values"
    week = monday(1).isoformat()
    changed = service.client.put(f"{path}/{week}", json={"value": 8.5, "note": None}, headers=lead.headers)
    assert changed.status_code == 200 and changed.get_json()["value"] == 8.5
    values = service.ok(path, lead).get_json()
    assert len(values) == 24 and values[-1]["value"] == 8.5 and values[-1]["entered_by"] == str(lead.id)

    def refused(period, body, status, field=None, person=lead):
        response = service.client.put(f"{path}/{period}", json=body, headers=person.headers)
        problem(response, status)
        if field:
            assert field in response.get_json()["errors"], response.get_json()
        return response

    refused((monday(1) + timedelta(days=2)).isoformat(), {"value": 1}, 422, "period_start")  # a Wednesday
    refused(monday(-1).isoformat(), {"value": 1}, 422, "period_start")  # next week has not started
    refused("2026-13-01", {"value": 1}, 422, "period_start")
    refused(week, {"note": "no value"}, 422, "value")
    refused(week, {"value": "lots"}, 422, "value")
    refused(week, {"value": 1, "note": "x" * 501}, 422, "note")
    refused(week, {"value": 1}, 403, person=service.person("trust_admin"))
    refused(week, {"value": 1}, 403, person=service.person("staff"))
    refused(week, {"value": 1}, 404, person=service.person("lead", trust_id=uuid.uuid4()))
    problem(service.client.get(path, headers=service.person("lead", trust_id=uuid.uuid4()).headers), 404)
    assert service.ok(path, lead).get_json() == values  # nothing refused was written

    removed = service.client.delete(f"{path}/{week}", headers=lead.headers)
    assert removed.status_code == 204
    assert [v["period_start"] for v in service.ok(path, lead).get_json()][-1] == monday(2).isoformat()
    problem(service.client.delete(f"{path}/{week}", headers=lead.headers), 404)


def test_a_computed_measure_takes_no_entered_values(service):
    plan = uuid.uuid4()
    service.plan(plan, NOW - timedelta(days=10))
    measure = service.measure(plan, NOW - timedelta(days=10), metric="started", frequency="Monthly")
    response = service.client.put(
        f"/measures/{measure}/values/{NOW.date().replace(day=1).isoformat()}",
        json={"value": 1},
        headers=service.person("lead").headers,
    )
    problem(response, 409)


def test_a_monthly_measure_takes_the_first_of_the_month(service):
    plan = uuid.uuid4()
    service.plan(plan, NOW - timedelta(days=10))
    measure = service.measure(plan, NOW - timedelta(days=10), metric=None, passport_type=None, frequency="Monthly")
    lead = service.person("lead")
    first = NOW.date().replace(day=1)
    assert (
        service.client.put(
            f"/measures/{measure}/values/{first.isoformat()}", json={"value": 70}, headers=lead.headers
        ).status_code
        == 200
    )
    second = (first + timedelta(days=1)).isoformat()
    response = service.client.put(f"/measures/{measure}/values/{second}", json={"value": 70}, headers=lead.headers)
    problem(response, 422)
    assert "first day of a month" in response.get_json()["errors"]["period_start"][0]
