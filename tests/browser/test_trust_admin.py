"""A Trust admin brings the Trust's staff onto the platform through the portal, against the real platform
and a real SMTP server.

The admin (desktop) imports a CSV file of twelve people with one bad row, which the report names by its line;
invites everyone new; a nurse's invitation arrives by email; on her phone (390×844) she opens the link, is
told her first passwords are too short or too common, sets a good one, signs in and sees her home page; the
same link opened again says it has been used. She forgets her password and resets it through the emailed
link. The admin downloads the usage export and deactivates a leaver after the confirmation page. Every kind
of page on the way, error states included, is checked with axe-core and at 320 px, on the phone and on the
desktop.
"""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import add_person
from tests.browser.support import DESKTOP, PHONE, PageChecks, sign_in, sign_out

pytestmark = pytest.mark.browser

HEADER = "staff_number,name,email,professional_group,roles,department"
BAD_LINE = 8  # the line of the file (the header is line 1) with an email address that is not one
LINK = re.compile(r"https?://[^\s]+/set-password/[A-Za-z0-9_.~%-]+")


def staff_file(tag: str, nurse_email: str) -> tuple[str, list[dict]]:
    people = [
        {
            "staff_number": f"{tag}-{n:02d}",
            "name": f"Person {n:02d} {tag}",
            "email": f"person{n:02d}.{tag}@example.nhs.uk",
            "professional_group": "Registered Nursing",
            "roles": "staff",
            "department": "Ward 12",
        }
        for n in range(1, 13)
    ]
    people[0].update(name=f"Amara Okafor {tag}", email=nurse_email)
    people[1].update(name=f"Ben Carter {tag}", roles="staff;supervisor", department="Theatres")
    lines = [HEADER] + [",".join(person.values()) for person in people]
    lines.insert(BAD_LINE - 1, f"{tag}-99,Not Imported {tag},not-an-email,Registered Nursing,staff,Ward 12")
    return "\r\n".join(lines) + "\r\n", people


def link_in(message) -> str:
    found = LINK.search(message.get_body(preferencelist=("plain", "html")).get_content())
    assert found, f"no set-password link in the email:\n{message}"
    return found.group(0)


def test_trust_admin_imports_invites_and_a_nurse_sets_her_password(platform, browser, trust, smtp_server, tmp_path):
    portal = platform.url("portal")
    admin = add_person(trust, "Priya Shah", "trust_admin")
    tag = uuid.uuid4().hex[:6].upper()
    nurse_email = f"amara.{tag.lower()}@example.nhs.uk"
    content, people = staff_file(tag, nurse_email)
    csv_path = tmp_path / "staff.csv"
    csv_path.write_text(content, encoding="utf-8")
    desktop_check, phone_check = PageChecks(), PageChecks()

    # --- The Trust admin, at her desk: import -------------------------------------------------------
    desk = browser.new_context(viewport=DESKTOP, accept_downloads=True)
    page = desk.new_page()
    sign_in(page, portal, admin, desktop_check)
    desktop_check(page)
    page.get_by_role("link", name="Staff", exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Staff")
    desktop_check(page)

    page.get_by_role("link", name="Import staff from a CSV file").click()
    desktop_check(page)
    page.get_by_role("button", name="Import staff").click()  # no file chosen
    expect(page.get_by_role("alert")).to_contain_text("Select a CSV file of your staff")
    desktop_check(page, "no file")
    page.locator("input[type=file]").set_input_files(str(csv_path))
    page.get_by_role("button", name="Import staff").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Staff imported")
    expect(page.get_by_text("12 added, 0 updated, 0 unchanged, 1 row not imported")).to_be_visible()
    rejected = page.locator("table tbody tr")
    expect(rejected).to_have_count(1)
    expect(rejected.first).to_contain_text(str(BAD_LINE))
    expect(rejected.first).to_contain_text("Email address")
    desktop_check(page)

    # --- ...and invitations -------------------------------------------------------------------------
    emails_before = len(smtp_server.messages)
    page.get_by_role("button", name=re.compile(r"^Invite \d+ (person|people)$")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Invitations sent")
    expect(page.locator("main")).to_contain_text(people[0]["name"])
    desktop_check(page)

    invitation = smtp_server.wait_for(nurse_email, since=emails_before)
    link = link_in(invitation)
    assert link.startswith(f"{portal}/set-password/")

    # --- The nurse, on her phone ----------------------------------------------------------------------
    phone = browser.new_context(viewport=PHONE)
    mobile = phone.new_page()
    mobile.goto(link)
    expect(mobile.get_by_role("heading", level=1)).to_have_text("Create a password")
    expect(mobile.locator("main")).to_contain_text(people[0]["name"])
    phone_check(mobile)
    for weak, state in (("short", "too short"), ("password123", "too common")):
        mobile.get_by_label("Password", exact=True).fill(weak)
        mobile.get_by_label("Type the password again").fill(weak)
        mobile.get_by_role("button", name="Save password").click()
        expect(mobile.get_by_role("alert")).to_contain_text("There is a problem")
        expect(mobile.get_by_label("Password", exact=True)).to_have_value("")  # never written back
        phone_check(mobile, state)
    mobile.get_by_label("Password", exact=True).fill("plum kettle harbour lantern")
    mobile.get_by_label("Type the password again").fill("plum kettle harbour lantern")
    mobile.get_by_role("button", name="Save password").click()
    expect(mobile.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(mobile.locator("main")).to_contain_text(f"Your password has been set. Sign in with {nurse_email}")
    expect(mobile.get_by_label("Email address")).to_have_value(nurse_email)
    phone_check(mobile, "password set")
    mobile.get_by_label("Password", exact=True).fill("plum kettle harbour lantern")
    mobile.get_by_role("button", name="Sign in").click()
    expect(mobile.get_by_role("heading", level=1)).to_contain_text("Amara")
    phone_check(mobile)

    mobile.goto(link)  # the same link again
    expect(mobile.get_by_role("heading", level=1)).to_have_text("This link has already been used")
    phone_check(mobile)

    # --- She forgets her password -------------------------------------------------------------------
    sign_out(mobile)
    mobile.get_by_role("link", name="Forgotten your password?").click()
    phone_check(mobile)
    mobile.get_by_role("button", name="Send the link").click()  # no email given
    expect(mobile.get_by_role("alert")).to_contain_text("Enter your email address")
    phone_check(mobile, "no email")
    emails_before = len(smtp_server.messages)
    mobile.get_by_label("Email address").fill(nurse_email)
    mobile.get_by_role("button", name="Send the link").click()
    expect(mobile.locator("main")).to_contain_text(
        "If there is an account for that email, we have sent a link to reset the password. It expires in 1 hour."
    )
    phone_check(mobile)
    reset_link = link_in(smtp_server.wait_for(nurse_email, since=emails_before))
    assert reset_link != link
    mobile.goto(reset_link)
    expect(mobile.get_by_role("heading", level=1)).to_have_text("Create a password")
    mobile.get_by_label("Password", exact=True).fill("copper meadow violin anchor")
    mobile.get_by_label("Type the password again").fill("copper meadow violin anchor")
    mobile.get_by_role("button", name="Save password").click()
    sign_in(
        mobile, portal, {"email": nurse_email, "password": "copper meadow violin anchor", "name": people[0]["name"]}
    )
    phone.close()

    # --- The admin: the usage export, and a leaver ----------------------------------------------------
    page.goto(f"{portal}/staff")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download passport usage (CSV)").click()
    assert download.value.suggested_filename == "passport-usage.csv"

    page.get_by_label("Name or staff number").fill(people[1]["name"])
    page.get_by_role("button", name="Search").click()
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Staff, Supervisor")
    expect(rows.first).to_contain_text("Invited")
    desktop_check(page, "searched")
    rows.first.get_by_role("link", name=people[1]["name"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(people[1]["name"])
    desktop_check(page)
    page.get_by_role("link", name=f"Deactivate {people[1]['name']}").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        f"Are you sure you want to deactivate {people[1]['name']}"
    )
    expect(page.locator("main")).to_contain_text("will no longer be able to sign in and will be taken off the roster")
    desktop_check(page)
    page.get_by_role("button", name=f"Yes, deactivate {people[1]['name']}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Staff")
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text(f"{people[1]['name']} has been deactivated")
    desktop_check(page, "deactivated")
    page.get_by_label("Name or staff number").fill(people[1]["staff_number"])
    page.get_by_role("button", name="Search").click()
    expect(page.locator("table tbody tr").first).to_contain_text("Deactivated")
    desk.close()

    # --- The same admin pages on a phone --------------------------------------------------------------
    phone = browser.new_context(viewport=PHONE)
    mobile = phone.new_page()
    sign_in(mobile, portal, admin)
    for path in ("/staff", "/staff/add", "/staff/import", "/staff/invitations"):
        mobile.goto(f"{portal}{path}")
        phone_check(mobile)
    mobile.goto(f"{portal}/staff?q={people[2]['staff_number']}")
    mobile.get_by_role("link", name=people[2]["name"]).click()
    phone_check(mobile)
    mobile.get_by_role("link", name=f"Deactivate {people[2]['name']}").click()
    phone_check(mobile)
    mobile.goto(f"{portal}/staff/add")
    mobile.get_by_role("button", name="Add person").click()  # nothing filled in
    expect(mobile.get_by_role("alert")).to_contain_text("Enter their full name")
    phone_check(mobile, "nothing filled in")
    mobile.get_by_label("Full name").fill(f"Chloe Dunn {tag}")
    mobile.get_by_label("Email address").fill(f"chloe.{tag.lower()}@example.nhs.uk")
    mobile.get_by_role("button", name="Add person").click()
    expect(mobile.get_by_role("heading", level=1)).to_have_text(f"Chloe Dunn {tag}")
    expect(mobile.locator(".nhsuk-notification-banner")).to_contain_text("has been added")
    phone_check(mobile, "added")
    mobile.get_by_role("button", name="Send invitation").click()
    expect(mobile.locator("main")).to_contain_text(f"We have emailed an invitation to Chloe Dunn {tag}")
    phone_check(mobile)
    phone.close()
