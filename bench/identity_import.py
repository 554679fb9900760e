"""Importing a Trust's people: 5,000 rows through the real HTTP API (POST /users/import on identity's
gunicorn, PostgreSQL), against inserting the same people with plain SQL (one executemany INSERT in one
transaction) as the baseline, both measured in this run. The import also validates every row, checks
emails across every Trust, and writes a user.registered outbox row per person; the baseline does none
of that. A second import of the same file (every row unchanged, nothing written) is measured too.

    python -m bench.identity_import        (needs PostgreSQL)

BENCH_IMPORT_ROWS (5000) sets the file's size.
"""

from __future__ import annotations

import json
import os
import time
import uuid

import requests
import sqlalchemy as sa

from bench.http import gunicorn
from bench.support import fresh_postgres_database
from services.identity.service import SERVICE
from shared.cli import run_init
from shared.config import Settings
from shared.db import utcnow
from shared.service import Runtime

ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", "5000"))
ADMIN_EMAIL, ADMIN_PASSWORD = "bench.admin@example.nhs.uk", "bench admin passphrase"
HEADER = "staff_number,name,email,professional_group,roles,department"
DEPARTMENTS = ("Critical care", "Theatres", "Recovery", "Cath lab", "Ward 12")
GROUPS = ("Nursing", "Healthcare support worker", "AHP", "Medical")


def people() -> list[dict]:
    return [
        {
            "staff_number": f"B{n:06d}",
            "name": f"Bench Person {n}",
            "email": f"bench.person{n}@example.nhs.uk",
            "professional_group": GROUPS[n % len(GROUPS)],
            "department": DEPARTMENTS[n % len(DEPARTMENTS)],
            "roles": ["staff", "supervisor"] if n % 10 == 0 else ["staff"],
        }
        for n in range(ROWS)
    ]


def csv_file(rows: list[dict]) -> bytes:
    lines = [
        HEADER,
        *(
            f"{p['staff_number']},{p['name']},{p['email']},{p['professional_group']},"
            f"{';'.join(p['roles'])},{p['department']}"
            for p in rows
        ),
    ]
    return ("\r\n".join(lines) + "\r\n").encode()


def prepared_runtime(database_url: str) -> Runtime:
    env = {
        "DATABASE_URL": database_url,
        "SKILLPASS_ADMIN_EMAIL": ADMIN_EMAIL,
        "SKILLPASS_ADMIN_PASSWORD": ADMIN_PASSWORD,
        "ARGON2_TIME_COST": "1",
        "ARGON2_MEMORY_KIB": "1024",
        "LOG_LEVEL": "WARNING",
    }
    runtime = Runtime(SERVICE, Settings.from_env("identity", env))
    run_init(runtime)
    return runtime


def through_the_api(database_url: str, rows: list[dict]) -> tuple[float, float, dict, dict]:
    prepared_runtime(database_url)
    env = {
        "DATABASE_URL": database_url,
        "ARGON2_TIME_COST": "1",
        "ARGON2_MEMORY_KIB": "1024",
        "IDENTITY_ISSUER": "http://bench.identity",
    }
    with gunicorn("shared.app:create_service_app('identity')", env) as base:
        http = requests.Session()
        token = http.post(
            f"{base}/auth/token", json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}, timeout=30
        ).json()["access_token"]
        http.headers["Authorization"] = f"Bearer {token}"
        trust = http.post(f"{base}/trusts", json={"name": "Bench Trust", "ods_code": "RBN"}, timeout=30).json()
        body = csv_file(rows)

        def send() -> tuple[float, dict]:
            started = time.perf_counter()
            response = http.post(
                f"{base}/users/import",
                params={"trust_id": trust["id"]},
                data=body,
                headers={"Content-Type": "text/csv"},
                timeout=600,
            )
            elapsed = time.perf_counter() - started
            if response.status_code != 200:
                raise RuntimeError(f"import answered {response.status_code}: {response.text[:500]}")
            return elapsed, response.json()

        first_seconds, first = send()
        again_seconds, again = send()
    if (first["created"], len(first["rejected"])) != (len(rows), 0) or again["unchanged"] != len(rows):
        raise RuntimeError(f"unexpected import results: {first['created']} created, {again['unchanged']} unchanged")
    return first_seconds, again_seconds, first, again


def plain_sql(database_url: str, rows: list[dict]) -> float:
    runtime = prepared_runtime(database_url)
    trust_id, now = uuid.uuid4(), utcnow()
    engine = runtime.database.engine
    with engine.begin() as connection:
        connection.execute(
            sa.text("INSERT INTO trusts (id, name, ods_code, created_at) VALUES (:id, 'Bench', 'RBN', :at)"),
            {"id": trust_id, "at": now},
        )
    values = [
        (
            uuid.uuid4(),
            p["email"],
            p["name"],
            None,
            p["staff_number"],
            p["professional_group"],
            p["department"],
            trust_id,
            json.dumps(p["roles"]),
            True,
            now,
            now,
        )
        for p in rows
    ]
    started = time.perf_counter()
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO users (id, email, name, password_hash, staff_number, professional_group, department, trust_id,"
            " roles, active, created_at, updated_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            values,
        )
    return time.perf_counter() - started


def main() -> None:
    rows = people()
    with fresh_postgres_database("import_sql") as database_url:
        baseline = plain_sql(database_url, rows)
    with fresh_postgres_database("import_api") as database_url:
        imported, again, _, _ = through_the_api(database_url, rows)
    figures = {
        "plain SQL executemany INSERT (baseline)": baseline,
        "POST /users/import, new people": imported,
        "POST /users/import, same file again": again,
    }
    print(f"Importing {len(rows):,} people on PostgreSQL (seconds, rows a second, ratio to the baseline's time)")
    for name, seconds in figures.items():
        print(f"  {name:42s} {seconds:7.2f} s  {len(rows) / seconds:9,.0f} rows/s  {seconds / baseline:6.1f}x")
    print(json.dumps({"identity_import": {"rows": len(rows), **{k: round(v, 3) for k, v in figures.items()}}}))


if __name__ == "__main__":
    main()
