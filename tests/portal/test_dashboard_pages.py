"""The Chief Nurse's dashboard and roster pages, in process with the services' answers scripted: the Trust's
figures in words and tables, the measures at a glance with the Making Data Count icons and their words, the
charts and the roster's CSV passed through from this site's own address."""

from __future__ import annotations

import re

import pytest

from services.portal import presenters
from services.portal.backend import Answer
from tests.portal.scripted import FakeBackend
from tests.portal.test_cohort_pages import TYPES, listing, portal_with, uid

TRUST_ID = uid(500)


def counts(**given) -> dict:
    names = (
        "started",
        "in_progress",
        "completed",
        "withdrawn",
        "certified",
        "certificates_issued",
        "certificates_revoked",
        "certificates_expired",
        "rostered",
        "cohort_identified",
    )
    return {name: given.get(name, 0) for name in names}


DASHBOARD = {
    "trust_id": TRUST_ID,
    "as_of": "2026-11-30T09:00:00+00:00",
    "passport_types": [
        {
            "code": "NRSS",
            **counts(started=70, in_progress=67, completed=3, certified=3, certificates_issued=3, rostered=3),
        },
        {"code": "RSC", **counts(started=80, in_progress=80)},
        {"code": "SOC-U12", **counts()},
    ],
    "aims": [
        {
            "plan_id": uid(600),
            "name": "Rotation-ready by March",
            "statement": "95% of 150 staff",
            "value": 2.0,
            "target": 95.0,
            "completed": 3,
            "cohort_identified": 150,
            "deadline": "2027-03-31",
            "on_track": False,
        }
    ],
    "measures": [],
}


def measure(number: int, name: str, **given) -> dict:
    """A measure as the metrics service's dashboard answers it: its progress and what its chart shows."""
    return {
        "measure_id": uid(number),
        "plan_id": uid(600),
        "name": name,
        "kind": "outcome",
        "metric": None,
        "passport_type": None,
        "target": None,
        "deadline": "2027-03-31",
        "value": None,
        "percent_of_target": None,
        "on_track": None,
        "improvement_direction": "increase",
        "entered": given.get("metric") is None,
        "frequency": "weekly",
        "form": "entered",
        "latest": None,
        "mean": None,
        "upper_process_limit": None,
        "lower_process_limit": None,
        "variation": None,
        "assurance": None,
        **given,
    }


COMPLETED = measure(
    700,
    "Passports completed",
    metric="completion_rate",
    form="ratio",
    value=2.0,
    target=95.0,
    latest={"period_start": "2026-11-23", "period_end": "2026-11-29", "value": 2.0},
    mean=1.3,
    lower_process_limit=-1.0,
    upper_process_limit=3.5,
    variation="improvement_high",
    assurance="fail",
)
FALLS = measure(
    701,
    "Falls on the ward",
    kind="process",
    improvement_direction="decrease",
    value=4.0,
    target=3.0,
    latest={"period_start": "2026-11-23", "period_end": "2026-11-29", "value": 4.0},
    mean=6.5,
    lower_process_limit=1.8,
    upper_process_limit=11.2,
    variation="common_cause",
    assurance="hit_or_miss",
)
NEW_SURVEY = measure(702, "Staff confident to rotate")  # bound to no metric, nothing entered yet
DASHBOARD["measures"] = [COMPLETED, FALLS, NEW_SURVEY]


def glance_rows(html: str) -> list[tuple[list[str], list[str]]]:
    """The measures-at-a-glance table: each row's cells in words (a phone's cell headings and the icons left
    out) and the icons it draws, by their class."""
    table = re.search(r'<table class="nhsuk-table-responsive portal-glance">(.*?)</table>', html, re.DOTALL).group(1)
    rows = []
    for row in re.findall(r'<tr class="nhsuk-table__row">(.*?)</tr>', table, re.DOTALL):
        icons = re.findall(r'class="mdc-icon (mdc-icon--[a-z-]+)"', row)
        row = re.sub(r"<svg.*?</svg>", "", row, flags=re.DOTALL)
        row = re.sub(r'<span class="nhsuk-table-responsive__heading" aria-hidden="true">.*?</span>', "", row)
        cells = [
            re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", cell)).strip()
            for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.DOTALL)
        ]
        rows.append((cells, icons))
    return rows


def block_of(html: str, name: str) -> str:
    """A measure's own block on the dashboard, by its name."""
    return re.search(
        rf'<div class="portal-dashboard-block">\s*<h3 class="nhsuk-heading-s">{name}</h3>(.*?)<img', html, re.DOTALL
    ).group(1)


@pytest.fixture
def fake():
    fake = FakeBackend()
    fake.on("passport", "GET", "/passport-types", Answer(200, TYPES))
    fake.on("metrics", "GET", f"/trusts/{TRUST_ID}/dashboard", Answer(200, DASHBOARD))
    return fake


def test_the_dashboard_shows_the_trusts_name_and_its_figures_in_words(fake):
    page = portal_with(fake, roles=("lead", "workforce")).get("/dashboard")
    assert page.status_code == 200
    text = page.text
    assert "Leeds Teaching Hospitals" in text and "30 November 2026" in text
    assert (
        'portal-dashboard-figures__number">3</span>\n        <span class="portal-dashboard-figures__label">Certified now'
        in text
    )
    assert 'portal-dashboard-figures__number">150</span>' in text  # started, every type added up
    assert "Non-Registered Support Staff" in text and "Registered Support Clinician" in text
    assert "SOC-U12" not in text and "Stabilisation" not in text  # a type with nothing to show has no row
    assert "Rotation-ready by March" in text and "2% of the target 95%" in text and "3 of 150 staff identified" in text
    assert "Not on track" in text and "No deadline" in text
    assert f'src="/dashboard/measures/{uid(700)}/chart.svg"' in text
    assert 'alt="Chart of Passports completed over time: 2% now, against a target of 95%."' in text
    assert 'href="/roster"' in text
    [asked] = fake.made("metrics", "GET", f"/trusts/{TRUST_ID}/dashboard")
    assert fake.sent[0][1] == "lead-token" and asked.query is None


def test_a_trust_with_nothing_yet_reads_so(fake):
    fake.on(
        "metrics",
        "GET",
        f"/trusts/{TRUST_ID}/dashboard",
        Answer(200, {**DASHBOARD, "passport_types": [{"code": "NRSS", **counts()}], "aims": [], "measures": []}),
    )
    text = portal_with(fake, roles=("trust_admin",)).get("/dashboard").text
    assert "No passport has been started yet." in text and "No aim with a target yet" in text
    assert "No measure yet." in text and "Measures at a glance" not in text


def test_the_measures_at_a_glance_give_latest_mean_limits_target_and_the_icons_in_words(fake):
    text = portal_with(fake, roles=("trust_admin",)).get("/dashboard").text
    assert glance_rows(text) == [
        (
            [
                "Passports completed",
                "2% for the week starting 23 November 2026",
                "1.3%",
                "-1%",
                "3.5%",
                "95%",
                "Special cause variation: improvement, higher values",
                "Assurance: the target will consistently be missed",
            ],
            ["mdc-icon--variation-improvement-high", "mdc-icon--assurance-fail"],
        ),
        (
            [
                "Falls on the ward",
                "4 for the week starting 23 November 2026",
                "6.5",
                "1.8",
                "11.2",
                "3",
                "Common cause variation: no significant change",
                "Assurance: the target may be met or missed (hit and miss)",
            ],
            ["mdc-icon--variation-common-cause", "mdc-icon--assurance-hit-or-miss"],
        ),
        (
            [
                "Staff confident to rotate",
                "Not known yet",
                "Not known yet",
                "Not known yet",
                "Not known yet",
                "None set",
                "Variation: not enough data yet",
                "Assurance: not known (no target, or not enough data yet)",
            ],
            ["mdc-icon--variation-not-known", "mdc-icon--assurance-not-known"],
        ),
    ]
    # The words are on the page; the pictures beside them are not read out a second time.
    table = re.search(r'<table class="nhsuk-table-responsive portal-glance">.*?</table>', text, re.DOTALL).group(0)
    assert table.count("<svg") == 6 and table.count('aria-hidden="true" focusable="false"') == 6
    assert 'role="img"' not in table


def test_each_measure_block_shows_its_icons_with_their_words(fake):
    text = portal_with(fake).get("/dashboard").text
    falls = block_of(text, "Falls on the ward")
    assert "mdc-icon--variation-common-cause" in falls and "Common cause variation: no significant change" in falls
    assert "mdc-icon--assurance-hit-or-miss" in falls and "(hit and miss)" in falls
    completed = block_of(text, "Passports completed")
    assert "Special cause variation: improvement, higher values" in completed and "consistently be missed" in completed


@pytest.mark.parametrize("roles", [("lead",), ("workforce",)])
def test_a_lead_or_workforce_lead_is_offered_to_enter_the_values_of_measures_bound_to_no_metric(fake, roles):
    text = portal_with(fake, roles=roles).get("/dashboard").text
    assert re.findall(r'href="/dashboard/measures/([0-9a-f-]+)/values">Enter values', text) == [uid(701), uid(702)]
    assert "Enter values" in block_of(text, "Falls on the ward")
    assert "Enter values" not in block_of(text, "Passports completed")  # computed from the passports' data


def test_a_trust_admin_reads_the_measures_but_is_not_offered_to_enter_values(fake):
    text = portal_with(fake, roles=("trust_admin",)).get("/dashboard").text
    assert "Falls on the ward" in text and "Common cause variation" in text
    assert "Enter values" not in text and "/values" not in text


def test_a_chart_is_passed_through_from_this_sites_address_with_the_users_token(fake):
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="chart"></svg>'
    fake.on("metrics", "GET", f"/measures/{uid(700)}/chart.svg", Answer(200, None, raw=svg))
    answer = portal_with(fake).get(f"/dashboard/measures/{uid(700)}/chart.svg")
    assert answer.status_code == 200 and answer.mimetype == "image/svg+xml" and answer.data == svg
    assert fake.sent[-1][1] == "lead-token"
    # Another Trust's measure, or none: not found, like the API.
    assert portal_with(fake).get(f"/dashboard/measures/{uid(799)}/chart.svg").status_code == 404


@pytest.mark.parametrize("roles", [("staff",), ("supervisor",), ("educator",)])
def test_the_dashboard_and_roster_are_not_found_for_others(fake, roles):
    client = portal_with(fake, roles=roles)
    for path in ("/dashboard", f"/dashboard/measures/{uid(700)}/chart.svg", "/roster", "/roster.csv"):
        assert client.get(path).status_code == 404, path
    assert fake.sent == []


def roster_entry(number, name, staff_number, status="eligible", reason="certified", role="NRSS"):
    return {
        "staff_id": uid(number),
        "staff_name": name,
        "staff_number": staff_number,
        "role": role,
        "status": status,
        "certificate_id": uid(number + 50),
        "since": "2026-11-28T10:00:00+00:00",
        "reason": reason,
    }


def test_the_roster_by_name_with_reasons_in_words_and_unknown_names_said_so(fake):
    fake.on(
        "planning",
        "GET",
        "/roster",
        listing(
            [
                roster_entry(1, "Zara Khan", "N0001"),
                roster_entry(2, None, None),
                roster_entry(3, "Ada Okafor", "N0003", status="ineligible", reason="left"),
            ]
        ),
    )
    page = portal_with(fake, roles=("workforce",)).get("/roster")
    assert page.status_code == 200
    text = page.text
    assert text.index("Ada Okafor") < text.index("Zara Khan") < text.index(">Unknown<")
    assert "Left the Trust" in text and "Not eligible" in text and "28 November 2026" in text
    assert "2 of 3 entries eligible." in text
    assert 'href="/roster.csv" download>Download the roster (CSV)' in text


def test_the_roster_filters_go_to_planning_and_to_the_csv_link(fake):
    fake.on("planning", "GET", "/roster", listing([roster_entry(1, "Zara Khan", "N0001")]))
    text = portal_with(fake).get("/roster?role=NRSS&status=eligible").text
    assert fake.made("planning", "GET", "/roster")[0].query == {"role": "NRSS", "status": "eligible", "page_size": 100}
    assert 'href="/roster.csv?role=NRSS&amp;status=eligible"' in text
    portal_with(fake).get("/roster?role=<script>&status=everyone")
    assert fake.made("planning", "GET", "/roster")[-1].query == {"page_size": 100}


def test_the_roster_csv_is_planning_s_file_saved_as_an_attachment(fake):
    csv = b"staff_id,staff_number,staff_name,role,status,certificate_id,since,reason\r\n1,N0001,Zara Khan,NRSS\r\n"
    fake.on("planning", "GET", "/roster.csv", Answer(200, None, raw=csv))
    answer = portal_with(fake, roles=("trust_admin",)).get("/roster.csv?role=NRSS")
    assert answer.status_code == 200 and answer.data == csv and answer.mimetype == "text/csv"
    assert answer.headers["Content-Disposition"] == 'attachment; filename="roster.csv"'
    assert fake.made("planning", "GET", "/roster.csv")[0].query == {"role": "NRSS"}
    assert fake.sent[-1][1] == "lead-token"


@pytest.mark.parametrize(
    "value,percent,text",
    [(None, False, "Not known yet"), (2.0, True, "2%"), (33.3, True, "33.3%"), (12.0, False, "12")],
)
def test_figures_in_words(value, percent, text):
    assert presenters.figure(value, percent) == text


def test_totals_add_every_type_and_rows_leave_out_types_with_nothing():
    rows = DASHBOARD["passport_types"]
    assert presenters.dashboard_totals(rows)["started"] == 150
    assert [row["code"] for row in presenters.dashboard_rows(rows)] == ["NRSS", "RSC"]
    assert presenters.roster_reason("left") == "Left the Trust" and presenters.roster_reason(None) == "Not known"
