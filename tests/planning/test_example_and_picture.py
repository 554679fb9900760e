"""The toolkit's worked example loaded in one call and read back whole; the process map as a picture."""

import json
import xml.etree.ElementTree as ElementTree

from services.planning.example import EXAMPLE_FILE, load_example_command
from tests.planning.conftest import problem

SVG = "{http://www.w3.org/2000/svg}"
STATEMENT = (
    "95% of staff identified for rotation (n=150: 80 RSC, 70 NRSS) complete the digital skills passport by 2022-03-31"
)
QUADRANTS = {
    "Manage": {
        "Matrons",
        "Chief nurses",
        "Divisional leads",
        "HR",
        "Education leads",
        "Deployment leads",
        "Rotational staff",
    },
    "Satisfy": {"Heads of departments", "Multi-professional leads", "Quality and safety teams", "Rota teams"},
    "Inform": {"Critical care networks", "ICS workforce leads", "Wellbeing teams", "CFOs"},
}
PRIMARY_DRIVERS = [
    "Directive of need to prepare",
    "Identification of appropriate staff",
    "New ways of working incorporated",
    "Embedded in Trust infrastructure",
    "Awareness and understanding of how to use by staff",
]
LANES = [
    "Exec team",
    "Critical care",
    "HR / Chief nurse",
    "Service managers",
    "Department leads",
    "Team managers",
    "Education team",
]


def assert_is_the_worked_example(plan: dict) -> None:
    aim = plan["aim"]
    assert aim["statement"] == STATEMENT
    assert aim["why"] == "Improve staff rotation experience and workforce preparedness"
    assert "theatres, recovery and cardiac cath labs" in aim["how"]
    assert (
        aim["target_passport_types"],
        aim["target_percentage"],
        aim["target_cohort_size"],
        aim["target_deadline"],
    ) == (["RSC", "NRSS"], 95, 150, "2022-03-31")

    by_quadrant = {}
    for stakeholder in plan["stakeholders"]:
        by_quadrant.setdefault(stakeholder["quadrant"], set()).add(stakeholder["name"])
    assert by_quadrant == QUADRANTS

    drivers = {driver["id"]: driver for driver in plan["drivers"]}
    primaries = [d for d in plan["drivers"] if d["kind"] == "primary"]
    assert [d["title"] for d in primaries] == PRIMARY_DRIVERS and all(d["parent_id"] is None for d in primaries)
    secondaries = [d for d in plan["drivers"] if d["kind"] == "secondary"]
    activities = [d for d in plan["drivers"] if d["kind"] == "activity"]
    assert len(secondaries) == 10 and len(activities) == 12
    assert all(drivers[d["parent_id"]]["kind"] == "primary" for d in secondaries)
    assert all(drivers[d["parent_id"]]["kind"] == "secondary" for d in activities)
    identification = [d["title"] for d in secondaries if drivers[d["parent_id"]]["title"] == PRIMARY_DRIVERS[1]]
    assert identification == [
        "Awareness of number and service staff will come from",
        "Understanding of individual staff interest / willingness and appropriateness",
    ]
    assert "Plan and deliver passport launch in Trust" in {d["title"] for d in activities}

    process_map = plan["process_map"]
    assert [lane["name"] for lane in process_map["lanes"]] == LANES
    assert [stage["key"] for stage in process_map["stages"]] == [
        "identification",
        "completion",
        "training",
        "rostering",
    ]
    assert len(process_map["steps"]) == 17 and len(process_map["links"]) == 19
    assert {step["shape"] for step in process_map["steps"]} == {"start_end", "activity", "decision", "document"}

    assert plan["launch"]["ambition"] and plan["launch"]["timeline"]
    assert len(plan["measures"]) == 6
    bindings = {(m["metric"], m["passport_type"], m["target"]) for m in plan["measures"]}
    assert {("completion_rate", None, 95), ("certified", "RSC", 80), ("certified", "NRSS", 70)} <= bindings
    assert [(c["title"], drivers[c["activity_id"]]["kind"]) for c in plan["cycles"]] == [
        ("Drop-in sessions in theatres", "activity")
    ]
    assert [(r["role"], r["needed"], r["identified"]) for r in plan["workforce"]["roles"]] == [
        ("NRSS", 70, 70),
        ("RSC", 80, 80),
    ]


def test_the_worked_example_loads_in_one_call_and_reads_back_whole(service, lead):
    loaded = service.ok("POST", "/plans/example", lead, expect=201)
    assert_is_the_worked_example(loaded)
    plan_id = loaded["id"]
    assert service.ok("GET", f"/plans/{plan_id}", lead) == loaded
    # Each part reads back through its own route too.
    assert service.ok("GET", f"/plans/{plan_id}/aim", lead) == loaded["aim"]
    for part in ("stakeholders", "drivers", "measures", "cycles"):
        assert service.ok("GET", f"/plans/{plan_id}/{part}", lead) == loaded[part]
    assert service.ok("GET", f"/plans/{plan_id}/process-map", lead) == loaded["process_map"]
    assert service.ok("GET", f"/plans/{plan_id}/launch", lead) == loaded["launch"]
    assert service.ok("GET", f"/plans/{plan_id}/workforce", lead) == loaded["workforce"]

    assert [e["data"]["aim_statement"] for e in service.outbox("plan.updated")][-1] == STATEMENT
    assert len(service.outbox("measure.defined")) == 6
    assert {e["data"]["role"]: e["data"]["identified"] for e in service.outbox("cohort.updated")} == {
        "RSC": 80,
        "NRSS": 70,
    }
    seventh = {"name": "Seventh", "kind": "process"}
    assert "measures" in problem(service.call("POST", f"/plans/{plan_id}/measures", lead, seventh), 422)["errors"]


def test_only_leads_and_trust_admins_load_the_example(service):
    problem(service.call("POST", "/plans/example", service.person("workforce")), 403)
    assert service.outbox() == []


def test_the_cli_command_loads_the_example_into_a_trust(service, capsys):
    assert load_example_command(service.runtime, [str(service.trust_id)]) == 0
    assert "loaded into Trust" in capsys.readouterr().out
    [summary] = service.ok("GET", "/plans", service.person("lead"))
    assert_is_the_worked_example(service.ok("GET", f"/plans/{summary['id']}", service.person("trust_admin")))
    assert load_example_command(service.runtime, ["not-a-trust"]) == 2


def texts(root) -> list[str]:
    """The text of each <text> element, its tspans joined: what a reader of the picture sees."""
    return [" ".join(" ".join(element.itertext()).split()) for element in root.iter(f"{SVG}text")]


def test_the_process_map_picture_is_well_formed_svg_with_every_lane_and_step(service, lead):
    plan = service.ok("POST", "/plans/example", lead, expect=201)
    response = service.call("GET", f"/plans/{plan['id']}/process-map.svg", service.person("educator"))
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    root = ElementTree.fromstring(response.data)
    assert root.tag == f"{SVG}svg"
    shown = texts(root)
    joined = " | ".join(shown)
    for lane in LANES:
        assert lane in shown
    for stage in ("IDENTIFICATION", "COMPLETION", "TRAINING", "ROSTERING"):
        assert stage in shown
    for step in plan["process_map"]["steps"]:
        assert " ".join(step["label"].split()) in shown, step["label"]
        assert root.find(f".//{SVG}g[@id='step-{step['key']}']") is not None
    assert len(root.findall(f".//{SVG}path[@class='link']")) == len(plan["process_map"]["links"])
    assert len(root.findall(f".//{SVG}polygon")) >= 2  # the decisions are diamonds
    assert "yes" in joined


def test_every_label_is_escaped_in_the_picture(service, lead, plan):
    hostile = '<script>alert("x")</script> & ]]>'
    body = {
        "lanes": [{"key": "a", "name": f"Lane {hostile}"}],
        "steps": [{"key": "s", "label": f"Step {hostile}", "shape": "document", "lane": "a", "stage": "training"}],
    }
    service.ok("PUT", f"/plans/{plan['id']}/process-map", lead, body)
    response = service.call("GET", f"/plans/{plan['id']}/process-map.svg", lead)
    root = ElementTree.fromstring(response.data)  # parses: nothing in the labels broke the XML
    assert root.find(f".//{SVG}script") is None
    assert root.find(f".//{SVG}g[@id='step-s']/{SVG}title").text == f"Step {hostile}"
    assert any(text.startswith("Lane <script>") for text in texts(root))


def test_a_plan_without_a_process_map_has_no_picture(service, lead, plan):
    assert "no process map" in problem(service.call("GET", f"/plans/{plan['id']}/process-map.svg", lead), 404)["detail"]


def test_the_example_file_is_the_toolkits_example():
    example = json.loads(EXAMPLE_FILE.read_text())
    assert example["aim"]["statement"] == STATEMENT and len(example["measures"]) <= 6
