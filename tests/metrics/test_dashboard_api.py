"""The dashboard: who may read it, zeros before any event, aims and measures against their targets."""

import uuid
from datetime import UTC, date, datetime, timedelta

from tests.metrics.conftest import problem

NOW = datetime.now(UTC)


def test_the_callers_trust_reads_zeros_before_any_event(service):
    for role in ("lead", "workforce", "trust_admin"):
        dashboard = service.dashboard(service.person(role))
        assert dashboard["trust_id"] == str(service.trust_id) and dashboard["aims"] == [] == dashboard["measures"]
        codes = [row["code"] for row in dashboard["passport_types"]]
        assert {"NRSS", "RSC"} <= set(codes)
        assert all(value == 0 for row in dashboard["passport_types"] for key, value in row.items() if key != "code")


def test_another_trust_is_404_staff_403_and_no_token_401(service):
    other = uuid.uuid4()
    problem(service.call("GET", f"/trusts/{other}/dashboard", service.person("lead")), 404)
    problem(service.call("GET", f"/trusts/{service.trust_id}/dashboard", service.person("lead", trust_id=other)), 404)
    problem(service.call("GET", f"/trusts/{service.trust_id}/dashboard", service.person("staff")), 403)
    problem(service.call("GET", f"/trusts/{service.trust_id}/dashboard.html", service.person("supervisor")), 403)
    problem(service.client.get(f"/trusts/{service.trust_id}/dashboard"), 401)
    problem(service.call("GET", f"/measures/{uuid.uuid4()}/series", service.person("lead")), 404)


def test_the_aim_is_completed_out_of_the_cohort_and_on_track_at_the_current_rate(service):
    plan = uuid.uuid4()
    service.plan(
        plan,
        NOW - timedelta(days=30),
        percentage=50.0,
        cohort=10,
        types=("NRSS",),
        deadline=(NOW + timedelta(days=28)).date(),
    )
    for days_ago in (20, 10):  # two completions in the last 28 days: 1/14 of a passport a day
        passport = service.passport()
        service.started(passport, NOW - timedelta(days=days_ago + 1))
        service.completed(passport, NOW - timedelta(days=days_ago))
    [aim] = service.dashboard()["aims"]
    # 2 of 10 = 20%, 40% of the way to 50%; in 28 more days at 2 per 28 days: 4 of 10 = 40% < 50%: not on track.
    assert (aim["completed"], aim["cohort_identified"], aim["value"], aim["percent_of_target"]) == (2, 10, 20.0, 40.0)
    assert aim["on_track"] is False
    service.cohort(plan, "NRSS", 4, NOW - timedelta(days=1))  # planning now says 4 were identified
    [aim] = service.dashboard()["aims"]
    assert (aim["value"], aim["on_track"]) == (50.0, True)
    service.plan(plan, NOW, deleted=True)
    assert service.dashboard()["aims"] == []


def test_measures_show_value_target_and_disappear_when_deleted(service):
    plan = uuid.uuid4()
    service.plan(plan, NOW - timedelta(days=5), deadline=None)
    certified = service.measure(plan, NOW - timedelta(days=5), metric="certified", target=4)
    learning = service.measure(
        plan, NOW - timedelta(days=5), metric="learning_attended_vs_planned", passport_type=None, target=80
    )
    service.issued(service.certificate(), NOW - timedelta(days=1))
    passport = service.passport(passport_type="RSC")
    learning_id = uuid.uuid4()
    service.learning(passport, "planned", NOW - timedelta(days=2), learning_id=learning_id)
    service.learning(passport, "planned", NOW - timedelta(days=2))
    service.learning(passport, "attended", NOW - timedelta(days=1), learning_id=learning_id)
    measures = {m["measure_id"]: m for m in service.dashboard()["measures"]}
    assert (measures[str(certified)]["value"], measures[str(certified)]["percent_of_target"]) == (1, 25.0)
    assert measures[str(certified)]["on_track"] is None  # the aim has no deadline
    assert measures[str(learning)]["value"] == 50.0  # 1 attended of 2 planned
    service.measure(plan, NOW, metric="certified", measure_id=certified, deleted=True)
    assert [m["measure_id"] for m in service.dashboard()["measures"]] == [str(learning)]
    problem(service.call("GET", f"/measures/{certified}/series", service.person("lead")), 404)


def test_the_page_shows_progress_bars_and_charts(service):
    plan = uuid.uuid4()
    service.plan(plan, NOW - timedelta(days=5), deadline=date.today() + timedelta(days=100))
    service.measure(plan, NOW - timedelta(days=5), metric="started", target=3)
    service.started(service.passport(), NOW - timedelta(days=3))
    response = service.ok(f"/trusts/{service.trust_id}/dashboard.html", service.person("trust_admin"))
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert 'role="progressbar"' in page and "<svg" in page and "started measure" in page and "<script" not in page
