"""The Chief Nurse (lead and workforce lead) reads the Trust's dashboard and roster in the portal.

Three nurses are taken through to a certificate through the APIs (self-assess every skill, a supervisor's bulk
sign-off, then the events: passport.completed → certificate.issued → roster and metrics); once the metrics
count them, the Chief Nurse signs in, on a desktop and on a phone: the dashboard names the Trust and counts
exactly those three as certified, with the chart of the Trust's measure served from the portal; the roster
lists them by name as eligible; the roster's CSV downloads with their staff numbers in it.
"""
from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import add_person
from tests.browser.support import DESKTOP, PHONE, PageChecks, sign_in
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
    body = {"passport_id": passport_id, "signoffs": [
        {"skill_code": code, "outcome": "proficient", "comment": "Observed in practice, safe and confident"}
        for code in skills]}
    # passport.started and the self-assessments may still be on their way to the sign-off service.
    signed = eventually(lambda: trust.supervisor.api("signoff").post("/signoffs/bulk", body),
                        lambda r: r.status_code not in (404, 409), timeout=120, interval=0.2)
    assert signed.status_code == 201, signed.text
    return person


def test_chief_nurse_reads_the_dashboard_and_the_roster_and_downloads_it(platform, browser, trust):
    portal = platform.url("portal")
    nurses = [certified_nurse(trust, name) for name in NURSES]
    plan = trust.lead.api("planning").post("/plans", {"name": "Surge readiness"})
    assert plan.status_code == 201, plan.text
    measure = trust.lead.api("planning").post(f"/plans/{plan.json()['id']}/measures", {
        "name": "Staff certified for NRSS", "kind": "outcome", "metric": "certified", "passport_type": "NRSS",
        "target": 3})
    assert measure.status_code == 201, measure.text

    eventually(lambda: dashboard_counts(trust), lambda row: row.get("certified") == len(nurses), timeout=180, interval=0.5)
    metrics = trust.lead.api("metrics")
    eventually(lambda: metrics.get(f"/trusts/{trust.id}/dashboard").json()["measures"], lambda m: len(m) == 1,
               timeout=60, interval=0.5)
    roster = trust.lead.api("planning")
    eventually(lambda: roster.get("/roster?status=eligible").json(),
               lambda rows: len(rows) == len(nurses) and all(r.get("staff_name") for r in rows), timeout=120, interval=0.5)

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
        assert chart.evaluate("image => image.complete && image.naturalWidth > 0")
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
