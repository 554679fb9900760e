"""The Trust admin's staff pages, in process with Flask's test client and identity's answers scripted: what
each page shows, what it sends to identity (and what it never sends), and how every problem reads."""

from __future__ import annotations

import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest

from services.portal.app import create_app
from services.portal.backend import Answer, Backend, Call
from services.portal.settings import BACKENDS, PortalSettings
from tests.portal.scripted import CLOSED, FakeBackend

ADMIN_ID = "00000000-0000-0000-0000-0000000000ad"
NURSE_ID = "11111111-1111-1111-1111-111111111111"


def settings() -> PortalSettings:
    return PortalSettings(
        backend_urls={name: CLOSED for name in BACKENDS}, secret_key=b"k" * 32, api_timeout_seconds=1.0
    )


def portal_with(fake: FakeBackend):
    app = create_app(settings(), log_to_stdout=False)
    app.extensions["portal"] = fake
    return app.test_client()


def sign_in_as(client, roles=("trust_admin",), user_id=ADMIN_ID):
    with client.session_transaction() as session:
        session.update(
            {
                "token": "admin-token",
                "csrf": "known-csrf",
                "user": {
                    "user_id": user_id,
                    "name": "Priya Shah",
                    "trust_id": "t1",
                    "trust_name": "Leeds",
                    "roles": list(roles),
                    "expires_at": time.time() + 3600,
                },
            }
        )


def user(name="Amara Okafor", id_=NURSE_ID, **fields) -> dict:
    return {
        "id": id_,
        "email": "amara.okafor@example.nhs.uk",
        "name": name,
        "trust_id": "t1",
        "roles": ["staff"],
        "staff_number": "N1001",
        "professional_group": "Registered Nursing",
        "department": "Ward 12",
        "active": True,
        "password_set": False,
        "invited_at": None,
        "created_at": "2026-11-20T09:00:00+00:00",
        "updated_at": "2026-11-20T09:00:00+00:00",
        **fields,
    }


def listed(*people, total_pages=1, total=None) -> Answer:
    header = json.dumps(
        {
            "total": total if total is not None else len(people),
            "total_pages": total_pages,
            "page": 1,
            "first_page": 1,
            "last_page": total_pages,
        }
    )
    return Answer(200, list(people), {"X-Pagination": header})


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture
def fake():
    return FakeBackend()


@pytest.fixture
def client(fake):
    client = portal_with(fake)
    sign_in_as(client)
    return client


POST = {"csrf_token": "known-csrf"}


# --- The list ---------------------------------------------------------------------------------------


def test_the_staff_pages_are_not_found_for_anyone_but_a_trust_admin(fake):
    client = portal_with(fake)
    sign_in_as(client, roles=("staff", "supervisor", "lead"))
    for path in ("/staff", "/staff/add", "/staff/import", f"/staff/{NURSE_ID}", "/staff/passport-usage.csv"):
        assert client.get(path).status_code == 404, path
    assert fake.sent == []


def test_the_list_shows_each_person_with_roles_department_and_status_in_words(client, fake):
    fake.on(
        "GET",
        "/users",
        listed(
            user("Amara Okafor", password_set=True),
            user("Ben Carter", id_="b", invited_at="2026-11-29T10:00:00+00:00", roles=["staff", "supervisor"]),
            user("Chloe Dunn", id_="c"),
            user("Dev Patel", id_="d", active=False, department=None),
        ),
    )
    page = client.get("/staff")
    assert page.status_code == 200
    shown = text_of(page.text)
    for words in ("Amara Okafor", "N1001", "Ward 12", "Staff, Supervisor", "4 people"):
        assert words in shown
    statuses = re.findall(r"nhsuk-tag[^\"]*\"\s*>\s*([^<]+?)\s*<", page.text)
    assert statuses == ["Active", "Invited", "Not invited", "Deactivated"]
    for link in ("/staff/add", "/staff/import", "/staff/invitations", "/staff/passport-usage.csv"):
        assert f'href="{link}"' in page.text
    call, token = fake.sent[0]
    assert token == "admin-token"
    assert call.query["sort"] == "name" and call.query["page"] == 1


def test_search_and_filters_go_to_identity_and_stay_in_the_form_and_the_page_links(client, fake):
    fake.on("GET", "/users", listed(user(), total_pages=3, total=120))
    page = client.get("/staff?q=Oka&role=supervisor&department=Ward+12&page=2")
    query = fake.sent[0][0].query
    assert (query["q"], query["role"], query["department"], query["page"]) == ("Oka", "supervisor", "Ward 12", 2)
    assert 'value="Oka"' in page.text and 'value="Ward 12"' in page.text
    assert re.search(r'<option value="supervisor"\s+selected', page.text)
    assert "120 people found, page 2 of 3" in text_of(page.text)
    assert 'href="/staff?q=Oka&amp;role=supervisor&amp;department=Ward+12&amp;page=3"' in page.text
    assert "Show everyone" in page.text


def test_a_role_not_on_the_list_is_ignored_rather_than_sent(client, fake):
    fake.on("GET", "/users", listed())
    page = client.get("/staff?role=platform_admin")
    assert page.status_code == 200
    assert fake.sent[0][0].query["role"] is None
    assert "There is no one on the Trust's staff list yet" in page.text


def test_the_usage_export_is_streamed_through_as_an_attachment_with_the_admins_token(client, fake):
    csv_body = "\ufeffStaff number,Passport\r\nN1001,NRSS\r\n".encode()
    fake.on("GET", "/exports/passport-usage.csv", Answer(200, None, {"Content-Type": "text/csv"}, csv_body))
    answer = client.get("/staff/passport-usage.csv")
    assert answer.status_code == 200
    assert answer.headers["Content-Disposition"] == 'attachment; filename="passport-usage.csv"'
    assert answer.mimetype == "text/csv"
    assert answer.data == csv_body
    assert fake.sent[0][0].service == "metrics" and fake.sent[0][1] == "admin-token"


# --- Adding one person ----------------------------------------------------------------------------


def test_adding_a_person_sends_no_password_and_leads_to_their_page_to_invite_them(client, fake):
    fake.on(
        "POST",
        "/users",
        lambda call: Answer(
            201, user(**{k: v for k, v in call.body.items() if k != "roles"}, roles=call.body["roles"])
        ),
    )
    fake.on("GET", f"/users/{NURSE_ID}", Answer(200, user()))
    form = client.get("/staff/add")
    assert 'name="csrf_token"' in form.text and 'value="staff" checked' in form.text
    answer = client.post(
        "/staff/add",
        data={
            **POST,
            "name": " Amara Okafor ",
            "email": "amara.okafor@example.nhs.uk",
            "staff_number": "N1001",
            "department": "Ward 12",
            "roles": ["staff", "supervisor", "platform_admin"],
        },
    )
    assert answer.status_code == 302 and answer.headers["Location"] == f"/staff/{NURSE_ID}"
    body = fake.made("POST", "/users")[0].body
    assert body == {
        "email": "amara.okafor@example.nhs.uk",
        "name": "Amara Okafor",
        "roles": ["staff", "supervisor"],
        "staff_number": "N1001",
        "department": "Ward 12",
    }
    page = client.get(answer.headers["Location"])
    assert "Amara Okafor has been added" in page.text
    assert "Send invitation" in page.text


def test_adding_a_person_with_missing_details_shows_every_problem_and_keeps_what_was_typed(client, fake):
    answer = client.post("/staff/add", data={**POST, "name": "", "email": "not-an-email", "staff_number": "N77"})
    assert answer.status_code == 422
    for anchor, words in (
        ("#name", "Enter their full name"),
        ("#email", "Enter an email address in the right format"),
        ("#roles", "Select at least one role"),
    ):
        assert f'href="{anchor}"' in answer.text and words in answer.text
    assert 'value="not-an-email"' in answer.text and 'value="N77"' in answer.text
    assert fake.sent == []


@pytest.mark.parametrize(
    "detail, field, words",
    [
        ("A user with this email already exists.", "email", "already has an account with this email address"),
        (
            "A user with staff number N1001 already exists in this Trust.",
            "staff_number",
            "already has this staff number",
        ),
    ],
)
def test_a_duplicate_email_or_staff_number_is_shown_on_its_field(client, fake, detail, field, words):
    fake.on("POST", "/users", Answer(409, {"status": 409, "title": "Conflict", "detail": detail}))
    answer = client.post(
        "/staff/add",
        data={**POST, "name": "Amara Okafor", "email": "a@example.nhs.uk", "staff_number": "N1001", "roles": "staff"},
    )
    assert answer.status_code == 422
    assert f'href="#{field}"' in answer.text and words in answer.text
    assert 'value="Amara Okafor"' in answer.text


# --- A person's page: roles, invitation, deactivation ---------------------------------------------------


def test_a_persons_page_shows_their_details_and_what_can_be_done(client, fake):
    fake.on("GET", f"/users/{NURSE_ID}", Answer(200, user(invited_at="2026-11-29T10:00:00+00:00")))
    page = client.get(f"/staff/{NURSE_ID}")
    shown = text_of(page.text)
    for words in (
        "Amara Okafor",
        "amara.okafor@example.nhs.uk",
        "N1001",
        "Registered Nursing",
        "Ward 12",
        "Invited",
        "29 November 2026",
        "Send a new invitation",
        "Deactivate Amara Okafor",
    ):
        assert words in shown, words
    assert page.text.count('name="csrf_token"') >= 3  # sign out, invitation, roles


def test_another_trusts_person_is_not_found(client, fake):
    assert client.get(f"/staff/{NURSE_ID}").status_code == 404


def test_your_own_page_offers_no_role_change_or_deactivation(client, fake):
    fake.on(
        "GET",
        f"/users/{ADMIN_ID}",
        Answer(200, user("Priya Shah", id_=ADMIN_ID, roles=["trust_admin"], password_set=True)),
    )
    page = client.get(f"/staff/{ADMIN_ID}")
    assert "You cannot change your own roles" in page.text
    assert "Save roles" not in page.text and "/deactivate" not in page.text


def test_saving_roles_patches_only_the_roles(client, fake):
    fake.on("PATCH", f"/users/{NURSE_ID}", lambda call: Answer(200, user(roles=call.body["roles"])))
    answer = client.post(f"/staff/{NURSE_ID}/roles", data={**POST, "roles": ["staff", "educator"]})
    assert answer.status_code == 302
    assert fake.made("PATCH", f"/users/{NURSE_ID}")[0].body == {"roles": ["staff", "educator"]}


def test_no_role_at_all_is_refused_before_identity_is_asked(client, fake):
    fake.on("GET", f"/users/{NURSE_ID}", Answer(200, user(roles=["staff", "supervisor"])))
    answer = client.post(f"/staff/{NURSE_ID}/roles", data=POST)
    assert answer.status_code == 422 and "Select at least one role" in answer.text
    assert not fake.made("PATCH", f"/users/{NURSE_ID}")
    assert 'value="supervisor" checked' not in answer.text  # what was submitted (nothing), not what was saved


def test_a_role_change_identity_refuses_says_why_on_the_roles(client, fake):
    fake.on("GET", f"/users/{NURSE_ID}", Answer(200, user()))
    fake.on(
        "PATCH",
        f"/users/{NURSE_ID}",
        Answer(403, {"status": 403, "detail": "Only a platform admin may change a platform admin."}),
    )
    page = client.post(f"/staff/{NURSE_ID}/roles", data={**POST, "roles": ["staff", "lead"]})
    assert page.status_code == 422
    assert 'href="#roles"' in page.text and "Only a platform admin may change a platform admin." in page.text
    assert 'value="lead" checked' in page.text  # what was chosen is kept


def test_an_emailed_invitation_says_so(client, fake):
    fake.on(
        "POST",
        f"/users/{NURSE_ID}/invitation",
        Answer(
            201,
            {
                "user_id": NURSE_ID,
                "name": "Amara Okafor",
                "email": "amara.okafor@example.nhs.uk",
                "expires_at": "2026-12-08T09:00:00+00:00",
                "emailed": True,
                "link": None,
            },
        ),
    )
    page = client.post(f"/staff/{NURSE_ID}/invitation", data=POST)
    assert page.status_code == 200
    assert "We have emailed an invitation to Amara Okafor at amara.okafor@example.nhs.uk" in text_of(page.text)
    assert "8 December 2026" in page.text


def test_without_email_the_link_is_shown_once_to_hand_over(client, fake):
    link = "https://portal.example/set-password/abc123-secret"
    fake.on(
        "POST",
        f"/users/{NURSE_ID}/invitation",
        Answer(
            201,
            {
                "user_id": NURSE_ID,
                "name": "Amara Okafor",
                "email": "amara.okafor@example.nhs.uk",
                "expires_at": "2026-12-08T09:00:00+00:00",
                "emailed": False,
                "link": link,
            },
        ),
    )
    page = client.post(f"/staff/{NURSE_ID}/invitation", data=POST)
    shown = text_of(page.text)
    assert "Give Amara Okafor this link" in shown
    assert link in page.text and "portal-code--select" in page.text
    assert "It works once and expires on 8 December 2026" in shown
    assert "abc123-secret" not in client.get_cookie("skillpass_session").value  # shown, never kept


def test_a_deactivated_person_cannot_be_invited(client, fake):
    fake.on(
        "POST", f"/users/{NURSE_ID}/invitation", Answer(409, {"status": 409, "detail": "This user is deactivated."})
    )
    fake.on("GET", f"/users/{NURSE_ID}", Answer(200, user(active=False)))
    page = client.post(f"/staff/{NURSE_ID}/invitation", data=POST)
    assert page.status_code == 409 and "This user is deactivated." in page.text


def test_deactivating_a_leaver_asks_first_then_goes_back_to_the_list_with_a_banner(client, fake):
    fake.on("GET", f"/users/{NURSE_ID}", Answer(200, user()))
    fake.on("POST", f"/users/{NURSE_ID}/deactivate", Answer(200, user(active=False)))
    fake.on("GET", "/users", listed(user(active=False)))
    confirm = client.get(f"/staff/{NURSE_ID}/deactivate")
    shown = text_of(confirm.text)
    assert "Are you sure you want to deactivate Amara Okafor (N1001)?" in shown
    assert "will no longer be able to sign in and will be taken off the roster" in shown
    assert not fake.made("POST", f"/users/{NURSE_ID}/deactivate")
    assert client.post(f"/staff/{NURSE_ID}/deactivate", data={}).status_code == 400  # no CSRF token: nothing done
    assert not fake.made("POST", f"/users/{NURSE_ID}/deactivate")
    done = client.post(f"/staff/{NURSE_ID}/deactivate", data=POST)
    assert done.status_code == 302 and done.headers["Location"] == "/staff"
    assert len(fake.made("POST", f"/users/{NURSE_ID}/deactivate")) == 1
    listing = client.get("/staff")
    assert "Amara Okafor has been deactivated" in listing.text and "nhsuk-notification-banner" in listing.text


# --- Import and invitations ------------------------------------------------------------------------------

REPORT = {
    "created": 147,
    "updated": 0,
    "unchanged": 0,
    "rejected": [
        {"row": 12, "errors": {"email": ["Not a valid email address."]}},
        {
            "row": 4,
            "errors": {"staff_number": ["Missing data for required field."], "roles": ["Unknown role: matron."]},
        },
        {"row": 90, "errors": {"email": ["Already used by another row."]}},
    ],
}


def upload(content: bytes, filename="staff.csv"):
    import io

    return {**POST, "file": (io.BytesIO(content), filename)}


def test_an_import_forwards_the_file_as_csv_and_reports_what_happened_line_by_line(client, fake):
    content = b"staff_number,name,email,professional_group,roles,department\r\nN1,A B,a@example.nhs.uk,,,\r\n"
    fake.on("POST", "/users/import", Answer(200, REPORT))
    fake.on(
        "GET",
        "/users",
        listed(user("New Person", id_="n1"), user("Invited Already", id_="n2", invited_at="2026-11-30T09:00:00Z")),
    )
    page = client.post("/staff/import", data=upload(content), content_type="multipart/form-data")
    assert page.status_code == 200
    sent = fake.made("POST", "/users/import")[0]
    assert sent.body == content and sent.content_type.startswith("text/csv")
    shown = text_of(page.text)
    assert "147 added, 0 updated, 0 unchanged, 3 rows not imported" in shown
    lines = re.findall(r"Line </span>(\d+)</td>", page.text)
    assert lines == ["4", "12", "90"]
    assert "Staff number: Missing data for required field." in shown and "Roles: Unknown role: matron." in shown
    assert "Email address: Not a valid email address." in shown
    query = fake.made("GET", "/users")[0].query
    assert query["password_set"] == "false"
    assert "Invite 1 person" in shown  # the one already invited is not counted


@pytest.mark.parametrize(
    "status, body, words",
    [
        (
            422,
            {
                "status": 422,
                "errors": {
                    "file": [
                        (
                            "The first line must be the header "
                            "staff_number,name,email,professional_group,roles,department."
                        )
                    ]
                },
            },
            "The first line must be the header",
        ),
        (400, {"status": 400, "detail": "The file is not UTF-8 text."}, "must be a CSV file saved as UTF-8"),
        (415, {"status": 415, "detail": "Send text/csv."}, "must be a CSV file"),
        (413, {"status": 413, "detail": "Too large."}, "must be smaller than 5 MB"),
    ],
)
def test_a_file_identity_cannot_read_is_shown_on_the_file_field(client, fake, status, body, words):
    fake.on("POST", "/users/import", Answer(status, body))
    page = client.post("/staff/import", data=upload(b"name\r\nA\r\n"), content_type="multipart/form-data")
    assert page.status_code == status
    assert "There is a problem" in page.text and 'href="#file"' in page.text and words in page.text
    assert "nhsuk-form-group--error" in page.text


def test_no_file_or_an_empty_one_is_refused_before_identity_is_asked(client, fake):
    nothing = client.post("/staff/import", data=POST, content_type="multipart/form-data")
    assert nothing.status_code == 422 and "Select a CSV file of your staff" in nothing.text
    empty = client.post("/staff/import", data=upload(b""), content_type="multipart/form-data")
    assert empty.status_code == 422 and "The selected file is empty" in empty.text
    assert fake.sent == []


def test_a_file_of_5_mib_is_forwarded_and_a_larger_one_is_refused_in_words(client, fake):
    fake.on("POST", "/users/import", Answer(200, {"created": 0, "updated": 0, "unchanged": 0, "rejected": []}))
    five = b"x" * (5 * 1024 * 1024)
    assert client.post("/staff/import", data=upload(five), content_type="multipart/form-data").status_code == 200
    assert len(fake.made("POST", "/users/import")[0].body) == len(five)
    over = client.post("/staff/import", data=upload(five + b"x" * 1024), content_type="multipart/form-data")
    assert over.status_code == 413 and "must be smaller than 5 MB" in over.text
    assert len(fake.made("POST", "/users/import")) == 1


def test_inviting_everyone_invites_only_the_active_people_never_invited(client, fake):
    fake.on(
        "GET",
        "/users",
        listed(
            user("New One", id_="n1"),
            user("New Two", id_="n2"),
            user("Invited", id_="n3", invited_at="2026-11-30T09:00:00Z"),
            user("Left", id_="n4", active=False),
        ),
    )
    fake.on(
        "POST",
        "/users/invitations",
        lambda call: Answer(
            200,
            {
                "invitations": [
                    {
                        "user_id": id_,
                        "name": f"Person {id_}",
                        "email": f"{id_}@example.nhs.uk",
                        "expires_at": "2026-12-08T09:00:00+00:00",
                        "emailed": True,
                        "link": None,
                    }
                    for id_ in call.body["user_ids"]
                ]
            },
        ),
    )
    confirm = client.get("/staff/invitations")
    assert "2 people have no password and no invitation yet" in text_of(confirm.text)
    assert not fake.made("POST", "/users/invitations")
    page = client.post("/staff/invitations", data=POST)
    assert fake.made("POST", "/users/invitations")[0].body == {"user_ids": ["n1", "n2"]}
    assert "We have emailed invitations to 2 people" in text_of(page.text)


def test_inviting_everyone_when_everyone_is_invited_says_so(client, fake):
    fake.on("GET", "/users", listed(user(invited_at="2026-11-30T09:00:00Z")))
    answer = client.post("/staff/invitations", data=POST)
    assert answer.status_code == 302
    assert "Everyone has been invited already" in client.get("/staff").text
    assert not fake.made("POST", "/users/invitations")


# --- The backend sends a file as it is, and streams one back ---------------------------------------------


class _Recorder(BaseHTTPRequestHandler):
    received: ClassVar[list] = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append((self.headers["Content-Type"], self.headers["Authorization"], body))
        self._reply(b'{"created": 1}', "application/json")

    def do_GET(self):
        self._reply(b"a,b\r\n1,2\r\n", "text/csv")

    def _reply(self, data: bytes, content_type: str):
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


def test_the_backend_sends_a_csv_body_as_it_is_and_streams_a_file_back():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        backend = Backend({"identity": f"http://127.0.0.1:{server.server_port}"}, timeout=5)
        content = "staff_number,name\r\nN1,Zoë Ní Bhriain\r\n"
        answer = backend.call(Call("identity", "POST", "/users/import", body=content, content_type="text/csv"), "tok")
        assert answer.body == {"created": 1}
        assert _Recorder.received[-1] == ("text/csv", "Bearer tok", content.encode())
        streamed = backend.open(Call("identity", "GET", "/file.csv"), "tok")
        assert b"".join(streamed.stream(4)) == b"a,b\r\n1,2\r\n"
        streamed.release_conn()
    finally:
        server.shutdown()
        server.server_close()


# --- Against the real identity service, without email: links handed over -------------------------------


@pytest.fixture
def real_identity(sqlite_url):
    """Identity's own app on a real database, served over HTTP on a free port, with no SMTP server: the
    links come back to the portal to be handed over."""
    from werkzeug.serving import make_server

    from tests.identity.conftest import make_identity

    identity = make_identity(sqlite_url, SKILLPASS_PUBLIC_BASE_URL="https://portal.example")
    server = make_server("127.0.0.1", 0, identity.client.application, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    identity.url = f"http://127.0.0.1:{server.server_port}"
    yield identity
    server.shutdown()
    thread.join(timeout=10)


def csrf_in(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def portal_signed_in(identity_url: str, email: str, password: str):
    urls = {name: CLOSED for name in BACKENDS} | {"identity": identity_url}
    client = create_app(
        PortalSettings(backend_urls=urls, secret_key=b"k" * 32, api_timeout_seconds=10.0), log_to_stdout=False
    ).test_client()
    form = client.get("/sign-in")
    answer = client.post("/sign-in", data={"csrf_token": csrf_in(form.text), "email": email, "password": password})
    assert answer.status_code == 302, answer.text
    return client


def test_an_import_then_invitations_handed_over_then_a_password_set_through_the_real_identity(real_identity):
    import io

    trust = real_identity.new_trust()
    admin = real_identity.new_user(trust["id"], roles=("trust_admin",), name="Priya Shah")
    client = portal_signed_in(real_identity.url, admin["email"], admin["password"])
    csrf = csrf_in(client.get("/staff/import").text)
    content = (
        "staff_number,name,email,professional_group,roles,department\r\n"
        "R1,Amara Okafor,amara.okafor@example.nhs.uk,Registered Nursing,staff,Ward 12\r\n"
        "R2,Ben Carter,not-an-email,Registered Nursing,staff,Ward 12\r\n"
        "R3,Chloe Dunn,chloe.dunn@example.nhs.uk,Registered Nursing,staff;supervisor,Theatres\r\n"
    )
    report = client.post(
        "/staff/import",
        data={"csrf_token": csrf, "file": (io.BytesIO(content.encode()), "staff.csv")},
        content_type="multipart/form-data",
    )
    assert report.status_code == 200, report.text
    assert "2 added, 0 updated, 0 unchanged, 1 row not imported" in text_of(report.text)
    assert re.findall(r"Line </span>(\d+)</td>", report.text) == ["3"]
    assert "Invite 2 people" in text_of(report.text)

    listing = client.get("/staff?q=Chloe")
    assert "Chloe Dunn" in listing.text and "Amara Okafor" not in listing.text and "Not invited" in listing.text

    sent = client.post("/staff/invitations", data={"csrf_token": csrf})
    assert sent.status_code == 200, sent.text
    handed_over = dict(
        re.findall(
            r'<h2 class="nhsuk-heading-s">([^<]+)</h2>.*?'
            r"(https://portal\.example/set-password/[A-Za-z0-9_.~%-]+)",
            sent.text,
            re.DOTALL,
        )
    )
    assert set(handed_over) == {"Amara Okafor", "Chloe Dunn"} and "Give each person their link" in sent.text
    assert "Invited" in client.get("/staff?q=Amara").text

    path = handed_over["Amara Okafor"].removeprefix("https://portal.example")
    nurse = create_app(
        PortalSettings(
            backend_urls={name: CLOSED for name in BACKENDS} | {"identity": real_identity.url}, secret_key=b"k" * 32
        ),
        log_to_stdout=False,
    ).test_client()
    form = nurse.get(path)
    assert form.status_code == 200 and "Amara Okafor" in form.text
    weak = nurse.post(path, data={"csrf_token": csrf_in(form.text), "password": "short", "confirm_password": "short"})
    assert weak.status_code == 422 and 'href="#password"' in weak.text
    done = nurse.post(
        path,
        data={
            "csrf_token": csrf_in(form.text),
            "password": "plum kettle harbour lantern",
            "confirm_password": "plum kettle harbour lantern",
        },
    )
    assert done.status_code == 302 and "Sign in with amara.okafor@example.nhs.uk" in nurse.get("/sign-in").text
    assert real_identity.token("amara.okafor@example.nhs.uk", "plum kettle harbour lantern")
    again = nurse.get(path)
    assert again.status_code == 410 and "This link has already been used" in again.text
    assert "Active" in client.get("/staff?q=Amara").text
