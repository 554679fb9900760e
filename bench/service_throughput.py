"""Each service's main read and main write, in requests a second, as a ratio of a bare flask-smorest GET
and POST on the same PostgreSQL database, all measured in this run.

The bare endpoints (`bench/baseline.py`) go through the same app factory, unit of work, token check and
gunicorn settings (2 sync workers) as the services: the ratio is what each service's own work costs on
top of the platform's fixed cost of a request. For each service, its database is prepared in process
through its own handlers (the events it consumes applied by the handlers its consumer runs), then the
bare endpoints and the service itself (its real gunicorn entry point) are served on that database side by
side and measured in turn: bare read, read, bare write, write, so that drift on the machine hits both.

    python -m bench.service_throughput    (needs PostgreSQL and wrk: apt-get install wrk)

BENCH_SECONDS (5) is each measurement's length, BENCH_CONNECTIONS (8) wrk's connections, BENCH_ROUNDS (1)
how many times each service and its baseline are measured (the best of the rounds is kept).
"""

from __future__ import annotations

import importlib
import json
import math
import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from bench.baseline import add_bench_row
from bench.http import Call, calls_per_second, gunicorn, requests_per_second
from bench.support import fresh_postgres_database
from shared.cli import run_init
from shared.config import TOKEN_AUDIENCE, Settings
from shared.domain import Caller
from shared.events import load_payload, make_envelope, parse_envelope, serialise_payload
from shared.service import Runtime, load_spec
from shared.testing import JwksServer, TestKeys, public_jwk

SECONDS = int(os.environ.get("BENCH_SECONDS", "5"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "1"))
# Writes that may be sent only once (a decision on a skill, a revocation) need an object each: enough for
# this many a second, several times what a service's write reaches on 2 cores. Running out fails loudly.
DISTINCT_WRITES_PER_SECOND = int(os.environ.get("BENCH_DISTINCT_WRITES_PER_SECOND", "1000"))
DISTINCT_WRITES = DISTINCT_WRITES_PER_SECOND * SECONDS * ROUNDS

ISSUER = "http://bench"
PASSPORT_TYPE = "NRSS"
WRITERS = 16  # people writing at once to objects of their own, so that row locks do not serialise the load


def now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Workload:
    """What is measured of one service: its main read and main write, and the token the baselines use."""

    service: str
    token: str
    read: str
    read_path: str
    write: str | None = None
    write_calls: list[Call] = field(default_factory=list)
    repeatable: bool = True  # False: each write call may succeed only once


@dataclass
class Figures:
    service: str
    read: str
    write: str | None
    bare_read: float = 0.0
    bare_write: float = 0.0
    service_read: float = 0.0
    service_write: float = 0.0


class Tokens:
    """Bearer tokens as identity issues them, signed by a test key that a stand-in JWKS serves."""

    def __init__(self):
        self.keys = TestKeys(kid="bench")

    def __call__(self, caller: Caller) -> str:
        return self.keys.token(
            user_id=caller.user_id, trust_id=caller.trust_id, roles=sorted(caller.roles), issuer=ISSUER
        )


def person(trust_id: uuid.UUID, *roles: str) -> Caller:
    return Caller(uuid.uuid4(), trust_id, frozenset(roles))


def service_runtime(service: str, database_url: str, jwks_url: str) -> Runtime:
    settings = Settings.from_env(
        service,
        {
            **os.environ,
            "DATABASE_URL": database_url,
            "IDENTITY_JWKS_URL": jwks_url,
            "IDENTITY_ISSUER": ISSUER,
            "LOG_LEVEL": "WARNING",
        },
    )
    runtime = Runtime(load_spec(service), settings)
    run_init(runtime)
    return runtime


def apply_events(runtime: Runtime, events: list[tuple[str, dict]], batch: int = 500) -> None:
    """Apply events with the handlers the service's consumer runs, validated as they would arrive; a batch
    to a transaction, since thousands of them one by one would take longer than the measurements."""
    handlers = runtime.spec.handlers
    for start in range(0, len(events), batch):
        with runtime.unit_of_work() as uow:
            for event_type, data in events[start : start + batch]:
                trust_id = data.get("trust_id")
                event = parse_envelope(
                    make_envelope(
                        service="bench",
                        event_type=event_type,
                        subject=str(data.get("passport_id") or trust_id),
                        data=serialise_payload(event_type, data),
                        trust_id=str(trust_id) if trust_id else None,
                        correlation_id=None,
                    )
                )
                handlers[event_type](uow, event, load_payload(event_type, event.data))
            uow.commit()


# --- Events as the other services publish them ---------------------------------------------------------


def nrss_skill_codes() -> list[str]:
    from services.passport.domain import skill_codes_of
    from services.passport.passport_types import read_bundled_files

    [content] = [content for content in read_bundled_files() if content["code"] == PASSPORT_TYPE]
    return skill_codes_of(content["domains"])


def passport_ref(passport_id: uuid.UUID, staff_id: uuid.UUID, trust_id: uuid.UUID) -> dict:
    return {"passport_id": passport_id, "staff_id": staff_id, "trust_id": trust_id, "passport_type": PASSPORT_TYPE}


def passport_started(ref: dict, skill_codes: list[str]) -> tuple[str, dict]:
    return "passport.started", {
        **ref,
        "type_version": 1,
        "title": "Non-Registered Support Staff",
        "skill_codes": skill_codes,
        "retrospective": False,
        "assigned_by": None,
        "started_at": now(),
    }


def skill_assessed(ref: dict, code: str) -> tuple[str, dict]:
    return "passport.skill_assessed", {
        **ref,
        "skill_code": code,
        "level": "supervised",
        "first_for_skill": True,
        "assessed_at": now(),
    }


def signoff_recorded(ref: dict, code: str, supervisor_id: uuid.UUID) -> tuple[str, dict]:
    return "signoff.recorded", {
        "signoff_id": uuid.uuid4(),
        "passport_id": ref["passport_id"],
        "skill_code": code,
        "outcome": "proficient",
        "supervisor_id": supervisor_id,
        "holder_id": ref["staff_id"],
        "trust_id": ref["trust_id"],
        "decided_at": now(),
    }


def passport_completed(ref: dict, skill_count: int) -> tuple[str, dict]:
    return "passport.completed", {
        **ref,
        "type_version": 1,
        "title": "Non-Registered Support Staff",
        "skill_count": skill_count,
        "completed_at": now(),
    }


def certificate_issued(ref: dict) -> tuple[str, dict]:
    certificate_id, issued = uuid.uuid4(), now()
    return "certificate.issued", {
        "certificate_id": certificate_id,
        "staff_id": ref["staff_id"],
        "trust_id": ref["trust_id"],
        "passport_id": ref["passport_id"],
        "passport_type": PASSPORT_TYPE,
        "type_version": 1,
        "role_title": "Non-Registered Support Staff",
        "issued_at": issued,
        "expires_at": issued + timedelta(days=730),
        "verify_url": f"http://certificate.bench/certificates/{certificate_id}/verify",
    }


def trust_created(trust_id: uuid.UUID) -> tuple[str, dict]:
    return "trust.created", {
        "trust_id": trust_id,
        "name": "Bench NHS Foundation Trust",
        "ods_code": "RBN",
        "created_at": now(),
    }


def user_registered(caller: Caller, name: str) -> tuple[str, dict]:
    return "user.registered", {
        "user_id": caller.user_id,
        "trust_id": caller.trust_id,
        "name": name,
        "email": f"{caller.user_id.hex[:12]}@bench.nhs.uk",
        "staff_number": None,
        "professional_group": None,
        "roles": sorted(caller.roles),
        "active": True,
        "registered_at": now(),
    }


# --- Each service's workload -----------------------------------------------------------------------------


def identity_workload(runtime: Runtime, tokens: Tokens, jwks: JwksServer) -> Workload:
    """Read: a user reads their account. Write: a user renames themself (PATCH /users/{id}; not POST /users,
    whose argon2 hashing is slow on purpose and would be all that is measured)."""
    from services.identity import domain, handlers
    from services.identity.components import keyring
    from services.identity.passwords import Passwords

    # Hashes of the users' passwords are never checked here: a cheap hasher keeps the preparation short.
    cheap = Passwords(time_cost=1, memory_kib=1024)
    admin = Caller(uuid.uuid4(), None, frozenset({"platform_admin"}))
    with runtime.unit_of_work() as uow:
        trust = handlers.create_trust(uow, {"name": "Bench NHS Foundation Trust", "ods_code": "RBN"})
    users = []
    for index in range(WRITERS + 1):
        with runtime.unit_of_work() as uow:
            users.append(
                handlers.create_user(
                    uow,
                    admin,
                    {
                        "email": f"nurse{index}@bench.nhs.uk",
                        "name": f"Nurse {index}",
                        "password": "long enough pw",
                        "trust_id": trust.id,
                        "roles": ["staff"],
                        "staff_number": f"B{index:05d}",
                        "professional_group": "Healthcare support worker",
                    },
                    cheap,
                )
            )

    # identity verifies tokens with its own signing key, not the stand-in's: sign with it, and let the
    # stand-in JWKS serve it too, so that the baselines accept the same tokens.
    ring = keyring(runtime)
    jwks.keys.extend(ring.jwks()["keys"])

    def token(user) -> str:
        return ring.sign(
            domain.token_claims(
                user_id=user.id,
                trust_id=user.trust_id,
                roles=user.roles,
                name=user.name,
                issuer=ISSUER,
                audience=TOKEN_AUDIENCE,
                now=now(),
                ttl_seconds=3600,
            )
        )

    reader, writers = users[0], users[1:]
    writer_tokens = [token(user) for user in writers]
    # Each call a name the user does not have yet: an unchanged name writes nothing.
    calls = [
        Call(
            "PATCH",
            f"/users/{writers[index % WRITERS].id}",
            writer_tokens[index % WRITERS],
            {"name": f"Nurse renamed {index}"},
        )
        for index in range(20 * WRITERS)
    ]
    return Workload(
        "identity", token(reader), "GET /users/{id}", f"/users/{reader.id}", "PATCH /users/{id} (own name)", calls
    )


def passport_workload(runtime: Runtime, tokens: Tokens, jwks: JwksServer) -> Workload:
    """Read: an NRSS passport (44 skills, all self-assessed, learning on each, half signed off). Write: the
    holder self-assesses a skill, walking through the skills of the passports of WRITERS people."""
    from services.passport import handlers

    trust_id = uuid.uuid4()
    cache = handlers.ContentCache()
    holders = [person(trust_id, "staff") for _ in range(WRITERS + 1)]
    passports = []
    for holder in holders:
        with runtime.unit_of_work() as uow:
            passports.append(handlers.start_passport(uow, holder, {"passport_type": PASSPORT_TYPE, "staff_id": None}))
    codes = nrss_skill_codes()

    reader, read_passport = holders[0], passports[0]
    for code in codes:
        with runtime.unit_of_work() as uow:
            handlers.self_assess(uow, reader, cache, read_passport.id, code, {"level": "supervised", "note": "On ICU"})
        with runtime.unit_of_work() as uow:
            handlers.record_learning(
                uow, reader, cache, read_passport.id, code, {"kind": "elearning", "status": "completed", "hours": 1.0}
            )
    ref = passport_ref(read_passport.id, reader.user_id, trust_id)
    apply_events(runtime, [signoff_recorded(ref, code, uuid.uuid4()) for code in codes[::2]])

    levels = ("supervised", "independent")
    calls = []
    for index in range(len(codes) * WRITERS):
        holder, passport = holders[1 + index % WRITERS], passports[1 + index % WRITERS]
        code = codes[index // WRITERS]
        calls.append(
            Call(
                "PUT",
                f"/passports/{passport.id}/skills/{code}/self-assessment",
                tokens(holder),
                {"level": levels[index % 2], "note": "Practised on the unit"},
            )
        )
    return Workload(
        "passport",
        tokens(reader),
        f"GET /passports/{{id}} ({len(codes)} skills)",
        f"/passports/{read_passport.id}",
        "PUT /passports/{id}/skills/{code}/self-assessment",
        calls,
    )


def signoff_workload(runtime: Runtime, tokens: Tokens, jwks: JwksServer) -> Workload:
    """Read: a supervisor reads the decisions on a passport (a page of 10). Write: a supervisor signs a
    skill off, each call a different self-assessed skill: a second proficient decision would be refused."""
    from services.signoff import handlers

    trust_id = uuid.uuid4()
    supervisor = person(trust_id, "supervisor")
    codes = nrss_skill_codes()
    passports = math.ceil(DISTINCT_WRITES / len(codes)) + 1
    refs = [passport_ref(uuid.uuid4(), uuid.uuid4(), trust_id) for _ in range(passports)]
    events = []
    for ref in refs:
        events.append(passport_started(ref, codes))
        events.extend(skill_assessed(ref, code) for code in codes)
    apply_events(runtime, events)

    read_ref = refs[0]
    for code in codes[:10]:
        with runtime.unit_of_work() as uow:
            handlers.record_signoff(
                uow,
                supervisor,
                {
                    "passport_id": read_ref["passport_id"],
                    "skill_code": code,
                    "outcome": "proficient",
                    "comment": "Observed in practice",
                    "evidence": None,
                    "action_plan": None,
                    "assessed_on": None,
                },
            )

    # Passport by passport in turn, so that concurrent decisions lock different passports.
    writable = refs[1:]
    token = tokens(supervisor)
    calls = [
        Call(
            "POST",
            "/signoffs",
            token,
            {
                "passport_id": str(ref["passport_id"]),
                "skill_code": code,
                "outcome": "proficient",
                "comment": "Observed in practice, safe",
            },
        )
        for code in codes
        for ref in writable
    ]
    return Workload(
        "signoff",
        token,
        "GET /signoffs?passport_id= (10 decisions)",
        f"/signoffs?passport_id={read_ref['passport_id']}",
        "POST /signoffs (proficient)",
        calls,
        repeatable=False,
    )


def certificate_workload(runtime: Runtime, tokens: Tokens, jwks: JwksServer) -> Workload:
    """Read: a holder reads their certificate. Write: a lead revokes a certificate, each call a different
    one. Issuing is certificate's busiest write but no request's: its consumer issues on passport.completed."""
    import sqlalchemy as sa

    from services.certificate.models import Certificate

    trust_id = uuid.uuid4()
    lead = person(trust_id, "lead")
    holder = person(trust_id, "staff")
    refs = [passport_ref(uuid.uuid4(), holder.user_id, trust_id)]
    refs += [passport_ref(uuid.uuid4(), uuid.uuid4(), trust_id) for _ in range(DISTINCT_WRITES + 1)]
    apply_events(runtime, [trust_created(trust_id), user_registered(holder, "Alex Bench")])
    apply_events(runtime, [passport_completed(ref, 44) for ref in refs])
    with runtime.unit_of_work() as uow:
        by_passport = dict(uow.session.execute(sa.select(Certificate.passport_id, Certificate.id)).all())
    read_id = by_passport[refs[0]["passport_id"]]
    token = tokens(lead)
    calls = [
        Call("POST", f"/certificates/{by_passport[ref['passport_id']]}/revoke", token, {"reason": "Issued in error"})
        for ref in refs[1:]
    ]
    return Workload(
        "certificate",
        tokens(holder),
        "GET /certificates/{id}",
        f"/certificates/{read_id}",
        "POST /certificates/{id}/revoke",
        calls,
        repeatable=False,
    )


def planning_workload(runtime: Runtime, tokens: Tokens, jwks: JwksServer) -> Workload:
    """Read: a workforce lead reads the Trust's roster (a page of 10 of 200 people). Write: a lead sets a
    plan's aim (PUT /plans/{id}/aim), over the plans of WRITERS Trusts' leads."""
    from services.planning import handlers

    trust_id = uuid.uuid4()
    reader = person(trust_id, "lead", "workforce")
    apply_events(runtime, [certificate_issued(passport_ref(uuid.uuid4(), uuid.uuid4(), trust_id)) for _ in range(200)])

    leads = [person(uuid.uuid4(), "lead") for _ in range(WRITERS)]
    plans = []
    for lead in leads:
        with runtime.unit_of_work() as uow:
            plans.append(handlers.create_plan(uow, lead, {"name": "Surge readiness"}))
    calls = []
    for index in range(20 * WRITERS):
        lead, plan = leads[index % WRITERS], plans[index % WRITERS]
        calls.append(
            Call(
                "PUT",
                f"/plans/{plan.id}/aim",
                tokens(lead),
                {
                    "why": "Safe staffing in a surge",
                    "how": "Redeploy support staff with a passport",
                    "what": "Staff certified for critical care",
                    "statement": f"{40 + index % 50} staff certified by March",
                    "target_passport_types": [PASSPORT_TYPE],
                    "target_percentage": 80.0,
                    "target_cohort_size": 40 + index % 50,
                    "target_deadline": "2027-03-31",
                },
            )
        )
    return Workload("planning", tokens(reader), "GET /roster (10 of 200)", "/roster", "PUT /plans/{id}/aim", calls)


def metrics_workload(runtime: Runtime, tokens: Tokens, jwks: JwksServer) -> Workload:
    """Read: a workforce lead reads the Trust's dashboard, projected from 20 passports' events. Metrics
    takes no writes over HTTP: its writes are projections of events, measured against the inbox alone by
    bench/metrics_projection.py, a figure no bare HTTP write compares with."""
    trust_id = uuid.uuid4()
    reader = person(trust_id, "lead", "workforce")
    codes = nrss_skill_codes()
    supervisor_id = uuid.uuid4()
    events = []
    for index in range(20):
        ref = passport_ref(uuid.uuid4(), uuid.uuid4(), trust_id)
        events.append(passport_started(ref, codes))
        events.extend(skill_assessed(ref, code) for code in codes)
        if index % 2 == 0:
            events.extend(signoff_recorded(ref, code, supervisor_id) for code in codes)
            events.extend([passport_completed(ref, len(codes)), certificate_issued(ref)])
    apply_events(runtime, [event for event in events if event[0] in runtime.spec.handlers])
    return Workload("metrics", tokens(reader), "GET /trusts/{id}/dashboard", f"/trusts/{trust_id}/dashboard")


WORKLOADS: list[tuple[str, Callable[[Runtime, Tokens, JwksServer], Workload]]] = [
    ("identity", identity_workload),
    ("passport", passport_workload),
    ("signoff", signoff_workload),
    ("certificate", certificate_workload),
    ("planning", planning_workload),
    ("metrics", metrics_workload),
]


def installed(service: str) -> bool:
    """metrics may not be there yet: a service whose package does not import is left out."""
    try:
        importlib.import_module(f"services.{service}.service")
    except ImportError:
        return False
    return True


# --- Measuring ---------------------------------------------------------------------------------------


def measure(service: str, prepare: Callable[[Runtime, Tokens, JwksServer], Workload], tokens: Tokens) -> Figures:
    with fresh_postgres_database(service) as database_url, JwksServer([public_jwk(tokens.keys)]) as jwks:
        runtime = service_runtime(service, database_url, jwks.url)
        try:
            workload = prepare(runtime, tokens, jwks)
        finally:
            runtime.database.dispose()
        bench_row = add_bench_row(database_url)
        env = {"DATABASE_URL": database_url, "IDENTITY_JWKS_URL": jwks.url, "IDENTITY_ISSUER": ISSUER}
        figures = Figures(service, workload.read, workload.write)
        bare_write = [Call("POST", "/baseline", workload.token, {"status": "bench"})] * 2
        write_rounds = _split(workload.write_calls, ROUNDS, workload.repeatable)
        # Both served at once (an idle worker costs nothing), so that each figure is measured right beside
        # its baseline: drift on a shared machine then moves the pair together.
        with (
            gunicorn(f"bench.baseline:baseline_app({service!r})", env) as bare_url,
            gunicorn(f"shared.app:create_service_app({service!r})", env) as service_url,
        ):
            for round_calls in write_rounds:
                figures.bare_read = max(
                    figures.bare_read,
                    requests_per_second(f"{bare_url}/baseline/{bench_row}", workload.token, seconds=SECONDS),
                )
                figures.service_read = max(
                    figures.service_read,
                    requests_per_second(service_url + workload.read_path, workload.token, seconds=SECONDS),
                )
                if workload.write:
                    figures.bare_write = max(
                        figures.bare_write, calls_per_second(bare_url, bare_write, seconds=SECONDS)
                    )
                    figures.service_write = max(
                        figures.service_write,
                        calls_per_second(service_url, round_calls, repeatable=workload.repeatable, seconds=SECONDS),
                    )
    return figures


def _split(calls: list[Call], rounds: int, repeatable: bool) -> list[list[Call]]:
    """Each round its own share of writes that may be sent only once; repeatable ones are sent every round."""
    if repeatable or not calls:
        return [calls] * rounds
    share = len(calls) // rounds
    return [calls[index * share : (index + 1) * share] for index in range(rounds)]


def _ratio(value: float, base: float) -> float:
    return round(value / base, 2) if base else 0.0


def report(results: list[Figures]) -> None:
    print(
        f"\nService throughput on PostgreSQL, gunicorn 2 sync workers, wrk {SECONDS} s per figure "
        f"(requests/s, best of {ROUNDS}); baseline = bare flask-smorest GET / POST measured beside each service"
    )
    print(f"  {'service':<12} {'operation':<55} {'req/s':>7} {'baseline':>9} {'ratio':>6}")
    for figures in results:
        rows = [(figures.read, figures.service_read, figures.bare_read)]
        if figures.write:
            rows.append((figures.write, figures.service_write, figures.bare_write))
        for operation, value, base in rows:
            print(f"  {figures.service:<12} {operation:<55} {value:7.0f} {base:9.0f} {_ratio(value, base):6.2f}")
        if not figures.write:
            print(f"  {figures.service:<12} {'no HTTP write (projections: bench/metrics_projection.py)':<55} {'—':>7}")
    print(
        json.dumps(
            {
                "service_throughput": {
                    figures.service: {
                        "read": figures.read,
                        "read_rps": round(figures.service_read),
                        "bare_read_rps": round(figures.bare_read),
                        "read_ratio": _ratio(figures.service_read, figures.bare_read),
                        **(
                            {
                                "write": figures.write,
                                "write_rps": round(figures.service_write),
                                "bare_write_rps": round(figures.bare_write),
                                "write_ratio": _ratio(figures.service_write, figures.bare_write),
                            }
                            if figures.write
                            else {}
                        ),
                    }
                    for figures in results
                }
            }
        )
    )


def main() -> None:
    tokens = Tokens()
    results = []
    for service, prepare in WORKLOADS:
        if not installed(service):
            print(f"{service}: not installed, skipped", flush=True)
            continue
        figures = measure(service, prepare, tokens)
        print(
            f"{service}: read {figures.service_read:.0f}/{figures.bare_read:.0f}"
            + (f", write {figures.service_write:.0f}/{figures.bare_write:.0f}" if figures.write else "")
            + " req/s (service/baseline)",
            flush=True,
        )
        results.append(figures)
    report(results)


if __name__ == "__main__":
    main()
