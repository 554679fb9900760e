"""A nurse on a ward phone and her supervisor, through the portal, against the real platform.

The nurse (390×844) signs in, starts NRSS, self-assesses every skill, records a face-to-face session and
asks for sign-off; the supervisor finds her by name in the queue, marks one skill not yet with an action
plan and the rest proficient in bulk, then the last one; the nurse downloads her certificate and opens
the address printed in it, which says valid with her name; after a sign-off is revoked it says revoked.
Every kind of page on the way, error states included, is checked with axe-core and at 320 px.
"""

from __future__ import annotations

import io
import re
import uuid

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.browser.conftest import add_person
from tests.browser.support import DESKTOP, PHONE, PageChecks, reload_until, sign_in, sign_out

pytestmark = pytest.mark.browser


def test_nurse_and_supervisor_take_a_passport_to_a_verified_certificate(platform, browser, trust):
    portal = platform.url("portal")
    nurse = add_person(trust, f"Amara Okafor {uuid.uuid4().hex[:4]}", "staff")
    supervisor = add_person(trust, "Grace Hopwood", "supervisor")
    check = PageChecks()

    # --- The nurse, on her phone -------------------------------------------------------------------
    phone = browser.new_context(viewport=PHONE, accept_downloads=True)
    page = phone.new_page()
    page.goto(f"{portal}/sign-in")
    check(page)
    page.get_by_label("Email address").fill(nurse["email"])
    page.get_by_label("Password", exact=True).fill("not her password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("There is a problem")
    expect(page.get_by_label("Email address")).to_have_value(nurse["email"])  # what she typed is kept
    check(page, "wrong password")
    page.get_by_label("Password", exact=True).fill(nurse["password"])
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Amara")
    check(page)

    page.get_by_role("link", name="My passports").first.click()
    check(page)
    page.get_by_role("button", name="Start a passport").click()
    page.get_by_role("button", name="Start passport").click()  # nothing chosen
    expect(page.get_by_role("alert")).to_contain_text("Select the passport you want to start")
    check(page, "nothing chosen")
    page.get_by_label("Non-Registered Support Staff").check()
    page.get_by_role("button", name="Start passport").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Non-Registered Support Staff")
    expect(page.get_by_text("0 of 44 skills signed off")).to_be_visible()
    check(page)

    skills = page.locator(".portal-skill-list a")
    total = skills.count()
    assert total == 44
    skills.first.click()
    check(page)
    page.get_by_role("button", name="Self-assess this skill").click()
    page.get_by_role("button", name="Save and continue").click()  # no level chosen
    expect(page.get_by_role("alert")).to_contain_text("Select how well you can do this skill")
    check(page, "no level")
    assessed = 0
    while "/self-assessment" in page.url:  # each save leads to the next skill not yet self-assessed
        check(page)
        page.get_by_label("I can do this on my own").check()
        page.get_by_role("button", name="Save and continue").click()
        assessed += 1
    assert assessed == total
    expect(page.get_by_text("Self-assessed: I can do this on my own")).to_have_count(total)

    page.locator(".portal-skill-list a").nth(1).click()
    page.get_by_role("button", name="Record learning").click()
    page.get_by_label("Face to face").check()
    page.get_by_label("Attended").check()
    page.get_by_label("Day").fill("31")
    page.get_by_label("Month").fill("2")
    page.get_by_label("Year").fill("2026")
    page.get_by_label("Hours (optional)").fill("3")
    page.get_by_role("button", name="Save learning").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter a real date")
    expect(page.get_by_label("Hours (optional)")).to_have_value("3")
    check(page, "not a real date")
    page.get_by_label("Day").fill("27")
    page.get_by_role("button", name="Save learning").click()
    expect(page.get_by_text("Your learning is recorded.")).to_be_visible()
    expect(page.get_by_text("Face to face · Attended · 27 February 2026 · 3.0 hours")).to_be_visible()
    check(page)

    page.get_by_role("link", name="Back to the passport").click()
    page.get_by_role("button", name="Ask for sign-off").click()
    check(page)
    page.get_by_role("button", name="Ask for sign-off").click()  # every self-assessed skill is ticked
    expect(page.get_by_text(f"You asked for sign-off of {total} skills")).to_be_visible()
    sign_out(page)

    # --- The supervisor, at a desk -----------------------------------------------------------------
    desk = browser.new_context(viewport=DESKTOP)
    office = desk.new_page()
    sign_in(office, portal, supervisor, check)
    check(office)
    office.get_by_role("link", name="Sign-off requests").first.click()
    reload_until(office, lambda: office.get_by_role("link", name=nurse["name"]))  # her name arrives by event
    row = office.get_by_role("row").filter(has=office.get_by_role("link", name=nurse["name"]))
    expect(row).to_contain_text(nurse["staff_number"])
    expect(row).to_contain_text("Non-Registered Support Staff")
    expect(row).to_contain_text(str(total))
    check(office)
    office.get_by_role("link", name=nurse["name"]).click()
    check(office)

    first_skill = office.locator("input[name=skills]").first.get_attribute("value")
    last_skill = office.locator("input[name=skills]").last.get_attribute("value")
    office.get_by_role("link", name=re.compile("on its own")).first.click()
    check(office)
    office.get_by_role("radio", name="Not yet").check()
    office.get_by_role("button", name="Save decision").click()
    expect(office.get_by_role("alert")).to_contain_text("Enter the action plan")
    expect(office.get_by_role("alert")).to_contain_text("Enter what you observed")
    check(office, "no plan")
    office.get_by_label("Action plan (for not yet)").fill("Practise with the educator on the next two shifts.")
    office.get_by_label("What you observed").fill("Unsure of the escalation steps.")
    office.get_by_role("button", name="Save decision").click()
    expect(office.get_by_text(f"{first_skill} marked as not yet")).to_be_visible()
    office.goto(f"{portal}/passports/{_passport_id(office.url)}/skills/{first_skill}")
    expect(office.get_by_text("Not yet – see action plan")).to_be_visible()
    expect(office.get_by_text("Practise with the educator on the next two shifts.")).to_be_visible()
    check(office)
    office.go_back()

    boxes = office.locator("input[name=skills]")
    for index in range(boxes.count()):
        if boxes.nth(index).get_attribute("value") not in (first_skill, last_skill):
            boxes.nth(index).check()
    office.get_by_label("What you observed").fill("Observed on shift: safe and confident.")
    office.get_by_role("button", name="Mark selected skills as proficient").click()
    expect(office.get_by_text(f"{total - 2} skills signed off as proficient.")).to_be_visible()
    expect(office.get_by_text(f"{total - 2} of {total} skills signed off")).to_be_visible()
    check(office, "after bulk")

    for code in (last_skill, first_skill):  # the last one, then the one that was not yet
        office.goto(f"{portal}/passports/{_passport_id(office.url)}/skills/{code}/decision")
        office.get_by_role("radio", name="Proficient").check()
        office.get_by_label("What you observed").fill("Observed again: safe.")
        office.get_by_role("button", name="Save decision").click()
        expect(office.get_by_text(f"{code} marked as proficient.")).to_be_visible()
    expect(office.get_by_text(f"{total} of {total} skills signed off")).to_be_visible()

    # --- The nurse's certificate, checked by anyone ------------------------------------------------
    page.goto(f"{portal}/certificates")  # signed out: sign-in first, then back to where she was going
    page.get_by_label("Email address").fill(nurse["email"])
    page.get_by_label("Password", exact=True).fill(nurse["password"])
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="My certificates")).to_be_visible()  # back where she was going
    reload_until(page, lambda: page.get_by_role("link", name=re.compile("Download the certificate")))
    expect(page.get_by_text("Valid", exact=True)).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("<span")  # markup is markup, never shown as text
    expect(page.locator(".portal-break")).to_contain_text("/verify")
    check(page)
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("Download the certificate")).click()
    pdf = download.value.path().read_bytes()
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    verify_url = re.search(r"https?://\S+/verify", text.replace("\n", "")).group(0)
    assert verify_url.startswith(portal)

    stranger = browser.new_context(viewport=PHONE).new_page()  # no sign-in: anyone with the QR code
    stranger.goto(verify_url)
    expect(stranger.get_by_role("heading", level=1)).to_have_text("This certificate is valid")
    expect(stranger.get_by_text(nurse["name"]).first).to_be_visible()
    expect(stranger.get_by_text(trust.record["name"])).to_be_visible()
    check(stranger)

    # --- A sign-off revoked: the certificate no longer holds --------------------------------------
    office.goto(f"{portal}/passports/{_passport_id(office.url)}/audit-trail")
    check(office)
    office.get_by_role("link", name=re.compile(f"Revoke the sign-off of {first_skill}$")).first.click()
    office.get_by_role("button", name="Revoke sign-off").click()
    expect(office.get_by_role("alert")).to_contain_text("Enter why you are revoking this sign-off")
    check(office, "no reason")
    office.get_by_label("Why are you revoking it?").fill("Observed unsafe practice on the night shift.")
    office.get_by_role("button", name="Revoke sign-off").click()
    expect(office.get_by_text(f"The sign-off of {first_skill} is revoked.")).to_be_visible()
    reload_until(stranger, lambda: stranger.get_by_role("heading", name="This certificate is revoked"))
    expect(stranger.get_by_text(nurse["name"]).first).to_be_visible()
    check(stranger, "revoked")

    for context in (phone, desk, stranger.context):
        context.close()


def _passport_id(url: str) -> str:
    return re.search(r"/passports/([0-9a-f-]{36})", url).group(1)
