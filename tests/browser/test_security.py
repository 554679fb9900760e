"""The portal against the real platform, as an attacker or a curious colleague would try it: forms
without their CSRF token, another person's or another Trust's passport by an edited address, the API
token looked for in every page, and the public verify address asked for JSON."""

from __future__ import annotations

import re
import uuid

import pytest
import requests

from tests.browser.conftest import add_person
from tests.support.journey import Trust
from tests.support.stack import Api

pytestmark = pytest.mark.browser
JWT = re.compile(r"eyJ[\w-]{10,}\.eyJ[\w-]{10,}")


class Visitor:
    """Someone using the portal with a plain HTTP client (cookies kept, no JavaScript)."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.http = requests.Session()
        self.pages: list[requests.Response] = []

    def get(self, path: str, **kwargs) -> requests.Response:
        response = self.http.get(self.base_url + path, timeout=15, **kwargs)
        self.pages.append(response)
        return response

    def post(self, path: str, data: dict, csrf: bool = True) -> requests.Response:
        if csrf:
            data = {**data, "csrf_token": self.csrf()}
        response = self.http.post(self.base_url + path, data=data, timeout=15)
        self.pages.append(response)
        return response

    def csrf(self) -> str:
        return re.search(r'name="csrf_token" value="([^"]+)"', self.get("/sign-in").text).group(1)

    def sign_in(self, person: dict) -> None:
        answer = self.post("/sign-in", {"email": person["email"], "password": person["password"], "next": "/"})
        assert answer.status_code == 200 and person["name"] in answer.text, answer.text[:500]


@pytest.fixture
def two_trusts(platform, trust):
    other = Trust(platform, name=f"Other Trust {uuid.uuid4().hex[:6]}")
    nurse = add_person(trust, "Amara Okafor", "staff")
    colleague = add_person(trust, "Ben Carter", "staff")
    supervisor = add_person(other, "Other Supervisor", "supervisor")
    nurse_api = Api(platform.url("passport"), Api(platform.url("identity")).sign_in(nurse["email"], nurse["password"]))
    started = nurse_api.post("/passports", {"passport_type": "NRSS"})
    assert started.status_code == 201, started.text
    return {
        "nurse": nurse,
        "colleague": colleague,
        "other_supervisor": supervisor,
        "passport": started.json(),
        "nurse_api": nurse_api,
    }


def test_forms_without_the_csrf_token_change_nothing(platform, two_trusts):
    colleague = Visitor(platform.url("portal"))
    colleague.sign_in(two_trusts["colleague"])
    for token in (None, "forged"):
        data = {"passport_type": "RSC"} | ({"csrf_token": token} if token else {})
        refused = colleague.post("/passports/start", data, csrf=False)
        assert refused.status_code == 400 and "This form has expired" in refused.text
    own = colleague.get("/passports")
    assert "Registered Support Clinician" not in own.text  # no passport was started
    assert colleague.post("/passports/start", {"passport_type": "RSC"}).status_code == 200  # the real form works
    assert "Registered Support Clinician" in colleague.get("/passports").text


def test_another_persons_or_another_trusts_passport_is_not_found(platform, two_trusts):
    passport_id = two_trusts["passport"]["id"]
    colleague = Visitor(platform.url("portal"))
    colleague.sign_in(two_trusts["colleague"])
    stranger = Visitor(platform.url("portal"))
    stranger.sign_in(two_trusts["other_supervisor"])
    for visitor, paths in (
        (colleague, ["", "/skills/EQP-01", "/skills/EQP-01/self-assessment", "/request-sign-off"]),
        (stranger, ["", "/sign-off", "/audit-trail", "/skills/EQP-01/decision"]),
    ):
        for path in paths:
            page = visitor.get(f"/passports/{passport_id}{path}")
            assert page.status_code == 404, (path, page.status_code)
            assert "Page not found" in page.text and "Amara" not in page.text
    forged = stranger.post(f"/passports/{passport_id}/sign-off", {"skills": "EQP-01", "comment": "seen"})
    assert forged.status_code == 404  # signoff answers 404 for another Trust's passport: not found, not signed
    detail = two_trusts["nurse_api"].get(f"/passports/{passport_id}").json()  # her own view: nothing signed off
    assert detail["progress"]["signed_off"] == 0


def test_the_api_token_never_reaches_a_page_and_headers_are_on_every_page(platform, two_trusts):
    nurse = Visitor(platform.url("portal"))
    nurse.sign_in(two_trusts["nurse"])
    passport_id = two_trusts["passport"]["id"]
    for path in (
        "/",
        "/passports",
        f"/passports/{passport_id}",
        f"/passports/{passport_id}/skills/EQP-01",
        f"/passports/{passport_id}/skills/EQP-01/self-assessment",
        f"/passports/{passport_id}/request-sign-off",
        "/certificates",
        "/passports/start",
        "/no-such-page",
    ):
        nurse.get(path)
    assert len(nurse.pages) > 9
    for page in nurse.pages:
        assert not JWT.search(page.text), page.url
        policy = page.headers["Content-Security-Policy"]
        assert "unsafe-inline" not in policy and "frame-ancestors 'none'" in policy, page.url
        assert page.headers["X-Content-Type-Options"] == "nosniff"
        assert page.headers["Referrer-Policy"] == "same-origin"
    cookie = nurse.http.cookies.get("skillpass_session")
    assert cookie and not JWT.search(cookie)


def test_the_verify_address_answers_json_to_programs(platform):
    unknown = f"{platform.url('portal')}/certificates/{uuid.uuid4()}/verify"
    as_program = requests.get(unknown, headers={"Accept": "application/json"}, timeout=10)
    direct = requests.get(unknown.replace(platform.url("portal"), platform.url("certificate")), timeout=10)
    assert as_program.status_code == direct.status_code == 404
    assert as_program.headers["Content-Type"].startswith("application/problem+json")
    assert as_program.json() == direct.json()  # the certificate service's own answer, passed on as it is
    as_person = requests.get(unknown, headers={"Accept": "text/html"}, timeout=10)
    assert as_person.status_code == 404 and "Page not found" in as_person.text


def test_wrong_passwords_then_the_lockout_are_said_in_words(platform, trust):
    nurse = add_person(trust, "Locked Out", "staff")
    visitor = Visitor(platform.url("portal"))
    answers = [visitor.post("/sign-in", {"email": nurse["email"], "password": "wrong", "next": "/"}) for _ in range(6)]
    assert answers[0].status_code == 401
    assert "There is a problem" in answers[0].text and "One of them is not right" in answers[0].text
    assert nurse["email"] in answers[0].text  # what was typed is kept (the password never is)
    locked = answers[-1]
    assert locked.status_code == 429
    assert "too many attempts to sign in" in locked.text and re.search(r"Wait \d+ minutes", locked.text)
    # even the right password waits now, and says so rather than letting anyone in
    right = visitor.post("/sign-in", {"email": nurse["email"], "password": nurse["password"], "next": "/"})
    assert right.status_code == 429 and "Sign out" not in right.text
