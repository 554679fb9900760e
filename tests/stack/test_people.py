"""People across the platform as real processes (DESIGN §8): a name changed in identity reaches the roster,
the sign-off queue, the certificates and the export; a leaver drops off the roster and out of the queue."""

from __future__ import annotations

import csv
import io
import uuid

import pytest

from tests.support.journey import PASSPORT_TYPE, Journey, Member, Trust, complete, self_assessed
from tests.support.stack import eventually

pytestmark = pytest.mark.stack

EVENTS_TIMEOUT = 60


@pytest.fixture(scope="module")
def stack_amqp_url(broker):
    """A vhost of this module's own: the platform's queues are shared with no other test's services."""
    with broker.fresh_vhost_url() as url:
        yield url


def request_signoff(journey: Journey, skill_code: str) -> dict:
    """The holder asks for sign-off; passport.started and the self-assessment may still be on their way
    to the sign-off service (404, 409)."""
    signoff = journey.nurse.api("signoff")
    body = {"passport_id": journey.passport_id, "skill_codes": [skill_code]}
    response = eventually(
        lambda: signoff.post("/signoff-requests", body),
        lambda r: r.status_code not in (404, 409),
        timeout=EVENTS_TIMEOUT,
    )
    assert response.status_code == 201, response.text
    return response.json()


def renewal_with_open_request(journey: Journey) -> dict:
    """The certified nurse starts the same passport again (a renewal), self-assesses a skill and asks for
    its sign-off: an open request while the certificate keeps them eligible."""
    passport = journey.nurse.api("passport")
    started = passport.post("/passports", {"passport_type": PASSPORT_TYPE})
    assert started.status_code == 201, started.text
    renewal = Journey(journey.nurse, started.json()["id"], journey.skills)
    code = journey.skills[0]
    assessed = passport.put(f"/passports/{renewal.passport_id}/skills/{code}/self-assessment", {"level": "independent"})
    assert assessed.status_code == 200, assessed.text
    return request_signoff(renewal, code)


def rename(trust: Trust, member: Member, name: str, staff_number: str) -> None:
    response = trust.admin.api("identity").patch(f"/users/{member.id}", {"name": name, "staff_number": staff_number})
    assert response.status_code == 200, response.text


def roster_entry(trust: Trust, member: Member) -> dict | None:
    response = trust.lead.api("planning").get(f"/roster?staff_id={member.id}&role={PASSPORT_TYPE}")
    assert response.status_code == 200, response.text
    return next(iter(response.json()), None)


def signoff_requests(trust: Trust, status: str) -> dict[str, dict]:
    response = trust.supervisor.api("signoff").get(f"/signoff-requests?status={status}&page_size=100")
    assert response.status_code == 200, response.text
    return {request["id"]: request for request in response.json()}


def named(item: dict | None) -> tuple | None:
    return (item["staff_name"], item["staff_number"]) if item else None


def test_names_follow_identity_and_a_leaver_leaves_the_roster_and_the_queue(platform):
    trust = Trust(platform, "People Trust")
    certified = complete(trust)
    nurse = certified.nurse
    eventually(
        lambda: roster_entry(trust, nurse),
        lambda entry: entry and entry["status"] == "eligible",
        timeout=EVENTS_TIMEOUT,
    )
    nurse_request = renewal_with_open_request(certified)
    colleague_journey = self_assessed(trust)
    colleague = colleague_journey.nurse
    colleague_request = request_signoff(colleague_journey, colleague_journey.skills[0])

    # --- A name and staff number changed in identity reach every list that shows the person ---------------
    suffix = uuid.uuid4().hex[:6].upper()
    new_nurse, new_colleague = ("Amara Okafor", f"N{suffix}"), ("Bea Lindqvist", f"C{suffix}")
    rename(trust, nurse, *new_nurse)
    rename(trust, colleague, *new_colleague)

    entry = eventually(
        lambda: roster_entry(trust, nurse), lambda entry: named(entry) == new_nurse, timeout=EVENTS_TIMEOUT
    )
    assert entry["staff_id"] == nurse.id and entry["status"] == "eligible"
    history = trust.lead.api("planning").get(f"/roster/history?staff_id={nurse.id}&role={PASSPORT_TYPE}").json()
    assert {named(change) for change in history} == {new_nurse}

    queue = eventually(
        lambda: signoff_requests(trust, "open"),
        lambda open_requests: (
            named(open_requests.get(nurse_request["id"])) == new_nurse
            and named(open_requests.get(colleague_request["id"])) == new_colleague
        ),
        timeout=EVENTS_TIMEOUT,
    )
    assert queue[colleague_request["id"]]["holder_id"] == colleague.id

    certificates = trust.admin.api("certificate")
    [certificate] = eventually(
        lambda: certificates.get(f"/certificates?staff_id={nurse.id}").json(),
        lambda found: len(found) == 1 and named(found[0]) == new_nurse,
        timeout=EVENTS_TIMEOUT,
    )
    single = certificates.get(f"/certificates/{certificate['id']}").json()
    assert named(single) == new_nurse and single["holder_name"] == new_nurse[0]

    def exported_rows():
        response = trust.admin.api("metrics").get("/exports/passport-usage.csv")
        assert response.status_code == 200, response.text
        return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))

    rows = eventually(
        exported_rows,
        lambda rows: any(
            row["Staff ID"] == nurse.id and (row["Staff name"], row["Staff number"]) == new_nurse for row in rows
        ),
        timeout=EVENTS_TIMEOUT,
    )
    assert all((row["Staff name"], row["Staff number"]) == new_nurse for row in rows if row["Staff ID"] == nurse.id)

    # --- A leaver: ineligible on the roster (reason left), their open request closed and out of the queue ---
    deactivated = trust.admin.api("identity").patch(f"/users/{nurse.id}", {"active": False})
    assert deactivated.status_code == 200, deactivated.text

    entry = eventually(
        lambda: roster_entry(trust, nurse), lambda entry: entry["status"] == "ineligible", timeout=EVENTS_TIMEOUT
    )
    assert (entry["reason"], entry["certificate_id"]) == ("left", certificate["id"])
    closed = eventually(
        lambda: signoff_requests(trust, "closed"), lambda found: nurse_request["id"] in found, timeout=EVENTS_TIMEOUT
    )
    assert (closed[nurse_request["id"]]["status"], closed[nurse_request["id"]]["closed_reason"]) == ("closed", "left")
    still_open = signoff_requests(trust, "open")
    assert nurse_request["id"] not in still_open and colleague_request["id"] in still_open
    # The leaver's certificate stays as the record it is.
    assert certificates.get(f"/certificates/{certificate['id']}").json()["status"] == "valid"
