"""The authorization matrix: every route of every service, who calls it, and the status they must get.

Each row aims at real objects of Trust A (see worlds.py). Expectations follow DESIGN.md §4: no token is
401; a role that may not do this is 403; an object of another Trust is 404, exactly like one that does
not exist; staff act on their own objects only. The fuzzer reuses the rows' 2xx requests as known-good
examples, so every operation is reached at least once with a request that succeeds.

A row whose request uses its object up (revoke, withdraw, delete, deactivate) is `fresh`: each caller's
request aims at new objects, so that the outcome does not depend on which caller went first.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

from services.planning import schemas as planning_schemas
from tests.signoff.conftest import SKILLS

Body = dict | Callable[["World", dict], dict] | None  # noqa: F821 - World is only named, never needed here


@dataclass(frozen=True)
class Row:
    service: str
    method: str
    path: str  # the route's template, with the route's own parameter names; may carry a query string
    expect: dict[str, int]
    body: Body = None
    fresh: bool = False

    @property
    def template(self) -> str:
        return self.path.split("?", 1)[0]

    def body_for(self, world, ids: dict):
        return self.body(world, ids) if callable(self.body) else self.body


@dataclass(frozen=True)
class Raw:
    """A body that is not JSON (a CSV file), sent as it is with its content type."""

    content_type: str
    text: str


def row(service: str, method: str, path: str, body: Body = None, *, fresh: bool = False, **expect: int) -> Row:
    return Row(service, method, path, expect, body, fresh)


# Shorthands for the five callers every row names (platform_admin is added where it matters).
def everyone(status: int) -> dict[str, int]:
    return dict(anonymous=status, staff=status, supervisor=status, trust_admin=status, other_trust_admin=status)


SIGNED_IN = dict(anonymous=401, staff=200, supervisor=200, trust_admin=200, other_trust_admin=200)
# A Trust A object that staff hold and supervisors and trust_admins of the Trust read.
HELD = dict(anonymous=401, staff=200, supervisor=200, trust_admin=200, other_trust_admin=404)
# Planning: leads, trust_admins, workforce and educators read plans; leads and trust_admins write them.
PLAN_READ = dict(anonymous=401, staff=403, supervisor=403, trust_admin=200, other_trust_admin=404)


def plan_write(status: int) -> dict[str, int]:
    return dict(anonymous=401, staff=403, supervisor=403, trust_admin=status, other_trust_admin=404)


def health_rows(service: str) -> list[Row]:
    """Probes, metrics and the API's own description are public on every service."""
    return [
        row(service, "GET", "/healthz", **everyone(200)),
        # In process there is no broker, so readiness honestly says 503; what matters is that no token is asked.
        row(service, "GET", "/readyz", **everyone(503)),
        row(service, "GET", "/openapi.json", **everyone(200)),
        row(service, "GET", "/docs", **everyone(200)),
        # The Swagger UI files the /docs page loads, served by the service itself (shared/swagger_ui.py).
        row(service, "GET", "/docs/assets/{asset}", **everyone(200)),
        # Prometheus's scrape (shared/metrics_http.py): no token, like the probes; the reverse proxy keeps it
        # from the public, and it counts routes, never ids.
        row(service, "GET", "/metrics", **everyone(200)),
        # Flask's static route: public, and the services ship no static files.
        row(service, "GET", "/static/{filename}", **everyone(404)),
    ]


# --- identity ----------------------------------------------------------------------------------------


def _new_trust(world, ids):
    return {"name": "Trust C", "ods_code": "R" + uuid.uuid4().hex[:5].upper()}


def _new_user(world, ids):
    return {
        "email": f"{uuid.uuid4().hex[:10]}@example.nhs.uk",
        "name": "New Starter",
        "password": "a long passphrase",
        "trust_id": str(ids["trust_id"]),
        "roles": ["staff"],
        "staff_number": uuid.uuid4().hex[:8].upper(),
        "professional_group": "Nursing",
    }


def _staff_credentials(world, ids):
    return {"email": ids["staff_email"], "password": ids["staff_password"]}


# The same file every time: the first import creates the person, the later ones find them unchanged.
_IMPORT = Raw(
    "text/csv",
    "staff_number,name,email,professional_group,roles,department\n"
    "MATRIX-1,Matrix Person,matrix.person@example.nhs.uk,Nursing,staff;supervisor,Ward 1\n",
)


IDENTITY = [
    *[
        Row(r.service, r.method, r.path, {**r.expect, "platform_admin": r.expect["trust_admin"]})
        for r in health_rows("identity")
    ],
    row("identity", "POST", "/auth/token", _staff_credentials, **everyone(200), platform_admin=200),
    row("identity", "GET", "/.well-known/jwks.json", **everyone(200), platform_admin=200),
    row("identity", "GET", "/trusts", **SIGNED_IN, platform_admin=200),
    row(
        "identity",
        "POST",
        "/trusts",
        _new_trust,
        anonymous=401,
        staff=403,
        supervisor=403,
        trust_admin=403,
        other_trust_admin=403,
        platform_admin=201,
    ),
    row("identity", "GET", "/trusts/{trust_id}", **HELD, platform_admin=200),
    row(
        "identity",
        "GET",
        "/users",
        anonymous=401,
        staff=403,
        supervisor=403,
        trust_admin=200,
        other_trust_admin=200,
        platform_admin=200,
    ),
    row(
        "identity",
        "POST",
        "/users",
        _new_user,
        anonymous=401,
        staff=403,
        supervisor=403,
        trust_admin=201,
        other_trust_admin=403,
        platform_admin=201,
    ),
    row("identity", "GET", "/users/me", **SIGNED_IN, platform_admin=200),
    # The user is the staff member: they read themselves; a supervisor of the Trust may not read other users.
    row(
        "identity",
        "GET",
        "/users/{user_id}",
        anonymous=401,
        staff=200,
        supervisor=403,
        trust_admin=200,
        other_trust_admin=404,
        platform_admin=200,
    ),
    row(
        "identity",
        "PATCH",
        "/users/{user_id}",
        {"name": "Sam Renamed"},
        fresh=False,
        anonymous=401,
        staff=200,
        supervisor=403,
        trust_admin=200,
        other_trust_admin=404,
        platform_admin=200,
    ),
    row(
        "identity",
        "POST",
        "/users/{user_id}/deactivate",
        fresh=True,
        anonymous=401,
        staff=403,
        supervisor=403,
        trust_admin=200,
        other_trust_admin=404,
        platform_admin=200,
    ),
    # A trust_admin imports into their own Trust (naming it is allowed); another Trust's is not there for them.
    row(
        "identity",
        "POST",
        "/users/import?trust_id={trust_id}",
        _IMPORT,
        anonymous=401,
        staff=403,
        supervisor=403,
        trust_admin=200,
        other_trust_admin=404,
        platform_admin=200,
    ),
    row(
        "identity",
        "POST",
        "/users/invitations",
        lambda world, ids: {"user_ids": [str(ids["user_id"])]},
        anonymous=401,
        staff=403,
        supervisor=403,
        trust_admin=200,
        other_trust_admin=404,
        platform_admin=200,
    ),
    row(
        "identity",
        "POST",
        "/users/{user_id}/invitation",
        anonymous=401,
        staff=403,
        supervisor=403,
        trust_admin=201,
        other_trust_admin=404,
        platform_admin=201,
    ),
    # No sign-in: whoever asks gets the same answer, whether or not the email is known.
    row(
        "identity",
        "POST",
        "/auth/password-reset",
        lambda world, ids: {"email": ids["staff_email"]},
        **everyone(202),
        platform_admin=202,
    ),
    # The link is the credential: whoever holds it, signed in or not.
    row("identity", "GET", "/auth/links/{token}", **everyone(200), platform_admin=200),
    row(
        "identity",
        "POST",
        "/auth/links/{token}",
        {"password": "a fresh passphrase from a link"},
        fresh=True,
        **everyone(200),
        platform_admin=200,
    ),
]

# --- passport ----------------------------------------------------------------------------------------


def _nrss_version(world, ids):
    detail = world.client.get("/passport-types/NRSS", headers=world.headers["staff"]).get_json()
    return {key: detail[key] for key in ("code", "title", "care_setting", "description", "domains")}


PASSPORT = [
    *health_rows("passport"),
    row("passport", "GET", "/passport-types", **SIGNED_IN),
    row(
        "passport",
        "POST",
        "/passport-types",
        _nrss_version,
        anonymous=401,
        staff=403,
        supervisor=403,
        trust_admin=403,
        other_trust_admin=403,
        platform_admin=201,
    ),
    row("passport", "GET", "/passport-types/{code}", **SIGNED_IN),
    row("passport", "GET", "/passports", **SIGNED_IN),
    # Everyone may start a passport of their own, in their own Trust.
    row(
        "passport",
        "POST",
        "/passports",
        {"passport_type": "SOC-U12"},
        anonymous=401,
        staff=201,
        supervisor=201,
        trust_admin=201,
        other_trust_admin=201,
    ),
    # Assigning one to someone else: a trust_admin of their Trust only.
    row(
        "passport",
        "POST",
        "/passports",
        lambda world, ids: {"passport_type": "ACCN-12P", "staff_id": ids["assignee_id"]},
        fresh=True,
        anonymous=401,
        staff=403,
        supervisor=403,
        trust_admin=201,
        other_trust_admin=404,
    ),
    # Assigning in bulk: per person, so another Trust's admin gets 200 with each of Trust A's people rejected.
    row(
        "passport",
        "POST",
        "/passports/bulk",
        lambda world, ids: {"passport_type": "RNC-PCC", "staff_ids": [ids["assignee_id"]]},
        fresh=True,
        anonymous=401,
        staff=403,
        supervisor=403,
        trust_admin=200,
        other_trust_admin=200,
        platform_admin=403,
    ),
    row("passport", "GET", "/passports/{passport_id}", **HELD),
    row(
        "passport",
        "PATCH",
        "/passports/{passport_id}",
        {"retrospective": False},
        anonymous=401,
        staff=200,
        supervisor=403,
        trust_admin=200,
        other_trust_admin=404,
    ),
    row(
        "passport",
        "POST",
        "/passports/{passport_id}/withdraw",
        {"reason": "Moved to another ward"},
        fresh=True,
        anonymous=401,
        staff=200,
        supervisor=403,
        trust_admin=200,
        other_trust_admin=404,
    ),
    row("passport", "GET", "/passports/{passport_id}/skills/{skill_code}", **HELD),
    row(
        "passport",
        "PUT",
        "/passports/{passport_id}/skills/{skill_code}/self-assessment",
        {"level": "supervised", "note": "Done it twice on ICU"},
        anonymous=401,
        staff=200,
        supervisor=403,
        trust_admin=403,
        other_trust_admin=404,
    ),
    row(
        "passport",
        "POST",
        "/passports/{passport_id}/skills/{skill_code}/learning",
        {"kind": "elearning", "status": "completed", "date": "2026-01-10", "hours": 1.5},
        anonymous=401,
        staff=201,
        supervisor=403,
        trust_admin=201,
        other_trust_admin=404,
    ),
    # Naming people by id: the Trust's readers; another Trust's admin gets an empty list (they are not theirs).
    row(
        "passport",
        "GET",
        "/staff?id={staff_id}",
        anonymous=401,
        staff=403,
        supervisor=200,
        trust_admin=200,
        other_trust_admin=200,
        platform_admin=200,
    ),
    # Listing the Trust's people to choose from: the same readers; each sees their own Trust's.
    row(
        "passport",
        "GET",
        "/staff?q=a&active=true",
        anonymous=401,
        staff=403,
        supervisor=200,
        trust_admin=200,
        other_trust_admin=200,
        platform_admin=200,
    ),
]

# --- signoff -----------------------------------------------------------------------------------------


def _decision(skill_code):
    return {"skill_code": skill_code, "outcome": "proficient", "comment": "Observed on ICU, safe and confident."}


SIGNOFF = [
    *health_rows("signoff"),
    row("signoff", "GET", "/signoffs", **SIGNED_IN),
    # Signing is for supervisors and educators: a trust_admin's role does not sign, of any Trust.
    row(
        "signoff",
        "POST",
        "/signoffs",
        lambda world, ids: {"passport_id": ids["passport_id"], **_decision(SKILLS[1])},
        fresh=True,
        anonymous=401,
        staff=403,
        supervisor=201,
        trust_admin=403,
        other_trust_admin=403,
    ),
    row(
        "signoff",
        "POST",
        "/signoffs/bulk",
        lambda world, ids: {
            "passport_id": ids["passport_id"],
            "signoffs": [_decision(SKILLS[2]), _decision(SKILLS[3])],
        },
        fresh=True,
        anonymous=401,
        staff=403,
        supervisor=201,
        trust_admin=403,
        other_trust_admin=403,
    ),
    row("signoff", "GET", "/signoffs/{signoff_id}", **HELD),
    row(
        "signoff",
        "POST",
        "/signoffs/{signoff_id}/revoke",
        {"reason": "Observed unsafe practice"},
        fresh=True,
        anonymous=401,
        staff=403,
        supervisor=200,
        trust_admin=200,
        other_trust_admin=404,
    ),
    row("signoff", "GET", "/signoff-requests", **SIGNED_IN),
    # Only the holder asks for sign-off of their passport.
    row(
        "signoff",
        "POST",
        "/signoff-requests",
        lambda world, ids: {"passport_id": ids["passport_id"], "skill_codes": [SKILLS[1], SKILLS[2]]},
        fresh=True,
        anonymous=401,
        staff=201,
        supervisor=403,
        trust_admin=403,
        other_trust_admin=404,
    ),
]

# --- certificate -------------------------------------------------------------------------------------

CERTIFICATE = [
    *health_rows("certificate"),
    row("certificate", "GET", "/certificates", **SIGNED_IN),
    row("certificate", "GET", "/certificates/{certificate_id}", **HELD),
    row("certificate", "GET", "/certificates/{certificate_id}/credential", **HELD),
    row("certificate", "GET", "/certificates/{certificate_id}/pdf", **HELD),
    row(
        "certificate",
        "POST",
        "/certificates/{certificate_id}/revoke",
        {"reason": "Falsified sign-off evidence"},
        fresh=True,
        anonymous=401,
        staff=403,
        supervisor=403,
        trust_admin=200,
        other_trust_admin=404,
    ),
    # Anyone checks a certificate, with or without a token, of whichever Trust.
    row("certificate", "GET", "/certificates/{certificate_id}/verify", **everyone(200)),
    row("certificate", "GET", "/.well-known/jwks.json", **everyone(200)),
]

# --- planning ----------------------------------------------------------------------------------------


def _read_back(path: str, schema) -> Callable:
    """The part as it reads now, less what is read-only: a valid body for writing it again."""

    def body(world, ids):
        read = world.client.get(world.path(path, ids), headers=world.headers["trust_admin"]).get_json()
        return {key: value for key, value in read.items() if key in schema().fields}

    return body


def _workforce(world, ids):
    read = world.client.get(world.path("/plans/{plan_id}/workforce", ids), headers=world.headers["trust_admin"])
    role_fields = planning_schemas.WorkforceRoleIn().fields
    return {"roles": [{k: v for k, v in role.items() if k in role_fields} for role in read.get_json()["roles"]]}


SINGLE_PARTS = {
    "aim": planning_schemas.AimIn,
    "process-map": planning_schemas.ProcessMapIn,
    "launch": planning_schemas.LaunchIn,
}
COLLECTIONS = {
    "stakeholders": planning_schemas.StakeholderIn,
    "drivers": planning_schemas.DriverIn,
    "measures": planning_schemas.MeasureIn,
    "cycles": planning_schemas.CycleIn,
}

PLANNING = [
    *health_rows("planning"),
    row("planning", "GET", "/plans", anonymous=401, staff=403, supervisor=403, trust_admin=200, other_trust_admin=200),
    row(
        "planning",
        "POST",
        "/plans",
        {"name": "Winter surge"},
        anonymous=401,
        staff=403,
        supervisor=403,
        trust_admin=201,
        other_trust_admin=201,
    ),
    row(
        "planning",
        "POST",
        "/plans/example",
        anonymous=401,
        staff=403,
        supervisor=403,
        trust_admin=201,
        other_trust_admin=201,
    ),
    row("planning", "GET", "/plans/{plan_id}", **PLAN_READ),
    row("planning", "PATCH", "/plans/{plan_id}", {"name": "Critical care surge, renamed"}, **plan_write(200)),
    row("planning", "DELETE", "/plans/{plan_id}", fresh=True, **plan_write(204)),
    *[
        r
        for part, schema in SINGLE_PARTS.items()
        for r in (
            row("planning", "GET", f"/plans/{{plan_id}}/{part}", **PLAN_READ),
            row(
                "planning",
                "PUT",
                f"/plans/{{plan_id}}/{part}",
                _read_back(f"/plans/{{plan_id}}/{part}", schema),
                **plan_write(200),
            ),
            row("planning", "DELETE", f"/plans/{{plan_id}}/{part}", fresh=True, **plan_write(204)),
        )
    ],
    *[
        r
        for collection, schema in COLLECTIONS.items()
        for r in (
            row("planning", "GET", f"/plans/{{plan_id}}/{collection}", **PLAN_READ),
            row(
                "planning",
                "POST",
                f"/plans/{{plan_id}}/{collection}",
                _read_back(f"/plans/{{plan_id}}/{collection}/{{item_id}}", schema),
                fresh=True,
                **plan_write(201),
            ),
            row("planning", "GET", f"/plans/{{plan_id}}/{collection}/{{item_id}}", **PLAN_READ),
            row(
                "planning",
                "PUT",
                f"/plans/{{plan_id}}/{collection}/{{item_id}}",
                _read_back(f"/plans/{{plan_id}}/{collection}/{{item_id}}", schema),
                **plan_write(200),
            ),
            row("planning", "DELETE", f"/plans/{{plan_id}}/{collection}/{{item_id}}", fresh=True, **plan_write(204)),
        )
    ],
    row("planning", "GET", "/plans/{plan_id}/process-map.svg", **PLAN_READ),
    row("planning", "GET", "/plans/{plan_id}/drivers.svg", **PLAN_READ),
    row("planning", "GET", "/plans/{plan_id}/stakeholders.svg", **PLAN_READ),
    row("planning", "GET", "/plans/{plan_id}/workforce", **PLAN_READ),
    row("planning", "PUT", "/plans/{plan_id}/workforce", _workforce, **plan_write(200)),
    # Staff read their own roster entries; the Trust's roster is for leads, workforce and trust_admins.
    row("planning", "GET", "/roster", **SIGNED_IN),
    row("planning", "GET", "/roster.csv", **SIGNED_IN),
    row("planning", "GET", "/roster/history?staff_id={staff_id}&role={role}", **SIGNED_IN),
]

# --- metrics -----------------------------------------------------------------------------------------
# The dashboard, measures and charts are for the Trust's leads, workforce and trust_admins; only
# trust_admins export, and an export holds nothing but their own Trust's passports.
TRUST_FIGURES = dict(anonymous=401, staff=403, supervisor=403, trust_admin=200, other_trust_admin=404)


def entering(status: int) -> dict[str, int]:
    return dict(
        anonymous=401,
        staff=403,
        supervisor=403,
        trust_admin=403,
        other_trust_admin=403,
        lead=status,
        other_trust_lead=404,
    )


METRICS = [
    *health_rows("metrics"),
    row("metrics", "GET", "/trusts/{trust_id}/dashboard", **TRUST_FIGURES),
    row("metrics", "GET", "/trusts/{trust_id}/dashboard.html", **TRUST_FIGURES),
    row("metrics", "GET", "/measures/{measure_id}/series", **TRUST_FIGURES),
    row("metrics", "GET", "/measures/{measure_id}/chart.svg", **TRUST_FIGURES),
    row("metrics", "GET", "/measures/{measure_id}/values", **TRUST_FIGURES),
    # Values are entered by the Trust's leads and workforce leads; another Trust's lead finds no such measure.
    row(
        "metrics",
        "PUT",
        "/measures/{measure_id}/values/{period_start}",
        {"value": 4.5, "note": "Survey of 20 staff"},
        **entering(200),
    ),
    row("metrics", "DELETE", "/measures/{measure_id}/values/{period_start}", fresh=True, **entering(204)),
    row(
        "metrics",
        "GET",
        "/exports/passport-usage.csv",
        anonymous=401,
        staff=403,
        supervisor=403,
        trust_admin=200,
        other_trust_admin=200,
    ),
]

ROWS: list[Row] = [*IDENTITY, *PASSPORT, *SIGNOFF, *CERTIFICATE, *PLANNING, *METRICS]
