"""The whole platform as real processes, and a member of staff's journey through it.

Used by the whole-stack tests and by the end-to-end benchmark: a Trust with its supervisor, admin and
workforce lead; each journey registers a nurse, who starts a passport, self-assesses every skill and
records learning, and a supervisor signs every skill off.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import date

from tests.support.stack import ADMIN_EMAIL, ADMIN_PASSWORD, Api, Stack, eventually, free_port

# identity first: every other service fetches its signing keys from identity's JWKS.
SERVICES = ("identity", "passport", "signoff", "certificate", "planning", "metrics")
PASSPORT_TYPE = "NRSS"


class Identity(Api):
    def create_trust(self, name: str) -> dict:
        response = self.post("/trusts", {"name": name, "ods_code": "R" + uuid.uuid4().hex[:4].upper()})
        assert response.status_code == 201, response.text
        return response.json()

    def create_user(self, trust_id: str, *roles: str, professional_group: str | None = None) -> dict:
        body = {
            "email": f"{uuid.uuid4().hex[:12]}@example.nhs.uk",
            "name": "Journey User",
            "password": "long enough pw",
            "trust_id": trust_id,
            "roles": list(roles),
            "staff_number": uuid.uuid4().hex[:8].upper(),
        }
        if professional_group:
            body["professional_group"] = professional_group
        response = self.post("/users", body)
        assert response.status_code == 201, response.text
        return {**response.json(), "password": body["password"]}


def start_platform(stack: Stack, replicas: int = 1, **extra: str) -> None:
    for service in SERVICES:
        stack.start_service(service, workers=replicas, webs=replicas, **extra)


@dataclass
class Member:
    """Someone of the Trust, signed in, with a client for each service."""

    user: dict
    token: str
    stack: Stack

    @property
    def id(self) -> str:
        return self.user["id"]

    def api(self, service: str) -> Api:
        return Api(self.stack.urls(service), self.token)


class Trust:
    """A Trust on the running platform, with the people who run its roll-out."""

    def __init__(self, stack: Stack, name: str = "Journey Trust"):
        self.stack = stack
        token = Api(stack.urls("identity")).sign_in(ADMIN_EMAIL, ADMIN_PASSWORD)
        self.platform_admin = Identity(stack.urls("identity"), token)
        self.record = self.platform_admin.create_trust(name)
        self.id = self.record["id"]
        self.supervisor = self.member("supervisor")
        self.admin = self.member("trust_admin")
        self.lead = self.member("workforce", "lead")

    def member(self, *roles: str, professional_group: str | None = None) -> Member:
        user = self.platform_admin.create_user(self.id, *roles, professional_group=professional_group)
        return Member(user, Api(self.stack.urls("identity")).sign_in(user["email"], user["password"]), self.stack)


@dataclass
class Journey:
    nurse: Member
    passport_id: str
    skills: list[str]


def prepare(trust: Trust, signed_off_but: int = 0) -> Journey:
    """A nurse with a passport: every skill self-assessed, learning recorded, and every skill signed off
    but the last `signed_off_but`."""
    journey = self_assessed(trust)
    for code in journey.skills[: len(journey.skills) - signed_off_but]:
        sign_off(trust, journey, code)
    return journey


def self_assessed(trust: Trust) -> Journey:
    """A new nurse who starts a passport, self-assesses every skill and records learning: nothing of it
    waits for an event."""
    nurse = trust.member("staff", professional_group="Healthcare support worker")
    passport = nurse.api("passport")
    started = passport.post("/passports", {"passport_type": PASSPORT_TYPE})
    assert started.status_code == 201, started.text
    passport_id = started.json()["id"]
    detail = passport.get(f"/passports/{passport_id}").json()
    skills = [skill["code"] for domain in detail["domains"] for skill in domain["skills"]]
    for code in skills:
        assessed = passport.put(f"/passports/{passport_id}/skills/{code}/self-assessment", {"level": "independent"})
        assert assessed.status_code == 200, assessed.text
    learning = passport.post(
        f"/passports/{passport_id}/skills/{skills[0]}/learning",
        {"kind": "face_to_face", "status": "attended", "date": date.today().isoformat(), "hours": 3},
    )
    assert learning.status_code == 201, learning.text
    return Journey(nurse, passport_id, skills)


def sign_off(trust: Trust, journey: Journey, code: str, **headers):
    """A supervisor's proficient decision; passport.started and the self-assessment may still be on their
    way to the sign-off service (404, 409) or a broker restart may be holding them up."""
    body = {
        "passport_id": journey.passport_id,
        "skill_code": code,
        "outcome": "proficient",
        "comment": "Observed in practice, safe and confident",
    }
    signoff = trust.supervisor.api("signoff")
    response = eventually(
        lambda: signoff.post("/signoffs", body, **headers),
        lambda r: r.status_code not in (404, 409),
        timeout=120,
        interval=0.05,
    )
    assert response.status_code == 201, response.text
    return response


def complete(trust: Trust) -> Journey:
    return prepare(trust, signed_off_but=0)


def dashboard_counts(trust: Trust, api: Api | None = None, passport_type: str = PASSPORT_TYPE) -> dict:
    """The dashboard's counts for a passport type ({} before any), as the Trust's workforce lead sees them."""
    response = (api or trust.lead.api("metrics")).get(f"/trusts/{trust.id}/dashboard")
    assert response.status_code == 200, response.text
    for row in response.json()["passport_types"]:
        if row["code"] == passport_type:
            return row
    return {}


def start_portal(stack: Stack, **extra: str) -> None:
    """The portal in front of the platform's services (on the port already chosen for it, when the services were
    given its address)."""
    stack.ports.setdefault("portal", free_port())
    backends = {f"{name.upper()}_URL": stack.url(name) for name in SERVICES}
    stack.start("portal", "web", **backends, SKILLPASS_DATA_DIR=str(stack.log_dir), **extra)
    stack.wait_ready("portal")


def total(response) -> int:
    """The number of rows a paginated listing has in all."""
    assert response.status_code == 200, response.text
    return json.loads(response.headers["X-Pagination"])["total"]


@dataclass
class Settled:
    completed: int
    certificates: list[dict]
    roster: list[dict]
    counted: dict


def settled(trust: Trust, journeys: int, roster_filter: str = "", timeout: float = 180) -> Settled:
    """What the Trust's people see once at least `journeys` passports are completed, certified, on the roster and
    counted on the dashboard (their events may still be on their way when this is called)."""
    lead = trust.lead
    completed = eventually(
        lambda: total(lead.api("passport").get("/passports?status=completed&page_size=1")),
        lambda n: n >= journeys,
        timeout=timeout,
    )
    certificates = eventually(
        lambda: trust.admin.api("certificate").get("/certificates?page_size=100").json(),
        lambda rows: len(rows) >= journeys,
        timeout=timeout,
    )
    roster = eventually(
        lambda: lead.api("planning").get(f"/roster?role={PASSPORT_TYPE}{roster_filter}&page_size=100").json(),
        lambda rows: len(rows) >= journeys,
        timeout=timeout,
    )
    counted = eventually(
        lambda: dashboard_counts(trust),
        lambda c: min(c.get("certified", 0), c.get("rostered", 0)) >= journeys,
        timeout=timeout,
    )
    return Settled(completed, certificates, roster, counted)
