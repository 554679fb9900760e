"""Plans and their parts through the API: CRUD of every part, bad input, roles and another Trust."""

import uuid

import pytest

from shared.events.catalogue import MeasureDefined, PlanUpdated
from tests.planning.conftest import problem
from tests.support.openapi import assert_matches_documented_response

AIM = {
    "why": "Preparedness",
    "how": "Theatre nurses rotate",
    "what": "95% complete",
    "statement": "95% of 150 staff complete their passport by 2022-03-31",
    "target_passport_types": ["RSC", "NRSS"],
    "target_percentage": 95,
    "target_cohort_size": 150,
    "target_deadline": "2022-03-31",
}
MEASURE = {
    "name": "% completed",
    "kind": "outcome",
    "frequency": "Monthly",
    "method": "quantitative",
    "owner": "Implementation lead",
    "metric": "completion_rate",
    "passport_type": "NRSS",
    "target": 95,
}
PROCESS_MAP = {
    "lanes": [{"key": "exec", "name": "Exec team"}, {"key": "edu", "name": "Education team"}],
    "steps": [
        {"key": "s", "label": "Start", "shape": "start_end", "lane": "exec", "stage": "identification"},
        {"key": "t", "label": "Train", "shape": "activity", "lane": "edu", "stage": "training"},
    ],
    "links": [{"from": "s", "to": "t", "label": "then"}],
}


def test_a_lead_starts_a_plan_for_their_trust_and_plan_updated_is_staged(service, lead):
    plan = service.plan(lead, "Surge plan")
    assert plan["trust_id"] == str(service.trust_id) and plan["name"] == "Surge plan"
    assert plan["created_by"] == str(lead.id)
    [event] = service.outbox("plan.updated")
    assert set(event["data"]) == set(PlanUpdated().fields)
    assert event["data"]["plan_id"] == plan["id"] and event["data"]["deleted"] is False
    assert event["trustid"] == str(service.trust_id)
    assert [p["id"] for p in service.ok("GET", "/plans", lead)] == [plan["id"]]


@pytest.mark.parametrize("roles", [("workforce",), ("educator",), ("trust_admin",)])
def test_workforce_educators_and_admins_read_plans(service, plan, roles):
    reader = service.person(*roles)
    assert service.ok("GET", f"/plans/{plan['id']}", reader)["name"] == plan["name"]


@pytest.mark.parametrize("roles", [("staff",), ("supervisor",), ("workforce",), ("educator",)])
def test_only_leads_and_trust_admins_write(service, plan, roles):
    someone = service.person(*roles)
    before = len(service.outbox())
    assert "lead, trust_admin" in problem(service.call("POST", "/plans", someone, {"name": "Mine"}), 403)["detail"]
    problem(service.call("PUT", f"/plans/{plan['id']}/aim", someone, AIM), 403)
    problem(service.call("POST", f"/plans/{plan['id']}/measures", someone, MEASURE), 403)
    assert len(service.outbox()) == before


@pytest.mark.parametrize("roles", [("staff",), ("supervisor",)])
def test_staff_and_supervisors_do_not_read_plans(service, plan, roles):
    problem(service.call("GET", f"/plans/{plan['id']}", service.person(*roles)), 403)


def test_another_trusts_plan_is_404_like_one_that_does_not_exist(service, plan):
    outsider = service.person("lead", trust_id=uuid.uuid4())
    before = len(service.outbox())
    for method, path, body in [
        ("GET", "", None),
        ("PATCH", "", {"name": "x"}),
        ("DELETE", "", None),
        ("PUT", "/aim", AIM),
        ("GET", "/aim", None),
        ("GET", "/stakeholders", None),
        ("POST", "/measures", MEASURE),
        ("GET", "/process-map.svg", None),
        ("PUT", "/workforce", {"roles": []}),
    ]:
        response = service.call(method, f"/plans/{plan['id']}{path}", outsider, body)
        assert f"No plan {plan['id']}" in problem(response, 404)["detail"], (method, path)
    assert service.ok("GET", "/plans", outsider) == []
    unknown = uuid.uuid4()
    assert (
        problem(service.call("GET", f"/plans/{unknown}", outsider), 404)["detail"]
        == f"No plan {unknown} in your Trust."
    )
    assert len(service.outbox()) == before


def test_a_plan_is_renamed_and_deleted_with_its_measures(service, lead, plan):
    assert service.ok("PATCH", f"/plans/{plan['id']}", lead, {"name": "Renamed"})["name"] == "Renamed"
    measure = service.ok("POST", f"/plans/{plan['id']}/measures", lead, MEASURE, expect=201)
    service.ok("PUT", f"/plans/{plan['id']}/aim", lead, AIM)
    assert service.call("DELETE", f"/plans/{plan['id']}", lead).status_code == 204
    problem(service.call("GET", f"/plans/{plan['id']}", lead), 404)
    assert service.outbox("plan.updated")[-1]["data"]["deleted"] is True
    deleted = service.outbox("measure.defined")[-1]["data"]
    assert deleted["measure_id"] == measure["id"] and deleted["deleted"] is True


def test_the_aim_is_set_read_replaced_and_removed_with_plan_updated_each_time(service, lead, plan):
    path = f"/plans/{plan['id']}/aim"
    problem(service.call("GET", path, lead), 404)
    aim = service.ok("PUT", path, lead, AIM)
    assert {key: aim[key] for key in AIM} == AIM
    assert service.ok("GET", path, lead) == aim
    event = service.outbox("plan.updated")[-1]["data"]
    assert event["aim_statement"] == AIM["statement"] and event["target_passport_types"] == ["RSC", "NRSS"]
    assert (event["target_percentage"], event["target_cohort_size"], event["target_deadline"]) == (
        95,
        150,
        "2022-03-31",
    )
    assert service.ok("PUT", path, lead, {**AIM, "target_percentage": 90})["target_percentage"] == 90
    assert service.call("DELETE", path, lead).status_code == 204
    problem(service.call("GET", path, lead), 404)
    assert service.outbox("plan.updated")[-1]["data"]["aim_statement"] is None
    assert len(service.outbox("plan.updated")) == 4  # created, set, replaced, removed


@pytest.mark.parametrize(
    "body, field",
    [
        ({**AIM, "target_percentage": 101}, "target_percentage"),
        ({**AIM, "statement": "  "}, "statement"),
        ({**AIM, "target_passport_types": ["nrss"]}, "target_passport_types.0"),
        ({**AIM, "target_passport_types": ["RSC", "RSC"]}, "target_passport_types.1"),
        ({**AIM, "target_deadline": "March 2022"}, "target_deadline"),
        ({**AIM, "colour": "blue"}, "colour"),
    ],
)
def test_a_bad_aim_is_refused_naming_the_field_and_nothing_is_written(service, lead, plan, body, field):
    before = service.outbox()
    assert field in problem(service.call("PUT", f"/plans/{plan['id']}/aim", lead, body), 422)["errors"]
    assert service.outbox() == before
    problem(service.call("GET", f"/plans/{plan['id']}/aim", lead), 404)


def test_stakeholders_are_added_read_replaced_and_removed_with_their_quadrant(service, lead, plan):
    path = f"/plans/{plan['id']}/stakeholders"
    body = {
        "name": "Matrons",
        "role": "Release staff",
        "power": "high",
        "impact": "high",
        "benefits": ["Visibility of skills"],
        "enablers": ["Backfill"],
    }
    created = service.ok("POST", path, lead, body, expect=201)
    assert created["quadrant"] == "Manage" and created["benefits"] == ["Visibility of skills"]
    assert service.ok("GET", f"{path}/{created['id']}", lead) == created
    replaced = service.ok("PUT", f"{path}/{created['id']}", lead, {**body, "impact": "low"})
    assert replaced["quadrant"] == "Satisfy"
    service.ok("POST", path, lead, {"name": "CFOs", "power": "low", "impact": "low"}, expect=201)
    assert [(s["name"], s["quadrant"]) for s in service.ok("GET", path, lead)] == [
        ("Matrons", "Satisfy"),
        ("CFOs", "Monitor"),
    ]
    assert service.call("DELETE", f"{path}/{created['id']}", lead).status_code == 204
    problem(service.call("GET", f"{path}/{created['id']}", lead), 404)
    assert "power" in problem(service.call("POST", path, lead, {**body, "power": "medium"}), 422)["errors"]


def drivers_path(plan):
    return f"/plans/{plan['id']}/drivers"


def add(service, lead, plan, kind, title, parent=None, **extra):
    body = {"kind": kind, "title": title, "parent_id": parent["id"] if parent else None, **extra}
    return service.ok("POST", drivers_path(plan), lead, body, expect=201)


def test_the_driver_diagram_is_a_tree_and_links_that_break_it_are_refused(service, lead, plan):
    primary = add(service, lead, plan, "primary", "Identification of appropriate staff")
    secondary = add(service, lead, plan, "secondary", "Awareness of numbers", primary)
    activity = add(
        service, lead, plan, "activity", "Develop workforce plans", secondary, status="planned", priority="high"
    )
    assert (activity["parent_id"], activity["status"], activity["priority"]) == (secondary["id"], "planned", "high")
    path = drivers_path(plan)

    refusals = [
        ({"kind": "secondary", "title": "Orphan"}, "links to a primary"),
        ({"kind": "primary", "title": "With parent", "parent_id": primary["id"]}, "no parent"),
        ({"kind": "secondary", "title": "Under activity", "parent_id": activity["id"]}, "is a activity"),
        ({"kind": "activity", "title": "Unknown", "parent_id": str(uuid.uuid4())}, "No driver"),
    ]
    for body, message in refusals:
        assert message in problem(service.call("POST", path, lead, body), 422)["errors"]["parent_id"][0]
    cycle = {"kind": "secondary", "title": primary["title"], "parent_id": secondary["id"]}
    refused = problem(service.call("PUT", f"{path}/{primary['id']}", lead, cycle), 422)
    assert "cycle" in refused["errors"]["parent_id"][0] and "parent_id" in refused["detail"]

    other_plan = service.plan(lead, "Other plan")
    foreign = add(service, lead, other_plan, "primary", "Elsewhere")
    body = {"kind": "secondary", "title": "Cross-plan", "parent_id": foreign["id"]}
    assert "No driver" in problem(service.call("POST", path, lead, body), 422)["errors"]["parent_id"][0]
    assert [d["id"] for d in service.ok("GET", path, lead)] == [primary["id"], secondary["id"], activity["id"]]

    renamed = service.ok(
        "PUT",
        f"{path}/{activity['id']}",
        lead,
        {"kind": "activity", "title": "Renamed", "parent_id": primary["id"], "status": "done"},
    )
    assert (renamed["title"], renamed["parent_id"], renamed["status"]) == ("Renamed", primary["id"], "done")
    assert "link to this driver" in problem(service.call("DELETE", f"{path}/{primary['id']}", lead), 409)["detail"]
    for driver in (activity, secondary, primary):
        assert service.call("DELETE", f"{path}/{driver['id']}", lead).status_code == 204
    assert service.ok("GET", path, lead) == []


def test_the_process_map_is_set_with_default_stages_and_refuses_unknown_steps(service, lead, plan):
    path = f"/plans/{plan['id']}/process-map"
    problem(service.call("GET", path, lead), 404)
    saved = service.ok("PUT", path, lead, PROCESS_MAP)
    assert [stage["key"] for stage in saved["stages"]] == ["identification", "completion", "training", "rostering"]
    assert saved["links"] == [{"from": "s", "to": "t", "label": "then"}]
    assert service.ok("GET", path, lead) == saved

    bad_link = {**PROCESS_MAP, "links": [{"from": "s", "to": "nowhere"}]}
    errors = problem(service.call("PUT", path, lead, bad_link), 422)["errors"]
    assert errors == {"links.0.to": ["No step nowhere."]}
    bad_step = {**PROCESS_MAP, "steps": [{**PROCESS_MAP["steps"][0], "lane": "hr", "shape": "cloud"}]}
    errors = problem(service.call("PUT", path, lead, bad_step), 422)["errors"]
    assert "steps.0.shape" in errors
    bad_lane = {**PROCESS_MAP, "steps": [{**PROCESS_MAP["steps"][0], "lane": "hr"}], "links": []}
    assert problem(service.call("PUT", path, lead, bad_lane), 422)["errors"] == {"steps.0.lane": ["No lane hr."]}
    assert service.ok("GET", path, lead) == saved  # nothing written by the refusals

    assert service.call("DELETE", path, lead).status_code == 204
    problem(service.call("GET", path, lead), 404)


def test_the_launch_plan_is_set_read_and_removed(service, lead, plan):
    path = f"/plans/{plan['id']}/launch"
    body = {
        "ambition": "Sign-up",
        "audiences": ["Theatre nurses"],
        "stakeholders_involved": ["Matrons"],
        "timeline": [{"when": "2021-11", "what": "Posters"}],
        "forums_and_formats": ["Posters"],
        "locations": ["Staff rooms"],
        "benefits": ["Recognition of skills"],
    }
    saved = service.ok("PUT", path, lead, body)
    assert {key: saved[key] for key in body} == body
    assert service.ok("GET", path, lead) == saved
    assert "timeline.0.what" in problem(service.call("PUT", path, lead, {"timeline": [{"when": "x"}]}), 422)["errors"]
    assert service.call("DELETE", path, lead).status_code == 204
    problem(service.call("GET", path, lead), 404)


def test_measures_are_defined_with_a_metric_binding_and_published(service, lead, plan):
    path = f"/plans/{plan['id']}/measures"
    measure = service.ok("POST", path, lead, MEASURE, expect=201)
    assert {key: measure[key] for key in MEASURE} == MEASURE
    [event] = service.outbox("measure.defined")
    assert set(event["data"]) == set(MeasureDefined().fields)
    assert {
        key: event["data"][key] for key in ("measure_id", "plan_id", "metric", "passport_type", "target", "deleted")
    } == {
        "measure_id": measure["id"],
        "plan_id": plan["id"],
        "metric": "completion_rate",
        "passport_type": "NRSS",
        "target": 95,
        "deleted": False,
    }
    assert measure["improvement_direction"] == event["data"]["improvement_direction"] == "increase"  # the default
    changed = service.ok(
        "PUT",
        f"{path}/{measure['id']}",
        lead,
        {**MEASURE, "target": 90, "frequency": "Weekly", "improvement_direction": "decrease"},
    )
    assert changed["target"] == 90 and service.outbox("measure.defined")[-1]["data"]["frequency"] == "Weekly"
    assert (
        changed["improvement_direction"]
        == service.outbox("measure.defined")[-1]["data"]["improvement_direction"]
        == "decrease"
    )
    assert service.ok("GET", f"{path}/{measure['id']}", lead) == changed
    assert service.call("DELETE", f"{path}/{measure['id']}", lead).status_code == 204
    assert service.outbox("measure.defined")[-1]["data"]["deleted"] is True
    assert service.ok("GET", path, lead) == []


@pytest.mark.parametrize(
    "body, field",
    [
        ({**MEASURE, "kind": "balancing"}, "kind"),
        ({**MEASURE, "improvement_direction": "sideways"}, "improvement_direction"),
        ({**MEASURE, "metric": "happiness"}, "metric"),
        ({**MEASURE, "metric": None}, "passport_type"),
        ({**MEASURE, "method": "guesswork"}, "method"),
        ({key: value for key, value in MEASURE.items() if key != "name"}, "name"),
    ],
)
def test_a_bad_measure_is_refused_naming_the_field(service, lead, plan, body, field):
    assert field in problem(service.call("POST", f"/plans/{plan['id']}/measures", lead, body), 422)["errors"]
    assert service.outbox("measure.defined") == []


def test_the_seventh_measure_is_refused_clearly_and_nothing_is_written(service, lead, plan):
    path = f"/plans/{plan['id']}/measures"
    for index in range(6):
        service.ok("POST", path, lead, {**MEASURE, "name": f"Measure {index}"}, expect=201)
    refused = problem(service.call("POST", path, lead, {**MEASURE, "name": "Seventh"}), 422)
    assert "at most 6 measures" in refused["errors"]["measures"][0]
    assert len(service.ok("GET", path, lead)) == 6 and len(service.outbox("measure.defined")) == 6


def test_pdsa_cycles_test_an_activity_of_the_plan(service, lead, plan):
    primary = add(service, lead, plan, "primary", "Awareness")
    activity = add(service, lead, plan, "activity", "Drop-in sessions", primary)
    path = f"/plans/{plan['id']}/cycles"
    body = {
        "activity_id": activity["id"],
        "title": "Drop-ins in theatres",
        "plan": "Two sessions a week",
        "prediction": "20 staff attend",
        "started_on": "2021-11-01",
    }
    cycle = service.ok("POST", path, lead, body, expect=201)
    assert cycle["act"] is None and cycle["prediction"] == "20 staff attend"
    done = {
        **body,
        "do": "Ran 8 sessions",
        "study": "26 attended; starts up 30%",
        "act": "adopt",
        "ended_on": "2021-11-28",
    }
    assert service.ok("PUT", f"{path}/{cycle['id']}", lead, done)["act"] == "adopt"
    assert (
        "act" in problem(service.call("PUT", f"{path}/{cycle['id']}", lead, {**done, "act": "ignore"}), 422)["errors"]
    )
    assert "ended_on" in problem(service.call("POST", path, lead, {**done, "ended_on": "2021-10-01"}), 422)["errors"]
    not_activity = {**body, "activity_id": primary["id"]}
    assert "activity_id" in problem(service.call("POST", path, lead, not_activity), 422)["errors"]
    assert "PDSA" in problem(service.call("DELETE", f"{drivers_path(plan)}/{activity['id']}", lead), 409)["detail"]
    assert service.call("DELETE", f"{path}/{cycle['id']}", lead).status_code == 204
    assert service.ok("GET", path, lead) == []


def test_the_workforce_model_publishes_the_cohort_of_each_changed_role(service, lead, plan):
    path = f"/plans/{plan['id']}/workforce"
    assert service.ok("GET", path, lead)["roles"] == []
    body = {
        "roles": [
            {"role": "RSC", "needed": 80, "prospective": 60, "retrospective": 20},
            {"role": "NRSS", "needed": 70, "prospective": 70},
        ]
    }
    saved = service.ok("PUT", path, lead, body)
    assert [(r["role"], r["needed"], r["identified"]) for r in saved["roles"]] == [("NRSS", 70, 70), ("RSC", 80, 80)]
    cohorts = {e["data"]["role"]: e["data"] for e in service.outbox("cohort.updated")}
    assert (cohorts["RSC"]["identified"], cohorts["RSC"]["prospective"], cohorts["RSC"]["retrospective"]) == (
        80,
        60,
        20,
    )

    # RSC's need changes but not its cohort; NRSS is dropped: only NRSS is published again, as none.
    service.ok("PUT", path, lead, {"roles": [{"role": "RSC", "needed": 90, "prospective": 60, "retrospective": 20}]})
    later = service.outbox("cohort.updated")[2:]
    assert [(e["data"]["role"], e["data"]["identified"]) for e in later] == [("NRSS", 0)]
    assert service.ok("GET", path, lead)["roles"][0]["needed"] == 90
    repeated = {"roles": [body["roles"][0], body["roles"][0]]}
    assert "roles.1.role" in problem(service.call("PUT", path, lead, repeated), 422)["errors"]


def test_responses_match_the_published_openapi_document(service, lead, plan):
    detail = service.ok("GET", f"/plans/{plan['id']}", lead)
    assert_matches_documented_response(service.client, "GET", "/plans/{plan_id}", 200, detail)
