"""Charts as pictures: the lines and marked points of a known series, read back from the SVG."""

import uuid
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, timedelta

from services.metrics import spc, svg
from tests.metrics.conftest import problem

SVG = "{http://www.w3.org/2000/svg}"


def parse(text: str):
    root = ET.fromstring(text)
    lines = {
        line.get("class"): float(line.get("data-value")) for line in root.iter(f"{SVG}line") if line.get("data-value")
    }
    points = [
        (int(c.get("data-index")), c.get("class").split()[1]) for c in root.iter(f"{SVG}circle") if c.get("data-index")
    ]
    return lines, points


def test_an_xmr_chart_draws_mean_limits_target_and_marks_the_signal():
    days = [date(2026, 11, 2) + timedelta(days=7 * n) for n in range(8)]
    values = [10, 12, 11, 13, 12, 11, 30, 12]  # baseline 6: mean 11.5, limits 11.5 ± 3.724 (see test_rules)
    picture = svg.render_xmr_chart("Completed", days, values, spc.xmr_chart(values, baseline=6), 20.0, 6)
    lines, points = parse(picture)
    assert lines == {"centre": 11.5, "upper-limit": 15.22, "lower-limit": 7.78, "target": 20.0}
    assert [kind for _, kind in points] == ["common_cause"] * 6 + ["improvement", "common_cause"]
    assert "first 6 points" in picture


def test_a_run_chart_draws_the_median_and_marks_the_shift():
    days = [date(2026, 11, 2) + timedelta(days=n) for n in range(12)]
    values = [2, 3, 1, 3, 2, 3, 7, 8, 9, 7, 8, 9]  # median 5, two shifts of six (see test_rules)
    picture = svg.render_run_chart("Started", days, values, spc.run_chart(values), None)
    lines, points = parse(picture)
    assert lines == {"centre": 5.0}
    assert [kind for _, kind in points] == ["concern"] * 6 + ["improvement"] * 6
    assert "too few runs" in picture


def test_the_chart_route_serves_the_measures_series(service):
    now = datetime.now(UTC)
    plan = uuid.uuid4()
    service.plan(plan, now - timedelta(days=30))
    measure = service.measure(plan, now - timedelta(days=30), metric="started", frequency="daily", target=5)
    for days_ago in (6, 4, 4, 1):
        service.started(service.passport(), now - timedelta(days=days_ago))
    lead = service.person("lead")
    per_day = service.ok(f"/measures/{measure}/series", lead).get_json()
    assert per_day["form"] == "period"
    assert [p["value"] for p in per_day["points"]] == [1, 0, 2, 0, 0, 1, 0]  # what happened on each day
    assert [p["partial"] for p in per_day["points"]] == [False] * 6 + [True]  # today is still going on
    points = service.ok(f"/measures/{measure}/series", lead, form="cumulative").get_json()["points"]
    assert [p["value"] for p in points] == [1, 1, 3, 3, 3, 4, 4]  # running totals, day by day
    weekly = service.ok(f"/measures/{measure}/series", lead, frequency="weekly", form="cumulative").get_json()["points"]
    assert weekly[-1]["value"] == 4 and all(date.fromisoformat(p["period_end"]).weekday() == 6 for p in weekly)
    assert all(date.fromisoformat(p["period_start"]).weekday() == 0 for p in weekly)
    response = service.ok(f"/measures/{measure}/chart.svg", lead, kind="run", form="cumulative")
    assert response.mimetype == "image/svg+xml"
    lines, drawn = parse(response.get_data(as_text=True))
    assert lines["centre"] == 3 and lines["target"] == 5 and len(drawn) == 7
    # Per day, today (still going on) is not charted: the median of 1 0 2 0 0 1 is 0.5.
    lines, drawn = parse(service.ok(f"/measures/{measure}/chart.svg", lead, kind="run").get_data(as_text=True))
    assert lines["centre"] == 0.5 and len(drawn) == 6
    assert "target" not in lines  # the target 5 is for the running total, not for one day's starts
    problem(service.call("GET", f"/measures/{measure}/chart.svg", lead, kind="pie"), 422)
    problem(service.call("GET", f"/measures/{measure}/chart.svg", service.person("lead", trust_id=uuid.uuid4())), 404)
