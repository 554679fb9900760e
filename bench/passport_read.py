"""GET /passports/{id} for a passport of 60 skills, as a ratio of a single-row flask-smorest GET on
the same PostgreSQL database under the same gunicorn settings, both measured in this run.

    python -m bench.passport_read        (needs PostgreSQL; wrk gives steadier figures: apt-get install wrk)
"""

from __future__ import annotations

import json
import os
import uuid
from datetime import UTC, datetime

from bench.http import gunicorn, requests_per_second
from bench.support import fresh_postgres_database
from services.passport import handlers
from services.passport.passport_types import store_version
from services.passport.service import SERVICE
from shared.cli import run_init
from shared.config import Settings
from shared.consumer import apply_once
from shared.domain import Caller
from shared.events import load_payload, make_envelope, parse_envelope, serialise_payload
from shared.service import Runtime
from shared.testing import JwksServer, TestKeys, public_jwk

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "2"))


def sixty_skill_type() -> dict:
    domains = [
        {
            "code": f"D{d}",
            "title": f"Domain {d}",
            "skills": [
                {
                    "code": f"D{d}-{s:02d}",
                    "title": f"Skill {d}.{s}",
                    "description": "Demonstrate and safely undertake it.",
                    "learning_resources": [
                        {"kind": "elearning", "title": "Module", "url": "https://learninghub.nhs.uk/"}
                    ],
                }
                for s in range(1, 11)
            ],
        }
        for d in range(1, 7)
    ]
    return {
        "code": "BENCH60",
        "title": "Benchmark passport",
        "care_setting": "adult",
        "description": "60 skills",
        "sample": True,
        "notice": None,
        "domains": domains,
    }


def prepare(database_url: str, keys: TestKeys) -> tuple[str, str]:
    """A passport of 60 skills, every one self-assessed, with learning and half signed off."""
    runtime = Runtime(SERVICE, Settings.from_env("passport", {"DATABASE_URL": database_url}))
    run_init(runtime)
    with runtime.unit_of_work() as uow:
        store_version(uow.session, sixty_skill_type(), 1, imported_by=None)
        uow.commit()
    nurse = Caller(uuid.uuid4(), uuid.uuid4(), frozenset({"staff"}))
    with runtime.unit_of_work() as uow:
        passport = handlers.start_passport(uow, nurse, {"passport_type": "BENCH60", "staff_id": None})
    cache = handlers.ContentCache()
    for index, code in enumerate(f"D{d}-{s:02d}" for d in range(1, 7) for s in range(1, 11)):
        with runtime.unit_of_work() as uow:
            handlers.self_assess(uow, nurse, cache, passport.id, code, {"level": "supervised", "note": "Done on ICU"})
        with runtime.unit_of_work() as uow:
            handlers.record_learning(
                uow, nurse, cache, passport.id, code, {"kind": "elearning", "status": "completed", "hours": 1.0}
            )
        if index % 2 == 0:
            _sign_off(runtime, passport, code)
    token = keys.token(user_id=nurse.user_id, trust_id=nurse.trust_id, roles=["staff"], issuer="http://bench")
    return str(passport.id), token


def _sign_off(runtime: Runtime, passport, code: str) -> None:
    data = serialise_payload(
        "signoff.recorded",
        {
            "signoff_id": uuid.uuid4(),
            "passport_id": passport.id,
            "skill_code": code,
            "outcome": "proficient",
            "supervisor_id": uuid.uuid4(),
            "holder_id": passport.staff_id,
            "trust_id": passport.trust_id,
            "decided_at": datetime.now(UTC),
        },
    )
    event = parse_envelope(
        make_envelope(
            service="signoff",
            event_type="signoff.recorded",
            subject=str(passport.id),
            data=data,
            trust_id=str(passport.trust_id),
            correlation_id=None,
        )
    )
    apply_once(runtime.database, "passport", event, load_payload(event.type, event.data), SERVICE.handlers[event.type])


def main() -> None:
    keys = TestKeys(kid="bench")
    with fresh_postgres_database("passport") as database_url, JwksServer([public_jwk(keys)]) as jwks:
        passport_id, token = prepare(database_url, keys)
        env = {"DATABASE_URL": database_url, "IDENTITY_JWKS_URL": jwks.url, "IDENTITY_ISSUER": "http://bench"}
        baseline, detail = [], []
        for _ in range(ROUNDS):  # alternate, so that drift on the machine hits both alike
            with gunicorn("bench.baseline:baseline_app('passport', 'services.passport.models:Passport')", env) as url:
                baseline.append(requests_per_second(f"{url}/baseline/{passport_id}", token))
            with gunicorn("shared.app:create_service_app('passport')", env) as url:
                detail.append(requests_per_second(f"{url}/passports/{passport_id}", token))
    base, full = max(baseline), max(detail)
    print(f"Passport read throughput on PostgreSQL, gunicorn 2 sync workers (requests/s, best of {ROUNDS})")
    print(f"  single-row flask-smorest GET (baseline)   {base:8.0f}")
    print(f"  GET /passports/{{id}}, 60 skills          {full:8.0f}   ratio {full / base:.2f} (target ≥ 0.5)")
    print(
        json.dumps(
            {
                "passport_read": {
                    "baseline_rps": round(base),
                    "passport_detail_rps": round(full),
                    "ratio": round(full / base, 2),
                }
            }
        )
    )


if __name__ == "__main__":
    main()
