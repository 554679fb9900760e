"""Metrics: (a) projection throughput on PostgreSQL through the real consumer path (inbox, kept event,
projection, counters, outbox), as a ratio of the inbox alone (a handler that does nothing), both measured in
this run; (b) GET /trusts/{id}/dashboard latency through gunicorn with a year of history for 10,000 staff,
and with a month for 100, to show it does not grow with history.

    python -m bench.metrics_projection        (needs PostgreSQL)

BENCH_ROUNDS (1): how many times each throughput is measured, taking turns; the best of the rounds is kept.
"""

from __future__ import annotations

import json
import os
import time
import urllib.request
import uuid
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from bench.http import gunicorn
from bench.support import (
    applied_per_second,
    best_of_rounds,
    consumed,
    fresh_postgres_database,
    inbox_only,
    percentiles,
    throughput_figures,
)
from services.metrics.models import COUNTER_NAMES, CurrentCounts, DailyCount, MeasureDefinition, PassportState, PlanAim
from services.metrics.service import SERVICE
from shared.cli import run_init
from shared.config import Settings
from shared.service import Runtime
from shared.testing import JwksServer, TestKeys, public_jwk

EVENTS = int(os.environ.get("BENCH_METRICS_EVENTS", "2000"))
REQUESTS = int(os.environ.get("BENCH_METRICS_REQUESTS", "300"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "1"))
# What the consumer takes from a backlog at once: its prefetch (CONSUMER_PREFETCH's default).
BATCH = Settings.consumer_prefetch
NOW = datetime.now(UTC)


def journey_events(trust_id: uuid.UUID, count: int) -> list:
    """Passports started, self-assessed, completed and certified: the mix a Trust's day brings."""
    built = []
    while len(built) < count:
        staff, passport_id = uuid.uuid4(), uuid.uuid4()
        ref = {"passport_id": passport_id, "staff_id": staff, "trust_id": trust_id, "passport_type": "NRSS"}
        at = NOW - timedelta(days=len(built) % 365)
        built += [
            (
                "passport.started",
                {
                    **ref,
                    "type_version": 1,
                    "title": "NRSS",
                    "skill_codes": ["A", "B"],
                    "retrospective": False,
                    "assigned_by": None,
                    "started_at": at,
                },
            ),
            (
                "passport.skill_assessed",
                {**ref, "skill_code": "A", "level": "independent", "first_for_skill": True, "assessed_at": at},
            ),
            ("passport.completed", {**ref, "type_version": 1, "title": "NRSS", "skill_count": 2, "completed_at": at}),
            (
                "certificate.issued",
                {
                    "certificate_id": uuid.uuid4(),
                    "staff_id": staff,
                    "trust_id": trust_id,
                    "passport_id": passport_id,
                    "passport_type": "NRSS",
                    "type_version": 1,
                    "role_title": "NRSS",
                    "issued_at": at,
                    "expires_at": at + timedelta(days=365),
                    "verify_url": "http://certificate.test/verify",
                },
            ),
        ]
    return consumed(built[:count], trust_id)


def events_per_second(events: list, handler_for, batch: int = 1) -> float:
    """Applied to a new metrics database as the consumer applies them (bench.support.applied_per_second)."""
    with fresh_postgres_database("metrics_projection") as database_url:
        runtime = Runtime(SERVICE, Settings.from_env("metrics", {"DATABASE_URL": database_url}))
        run_init(runtime)
        try:
            return applied_per_second(runtime.database, "metrics", events, handler_for, batch)
        finally:
            runtime.database.engine.dispose()


def seed_history(database_url: str, trust_id: uuid.UUID, staff: int, days: int) -> None:
    """What `staff` people's passports over `days` days leave in the tables, inserted in bulk."""
    runtime = Runtime(SERVICE, Settings.from_env("metrics", {"DATABASE_URL": database_url}))
    run_init(runtime)
    types = ("NRSS", "RSC")
    today = NOW.date()
    with runtime.database.engine.begin() as connection:
        connection.execute(
            sa.insert(PassportState),
            [
                {
                    "passport_id": uuid.uuid4(),
                    "trust_id": trust_id,
                    "staff_id": uuid.uuid4(),
                    "passport_type": types[n % 2],
                    "status": "completed" if n % 3 else "in_progress",
                    "status_at": NOW,
                    "started_at": NOW,
                    "last_activity_at": NOW,
                    "skills_total": 40,
                    "skills_self_assessed": 30,
                    "skills_signed_off": 20,
                }
                for n in range(staff)
            ],
        )
        rows = [
            {
                "trust_id": trust_id,
                "passport_type": t,
                "metric": metric,
                "day": today - timedelta(days=d),
                "delta": max(1, staff // (days * 4)),
            }
            for t in types
            for metric in COUNTER_NAMES
            for d in range(days)
        ]
        for start in range(0, len(rows), 5000):
            connection.execute(sa.insert(DailyCount), rows[start : start + 5000])
        connection.execute(
            sa.insert(CurrentCounts),
            [
                {
                    "trust_id": trust_id,
                    "passport_type": t,
                    "first_day": today - timedelta(days=days - 1),
                    **{c: staff // 2 for c in COUNTER_NAMES},
                }
                for t in types
            ],
        )
        plan = uuid.uuid4()
        connection.execute(
            sa.insert(PlanAim),
            [
                {
                    "plan_id": plan,
                    "trust_id": trust_id,
                    "name": "Surge",
                    "statement": "95%",
                    "target_passport_types": list(types),
                    "target_percentage": 95.0,
                    "target_cohort_size": staff,
                    "target_deadline": today + timedelta(days=90),
                    "deleted": False,
                    "updated_at": NOW,
                }
            ],
        )
        connection.execute(
            sa.insert(MeasureDefinition),
            [
                {
                    "measure_id": uuid.uuid4(),
                    "plan_id": plan,
                    "trust_id": trust_id,
                    "name": metric,
                    "kind": "outcome",
                    "metric": metric,
                    "passport_type": "NRSS",
                    "target": 100.0,
                    "frequency": "weekly",
                    "deleted": False,
                    "defined_at": NOW,
                }
                for metric in (
                    "started",
                    "completed",
                    "certified",
                    "completion_rate",
                    "signed_off",
                    "learning_attended_vs_planned",
                )
            ],
        )
    runtime.database.engine.dispose()


def dashboard_latency(database_url: str, keys: TestKeys, jwks_url: str, trust_id: uuid.UUID) -> dict:
    token = keys.token(user_id=uuid.uuid4(), trust_id=trust_id, roles=["lead"], issuer="http://bench")
    env = {"DATABASE_URL": database_url, "IDENTITY_JWKS_URL": jwks_url, "IDENTITY_ISSUER": "http://bench"}
    with gunicorn("shared.app:create_service_app('metrics')", env) as url:
        request = urllib.request.Request(
            f"{url}/trusts/{trust_id}/dashboard", headers={"Authorization": f"Bearer {token}"}
        )
        samples = []
        for n in range(REQUESTS + 20):
            started = time.perf_counter()
            with urllib.request.urlopen(request, timeout=10) as response:
                assert response.status == 200
                response.read()
            if n >= 20:  # the first requests warm the workers up
                samples.append((time.perf_counter() - started) * 1000)
    return percentiles(samples)


def main() -> None:
    trust_id = uuid.uuid4()
    events = journey_events(trust_id, EVENTS)
    rates = best_of_rounds(
        ROUNDS,
        {
            "baseline": lambda: events_per_second(events, inbox_only),
            "projected": lambda: events_per_second(events, SERVICE.handlers.__getitem__),
            "batched": lambda: events_per_second(events, SERVICE.handlers.__getitem__, batch=BATCH),
        },
    )
    baseline, projected, batched = rates["baseline"], rates["projected"], rates["batched"]

    keys = TestKeys(kid="bench")
    latencies = {}
    with JwksServer([public_jwk(keys)]) as jwks:
        for label, staff, days in (("year", 10_000, 365), ("month", 100, 30)):
            with fresh_postgres_database(f"metrics_{label}") as url:
                seed_history(url, trust_id, staff, days)
                latencies[label] = dashboard_latency(url, keys, jwks.url, trust_id)
    year, month = latencies["year"], latencies["month"]
    print(f"Metrics projection throughput on PostgreSQL ({EVENTS} events, best of {ROUNDS} rounds)")
    print(f"  inbox only, handler doing nothing (baseline)   {baseline:8.0f} events/s")
    print(
        f"  full projection + outbox, one a transaction    {projected:8.0f} events/s   ratio {projected / baseline:.2f}"
    )
    print(
        f"  full projection + outbox, {BATCH} a transaction     {batched:8.0f} events/s   ratio {batched / baseline:.2f}"
    )
    print(f"GET /trusts/{{id}}/dashboard through gunicorn, {REQUESTS} sequential requests (ms)")
    print(f"  a year of history, 10,000 staff, 2 types, 6 measures   p50 {year['p50']:6.2f}  p99 {year['p99']:6.2f}")
    print(
        f"  a month of history, 100 staff                          p50 {month['p50']:6.2f}  p99 {month['p99']:6.2f}"
        f"   year/month p50 ratio {year['p50'] / month['p50']:.2f}"
    )
    print(
        json.dumps(
            {
                "metrics": {
                    **throughput_figures(baseline, projected, batched),
                    "dashboard_year_ms": year,
                    "dashboard_month_ms": month,
                }
            }
        )
    )


if __name__ == "__main__":
    main()
