"""Screenshots of the portal's real pages for the README (`make screenshots`).

Starts the platform as real processes on the local RabbitMQ and PostgreSQL (fresh vhost and databases,
as the tests do), sets up a Trust, a nurse, a supervisor, a Trust admin and a lead through the APIs, then
photographs each page in Debian's chromium: a phone (390×844) for the nurse and the public check, a desk
(1280 wide) for the others. The PNGs go to docs/screenshots/.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path

from playwright.sync_api import sync_playwright

from tests.browser.conftest import add_person
from tests.browser.support import DESKTOP, PHONE, sign_in
from tests.support.infra import start_broker, start_database_server
from tests.support.journey import SERVICES, Trust
from tests.support.stack import Api, Stack, eventually, free_port

OUT = Path(__file__).resolve().parent / "screenshots"


def main() -> int:
    import contextlib

    with contextlib.ExitStack() as infrastructure, tempfile.TemporaryDirectory() as logs:
        broker = start_broker(infrastructure)
        amqp_url = infrastructure.enter_context(broker.fresh_vhost_url())
        stack = Stack(amqp_url, start_database_server(infrastructure), Path(logs))
        stack.ports["portal"] = free_port()
        try:
            for service in SERVICES:
                stack.start_service(service, SKILLPASS_PUBLIC_BASE_URL=stack.url("portal"))
            stack.start(
                "portal", "web", **{f"{n.upper()}_URL": stack.url(n) for n in SERVICES}, SKILLPASS_DATA_DIR=logs
            )
            stack.wait_ready("portal")
            photograph(stack)
        finally:
            stack.stop()
    print(f"screenshots written to {OUT}")
    return 0


def photograph(stack: Stack) -> None:
    trust = Trust(stack, name="Leeds Teaching Hospitals NHS Trust")
    nurse = add_person(trust, "Amara Okafor", "staff")
    supervisor = add_person(trust, "Grace Hopwood", "supervisor")
    token = Api(stack.url("identity")).sign_in(nurse["email"], nurse["password"])
    passport_api, signoff_api = Api(stack.url("passport"), token), Api(stack.url("signoff"), token)
    passport = passport_api.post("/passports", {"passport_type": "NRSS"}).json()
    detail = passport_api.get(f"/passports/{passport['id']}").json()
    codes = [skill["code"] for domain in detail["domains"] for skill in domain["skills"]]
    for code in codes[:30]:
        passport_api.put(f"/passports/{passport['id']}/skills/{code}/self-assessment", {"level": "independent"})
    passport_api.post(
        f"/passports/{passport['id']}/skills/{codes[0]}/learning",
        {"kind": "face_to_face", "status": "attended", "date": "2026-11-27", "hours": 3},
    )
    eventually(
        lambda: signoff_api.post("/signoff-requests", {"passport_id": passport["id"], "skill_codes": codes[:30]}),
        lambda answer: answer.status_code == 201,
    )
    portal = stack.url("portal")
    OUT.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=shutil.which("chromium"), args=["--no-sandbox"])
        phone = browser.new_context(viewport=PHONE).new_page()
        phone.goto(f"{portal}/sign-in")
        shot(phone, "sign-in")
        sign_in(phone, portal, nurse)
        phone.goto(f"{portal}/passports/{passport['id']}")
        shot(phone, "passport", full=False)
        phone.goto(f"{portal}/passports/{passport['id']}/skills/{codes[30]}/self-assessment")
        shot(phone, "self-assessment")
        phone.get_by_role("button", name="Save and continue").click()
        shot(phone, "self-assessment-error", full=False)
        phone.goto(f"{portal}/passports/{passport['id']}/skills/{codes[0]}/learning")
        shot(phone, "learning")

        desk = browser.new_context(viewport=DESKTOP).new_page()
        sign_in(desk, portal, supervisor)
        desk.goto(f"{portal}/sign-off-requests")
        shot(desk, "sign-off-requests")
        desk.goto(f"{portal}/passports/{passport['id']}/sign-off")
        shot(desk, "sign-off", full=False)
        desk.goto(f"{portal}/passports/{passport['id']}/skills/{codes[1]}/decision")
        shot(desk, "decision")

        for code in codes[30:]:
            passport_api.put(f"/passports/{passport['id']}/skills/{code}/self-assessment", {"level": "independent"})
        supervisor_token = Api(stack.url("identity")).sign_in(supervisor["email"], supervisor["password"])
        decisions = [{"skill_code": code, "outcome": "proficient", "comment": "Observed on shift"} for code in codes]
        eventually(
            lambda: Api(stack.url("signoff"), supervisor_token).post(
                "/signoffs/bulk", {"passport_id": passport["id"], "signoffs": decisions}
            ),
            lambda answer: answer.status_code == 201,
        )
        certificates = Api(stack.url("certificate"), token)
        issued = eventually(lambda: certificates.get(f"/certificates?staff_id={nurse['id']}").json(), bool)
        phone.goto(f"{portal}/certificates")
        shot(phone, "certificates")
        public = browser.new_context(viewport=PHONE).new_page()
        public.goto(f"{portal}/certificates/{issued[0]['id']}/verify")
        shot(public, "verify")
        photograph_leading(stack, trust, browser.new_context(viewport=DESKTOP).new_page())
        browser.close()


STAFF_FILE = """staff_number,name,email,professional_group,roles,department
T2001,Olivia Bennett,olivia.bennett@example.nhs.uk,Registered nurse,staff,Theatres
T2002,Kwame Mensah,kwame.mensah@example.nhs.uk,Registered nurse,staff,Recovery
T2003,Hannah Lewis,hannah.lewis@example,Operating department practitioner,staff,Theatres
T2004,Ravi Patel,ravi.patel@example.nhs.uk,Healthcare support worker,staff;supervisor,Cath labs
"""


def photograph_leading(stack: Stack, trust: Trust, desk) -> None:
    """A Trust admin's import report and staff list; a lead's cohort, plan and dashboard."""
    portal = stack.url("portal")
    admin = add_person(trust, "Priya Shah", "trust_admin")
    sign_in(desk, portal, admin)
    with tempfile.TemporaryDirectory() as folder:
        staff_file = Path(folder) / "staff.csv"
        staff_file.write_text(STAFF_FILE)
        desk.goto(f"{portal}/staff/import")
        desk.locator("input[type=file]").set_input_files(str(staff_file))
        desk.get_by_role("button", name="Import staff").click()
    shot(desk, "staff-import")
    desk.goto(f"{portal}/staff")
    shot(desk, "staff", full=False)
    desk.get_by_role("button", name="Sign out").click()

    lead = add_person(trust, "Deborah Adeyemi", "lead", "workforce")
    sign_in(desk, portal, lead)
    desk.goto(f"{portal}/plan")
    desk.get_by_role("button", name="Load the toolkit's example plan").click()
    plan_id = (
        Api(stack.url("planning"), Api(stack.url("identity")).sign_in(lead["email"], lead["password"]))
        .get("/plans")
        .json()[0]["id"]
    )
    desk.goto(f"{portal}/plan/{plan_id}/stakeholders")
    shot(desk, "stakeholders")
    desk.goto(f"{portal}/plan/{plan_id}/drivers")
    shot(desk, "drivers")
    desk.goto(f"{portal}/cohort")
    shot(desk, "cohort", full=False)
    enter_satisfaction_scores(stack, lead)
    desk.goto(f"{portal}/dashboard")
    shot(desk, "dashboard", full=False)
    desk.locator("table.portal-glance").screenshot(path=str(OUT / "measures-at-a-glance.png"))
    desk.locator(".portal-dashboard-block", has_text="Satisfaction").screenshot(path=str(OUT / "measure-chart.png"))
    print("  measures-at-a-glance.png\n  measure-chart.png")
    desk.get_by_role("link", name="Enter values").first.click()
    shot(desk, "measure-values", full=False)


# Twenty weeks of a staff survey score around 6.5 out of 10, then four weeks near 9 after a change.
SATISFACTION = [6, 7, 6.5, 7, 6, 6.5, 7, 6, 7, 6.5, 6, 7, 6.5, 6, 7, 6.5, 7, 6, 6.5, 7, 8.5, 9, 8.5, 9]


def enter_satisfaction_scores(stack: Stack, lead: dict) -> None:
    """The example plan's staff satisfaction measure (no metric) with 24 weekly scores, as a lead enters them."""
    token = Api(stack.url("identity")).sign_in(lead["email"], lead["password"])
    metrics = Api(stack.url("metrics"), token)
    trust_id = Api(stack.url("identity"), token).get("/users/me").json()["trust_id"]
    measures = eventually(
        lambda: metrics.get(f"/trusts/{trust_id}/dashboard").json()["measures"],
        lambda found: any(m["entered"] for m in found),
    )
    measure = next(m for m in measures if m["entered"])
    this_monday = date.today() - timedelta(days=date.today().weekday())
    for weeks_ago, score in zip(range(len(SATISFACTION), 0, -1), SATISFACTION):
        week = (this_monday - timedelta(weeks=weeks_ago)).isoformat()
        saved = metrics.put(f"/measures/{measure['measure_id']}/values/{week}", {"value": score, "note": None})
        assert saved.status_code == 200, saved.text


def shot(page, name: str, full: bool = True) -> None:
    page.screenshot(path=str(OUT / f"{name}.png"), full_page=full)
    print(f"  {name}.png")


if __name__ == "__main__":
    sys.exit(main())
