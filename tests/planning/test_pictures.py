"""The driver diagram and the stakeholder grid as pictures, read back the way a person reads them: which box
hangs from which, where each stakeholder's marker stands, and what the text says."""

import itertools
import re
import uuid
import xml.etree.ElementTree as ElementTree

import pytest

from tests.planning.conftest import problem
from tests.planning.test_example_and_picture import SVG, texts

STATEMENT = "95% of the 150 staff identified for rotation complete their passport by 2027-03-31"
# Where the toolkit's grid puts each combination, written out here rather than asked of the code under test.
EXPECTED_QUADRANT = {
    ("high", "high"): "manage",
    ("high", "low"): "satisfy",
    ("low", "high"): "inform",
    ("low", "low"): "monitor",
}
STAKEHOLDERS = [
    ("Matrons", "Release staff to rotate", "high", "high"),
    ("Chief nurse", "Sponsors the plan", "high", "high"),
    ("Divisional leads of surgery, medicine and critical care", "Agree backfill", "high", "high"),
    ("Rota teams", None, "high", "low"),
    ("Critical care network", "Regional support", "low", "high"),
    ("Wellbeing team", "Support rotated staff", "low", "low"),
]


def picture(service, person, plan_id, name: str):
    response = service.call("GET", f"/plans/{plan_id}/{name}", person)
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    root = ElementTree.fromstring(response.data)
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    assert root.find(f"{SVG}title").text and root.find(f"{SVG}desc").text
    return root


def box(element) -> tuple[float, float, float, float]:
    return tuple(float(element.get(name)) for name in ("x", "y", "width", "height"))


def inside(x: float, y: float, rectangle) -> bool:
    left, top, width, height = rectangle
    return left < x < left + width and top < y < top + height


def overlap(one, other) -> bool:
    return (
        one[0] < other[0] + other[2]
        and other[0] < one[0] + one[2]
        and one[1] < other[1] + other[3]
        and other[1] < one[1] + one[3]
    )


def add(service, lead, plan_id, part: str, body: dict) -> dict:
    return service.ok("POST", f"/plans/{plan_id}/{part}", lead, body, expect=201)


@pytest.fixture
def drivers(service, lead, plan) -> dict[str, dict]:
    """Two primaries; secondaries under each; activities under secondaries and one straight under a primary."""
    service.ok("PUT", f"/plans/{plan['id']}/aim", lead, {"statement": STATEMENT})

    def driver(name, kind, parent=None, **extra):
        made[name] = add(
            service,
            lead,
            plan["id"],
            "drivers",
            {"kind": kind, "title": f"{name} title", "parent_id": made[parent]["id"] if parent else None, **extra},
        )

    made: dict[str, dict] = {}
    driver("P1", "primary")
    driver("P2", "primary")
    driver("S1a", "secondary", "P1")
    driver("S1b", "secondary", "P1")
    driver("S2a", "secondary", "P2")
    driver("A1", "activity", "S1a", status="in_progress", priority="high")
    driver("A2", "activity", "S1a", status="done")
    driver("A3", "activity", "S1b", priority="low")
    driver("A4", "activity", "P2", status="proposed", priority="medium")
    driver("A5", "activity", "S2a")
    return made


def test_the_driver_diagram_draws_every_driver_right_of_what_it_leads_to(service, plan, drivers):
    root = picture(service, service.person("educator"), plan["id"], "drivers.svg")
    nodes = {node.get("data-id"): node for node in root.iter(f"{SVG}g") if node.get("class") == "node"}
    assert set(nodes) == {"aim"} | {driver["id"] for driver in drivers.values()}

    aim = nodes["aim"]
    assert aim.get("data-level") == "aim" and aim.get("data-parent") is None
    assert " ".join(texts(aim)) == STATEMENT
    expected_parent = {"aim": None}
    for driver in drivers.values():
        node = nodes[driver["id"]]
        assert node.get("data-level") == driver["kind"]
        assert node.get("data-parent") == (driver["parent_id"] or "aim")
        assert texts(node)[0] == driver["title"]
        expected_parent[driver["id"]] = driver["parent_id"] or "aim"

    boxes = {node_id: box(node.find(f"{SVG}rect")) for node_id, node in nodes.items()}
    links = [path for path in root.iter(f"{SVG}path") if path.get("class") == "link"]
    assert sorted((link.get("data-from"), link.get("data-to")) for link in links) == sorted(
        (parent, child) for child, parent in expected_parent.items() if parent is not None
    )
    for link in links:
        parent, child = boxes[link.get("data-from")], boxes[link.get("data-to")]
        assert child[0] > parent[0] + parent[2], "a child is drawn right of its parent"
        points = [float(number) for number in re.findall(r"-?\d+(?:\.\d+)?", link.get("d"))]
        start, end = (points[0], points[1]), (points[-1], points[-2])
        assert start == pytest.approx((parent[0] + parent[2], parent[1] + parent[3] / 2), abs=0.1)
        assert end == pytest.approx((child[0], child[1] + child[3] / 2), abs=0.1)
    # One column per level, left to right, and no two boxes on top of each other.
    column_x = {nodes[node_id].get("data-level"): rectangle[0] for node_id, rectangle in boxes.items()}
    assert column_x["aim"] < column_x["primary"] < column_x["secondary"] < column_x["activity"]
    assert boxes[drivers["A4"]["id"]][0] == column_x["activity"]
    for (one_id, one), (other_id, other) in itertools.combinations(boxes.items(), 2):
        assert not overlap(one, other), (one_id, other_id)

    assert texts(nodes[drivers["A1"]["id"]]) == ["A1 title", "in progress · high priority"]
    assert texts(nodes[drivers["A2"]["id"]]) == ["A2 title", "done · no priority"]
    assert texts(nodes[drivers["A3"]["id"]]) == ["A3 title", "no status · low priority"]
    assert len(texts(nodes[drivers["P1"]["id"]])) == 1, "only activities show a status and a priority"


@pytest.fixture
def stakeholders(service, lead, plan) -> list[dict]:
    return [
        add(service, lead, plan["id"], "stakeholders", {"name": name, "role": role, "power": power, "impact": impact})
        for name, role, power, impact in STAKEHOLDERS
    ]


def test_each_stakeholder_stands_in_its_quadrant_of_the_power_impact_grid(service, plan, stakeholders):
    root = picture(service, service.person("workforce"), plan["id"], "stakeholders.svg")
    quadrants = {
        rect.get("data-quadrant"): box(rect) for rect in root.iter(f"{SVG}rect") if rect.get("class") == "quadrant"
    }
    assert set(quadrants) == {"manage", "satisfy", "inform", "monitor"}
    # Impact grows to the right, power upwards: Manage top right, Satisfy top left, Inform bottom right.
    assert quadrants["satisfy"][0] == quadrants["monitor"][0] < quadrants["manage"][0] == quadrants["inform"][0]
    assert quadrants["satisfy"][1] == quadrants["manage"][1] < quadrants["monitor"][1] == quadrants["inform"][1]
    for one, other in itertools.combinations(quadrants.values(), 2):
        assert not overlap(one, other)
    shown = texts(root)
    for name in ("Manage", "Satisfy", "Inform", "Monitor", "Impact", "Power"):
        assert name in shown

    markers = {group.get("data-id"): group for group in root.iter(f"{SVG}g") if group.get("class") == "stakeholder"}
    assert set(markers) == {stakeholder["id"] for stakeholder in stakeholders}
    for stakeholder in stakeholders:
        group = markers[stakeholder["id"]]
        quadrant = EXPECTED_QUADRANT[(stakeholder["power"], stakeholder["impact"])]
        assert group.get("data-quadrant") == quadrant == stakeholder["quadrant"].lower()
        marker = group.find(f"{SVG}circle")
        assert inside(float(marker.get("cx")), float(marker.get("cy")), quadrants[quadrant]), stakeholder["name"]
        assert " ".join(texts(group)).startswith(stakeholder["name"])

    # The three in Manage are listed one below the other: their markers in a column, their labels apart.
    managed = [markers[stakeholder["id"]] for stakeholder in stakeholders[:3]]
    centres = [
        (float(group.find(f"{SVG}circle").get("cx")), float(group.find(f"{SVG}circle").get("cy"))) for group in managed
    ]
    assert len({x for x, _ in centres}) == 1
    assert all(lower - upper >= 15 for (_, upper), (_, lower) in zip(centres, centres[1:]))
    label_rows = [[float(span.get("y")) for span in group.iter(f"{SVG}tspan")] for group in managed]
    assert all(max(upper) < min(lower) for upper, lower in zip(label_rows, label_rows[1:]))


def test_an_empty_plan_draws_its_name_as_the_aim_and_says_there_is_nothing_yet(service, lead, plan):
    drivers = picture(service, lead, plan["id"], "drivers.svg")
    [aim] = [node for node in drivers.iter(f"{SVG}g") if node.get("class") == "node"]
    assert aim.get("data-level") == "aim" and " ".join(texts(aim)) == plan["name"]
    assert not [path for path in drivers.iter(f"{SVG}path") if path.get("class") == "link"]
    assert any(text.startswith("No drivers yet") for text in texts(drivers))

    grid = picture(service, lead, plan["id"], "stakeholders.svg")
    assert len([rect for rect in grid.iter(f"{SVG}rect") if rect.get("class") == "quadrant"]) == 4
    assert not [group for group in grid.iter(f"{SVG}g") if group.get("class") == "stakeholder"]
    assert "No stakeholders yet" in texts(grid)


def test_every_name_is_escaped_in_the_pictures(service, lead):
    hostile = '<script>alert("x")</script> & ]]>'
    plan = service.plan(lead, f"Plan {hostile}")
    primary = add(service, lead, plan["id"], "drivers", {"kind": "primary", "title": f"Driver {hostile}"})
    stakeholder = add(
        service,
        lead,
        plan["id"],
        "stakeholders",
        {"name": "Team <&>", "role": f"Role {hostile}", "power": "low", "impact": "high"},
    )

    drivers = picture(service, lead, plan["id"], "drivers.svg")  # parses: no name broke the XML
    assert drivers.find(f".//{SVG}script") is None
    assert drivers.find(f"{SVG}title").text == f"Plan {hostile}: driver diagram"
    for node_id, name in (("aim", f"Plan {hostile}"), (primary["id"], f"Driver {hostile}")):
        node = drivers.find(f".//{SVG}g[@data-id='{node_id}']")
        assert node.find(f"{SVG}title").text == name
        # A word too long for a line is broken across lines: compare what is written, spaces aside.
        assert "".join("".join(texts(node)).split()) == "".join(name.split())

    grid = picture(service, lead, plan["id"], "stakeholders.svg")
    assert grid.find(f".//{SVG}script") is None
    group = grid.find(f".//{SVG}g[@data-id='{stakeholder['id']}']")
    assert texts(group)[0] == "Team <&>" and group.find(f"{SVG}title").text.startswith(f"Team <&>, Role {hostile}")


@pytest.mark.parametrize("name", ["drivers.svg", "stakeholders.svg"])
def test_another_trusts_plan_has_no_pictures(service, plan, name):
    outsider = service.person("lead", trust_id=uuid.uuid4())
    response = service.call("GET", f"/plans/{plan['id']}/{name}", outsider)
    assert f"No plan {plan['id']}" in problem(response, 404)["detail"]
    unknown = uuid.uuid4()
    assert f"No plan {unknown}" in problem(service.call("GET", f"/plans/{unknown}/{name}", outsider), 404)["detail"]


@pytest.mark.parametrize("name", ["drivers.svg", "stakeholders.svg"])
@pytest.mark.parametrize("roles", [("staff",), ("supervisor",)])
def test_staff_and_supervisors_do_not_see_the_pictures(service, plan, name, roles):
    problem(service.call("GET", f"/plans/{plan['id']}/{name}", service.person(*roles)), 403)
