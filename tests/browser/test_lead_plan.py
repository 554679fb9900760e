"""A Trust's implementation lead plans the passports' launch in the portal, against the real platform.

On a phone (390×844) the lead loads the toolkit's example plan, rewrites the aim (the overview shows the
new words), adds a stakeholder with high power and low impact by keyboard alone (the grid draws the name in
the Satisfy quadrant), and visits every part of the plan and its forms, the refused seventh measure
included. Every kind of page, and each error state, is checked with axe-core and at 320 px; the pictures
are checked again at desktop width.
"""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import add_person
from tests.browser.support import DESKTOP, PHONE, PageChecks, image_loads, sign_in
from tests.browser.test_keyboard import arrow_to, enter, tab_into_group, tab_to

pytestmark = pytest.mark.browser


def back_to_plan(page: Page) -> None:
    page.get_by_role("link", name="Back to the plan").click()
    expect(page.get_by_role("heading", level=2, name="Parts of the plan")).to_be_visible()


def test_lead_loads_the_example_plan_and_makes_it_the_trusts_own(platform, browser, trust):
    portal = platform.url("portal")
    lead = add_person(trust, f"Priya Lead {uuid.uuid4().hex[:4]}", "lead")
    check = PageChecks()
    page = browser.new_context(viewport=PHONE).new_page()
    sign_in(page, portal, lead, check)

    # --- No plan yet: load the toolkit's example -----------------------------------------------------
    page.goto(f"{portal}/plan")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your Trust's implementation plan")
    check(page)
    page.get_by_role("button", name="Start a plan").click()  # no name given
    expect(page.get_by_role("alert")).to_contain_text("Enter a name for the plan")
    check(page, "no name")
    page.get_by_role("button", name="Load the toolkit's example plan").click()
    expect(page.get_by_text("The toolkit's example plan is loaded.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Adult critical care")
    check(page)

    # --- The aim, rewritten ---------------------------------------------------------------------------
    page.get_by_role("link", name="Change aim statement").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Aim and target")
    check(page)
    statement = page.get_by_label("Full aim statement")
    statement.fill("")
    page.get_by_label("Percentage of staff who complete their passport").fill("lots")
    page.get_by_role("button", name="Save aim").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Enter the full aim statement")
    expect(alert).to_contain_text("Enter the percentage as a number from 0 to 100")
    expect(page.get_by_label("Percentage of staff who complete their passport")).to_have_value("lots")
    check(page, "errors")
    new_aim = "All 150 staff identified for rotation hold a passport certificate by 31 March 2027"
    statement.fill(new_aim)
    page.get_by_label("Percentage of staff who complete their passport").fill("100")
    page.get_by_label("Year").fill("2027")
    page.get_by_role("button", name="Save aim").click()
    expect(page.get_by_text("The aim is saved.")).to_be_visible()
    expect(page.locator("#aim")).to_contain_text(new_aim)
    expect(page.locator("#aim")).to_contain_text("100% of 150 staff complete their passport by 31 March 2027")

    # --- A stakeholder with high power and low impact, by keyboard alone -----------------------------
    page.locator("#parts").get_by_role("link", name="Change stakeholders").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Stakeholders")
    check(page)
    expect(page.locator("#quadrant-manage")).to_contain_text("Matrons")
    page.get_by_role("button", name="Add a stakeholder").click()
    check(page)
    page.get_by_role("button", name="Save stakeholder").click()  # nothing given
    expect(page.get_by_role("alert")).to_contain_text("Enter the name of the person or group")
    check(page, "errors")
    name = f"Rota team leads {uuid.uuid4().hex[:4]}"
    tab_to(page, "Name of the person or group")
    page.keyboard.type(name)
    tab_into_group(page, "power")
    arrow_to(page, "High power")
    tab_into_group(page, "impact")
    arrow_to(page, "Low impact")
    tab_to(page, "When to engage them")
    page.keyboard.type("Before the rota for the surge is drawn up")
    tab_to(page, "Save stakeholder", exact=True)
    enter(page)
    expect(page.get_by_text(f"{name} is saved, in Satisfy.")).to_be_visible()
    satisfy = page.locator("#quadrant-satisfy")
    expect(satisfy).to_have_attribute("data-power", "high")
    expect(satisfy).to_have_attribute("data-impact", "low")
    expect(satisfy.locator("text", has_text=name)).to_have_count(1)
    for elsewhere in ("manage", "inform", "monitor"):
        expect(page.locator(f"#quadrant-{elsewhere}")).not_to_contain_text(name)
    expect(page.get_by_role("img", name="Stakeholder grid: power against impact")).to_be_visible()
    page.get_by_role("link", name=f"Remove {name}").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Remove the stakeholder {name}?")
    check(page)
    page.get_by_role("link", name="No, keep it").click()
    expect(page.locator("#quadrant-satisfy")).to_contain_text(name)
    back_to_plan(page)

    # --- The driver diagram -------------------------------------------------------------------------
    page.locator("#parts").get_by_role("link", name="Change driver diagram").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Driver diagram")
    check(page)
    page.get_by_role("link", name="Add a change idea under NRSS and RSC role standardisation").click()
    check(page)
    page.get_by_label("Describe it in a few words").fill("Agree role descriptors with the divisions")
    page.get_by_role("button", name="Save").click()
    secondary = page.locator(".portal-tree__node--secondary", has_text="NRSS and RSC role standardisation")
    expect(
        secondary.locator(".portal-tree__node--activity", has_text="Agree role descriptors with the divisions")
    ).to_be_visible()
    back_to_plan(page)

    # --- The process map ------------------------------------------------------------------------------
    page.locator("#parts").get_by_role("link", name="Change process map").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Process map")
    picture = page.get_by_role("img", name="The process map as a picture")
    expect(picture).to_be_visible()
    assert image_loads(picture), "the picture loads"
    check(page)
    page.get_by_role("button", name="Add a step").click()
    check(page)
    page.get_by_role("link", name="Back to the process map").click()
    page.get_by_role("link", name="Add a lane").click()
    check(page)
    back_to_plan_from_map = page.get_by_role("link", name="Back to the process map")
    back_to_plan_from_map.click()
    back_to_plan(page)

    # --- Launch, measures, cycles -------------------------------------------------------------------
    page.locator("#parts").get_by_role("link", name="Change launch plan").click()
    check(page)
    page.get_by_role("button", name="Change the launch plan").click()
    check(page)
    page.get_by_label("Timeline").fill("November 2026: posters up\nlaunch event in December")
    page.get_by_role("button", name="Save launch plan").click()
    expect(page.get_by_role("alert")).to_contain_text("Write each timeline line as when, a colon")
    check(page, "errors")
    page.get_by_role("link", name="Back to the launch plan").click()
    back_to_plan(page)

    page.locator("#parts").get_by_role("link", name="Change measures").click()
    check(page)
    page.get_by_role("button", name="Add a measure").click()
    check(page)
    page.get_by_label("Name of the measure").fill("Rotated staff satisfaction")
    page.get_by_label("Outcome measure").check()
    page.get_by_role("button", name="Save measure").click()
    expect(page.get_by_role("alert")).to_contain_text("A plan has at most 6 measures")
    expect(page.get_by_label("Name of the measure")).to_have_value("Rotated staff satisfaction")
    check(page, "seventh")
    page.get_by_role("link", name="Back to measures").click()
    back_to_plan(page)

    page.locator("#parts").get_by_role("link", name="Change PDSA cycles").click()
    check(page)
    page.get_by_role("button", name="Add a PDSA cycle").click()
    check(page)
    page.get_by_role("link", name="Back to PDSA cycles").click()
    back_to_plan(page)

    # --- The pictures at desktop width ----------------------------------------------------------------
    page.set_viewport_size(DESKTOP)
    check(page, "desktop")
    page.locator("#parts").get_by_role("link", name="Change stakeholders").click()
    expect(page.locator("#quadrant-satisfy")).to_contain_text(name)
    check(page, "desktop")
    page.goto(page.url.replace("/stakeholders", "/drivers"))
    check(page, "desktop")
    page.goto(page.url.replace("/drivers", "/process-map"))
    check(page, "desktop")


def test_a_workforce_lead_reads_the_plan_and_is_offered_no_changes(platform, browser, trust):
    portal = platform.url("portal")
    lead = add_person(trust, f"Priya Lead {uuid.uuid4().hex[:4]}", "lead")
    reader = add_person(trust, f"Wendy Workforce {uuid.uuid4().hex[:4]}", "workforce")
    check = PageChecks()
    page = browser.new_context(viewport=DESKTOP).new_page()
    sign_in(page, portal, reader)
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Plan", exact=True).click()
    expect(page.get_by_text("A lead or Trust admin starts the plan.")).to_be_visible()
    expect(page.get_by_role("button", name="Load the toolkit's example plan")).to_have_count(0)
    check(page, "reader")

    lead_page = browser.new_context(viewport=DESKTOP).new_page()
    sign_in(lead_page, portal, lead)
    lead_page.goto(f"{portal}/plan")
    lead_page.get_by_role("button", name="Load the toolkit's example plan").click()
    expect(lead_page.get_by_text("The toolkit's example plan is loaded.")).to_be_visible()

    page.reload()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Adult critical care")
    expect(page.get_by_role("link", name="Change", exact=False)).to_have_count(0)
    check(page, "reader's overview")
    page.locator("#parts").get_by_role("link", name="View stakeholders").click()
    expect(page.locator("#quadrant-inform")).to_contain_text("Wellbeing teams")
    expect(page.get_by_role("button", name="Add a stakeholder")).to_have_count(0)
    check(page, "reader")
