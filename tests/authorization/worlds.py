"""One Trust's world per service: the service in process on SQLite, the people who call it, and real
objects of Trust A for requests to aim at.

Shared by the authorization matrix and the OpenAPI fuzzer, so that both hit the same kinds of objects.
Every world has the same callers:

- `anonymous`: no token at all;
- `staff`: a staff member of Trust A who holds the Trust A objects where holding applies (their own
  passport, sign-offs, certificate, roster entries; their own user account);
- `supervisor` and `trust_admin`: of Trust A;
- `other_trust_admin`: a trust_admin of Trust B, for whom every Trust A object must not exist;
- `platform_admin`: belongs to no Trust.

Path templates use the routes' own parameter names. `World.ids` holds the Trust A object for each name;
a name that differs by collection (planning's `item_id`) is looked up as `<collection>.<name>` first.
`World.fresh_ids()` builds new objects for requests that use theirs up (revoking, deleting, withdrawing).
"""

from __future__ import annotations

import itertools
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from services.planning import schemas as planning_schemas
from tests.certificate.conftest import CertificateService
from tests.identity.conftest import make_identity
from tests.metrics.conftest import MetricsService
from tests.passport.conftest import PassportService
from tests.planning.conftest import PlanningService
from tests.signoff.conftest import SKILLS, SignoffService
from tests.support.service_app import Person

CALLERS = (
    "anonymous",
    "staff",
    "supervisor",
    "trust_admin",
    "other_trust_admin",
    "platform_admin",
    "lead",
    "other_trust_lead",
)
_PLACEHOLDER = re.compile(r"{(\w+)}")
# Parameters of routes every service has: Flask's static files (none are shipped) and the Swagger UI files
# (the stylesheet: a real file, and the smallest of those the /docs page loads).
EVERY_SERVICE = {"filename": "robots.txt", "asset": "swagger-ui.css"}


@dataclass
class World:
    name: str
    service: object  # a tests.support.service_app.ServiceUnderTest
    headers: dict[str, dict[str, str]]  # caller -> request headers
    ids: dict[str, str]
    make_fresh_ids: Callable[[], dict[str, str]]
    # Ids that only Trust A's callers may ever see in a listing.
    trust_a_ids: set[str] = field(default_factory=set)

    @property
    def client(self):
        return self.service.client

    @property
    def app(self):
        return self.service.client.application

    def fresh_ids(self) -> dict[str, str]:
        return {**self.ids, **self.make_fresh_ids()}

    def path(self, template: str, ids: dict[str, str] | None = None) -> str:
        """The template with each placeholder replaced by its Trust A object."""
        return _PLACEHOLDER.sub(lambda match: lookup(template, match, ids or self.ids), template)

    def path_parameters(self, template: str, ids: dict[str, str] | None = None) -> dict[str, str]:
        """Known objects for an OpenAPI path template's parameters (those the world has)."""
        found = {}
        for match in _PLACEHOLDER.finditer(template):
            try:
                found[match.group(1)] = lookup(template, match, ids or self.ids)
            except KeyError:
                pass
        return found


def lookup(template: str, match: re.Match, ids: dict[str, str]) -> str:
    name = match.group(1)
    segments = [s for s in template[: match.start()].split("/") if s and not s.startswith("{")]
    collection = segments[-1] if segments else ""
    if f"{collection}.{name}" in ids:
        return str(ids[f"{collection}.{name}"])
    return str(ids[name] if name in ids else EVERY_SERVICE[name])


# --- identity ----------------------------------------------------------------------------------------


def identity_world(database_url: str) -> World:
    """Identity loads the caller's current roles from its own users: every caller is a real account."""
    identity = make_identity(database_url)
    trust_a, trust_b = identity.new_trust("Trust A"), identity.new_trust("Trust B")
    staff = identity.new_user(trust_a["id"], ["staff"])
    supervisor = identity.new_user(trust_a["id"], ["supervisor"])
    trust_admin = identity.new_user(trust_a["id"], ["trust_admin"])
    other_trust_admin = identity.new_user(trust_b["id"], ["trust_admin"])
    headers = {
        "anonymous": {},
        "staff": staff["headers"],
        "supervisor": supervisor["headers"],
        "trust_admin": trust_admin["headers"],
        "other_trust_admin": other_trust_admin["headers"],
        "platform_admin": identity.admin(),
    }
    # Someone invited, whose link nothing else voids (the invitation rows invite the staff member).
    invitee = identity.new_user(trust_a["id"], ["staff"])
    ids = {
        "trust_id": trust_a["id"],
        "user_id": staff["id"],
        "staff_email": staff["email"],
        "staff_password": staff["password"],
        "trust_b_id": trust_b["id"],
        "token": _invited(identity, invitee),
    }

    def fresh():
        user = identity.new_user(trust_a["id"], ["staff"])
        return {"user_id": user["id"], "token": _invited(identity, user)}

    trust_a_ids = {trust_a["id"], staff["id"], supervisor["id"], trust_admin["id"], invitee["id"]}
    return World("identity", identity, headers, ids, fresh, trust_a_ids)


def _invited(identity, user) -> str:
    """The token of a new invitation link (identity has no SMTP here, so it hands the link back)."""
    response = identity.client.post(f"/users/{user['id']}/invitation", headers=identity.admin())
    assert response.status_code == 201, response.get_json()
    return response.get_json()["link"].rsplit("/", 1)[1]


# --- passport ----------------------------------------------------------------------------------------


def _callers(service, **people) -> dict[str, dict[str, str]]:
    platform_admin = Person(service.keys, None, ["platform_admin"])
    return {
        "anonymous": {},
        "platform_admin": platform_admin.headers,
        **{name: person.headers for name, person in people.items()},
    }


def passport_world(database_url: str) -> World:
    service = PassportService(database_url)
    staff = service.person("staff")
    people = dict(
        staff=staff,
        supervisor=service.person("supervisor"),
        trust_admin=service.person("trust_admin"),
        other_trust_admin=service.person("trust_admin", trust_id=uuid.uuid4()),
    )
    passport = service.start(staff, "NRSS")
    skill_code = service.skill_codes(passport["id"], staff)[0]
    ids = {"passport_id": passport["id"], "skill_code": skill_code, "code": "NRSS", "staff_id": str(staff.id)}

    def fresh():
        # The staff member's in-progress RSC passport: a refused write leaves it as it was, so it is reused.
        listed = service.client.get(
            "/passports", query_string={"passport_type": "RSC", "status": "in_progress"}, headers=staff.headers
        ).get_json()
        return {
            "passport_id": listed[0]["id"] if listed else service.start(staff, "RSC")["id"],
            "assignee_id": str(service.person("staff").id),
        }

    return World("passport", service, _callers(service, **people), ids, fresh, {passport["id"]})


# --- signoff -----------------------------------------------------------------------------------------


def signoff_world(database_url: str) -> World:
    service = SignoffService(database_url)
    staff, supervisor = service.person("staff"), service.person("supervisor")
    people = dict(
        staff=staff,
        supervisor=supervisor,
        trust_admin=service.person("trust_admin"),
        other_trust_admin=service.person("trust_admin", trust_id=uuid.uuid4()),
    )
    passport = service.passport(staff)
    signoff = service.signed(supervisor, passport, SKILLS[0])
    ids = {
        "passport_id": str(passport["passport_id"]),
        "signoff_id": signoff["id"],
        "skill_code": SKILLS[1],
        "staff_id": str(staff.id),
    }

    def fresh():
        other = service.passport(staff)
        return {
            "signoff_id": service.signed(supervisor, other, SKILLS[0])["id"],
            "passport_id": str(other["passport_id"]),
        }

    return World(
        "signoff", service, _callers(service, **people), ids, fresh, {signoff["id"], str(passport["passport_id"])}
    )


# --- certificate -------------------------------------------------------------------------------------


def certificate_world(database_url: str) -> World:
    service = CertificateService(database_url)
    staff = service.person("staff")
    people = dict(
        staff=staff,
        supervisor=service.person("supervisor"),
        trust_admin=service.person("trust_admin"),
        other_trust_admin=service.person("trust_admin", trust_id=uuid.uuid4(), name=None),
    )
    certificate = service.certified(staff)
    ids = {"certificate_id": certificate["id"], "staff_id": str(staff.id)}

    def fresh():
        # Another passport type, so that the main certificate is never superseded.
        return {"certificate_id": service.certified(staff, "RSC")["id"]}

    return World("certificate", service, _callers(service, **people), ids, fresh, {certificate["id"]})


# --- planning ----------------------------------------------------------------------------------------

PLAN_COLLECTIONS = {
    "stakeholders": planning_schemas.StakeholderIn,
    "drivers": planning_schemas.DriverIn,
    "measures": planning_schemas.MeasureIn,
    "cycles": planning_schemas.CycleIn,
}


def planning_world(database_url: str) -> World:
    service = PlanningService(database_url)
    staff, lead = service.person("staff"), service.person("lead")
    people = dict(
        staff=staff,
        supervisor=service.person("supervisor"),
        trust_admin=service.person("trust_admin"),
        other_trust_admin=service.person("trust_admin", trust_id=uuid.uuid4()),
    )
    certificate = service.certificate(staff.id)
    service.issued(certificate, datetime.now(UTC) - timedelta(days=1))

    def whole_plan() -> dict[str, str]:
        """The toolkit's worked example: a plan with every part, so that every part's path has an object."""
        plan = service.ok("POST", "/plans/example", lead, expect=201)
        # The example has as many measures as a plan may; one fewer leaves room for adding one.
        removed = service.call("DELETE", f"/plans/{plan['id']}/measures/{plan['measures'][0]['id']}", lead)
        assert removed.status_code == 204, removed.get_data(as_text=True)
        plan["measures"] = plan["measures"][1:]
        found = {"plan_id": plan["id"]}
        for collection in PLAN_COLLECTIONS:
            found[f"{collection}.item_id"] = _leaf(plan, collection)["id"]
        return found

    ids = {**whole_plan(), "staff_id": str(staff.id), "role": certificate["passport_type"]}
    return World(
        "planning",
        service,
        _callers(service, **people),
        ids,
        whole_plan,
        {ids["plan_id"], str(certificate["certificate_id"])},
    )


def _leaf(plan: dict, collection: str) -> dict:
    """An item nothing else in the plan refers to, so that deleting it is allowed."""
    referenced = {
        str(value)
        for key in ("drivers", "cycles", "measures")
        for item in plan[key]
        for name, value in item.items()
        if name.endswith("_id") and name != "plan_id" and value
    }
    referenced |= {str(v) for item in plan["cycles"] for v in item.get("measure_ids", []) or []}
    candidates = [item for item in plan[collection] if item["id"] not in referenced]
    return (candidates or plan[collection])[-1]


# --- metrics -----------------------------------------------------------------------------------------


def metrics_world(database_url: str) -> World:
    """A Trust A with an aim, a measure bound to a metric, a measure whose values are entered by hand (the one the
    measure rows aim at), and a certified nurse's passport to count and export."""
    service = MetricsService(database_url)
    staff, lead = service.person("staff"), service.person("lead")
    people = dict(
        staff=staff,
        supervisor=service.person("supervisor"),
        trust_admin=service.person("trust_admin"),
        other_trust_admin=service.person("trust_admin", trust_id=uuid.uuid4()),
        lead=lead,
        other_trust_lead=service.person("lead", trust_id=uuid.uuid4()),
    )
    now = datetime.now(UTC)
    earlier = now - timedelta(days=3)
    plan_id = uuid.uuid4()
    service.plan(plan_id, earlier)
    computed_id = service.measure(plan_id, earlier, metric="started", frequency="Daily")
    measure_id = service.measure(plan_id, earlier, metric=None, passport_type=None, frequency="Weekly")
    this_monday = now.date() - timedelta(days=now.date().weekday())
    weeks_back = itertools.count(1)

    def entered_week() -> dict[str, str]:
        """An earlier week with a value entered, for each request that removes one."""
        week = (this_monday - timedelta(weeks=next(weeks_back))).isoformat()
        response = service.client.put(
            f"/measures/{measure_id}/values/{week}", json={"value": 3.0, "note": None}, headers=lead.headers
        )
        assert response.status_code == 200, response.get_data(as_text=True)
        return {"period_start": week}

    passport = service.passport(staff_id=staff.id)
    service.started(passport, earlier)
    certificate = {**service.certificate(staff_id=staff.id), "passport_id": passport["passport_id"]}
    service.issued(certificate, earlier)
    ids = {"trust_id": str(service.trust_id), "measure_id": str(measure_id), **entered_week()}
    return World(
        "metrics",
        service,
        _callers(service, **people),
        ids,
        entered_week,
        {
            str(measure_id),
            str(computed_id),
            str(plan_id),
            str(passport["passport_id"]),
            str(certificate["certificate_id"]),
            str(staff.id),
        },
    )


BUILDERS: dict[str, Callable[[str], World]] = {
    "identity": identity_world,
    "passport": passport_world,
    "signoff": signoff_world,
    "certificate": certificate_world,
    "planning": planning_world,
    "metrics": metrics_world,
}
