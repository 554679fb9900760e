"""A member of staff's journey by keyboard alone: no mouse, no clicks, only Tab, the arrow keys, Space,
Enter and typing. Each step finds its control by moving the focus, as a keyboard user would."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import add_person
from tests.browser.support import PHONE

pytestmark = pytest.mark.browser

FOCUSED_NAME = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return "";
  const label = el.labels && el.labels.length ? el.labels[0].innerText : "";
  return (label || el.innerText || el.value || "").trim();
}"""


def tab_to(page: Page, name: str, *, exact: bool = False, most: int = 200) -> None:
    """Press Tab until the focused control is the one named; fail if the focus never reaches it."""
    seen = []
    for _ in range(most):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED_NAME)
        if (focused == name) if exact else (name in focused):
            return
        seen.append(focused)
    raise AssertionError(f"{name!r} cannot be reached by Tab; the focus went through {seen[:60]}")


def tab_into_group(page: Page, field: str, most: int = 200) -> None:
    """Press Tab until the focus enters the group of radios named `field` (the browser picks which one)."""
    for _ in range(most):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.name") == field:
            return
    raise AssertionError(f"the radios {field!r} cannot be reached by Tab")


def arrow_to(page: Page, name: str, most: int = 10) -> None:
    """Within a group of radios, move the choice with the arrow keys until the named one is chosen."""
    for _ in range(most):
        if name in page.evaluate(FOCUSED_NAME):
            page.keyboard.press("Space")  # chooses it, also when the focus landed on it without choosing
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"{name!r} is not in this group of radios")


def enter(page: Page) -> None:
    """Enter on a link or a form's button: the next page has loaded before the next key."""
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_staff_journey_by_keyboard_alone(platform, browser, trust):
    portal = platform.url("portal")
    nurse = add_person(trust, f"Keyboard Nurse {uuid.uuid4().hex[:4]}", "staff")
    page = browser.new_context(viewport=PHONE).new_page()
    page.goto(f"{portal}/sign-in")

    tab_to(page, "Email address")
    page.keyboard.type(nurse["email"])
    tab_to(page, "Password", exact=True)
    page.keyboard.type(nurse["password"])
    tab_to(page, "Sign in", exact=True)
    enter(page)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Keyboard Nurse")

    tab_to(page, "My passports")
    enter(page)
    tab_to(page, "Start a passport")
    enter(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Which passport do you want to start?")
    tab_into_group(page, "passport_type")
    arrow_to(page, "Non-Registered Support Staff")
    tab_to(page, "Start passport", exact=True)
    enter(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Non-Registered Support Staff")

    for _ in range(2):  # two skills self-assessed, each from the passport page
        first_unassessed = page.locator(".portal-skill-list li", has_text="Not started").first.locator("a").inner_text()
        tab_to(page, first_unassessed, exact=True)
        enter(page)
        tab_to(page, "Self-assess this skill")
        enter(page)
        tab_into_group(page, "level")
        arrow_to(page, "I can do this on my own")
        tab_to(page, "Note (optional)")
        page.keyboard.type("Did this every shift in theatres.")
        tab_to(page, "Save and continue", exact=True)
        enter(page)
        expect(page.get_by_text("Your self-assessment is saved.")).to_be_visible()
        tab_to(page, "Back to the passport")
        enter(page)
    expect(page.get_by_text("Self-assessed: I can do this on my own")).to_have_count(2)

    tab_to(page, page.locator(".portal-skill-list a").first.inner_text(), exact=True)
    enter(page)
    tab_to(page, "Record learning")
    enter(page)
    tab_into_group(page, "kind")
    arrow_to(page, "Face to face")
    tab_into_group(page, "status")
    arrow_to(page, "Attended")
    tab_to(page, "Day", exact=True)
    page.keyboard.type("14")
    tab_to(page, "Month", exact=True)
    page.keyboard.type("11")
    tab_to(page, "Year", exact=True)
    page.keyboard.type("2026")
    tab_to(page, "Hours (optional)")
    page.keyboard.type("2.5")
    tab_to(page, "Save learning", exact=True)
    enter(page)
    expect(page.get_by_text("Face to face · Attended · 14 November 2026 · 2.5 hours")).to_be_visible()

    tab_to(page, "Back to the passport")
    enter(page)
    tab_to(page, "Ask for sign-off", exact=True)
    enter(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Which skills do you want signed off?")
    tab_to(page, "Ask for sign-off", exact=True)
    enter(page)
    expect(page.get_by_text("You asked for sign-off of 2 skills")).to_be_visible()

    tab_to(page, "Sign out", exact=True)
    enter(page)
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
