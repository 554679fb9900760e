"""What the benchmarks share: an isolated vhost and database, percentiles, a results line."""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import urllib.parse
import uuid
from contextlib import contextmanager

from shared.db import drop_database, ensure_database

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
