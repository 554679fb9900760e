"""Passport's consumer: `signoff.recorded` throughput on PostgreSQL through the real path (inbox, the decision,
the skill's state and view, the passport's progress and completion, `passport.completed` in the outbox), as a
ratio of the inbox alone (a handler that does nothing), both measured in this run: one event a transaction
and a batch of the consumer's prefetch (what it takes from a backlog).

Each database holds the same NRSS passports, started through the service's own command; the events sign off
every skill of one passport after another, as a supervisor works through a backlog, so that one event in
each passport's 44 completes it.

    python -m bench.passport_consumer        (needs PostgreSQL)

BENCH_ROUNDS (1): how many times each throughput is measured, taking turns; the best of the rounds is kept.
"""

from __future__ import annotations

import json
import os
import uuid
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from bench.support import (
    applied_per_second,
    best_of_rounds,
    consumed,
    fresh_postgres_database,
    inbox_only,
    throughput_figures,
)
from services.passport import handlers
from services.passport.models import Passport, SkillState
from services.passport.service import SERVICE
from shared.cli import run_init
from shared.config import Settings
from shared.domain import Caller
from shared.service import Runtime

EVENTS = int(os.environ.get("BENCH_PASSPORT_EVENTS", "2000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "1"))
BATCH = Settings.consumer_prefetch
PASSPORT_TYPE = "NRSS"
NOW = datetime.now(UTC)


def prepared(database_url: str) -> tuple[Runtime, list]:
    """A passport database with enough passports for EVENTS sign-offs, and those sign-offs as read off the queue."""
    runtime = Runtime(SERVICE, Settings.from_env("passport", {"DATABASE_URL": database_url}))
    run_init(runtime)
    trust_id, built = uuid.uuid4(), []
    while len(built) < EVENTS:
        holder = Caller(user_id=uuid.uuid4(), trust_id=trust_id, roles=frozenset({"staff"}))
        with runtime.unit_of_work() as uow:
            passport = handlers.start_passport(uow, holder, {"passport_type": PASSPORT_TYPE, "staff_id": None})
        with runtime.unit_of_work() as uow:
            codes = uow.session.scalars(
                sa.select(SkillState.skill_code)
                .where(SkillState.passport_id == passport.id)
                .order_by(SkillState.position)
            )
            supervisor = uuid.uuid4()
            for n, code in enumerate(codes):
                built.append(
                    (
                        "signoff.recorded",
                        {
                            "signoff_id": uuid.uuid4(),
                            "passport_id": passport.id,
                            "skill_code": code,
                            "outcome": "proficient",
                            "supervisor_id": supervisor,
                            "holder_id": holder.user_id,
                            "trust_id": trust_id,
                            "decided_at": NOW + timedelta(seconds=len(built) + n),
                        },
                    )
                )
    return runtime, consumed(built[:EVENTS], trust_id)


def events_per_second(handler_for, batch: int = 1, completions: list | None = None) -> float:
    """Events per second on a new database; how many passports they completed is added to `completions`."""
    with fresh_postgres_database("passport_consumer") as url:
        runtime, events = prepared(url)
        try:
            rate = applied_per_second(runtime.database, "passport", events, handler_for, batch)
            with runtime.unit_of_work() as uow:
                completed = uow.session.scalar(
                    sa.select(sa.func.count()).select_from(Passport).where(Passport.status == "completed")
                )
        finally:
            runtime.database.engine.dispose()
    if completions is not None:
        completions.append(completed)
    return rate


def main() -> None:
    completions: list[int] = []
    rates = best_of_rounds(
        ROUNDS,
        {
            "baseline": lambda: events_per_second(inbox_only),
            "alone": lambda: events_per_second(SERVICE.handlers.__getitem__, completions=completions),
            "batched": lambda: events_per_second(SERVICE.handlers.__getitem__, BATCH, completions),
        },
    )
    baseline, alone, batched = rates["baseline"], rates["alone"], rates["batched"]
    assert len(set(completions)) == 1, "one and a batch a transaction completed different numbers of passports"
    completed = completions[0]
    print(
        f"Passport consumer, signoff.recorded on PostgreSQL ({EVENTS} events, {completed} passports completed, "
        f"best of {ROUNDS} rounds)"
    )
    print(f"  inbox only, handler doing nothing (baseline)   {baseline:8.0f} events/s")
    print(f"  sign-off applied, one a transaction            {alone:8.0f} events/s   ratio {alone / baseline:.2f}")
    print(
        f"  sign-off applied, {BATCH} a transaction             {batched:8.0f} events/s   ratio {batched / baseline:.2f}"
    )
    print(
        json.dumps(
            {
                "passport_consumer": {
                    **throughput_figures(baseline, alone, batched),
                    "passports_completed": completed,
                }
            }
        )
    )


if __name__ == "__main__":
    main()
