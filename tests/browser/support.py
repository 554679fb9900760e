"""Playwright helpers: pages checked with axe-core (WCAG 2.0, 2.1 and 2.2, A and AA) and for sideways
scrolling at 320 CSS pixels, sign-in, and waiting for what events bring."""

from __future__ import annotations

import re
import time

from playwright.sync_api import Page, expect

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
NARROWEST = 320
_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|/skills/[A-Z0-9.-]+")


class PageChecks:
    """Each kind of page (its address without ids) and each error state checked once: no markup shown as
    text, axe finds no violation, and at 320 px nothing scrolls sideways."""

    def __init__(self):
        from axe_playwright_python.sync_playwright import Axe

        self.axe = Axe()
        self.checked: set[str] = set()

    def __call__(self, page: Page, state: str = "") -> None:
        kind = _ID.sub("{id}", page.url.split("?")[0]) + (f" [{state}]" if state else "")
        if kind in self.checked:
            return
        self.checked.add(kind)
        shown = page.locator("main").inner_text()
        assert "</" not in shown and "<span" not in shown, f"{kind} shows markup as text: {shown[:500]}"
        results = self.axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
        assert results.violations_count == 0, f"{kind}:\n{results.generate_report()}"
        size = page.viewport_size
        page.set_viewport_size({"width": NARROWEST, "height": size["height"]})
        try:
            # The header's navigation moves the links that do not fit under "More" by script, a moment
            # after the resize: wait for that (content that really is too wide still fails below).
            # Polled from here: wait_for_function would evaluate its text inside the page, which the
            # portal's Content-Security-Policy (no 'unsafe-eval') refuses.
            deadline = time.monotonic() + 2
            width = page.evaluate("document.documentElement.scrollWidth")
            while width > NARROWEST and time.monotonic() < deadline:
                page.wait_for_timeout(50)
                width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= NARROWEST, f"{kind} scrolls sideways at {NARROWEST} px (content {width} px wide)"
        finally:
            page.set_viewport_size(size)


def sign_in(page: Page, base_url: str, person: dict, check: PageChecks | None = None) -> None:
    page.goto(f"{base_url}/sign-in")
    if check:
        check(page)
    page.get_by_label("Email address").fill(person["email"])
    page.get_by_label("Password", exact=True).fill(person["password"])
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(person["name"].split()[0])


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def reload_until(page: Page, visible, timeout: float = 30.0) -> None:
    """Reload until a locator shows what an event brings (a certificate issued, a status changed)."""
    deadline = time.monotonic() + timeout
    while True:
        locator = visible()
        if locator.count() > 0:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"not shown within {timeout}s: {locator}\n{page.content()[:2000]}")
        page.wait_for_timeout(200)
        page.reload()


_LOADED = """image => image.complete
  ? image.naturalWidth > 0
  : new Promise(settled => {
      image.addEventListener("load", () => settled(image.naturalWidth > 0));
      image.addEventListener("error", () => settled(false));
    })"""


def image_loads(image) -> bool:
    """Whether an image has loaded, or loads, with a picture in it: it may still be on its way when the
    page is shown, and one that fails to load settles as False."""
    return image.evaluate(_LOADED)
