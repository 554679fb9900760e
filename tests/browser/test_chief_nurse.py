"""The Chief Nurse (lead and workforce lead) reads the Trust's dashboard and roster in the portal.

Three nurses are taken through to a certificate through the APIs (self-assess every skill, a supervisor's bulk
sign-off, then the events: passport.completed → certificate.issued → roster and metrics); once the metrics
count them, the Chief Nurse signs in, on a desktop and on a phone: the dashboard names the Trust and counts
exactly those three as certified, with the chart of the Trust's measure served from the portal; the roster
lists them by name as eligible; the roster's CSV downloads with their staff numbers in it.

A measure bound to no metric: the Chief Nurse adds "falls on the ward" to the plan (lower is better, weekly,
a target of 8), 23 weeks of values arrive through the API, and the 24th is entered in the portal by keyboard
alone, a Tuesday refused first with the service's words; the dashboard then reads, in its measures at a
glance, a special cause improvement (the last seven weeks lower) and a target that may be met or missed.
The new pages, their error states and the dashboard are checked with axe-core on a desktop and on a phone.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import add_person
from tests.browser.support import DESKTOP, PHONE, PageChecks, image_loads, sign_in
from tests.browser.test_keyboard import enter, tab_to
from tests.support.journey import Member, Trust, dashboard_counts
from tests.support.stack import Api, eventually

pytestmark = pytest.mark.browser

NURSES = ("Amara Okafor", "Bea Mensah", "Chidi Obi")


def certified_nurse(trust: Trust, name: str) -> dict:
    """A nurse whose NRSS passport is self-assessed throughout and signed off in one bulk decision."""
    person = add_person(trust, f"{name} {uuid.uuid4().hex[:4]}", "staff")
    nurse = Member(person, Api(trust.stack.urls("identity")).sign_in(person["email"], person["password"]), trust.stack)
    passport = nurse.api("passport")
    started = passport.post("/passports", {"passport_type": "NRSS"})
    assert started.status_code == 201, started.text
    passport_id = started.json()["id"]
    detail = passport.get(f"/passports/{passport_id}").json()
    skills = [skill["code"] for domain in detail["domains"] for skill in domain["skills"]]
    for code in skills:
        assessed = passport.put(f"/passports/{passport_id}/skills/{code}/self-assessment", {"level": "independent"})
        assert assessed.status_code == 200, assessed.text
    body = {
        "passport_id": passport_id,
        "signoffs": [
            {"skill_code": code, "outcome": "proficient", "comment": "Observed in practice, safe and confident"}
            for code in skills
        ],
    }
    # passport.started and the self-assessments may still be on their way to the sign-off service.
    signed = eventually(
        lambda: trust.supervisor.api("signoff").post("/signoffs/bulk", body),
        lambda r: r.status_code not in (404, 409),
        timeout=120,
        interval=0.2,
    )
    assert signed.status_code == 201, signed.text
    return person


def test_chief_nurse_reads_the_dashboard_and_the_roster_and_downloads_it(platform, browser, trust):
    portal = platform.url("portal")
    nurses = [certified_nurse(trust, name) for name in NURSES]
    plan = trust.lead.api("planning").post("/plans", {"name": "Surge readiness"})
    assert plan.status_code == 201, plan.text
    measure = trust.lead.api("planning").post(
        f"/plans/{plan.json()['id']}/measures",
        {
            "name": "Staff certified for NRSS",
            "kind": "outcome",
            "metric": "certified",
            "passport_type": "NRSS",
            "target": 3,
        },
    )
    assert measure.status_code == 201, measure.text

    eventually(
        lambda: dashboard_counts(trust), lambda row: row.get("certified") == len(nurses), timeout=180, interval=0.5
    )
    metrics = trust.lead.api("metrics")
    eventually(
        lambda: metrics.get(f"/trusts/{trust.id}/dashboard").json()["measures"],
        lambda m: len(m) == 1,
        timeout=60,
        interval=0.5,
    )
    roster = trust.lead.api("planning")
    eventually(
        lambda: roster.get("/roster?status=eligible").json(),
        lambda rows: len(rows) == len(nurses) and all(r.get("staff_name") for r in rows),
        timeout=120,
        interval=0.5,
    )

    chief = add_person(trust, "Ruth Adeyemi", "lead", "workforce")
    check = PageChecks()
    for viewport in (DESKTOP, PHONE):
        context = browser.new_context(viewport=viewport, accept_downloads=True)
        page = context.new_page()
        sign_in(page, portal, chief, check)

        page.get_by_role("link", name="Dashboard").first.click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")
        expect(page.locator(".nhsuk-caption-l")).to_have_text(trust.record["name"])
        certified = page.locator(".portal-dashboard-figures__item--certified")
        expect(certified).to_contain_text("Certified now")
        expect(certified.locator(".portal-dashboard-figures__number")).to_have_text(str(len(nurses)))
        expect(page.get_by_role("cell", name="Non-Registered Support Staff")).to_be_visible()
        chart = page.get_by_role("img", name="Chart of Staff certified for NRSS over time")
        expect(chart).to_be_visible()
        # The chart came from the portal's own address (the page's policy allows no other) and drew.
        assert image_loads(chart)
        assert chart.get_attribute("src").startswith("/dashboard/measures/")
        check(page)

        page.get_by_role("link", name="See the roster").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Roster")
        for nurse in nurses:
            row = page.get_by_role("row").filter(has_text=nurse["name"])
            expect(row).to_have_count(1)
            expect(row).to_contain_text("Eligible")
            expect(row).to_contain_text(nurse["staff_number"])
            expect(row).to_contain_text("Non-Registered Support Staff")
        check(page)

        with page.expect_download() as downloading:
            page.get_by_role("link", name="Download the roster (CSV)").click()
        download = downloading.value
        assert download.suggested_filename == "roster.csv"
        text = Path(download.path()).read_text(encoding="utf-8")
        for nurse in nurses:
            assert nurse["staff_number"] in text and nurse["name"] in text
        context.close()


# Seventeen ordinary weeks, then seven lower ones: with lower better, a shift below the mean is an improvement,
# and the process limits (about 4.9 to 12.7) hold the target of 8 within them.
FALLS = (10, 11, 9, 10, 12, 9, 11, 10, 9, 11, 10, 12, 10, 9, 11, 10, 10, 6, 5, 6, 5, 6, 5, 4)


def in_words(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def type_into(page: Page, label: str, text: str) -> None:
    """Tab to a field and type, replacing whatever it held."""
    tab_to(page, label, exact=True)
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


def type_date(page: Page, day: date) -> None:
    for label, part in (("Day", day.day), ("Month", day.month), ("Year", day.year)):
        type_into(page, label, str(part))


def test_chief_nurse_enters_a_measures_values_and_reads_its_variation_and_assurance(platform, browser, trust):
    portal = platform.url("portal")
    chief = add_person(trust, "Ruth Adeyemi", "lead", "workforce")
    planning, metrics = trust.lead.api("planning"), trust.lead.api("metrics")
    plan = planning.post("/plans", {"name": "Safer wards"})
    assert plan.status_code == 201, plan.text
    plan_id = plan.json()["id"]
    name = f"Falls on the ward {uuid.uuid4().hex[:4]}"
    today = datetime.now(UTC).date()  # the services' today
    this_monday = today - timedelta(days=today.weekday())
    mondays = [this_monday - timedelta(weeks=len(FALLS) - 1 - week) for week in range(len(FALLS))]

    # --- On a desktop: the measure added to the plan, with no metric and lower better ------------------------
    check = PageChecks()
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    sign_in(page, portal, chief, check)
    page.goto(f"{portal}/plan/{plan_id}/measures")
    page.get_by_role("button", name="Add a measure").click()
    expect(page.get_by_label("Compute it from the passports' data (optional)")).to_have_value("")
    expect(page.get_by_label("Higher is better")).to_be_checked()
    check(page)
    page.get_by_label("Name of the measure").fill(name)
    page.get_by_label("Outcome measure").check()
    page.get_by_label("How often will you measure it? (optional)").fill("Weekly")
    page.get_by_label("Lower is better").check()
    page.get_by_label("Target (optional)").fill("8")
    page.get_by_role("button", name="Save measure").click()
    expect(page.get_by_text(f"The measure {name} is saved.")).to_be_visible()
    expect(page.get_by_text("Not computed: values are entered by hand")).to_be_visible()
    [measure] = planning.get(f"/plans/{plan_id}").json()["measures"]
    assert (measure["metric"], measure["improvement_direction"]) == (None, "decrease")
    measure_id = measure["id"]

    # --- 23 weeks through the API, once the metrics service knows the measure ---------------------------------
    eventually(
        lambda: metrics.get(f"/trusts/{trust.id}/dashboard").json()["measures"],
        lambda found: any(m["measure_id"] == measure_id and m["entered"] for m in found),
        timeout=60,
        interval=0.5,
    )
    for monday, value in zip(mondays[:-1], FALLS[:-1]):
        entered = metrics.put(f"/measures/{measure_id}/values/{monday.isoformat()}", {"value": value, "note": None})
        assert entered.status_code == 200, entered.text

    # --- The 24th by keyboard, a Tuesday refused first --------------------------------------------------------
    page.get_by_role("link", name="Dashboard").first.click()
    page.get_by_role("link", name=f"Enter values for {name}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    expect(page.locator("tbody tr")).to_have_count(len(FALLS) - 1)
    check(page)
    tuesday = mondays[-2] + timedelta(days=1)
    type_date(page, tuesday)
    type_into(page, "Value", str(FALLS[-1]))
    type_into(page, "Note (optional)", "Two falls, both at night")
    tab_to(page, "Save value", exact=True)
    enter(page)
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("This measure is weekly: give the first day of the period (a Monday).")
    expect(page.get_by_label("Day", exact=True)).to_have_value(str(tuesday.day))
    expect(page.get_by_label("Value", exact=True)).to_have_value(str(FALLS[-1]))
    expect(page.get_by_label("Note (optional)")).to_have_value("Two falls, both at night")
    check(page, "refused")
    type_date(page, mondays[-1])
    tab_to(page, "Save value", exact=True)
    enter(page)
    expect(page.get_by_text(f"The value for the week starting {in_words(mondays[-1])} is saved.")).to_be_visible()
    latest = page.locator("tbody tr").first  # newest first
    expect(latest).to_contain_text(in_words(mondays[-1]))
    expect(latest).to_contain_text("Two falls, both at night")
    expect(page.locator("tbody tr")).to_have_count(len(FALLS))
    assert [row["value"] for row in metrics.get(f"/measures/{measure_id}/values").json()] == list(FALLS)

    def read_the_dashboard_and_every_new_page(page: Page, check: PageChecks) -> None:
        page.get_by_role("link", name="Dashboard").first.click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")
        row = page.locator(".portal-glance tbody tr", has_text=name)
        expect(row).to_have_count(1)
        for words in (
            f"{FALLS[-1]} for the week starting {in_words(mondays[-1])}",
            "8.8",
            "4.9",
            "12.7",
            "Special cause variation: improvement, lower values",
            "Assurance: the target may be met or missed (hit and miss)",
        ):
            expect(row).to_contain_text(words)
        expect(row.locator("svg.mdc-icon--variation-improvement-low")).to_be_visible()
        expect(row.locator("svg.mdc-icon--assurance-hit-or-miss")).to_be_visible()
        chart = page.get_by_role("img", name=f"Chart of {name} over time")
        assert image_loads(chart)
        check(page)

        page.get_by_role("link", name=f"Enter values for {name}").click()
        expect(page.locator("tbody tr")).to_have_count(len(FALLS))
        check(page)
        page.get_by_role("button", name="Save value").click()  # nothing given
        expect(page.get_by_role("alert")).to_contain_text("Enter the Monday the week starts on")
        check(page, "no date")
        page.get_by_role("link", name=f"Change the value for the week starting {in_words(mondays[0])}").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(
            f"Change the value for the week starting {in_words(mondays[0])}"
        )
        expect(page.get_by_label("Value", exact=True)).to_have_value(str(FALLS[0]))
        check(page)
        page.get_by_label("Value", exact=True).fill("ten")
        page.get_by_role("button", name="Save value").click()
        expect(page.get_by_role("alert")).to_contain_text("Enter the value as a number, for example 12")
        expect(page.get_by_label("Value", exact=True)).to_have_value("ten")
        check(page, "not a number")
        page.get_by_role("link", name="Cancel: keep the value as it is").click()
        expect(page.locator("tbody tr").last).to_contain_text(in_words(mondays[0]))
        expect(page.locator("tbody tr").last).to_contain_text(str(FALLS[0]))

    read_the_dashboard_and_every_new_page(page, check)
    context.close()

    # --- On a phone --------------------------------------------------------------------------------------
    phone_check = PageChecks()
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    sign_in(page, portal, chief)
    read_the_dashboard_and_every_new_page(page, phone_check)
    context.close()
