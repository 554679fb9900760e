"""The implementation lead assigns passports to the Trust's rotation cohort in bulk, then follows it by name.

The Trust has 150 staff identified for rotation, as in the toolkit's example: 80 registered nurses for the
Registered Support Clinician passport and 70 support workers for Non-Registered Support Staff (three of whom
were given theirs already). The lead, on a desktop, assigns RSC to everyone a search for the nurses finds
("select everyone shown", no script needed), then on a phone NRSS to the support workers; the result pages
say what happened in plain words, and the cohort page has all 150 not started. Every kind of page on the
way, error states included, is checked with axe-core and at 320 px, at both sizes.
"""

from __future__ import annotations

import json
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import add_person
from tests.browser.support import DESKTOP, PHONE, PageChecks, sign_in
from tests.support.journey import Trust
from tests.support.stack import Api, eventually

pytestmark = pytest.mark.browser

NURSE, SUPPORT_WORKER = "Registered nurse", "Healthcare support worker"


def add_cohort(trust: Trust, tag: str) -> dict[str, list[dict]]:
    """150 staff through identity's API, a few at once: 80 nurses in theatres, 70 support workers in recovery."""

    def create(index: int, group: str, department: str) -> dict:
        body = {
            "email": f"{uuid.uuid4().hex[:12]}@example.nhs.uk",
            "name": f"{group.split()[-1].title()} {tag} {index:03}",
            "trust_id": trust.id,
            "roles": ["staff"],
            "staff_number": f"{tag}{index:04}",
            "professional_group": group,
            "department": department,
        }
        response = trust.platform_admin.post("/users", body)
        assert response.status_code == 201, response.text
        return response.json()

    with ThreadPoolExecutor(max_workers=6) as pool:
        nurses = list(pool.map(lambda i: create(i, NURSE, "Theatres"), range(1, 81)))
        workers = list(pool.map(lambda i: create(i, SUPPORT_WORKER, "Recovery"), range(81, 151)))
    return {NURSE: nurses, SUPPORT_WORKER: workers}


def known_to_passport(lead: Api, group: str) -> int:
    response = lead.get(f"/staff?professional_group={group.replace(' ', '%20')}&page_size=1")
    assert response.status_code == 200, response.text
    return json.loads(response.headers["X-Pagination"])["total"]


def test_lead_assigns_the_cohort_in_bulk_and_sees_everyone_not_started(platform, browser, trust):
    portal = platform.url("portal")
    tag = uuid.uuid4().hex[:4].upper()
    cohort = add_cohort(trust, tag)
    lead = add_person(trust, "Nia Campbell", "lead")
    lead_passport = Api(
        platform.urls("passport"), Api(platform.urls("identity")).sign_in(lead["email"], lead["password"])
    )
    # Identity's user.registered events reach the passport service on their own time.
    expected = {group: len(people) for group, people in cohort.items()}
    eventually(
        lambda: {group: known_to_passport(lead_passport, group) for group in expected},
        lambda known: known == expected,
        timeout=120,
        interval=0.5,
    )
    for someone in cohort[SUPPORT_WORKER][:3]:
        given = lead_passport.post("/passports", {"passport_type": "NRSS", "staff_id": someone["id"]})
        assert given.status_code == 201, given.text

    # --- On a desktop: RSC for every nurse ------------------------------------------------------------
    check = PageChecks()
    desktop = browser.new_context(viewport=DESKTOP)
    page = desktop.new_page()
    sign_in(page, portal, lead, check)
    page.get_by_role("link", name="Cohort").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cohort")
    check(page)
    page.get_by_role("button", name="Assign passports").click()
    check(page)
    page.get_by_role("button", name="Continue").click()  # no passport chosen
    expect(page.get_by_role("alert")).to_contain_text("Select the passport to assign")
    check(page, "no passport chosen")
    page.get_by_label("Registered Support Clinician").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose who gets this passport")
    check(page)

    page.get_by_label("Professional group").fill(NURSE.upper())  # any case
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_text("80 people found.")).to_be_visible()
    expect(page.get_by_role("checkbox")).to_have_count(80)
    expect(page.get_by_label("Professional group")).to_have_value(NURSE.upper())  # the search is kept
    page.get_by_role("button", name="Continue with the people ticked").click()  # no one ticked
    expect(page.get_by_role("alert")).to_contain_text("Select the people to assign this passport to")
    expect(page.get_by_role("checkbox")).to_have_count(80)
    check(page, "no one ticked")
    page.get_by_role("button", name="Select everyone shown (80) and continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check before you assign")
    expect(page.locator(".nhsuk-summary-list")).to_contain_text("80 people")
    check(page)
    page.get_by_role("button", name="Assign passports").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("80 passports assigned")
    check(page)
    desktop.close()

    # --- On a phone: NRSS for every support worker, three of whom have theirs already ------------------
    check_phone = PageChecks()
    phone = browser.new_context(viewport=PHONE)
    page = phone.new_page()
    sign_in(page, portal, lead, check_phone)
    page.goto(f"{portal}/cohort/assign")
    check_phone(page)
    page.get_by_label("Non-Registered Support Staff").check()
    page.get_by_role("button", name="Continue").click()
    check_phone(page)
    page.get_by_label("Department").fill("Recovery")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_text("70 people found.")).to_be_visible()
    page.get_by_role("button", name="Select everyone shown (70) and continue").click()
    expect(page.locator(".nhsuk-summary-list")).to_contain_text("70 people")
    check_phone(page)
    page.get_by_role("button", name="Assign passports").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("67 passports assigned")
    expect(page.get_by_text("3 people already had one.")).to_be_visible()
    check_phone(page)

    # --- The cohort: all 150 not started, by name ------------------------------------------------------
    page.get_by_role("link", name="See where the Non-Registered Support Staff cohort is").click()
    expect(page.locator("tbody tr")).to_have_count(70)
    page.goto(f"{portal}/cohort")
    not_started = page.locator(".portal-cohort-counts__item").filter(has_text="Not started")
    expect(not_started.locator(".portal-cohort-counts__number")).to_have_text("150")
    expect(page.locator("tbody tr")).to_have_count(150)
    expect(page.locator("tbody tr").filter(has_text="Not started")).to_have_count(150)
    first_nurse = cohort[NURSE][0]
    row = page.locator("tbody tr").filter(has_text=first_nurse["staff_number"])
    expect(row).to_contain_text(first_nurse["name"])
    expect(row).to_contain_text("Registered Support Clinician")
    check_phone(page)
    not_started.get_by_role("link").click()
    expect(page.locator("tbody tr")).to_have_count(150)
    page.get_by_label("Where they are").select_option("certified")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_text("No one is at that point.")).to_be_visible()
    check_phone(page, "no one at that point")
    phone.close()
