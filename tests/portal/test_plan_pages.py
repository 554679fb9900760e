"""The PDSA plan pages in process with Flask's test client, against the real planning service: its app on a
real database, served over HTTP on a free port, verifying tokens minted by a test key, and the passport
service beside it for the passport types. The other services are pointed at a closed port (the plan pages
never call them). Also the plan's pure presenters."""

from __future__ import annotations

import contextlib
import re
import threading
import time
import uuid

import pytest
from werkzeug.serving import make_server

from services.passport.service import SERVICE as PASSPORT
from services.planning.service import SERVICE
from services.portal import presenters
from services.portal.app import create_app
from services.portal.presenters import FieldError
from services.portal.settings import BACKENDS, PortalSettings
from shared.testing import TEST_ISSUER
from tests.support.service_app import ServiceUnderTest, ServiceWithTestTokens

CLOSED = "http://127.0.0.1:1"
CSRF = "known-csrf"


@contextlib.contextmanager
def served(service):
    """A service's app over HTTP on a free port, in a thread."""
    server = make_server("127.0.0.1", 0, service.client.application, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


@pytest.fixture
def planning(sqlite_url):
    service = ServiceWithTestTokens(SERVICE, sqlite_url)
    with served(service) as service.url:
        yield service


@pytest.fixture
def passport(planning, tmp_path):
    """The passport service, for the passport types the aim and the measures are about (same token keys)."""
    service = ServiceUnderTest(
        PASSPORT,
        f"sqlite:///{tmp_path / 'passport.db'}",
        key_resolver=planning.keys.resolver(),
        IDENTITY_ISSUER=TEST_ISSUER,
    )
    with served(service) as url:
        yield url


@pytest.fixture
def portal(planning, passport):
    urls = {name: CLOSED for name in BACKENDS} | {"planning": planning.url, "passport": passport}
    return create_app(
        PortalSettings(backend_urls=urls, secret_key=b"k" * 32, api_timeout_seconds=5.0), log_to_stdout=False
    )


def signed_in(portal, planning, *roles, trust_id=None):
    client = portal.test_client()
    user_id = uuid.uuid4()
    trust_id = trust_id or planning.trust_id
    token = planning.keys.token(user_id=user_id, trust_id=trust_id, roles=list(roles))
    with client.session_transaction() as session:
        session.update(
            {
                "token": token,
                "csrf": CSRF,
                "user": {
                    "user_id": str(user_id),
                    "name": "Priya Lead",
                    "trust_id": str(trust_id),
                    "trust_name": "Leeds",
                    "roles": list(roles),
                    "expires_at": time.time() + 3600,
                },
            }
        )
    return client


@pytest.fixture
def lead(portal, planning):
    return signed_in(portal, planning, "lead")


def post(client, path, data=None, **form):
    return client.post(path, data={"csrf_token": CSRF, **(data or {}), **form})


def load_example(client) -> str:
    answer = post(client, "/plan/example")
    assert answer.status_code == 302, answer.text
    return re.fullmatch(r"/plan/([0-9a-f-]{36})", answer.headers["Location"]).group(1)


def error_links(html: str) -> dict[str, str]:
    """The error summary's links: field id -> message."""
    summary = re.search(r'nhsuk-error-summary__list">(.*?)</ul>', html, re.DOTALL).group(1)
    return {
        href: re.sub(r"\s+", " ", text).strip()
        for href, text in re.findall(r'<a href="#([^"]+)"\s*>(.*?)</a>', summary, re.DOTALL)
    }


def quadrant(html: str, key: str) -> str:
    return re.search(rf'<g id="quadrant-{key}".*?</g>', html, re.DOTALL).group(0)


def api(planning, method, path, roles=("lead",), body=None):
    person = planning.person(*roles)
    return planning.client.open(path, method=method, json=body, headers=person.headers)


# --- Who sees what -----------------------------------------------------------------------------------


def test_staff_and_supervisors_have_no_plan_pages(portal, planning):
    for roles in (("staff",), ("supervisor",)):
        assert signed_in(portal, planning, *roles).get("/plan").status_code == 404


def test_without_a_plan_a_lead_may_start_one_or_load_the_example_and_a_reader_may_not(portal, planning, lead):
    page = lead.get("/plan")
    assert page.status_code == 200
    assert "Start a plan" in page.text and "Load the toolkit&#39;s example plan" in page.text
    reader = signed_in(portal, planning, "workforce").get("/plan")
    assert reader.status_code == 200 and "no plan yet" in reader.text
    assert "Start a plan" not in reader.text and "example plan" not in reader.text
    assert post(signed_in(portal, planning, "educator"), "/plan/example").status_code == 404


def test_a_plan_needs_a_name_and_the_typed_value_is_kept(lead):
    refused = post(lead, "/plan/start", name="   ")
    assert refused.status_code == 422
    assert error_links(refused.text) == {"name": "Enter a name for the plan"}
    started = post(lead, "/plan/start", name="Surge readiness 2027")
    assert started.status_code == 302
    page = lead.get(started.headers["Location"])
    assert "<h1>Surge readiness 2027</h1>" in page.text and "Not set yet" in page.text
    assert lead.get("/plan").text.count("Surge readiness 2027") >= 1


def test_the_overview_lists_every_part_with_change_links_for_leads_and_view_links_for_readers(portal, planning, lead):
    plan_id = load_example(lead)
    page = lead.get("/plan")
    assert "95% of staff identified for rotation" in page.text
    for summary in (
        "15 stakeholders: 7 to manage, 4 to satisfy, 4 to inform",
        "5 primary drivers",
        "7 lanes, 4 stages, 17 steps",
        "6 of at most 6 measures",
        "1 cycle",
    ):
        assert summary in page.text, summary
    assert f'href="/plan/{plan_id}/aim#statement"' in page.text
    for part in ("stakeholders", "drivers", "process-map", "launch", "measures", "cycles"):
        assert f'href="/plan/{plan_id}/{part}"' in page.text
    reader = signed_in(portal, planning, "educator")
    read_only = reader.get("/plan").text
    assert "/aim#statement" not in read_only and ">View<" in read_only and ">Change<" not in read_only
    stakeholders = reader.get(f"/plan/{plan_id}/stakeholders").text
    assert "Matrons" in stakeholders and "Add a stakeholder" not in stakeholders and "/remove" not in stakeholders
    assert reader.get(f"/plan/{plan_id}/stakeholders/add").status_code == 404


def test_another_trusts_plan_is_not_found(portal, planning, lead):
    plan_id = load_example(lead)
    outsider = signed_in(portal, planning, "lead", trust_id=uuid.uuid4())
    for path in ("", "/aim", "/stakeholders", "/drivers", "/process-map", "/process-map.svg", "/measures"):
        assert outsider.get(f"/plan/{plan_id}{path}").status_code == 404, path
    assert post(outsider, f"/plan/{plan_id}/aim", statement="Mine now").status_code == 404
    assert "Mine now" not in lead.get("/plan").text


# --- Aim ---------------------------------------------------------------------------------------------


def test_the_aim_form_names_each_refused_field_keeps_what_was_typed_and_saves(lead):
    plan_id = load_example(lead)
    form = lead.get(f"/plan/{plan_id}/aim").text
    assert 'name="target_deadline[day]"' in form and 'value="31"' in form and 'value="2022"' in form
    assert re.search(r'value="RSC"[^>]*checked', form)
    bad = {
        "statement": "",
        "why": "Preparedness",
        "target_percentage": "most",
        "target_cohort_size": "150",
        "target_deadline[day]": "31",
        "target_deadline[month]": "2",
        "target_deadline[year]": "2027",
        "target_passport_types": ["NRSS"],
    }
    refused = post(lead, f"/plan/{plan_id}/aim", bad)
    assert refused.status_code == 422
    assert error_links(refused.text) == {
        "statement": "Enter the full aim statement",
        "target_percentage": "Enter the percentage as a number from 0 to 100, for example 95",
        "target_deadline-day": "Enter a real date, for example 31 3 2027",
    }
    assert 'value="most"' in refused.text and "Preparedness</textarea>" in refused.text
    assert re.search(r'value="NRSS"[^>]*checked', refused.text)
    assert not re.search(r'value="RSC"[^>]*checked', refused.text)
    good = {
        **bad,
        "statement": "Every rotating nurse passported by March",
        "target_percentage": "90",
        "target_deadline[month]": "3",
    }
    saved = post(lead, f"/plan/{plan_id}/aim", good)
    assert saved.status_code == 302
    overview = lead.get(saved.headers["Location"]).text
    assert "Every rotating nurse passported by March" in overview
    assert "90% of" in overview and "31 March 2027" in overview and "Passports: NRSS" in overview


# --- Stakeholders ------------------------------------------------------------------------------------


def test_a_stakeholder_is_placed_in_the_quadrant_of_its_power_and_impact(lead):
    plan_id = load_example(lead)
    refused = post(lead, f"/plan/{plan_id}/stakeholders/add", name="Rota team leads", impact="low")
    assert refused.status_code == 422
    assert error_links(refused.text) == {"power": "Select whether they have high or low power over the implementation"}
    assert 'value="Rota team leads"' in refused.text
    added = post(
        lead,
        f"/plan/{plan_id}/stakeholders/add",
        name="Rota team leads",
        power="high",
        impact="low",
        benefits="Real-time visibility\n\nFewer phone calls",
    )
    assert added.status_code == 302
    page = lead.get(added.headers["Location"]).text
    assert "Rota team leads is saved, in Satisfy." in page
    satisfy = quadrant(page, "satisfy")
    assert 'data-power="high" data-impact="low"' in satisfy and ">Rota team leads</text>" in satisfy
    assert "Rota team leads" not in quadrant(page, "manage")
    assert 'role="img"' in page and '<title id="grid-title">' in page
    assert "Benefits: Real-time visibility; Fewer phone calls" in page


def test_a_stakeholder_is_changed_and_removed_after_confirmation(lead, planning):
    plan_id = load_example(lead)
    page = lead.get(f"/plan/{plan_id}/stakeholders").text
    change = re.search(
        rf'href="(/plan/{plan_id}/stakeholders/[0-9a-f-]+)">Change'
        r'<span class="nhsuk-u-visually-hidden"> CFOs',
        page,
    ).group(1)
    form = lead.get(change).text
    assert 'value="CFOs"' in form and re.search(r'id="power-2"[^>]*value="low"[^>]*checked', form)
    assert post(lead, change, name="CFOs and budget holders", power="low", impact="low").status_code == 302
    page = lead.get(f"/plan/{plan_id}/stakeholders").text
    assert "CFOs and budget holders" in quadrant(page, "monitor")
    confirm = lead.get(change + "/remove")
    assert "Remove the stakeholder CFOs and budget holders?" in confirm.text
    removed = post(lead, change + "/remove")
    assert removed.status_code == 302
    page = lead.get(removed.headers["Location"]).text
    assert "CFOs and budget holders is removed." in page
    assert "CFOs" not in quadrant(page, "monitor") and ">CFOs and budget holders</strong>" not in page


# --- Driver diagram ----------------------------------------------------------------------------------


def test_the_driver_diagram_is_a_tree_and_the_services_tree_rules_reach_the_form(lead):
    plan_id = load_example(lead)
    page = lead.get(f"/plan/{plan_id}/drivers").text
    primary = re.search(
        r'<li class="portal-tree__node portal-tree__node--primary" id="driver-([0-9a-f-]+)"', page
    ).group(1)
    nested = re.search(
        rf'id="driver-{primary}".*?<ul class="portal-tree__children">\s*<li class="portal-tree__node '
        rf'portal-tree__node--secondary"',
        page,
        re.DOTALL,
    )
    assert nested, "a secondary driver is drawn under its primary"
    form = lead.get(f"/plan/{plan_id}/drivers/add?parent={primary}&kind=secondary").text
    assert re.search(rf'value="{primary}"\s+selected', form) and re.search(r'value="secondary"[^>]*checked', form)
    refused = post(lead, f"/plan/{plan_id}/drivers/add", kind="secondary", title="Staff know the roles", parent_id="")
    assert refused.status_code == 422
    assert error_links(refused.text) == {"parent_id": "A secondary driver links to a primary driver."}
    assert "Staff know the roles</textarea>" in refused.text
    added = post(
        lead, f"/plan/{plan_id}/drivers/add", kind="secondary", title="Staff know the roles", parent_id=primary
    )
    assert added.status_code == 302
    assert "Staff know the roles" in lead.get(f"/plan/{plan_id}/drivers").text
    still_linked = post(lead, f"/plan/{plan_id}/drivers/{primary}/remove")
    assert still_linked.status_code == 409
    assert "link to this driver: delete or move them first" in still_linked.text


# --- Process map -------------------------------------------------------------------------------------


def test_the_process_map_is_shown_as_a_picture_with_its_steps_in_words_and_its_lanes_edited(lead):
    plan_id = load_example(lead)
    page = lead.get(f"/plan/{plan_id}/process-map").text
    assert f'src="/plan/{plan_id}/process-map.svg"' in page and 'alt="The process map as a picture: 7 lanes' in page
    assert "Decide which services NRSS or RSC staff will come from" in page
    picture = lead.get(f"/plan/{plan_id}/process-map.svg")
    assert picture.status_code == 200 and picture.mimetype == "image/svg+xml"
    assert picture.text.startswith("<svg") and "script-src" not in picture.headers["Content-Security-Policy"]

    assert post(lead, f"/plan/{plan_id}/process-map/lanes/add", name="Practice educators").status_code == 302
    form = lead.get(f"/plan/{plan_id}/process-map/steps/add").text
    assert 'value="practice_educators"' in form
    refused = post(
        lead,
        f"/plan/{plan_id}/process-map/steps/add",
        label="",
        shape="activity",
        lane="practice_educators",
        stage="training",
    )
    assert error_links(refused.text) == {"label": "Enter what happens in this step"}
    assert (
        post(
            lead,
            f"/plan/{plan_id}/process-map/steps/add",
            label="Run drop-in sessions",
            shape="activity",
            lane="practice_educators",
            stage="training",
            after="start",
        ).status_code
        == 302
    )
    page = lead.get(f"/plan/{plan_id}/process-map").text
    assert "Run drop-in sessions <span" in page and re.search(r"Then: [^<]*Run drop-in sessions", page)

    refused = post(lead, f"/plan/{plan_id}/process-map/lanes/practice_educators/remove")
    assert refused.status_code == 409 and "move or remove it first" in refused.text
    step = re.search(rf'/plan/{plan_id}/process-map/steps/(run_drop_in_sessions[^/"]*)/remove', page).group(1)
    assert post(lead, f"/plan/{plan_id}/process-map/steps/{step}/remove").status_code == 302
    assert post(lead, f"/plan/{plan_id}/process-map/lanes/practice_educators/remove").status_code == 302
    page = lead.get(f"/plan/{plan_id}/process-map").text
    assert "The lane Practice educators is removed." in page and "<div>Practice educators</div>" not in page


# --- Launch, measures, cycles ------------------------------------------------------------------------


def test_the_launch_timeline_needs_a_when_and_a_what_on_each_line(lead):
    plan_id = load_example(lead)
    form = lead.get(f"/plan/{plan_id}/launch/change").text
    assert "2021-10: Agree launch plan" in form
    refused = post(lead, f"/plan/{plan_id}/launch/change", ambition="Sign-up", timeline="May: posters\nevent in June")
    assert error_links(refused.text) == {
        "timeline": "Write each timeline line as when, a colon, then what happens (line 2)"
    }
    assert "event in June</textarea>" in refused.text
    saved = post(
        lead,
        f"/plan/{plan_id}/launch/change",
        ambition="Sign-up",
        timeline="May: posters\nJune: event",
        audiences="Theatre nurses\nRecovery nurses",
    )
    assert saved.status_code == 302
    page = lead.get(saved.headers["Location"]).text
    assert "<strong>June</strong>: event" in page and "<li>Recovery nurses</li>" in page


def test_a_seventh_measure_is_refused_with_the_services_words_and_the_form_kept(lead):
    plan_id = load_example(lead)
    refused = post(
        lead,
        f"/plan/{plan_id}/measures/add",
        name="Staff satisfaction",
        kind="outcome",
        method="qualitative",
        target="",
    )
    assert refused.status_code == 422
    assert "A plan has at most 6 measures and this one has 6" in refused.text
    assert 'value="Staff satisfaction"' in refused.text
    page = lead.get(f"/plan/{plan_id}/measures").text
    change = re.search(rf'href="(/plan/{plan_id}/measures/[0-9a-f-]+)">Change', page).group(1)
    refused = post(lead, change, name="Renamed", kind="outcome", target="lots")
    assert error_links(refused.text) == {"target": "Enter the target as a number, for example 95"}
    assert post(lead, change + "/remove").status_code == 302
    assert post(lead, f"/plan/{plan_id}/measures/add", name="Staff satisfaction", kind="outcome").status_code == 302
    assert "Staff satisfaction" in lead.get(f"/plan/{plan_id}/measures").text


def test_a_pdsa_cycle_tests_a_change_idea_and_ends_after_it_starts(lead):
    plan_id = load_example(lead)
    form = lead.get(f"/plan/{plan_id}/cycles/add").text
    activity = re.search(r'<option value="([0-9a-f-]{36})"\s*>Offer drop-in sessions', form).group(1)
    body = {
        "activity_id": activity,
        "title": "Posters in recovery",
        "plan": "Put up posters for two weeks",
        "started_on[day]": "10",
        "started_on[month]": "11",
        "started_on[year]": "2026",
        "ended_on[day]": "1",
        "ended_on[month]": "11",
        "ended_on[year]": "2026",
        "act": "adapt",
    }
    refused = post(lead, f"/plan/{plan_id}/cycles/add", body)
    assert error_links(refused.text) == {
        "ended_on-day": "Enter a real date on or after the start, for example 29 11 2026"
    }
    assert re.search(r'value="adapt"[^>]*checked', refused.text)
    saved = post(lead, f"/plan/{plan_id}/cycles/add", {**body, "ended_on[day]": "24"})
    assert saved.status_code == 302
    page = lead.get(saved.headers["Location"]).text
    assert "Posters in recovery" in page and "10 November 2026 to 24 November 2026" in page and "Adapt" in page


# --- Pure presenters ---------------------------------------------------------------------------------


def test_the_grid_places_each_name_in_its_quadrant_and_says_how_many_did_not_fit():
    people = [{"name": f"Group {n}", "power": "high", "impact": "high"} for n in range(12)]
    people.append({"name": "A stakeholder with a very long name indeed", "power": "low", "impact": "high"})
    cells = {cell.quadrant.key: cell for cell in presenters.stakeholder_grid(people)}
    assert [len(cells[k].stakeholders) for k in ("satisfy", "manage", "monitor", "inform")] == [0, 12, 0, 1]
    assert cells["manage"].more == 12 - len(cells["manage"].lines) and cells["manage"].more > 0
    assert cells["inform"].lines[0][1].endswith("…") and len(cells["inform"].lines[0][1]) == presenters.GRID_CHARS
    assert cells["manage"].x > cells["satisfy"].x and cells["monitor"].y > cells["satisfy"].y
    assert presenters.stakeholder_summary(people) == "13 stakeholders: 12 to manage, 1 to inform"


def test_the_driver_tree_nests_children_under_their_parents_in_order():
    drivers = [
        {"id": "p", "kind": "primary", "parent_id": None},
        {"id": "s", "kind": "secondary", "parent_id": "p"},
        {"id": "a", "kind": "activity", "parent_id": "s"},
        {"id": "b", "kind": "activity", "parent_id": "p"},
        {"id": "lost", "kind": "secondary", "parent_id": "gone"},
    ]
    tree = presenters.driver_tree(drivers)
    assert [node.driver["id"] for node in tree] == ["p", "lost"]
    assert [child.driver["id"] for child in tree[0].children] == ["s", "b"]
    assert tree[0].children[0].children[0].driver["id"] == "a"
    assert presenters.driver_summary(drivers) == "1 primary driver, 2 secondary drivers, 2 change ideas"


def test_planning_errors_with_dotted_paths_find_their_form_fields():
    errors = presenters.plan_field_errors(
        {"benefits.2": ["Must not be blank."], "steps.3.label": ["Too long."], "measures": ["At most 6."]},
        {"benefits": "benefits", "label": "label"},
        {"label": "Enter what happens"},
    )
    assert errors == [
        FieldError("benefits", "Must not be blank."),
        FieldError("label", "Enter what happens"),
        FieldError("", "At most 6."),
    ]


def test_timelines_dates_and_keys():
    assert presenters.timeline_of("2026-11: posters up\n\nweek 2 : drop-ins") == (
        [{"when": "2026-11", "what": "posters up"}, {"when": "week 2", "what": "drop-ins"}],
        [],
    )
    assert presenters.timeline_of("no colon\n: nothing before") == ([], [1, 2])
    assert presenters.timeline_text([{"when": "May", "what": "posters"}]) == "May: posters"
    assert presenters.iso_date("1", "3", "2027") == "2027-03-01" and presenters.iso_date(" ", "", "") is None
    assert presenters.date_parts("2027-03-01") == {"day": "1", "month": "3", "year": "2027"}
    assert presenters.new_key("HR / Chief nurse", {"hr_chief_nurse"}) == "hr_chief_nurse_2"
    assert presenters.new_key("Équipe", set()) == "quipe" and presenters.new_key("!!", set()) == "item"


def test_a_measure_says_which_way_is_better_and_may_take_its_values_by_hand(lead, planning):
    started = post(lead, "/plan/start", name="Safer wards")
    plan_id = re.fullmatch(r"/plan/([0-9a-f-]{36})", started.headers["Location"]).group(1)
    form = lead.get(f"/plan/{plan_id}/measures/add").text
    assert "Which way is better?" in form and "Higher is better" in form and "Lower is better" in form
    assert re.search(r'value="increase"\s*checked', form) and not re.search(r'value="decrease"\s*checked', form)
    assert re.search(r'<option value=""\s*selected\s*>None: values are entered by hand</option>', form)
    saved = post(
        lead,
        f"/plan/{plan_id}/measures/add",
        name="Falls on the ward",
        kind="outcome",
        metric="",
        frequency="Weekly",
        improvement_direction="decrease",
        target="3",
    )
    assert saved.status_code == 302, saved.text
    [measure] = api(planning, "GET", f"/plans/{plan_id}").get_json()["measures"]
    assert (measure["improvement_direction"], measure["metric"], measure["target"]) == ("decrease", None, 3.0)
    listed = lead.get(f"/plan/{plan_id}/measures").text
    assert "Lower is better" in listed and "Not computed: values are entered by hand" in listed
    change = lead.get(f"/plan/{plan_id}/measures/{measure['id']}").text
    assert re.search(r'value="decrease"\s*checked', change) and not re.search(r'value="increase"\s*checked', change)
    assert (
        post(
            lead,
            f"/plan/{plan_id}/measures/{measure['id']}",
            name="Falls on the ward",
            kind="outcome",
            improvement_direction="increase",
        ).status_code
        == 302
    )
    [measure] = api(planning, "GET", f"/plans/{plan_id}").get_json()["measures"]
    assert measure["improvement_direction"] == "increase"
    refused = post(
        lead,
        f"/plan/{plan_id}/measures/{measure['id']}",
        name="Falls on the ward",
        kind="outcome",
        improvement_direction="sideways",
    )
    assert error_links(refused.text) == {"improvement_direction": "Select whether higher or lower is better"}
