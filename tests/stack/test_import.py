"""Onboarding a whole Trust on the running platform: a CSV of its people through identity's real web process,
their user.registered events on the real bus, and the same file again changing and publishing nothing.
And an invitation emailed by identity's real worker to a real SMTP server."""

from __future__ import annotations

import json
import uuid

import pytest

from tests.identity.test_invitations_api import Inbox
from tests.support.journey import Trust
from tests.support.stack import ADMIN_EMAIL, ADMIN_PASSWORD, Api, eventually

pytestmark = pytest.mark.stack

HEADER = "staff_number,name,email,professional_group,roles,department"
DEPARTMENTS = ("Critical care", "Theatres", "Recovery", "Cath lab", "Ward 12")
# Lines of the file (the header is line 1) that break a rule, and the field each names.
BAD_LINES = {20: "name", 77: "email", 140: "roles"}


@pytest.fixture(scope="module")
def stack_amqp_url(broker):
    """A vhost of this module's own: the platform's queues are shared with no other test's services."""
    with broker.fresh_vhost_url() as url:
        yield url


def staff_file(prefix: str) -> tuple[str, set[str]]:
    """150 people; the lines in BAD_LINES are wrong. The good rows' staff numbers come back too."""
    lines, good = [HEADER], set()
    for index in range(150):
        line = index + 2
        number = f"{prefix}{index:03d}"
        name, email, roles = f"Person {index}", f"{prefix.lower()}{index}@example.nhs.uk", "staff"
        if index % 10 == 0:
            roles = "staff;supervisor"
        if BAD_LINES.get(line) == "name":
            name = ""
        elif BAD_LINES.get(line) == "email":
            email = "not an email"
        elif BAD_LINES.get(line) == "roles":
            roles = "staff;matron"
        else:
            good.add(number)
        group = "Nursing" if index % 3 else "Healthcare support worker"
        lines.append(f"{number},{name},{email},{group},{roles},{DEPARTMENTS[index % len(DEPARTMENTS)]}")
    return "\r\n".join(lines) + "\r\n", good


def import_file(admin: Api, text: str) -> dict:
    response = admin.http.post(
        f"{admin.base_url}/users/import",
        data=text.encode(),
        headers={"Content-Type": "text/csv", "Authorization": f"Bearer {admin.bearer}"},
        timeout=120,
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_a_trust_imports_150_people_once_and_the_same_file_again_publishes_nothing(platform, tap):
    trust = Trust(platform, "Import Trust")
    admin = trust.admin.api("identity")
    prefix = "IM" + uuid.uuid4().hex[:4].upper()
    text, good = staff_file(prefix)

    result = import_file(admin, text)
    assert (result["created"], result["updated"], result["unchanged"]) == (147, 0, 0)
    assert {r["row"]: list(r["errors"]) for r in result["rejected"]} == {line: [f] for line, f in BAD_LINES.items()}

    def ours(event_type):
        def matches(message):
            envelope = message.envelope
            return (
                message.routing_key == event_type
                and envelope.get("trustid") == trust.id
                and str(envelope["data"].get("staff_number") or "").startswith(prefix)
            )

        return matches

    registered = tap.wait_for(ours("user.registered"), count=147, timeout=90)
    assert {m.envelope["data"]["staff_number"] for m in registered} == good
    assert {m.envelope["data"]["department"] for m in registered} == set(DEPARTMENTS)

    again = import_file(admin, text)
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 147)
    assert [r["row"] for r in again["rejected"]] == sorted(BAD_LINES)

    # A later change is the sentinel: identity's relay publishes in commit order, so once it has arrived
    # anything the second import had published would have arrived before it.
    listed = admin.get(f"/users?q={prefix}005").json()
    [sentinel] = [u for u in listed if u["staff_number"] == f"{prefix}005"]
    patched = admin.patch(f"/users/{sentinel['id']}", {"department": "Discharge lounge"})
    assert patched.status_code == 200, patched.text
    tap.wait_for(lambda m: m.routing_key == "user.updated" and m.envelope["subject"] == sentinel["id"], timeout=60)

    of_the_file = [m for m in tap.received if ours("user.registered")(m) or ours("user.updated")(m)]
    assert len(of_the_file) == 148
    assert [m.envelope["subject"] for m in of_the_file if m.routing_key == "user.updated"] == [sentinel["id"]]
    assert of_the_file[-1].routing_key == "user.updated"

    for query, total in ((f"q={prefix}", 147), (f"q={prefix}&password_set=false", 147), ("department=Theatres", 30)):
        response = admin.get(f"/users?{query}")
        assert response.status_code == 200, response.text
        assert json.loads(response.headers["X-Pagination"])["total"] == total, query


@pytest.fixture
def inbox():
    server = Inbox()
    server.controller.start()
    yield server
    server.controller.stop()


def test_the_identity_worker_emails_an_invitation_whose_link_sets_the_password(stack, inbox):
    portal = "https://passports.example.nhs.uk"
    stack.start_service("identity", SMTP_URL=inbox.url, SKILLPASS_PUBLIC_BASE_URL=portal)
    identity = Api(stack.url("identity"))
    platform_admin = identity.as_user(identity.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD))
    trust = platform_admin.post("/trusts", {"name": "Mail Trust", "ods_code": "RM" + uuid.uuid4().hex[:3].upper()})
    person = platform_admin.post(
        "/users",
        {"email": "invitee@example.nhs.uk", "name": "Ina Vitee", "trust_id": trust.json()["id"], "roles": ["staff"]},
    ).json()
    invitation = platform_admin.post(f"/users/{person['id']}/invitation")
    assert invitation.status_code == 201 and invitation.json()["emailed"] is True and invitation.json()["link"] is None

    eventually(lambda: list(inbox.messages), bool, timeout=30)
    [message] = inbox.messages
    assert message["To"] == "invitee@example.nhs.uk"
    text = message.get_payload(decode=True).decode()
    link = next(word for word in text.split() if word.startswith(portal))
    token = link.rsplit("/", 1)[1]

    assert identity.get(f"/auth/links/{token}").json()["name"] == "Ina Vitee"
    assert identity.post(f"/auth/links/{token}", {"password": "a passphrase of my own"}).status_code == 200
    assert identity.sign_in("invitee@example.nhs.uk", "a passphrase of my own")
    for process in stack.processes:
        assert token not in process.log_path.read_text(errors="replace"), f"the token is in {process.name}'s log"
