"""What the benchmarks share: an isolated vhost and database, percentiles, a results line, events applied as
the consumer applies them."""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import time
import urllib.parse
import uuid
from collections.abc import Callable
from contextlib import contextmanager

from shared.consumer import Handler, apply_batch
from shared.db import Database, drop_database, ensure_database
from shared.events import Event, load_payload, make_envelope, parse_envelope, serialise_payload

AMQP_URL = os.environ.get("AMQP_URL", "amqp://guest:guest@127.0.0.1:5672//")
DATABASE_SERVER_URL = os.environ.get("DATABASE_SERVER_URL", "postgresql://postgres@127.0.0.1:5432").rstrip("/")


@contextmanager
def isolated_vhost():
    """A fresh vhost when rabbitmqctl is at hand, so that a running stack sees none of the traffic."""
    ctl = shutil.which("rabbitmqctl")
    if not ctl:
        yield AMQP_URL
        return
    vhost = f"skillpass-bench-{uuid.uuid4().hex[:8]}"
    user = urllib.parse.urlsplit(AMQP_URL).username or "guest"
    subprocess.run([ctl, "add_vhost", vhost], check=True, capture_output=True)
    subprocess.run([ctl, "set_permissions", "-p", vhost, user, ".*", ".*", ".*"], check=True, capture_output=True)
    try:
        parsed = urllib.parse.urlsplit(AMQP_URL)
        yield urllib.parse.urlunsplit(parsed._replace(path="/" + vhost))
    finally:
        subprocess.run([ctl, "delete_vhost", vhost], capture_output=True)


@contextmanager
def fresh_postgres_database(name: str):
    url = f"postgresql+psycopg://{DATABASE_SERVER_URL.split('://', 1)[1]}/skillpass_bench_{name}_{uuid.uuid4().hex[:8]}"
    ensure_database(url)
    try:
        yield url
    finally:
        drop_database(url)


def percentiles(samples_ms: list[float]) -> dict[str, float]:
    ordered = sorted(samples_ms)
    cuts = statistics.quantiles(ordered, n=100, method="inclusive")
    return {"p50": round(cuts[49], 2), "p99": round(cuts[98], 2), "max": round(ordered[-1], 2), "n": len(ordered)}


def consumed(events: list[tuple[str, dict]], trust_id: uuid.UUID) -> list[tuple[Event, dict]]:
    """Events as a consumer reads them off its queue: each envelope made as its publisher makes it, parsed and
    its payload loaded (not timed: the baseline does the same)."""
    read = []
    for event_type, data in events:
        envelope = make_envelope(
            service="bench",
            event_type=event_type,
            subject="bench",
            data=serialise_payload(event_type, data),
            trust_id=str(trust_id),
            correlation_id=None,
        )
        event = parse_envelope(envelope)
        read.append((event, load_payload(event.type, event.data)))
    return read


def inbox_only(_event_type: str) -> Handler:
    """The baseline's handler: nothing beyond the inbox row and the transaction."""
    return lambda uow, event, payload: None


def applied_per_second(
    database: Database, service: str, events: list[tuple[Event, dict]], handler_for: Callable, batch: int = 1
) -> float:
    """Events applied as the consumer applies them: `batch` at a time in one transaction (a backlog, up to its
    prefetch), or one a transaction (events arriving one by one)."""
    started = time.perf_counter()
    for start in range(0, len(events), batch):
        apply_batch(
            database,
            service,
            [(event, payload, handler_for(event.type)) for event, payload in events[start : start + batch]],
        )
    return len(events) / (time.perf_counter() - started)


def best_of_rounds(rounds: int, measures: dict[str, Callable[[], float]]) -> dict[str, float]:
    """Each measure taken `rounds` times, taking turns (so that a busy moment of a shared machine falls on all of
    them alike), and the best of its rounds kept."""
    best: dict[str, float] = {}
    for _ in range(max(rounds, 1)):
        for name, measure in measures.items():
            best[name] = max(best.get(name, 0.0), measure())
    return best
