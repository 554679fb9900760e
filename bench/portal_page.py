"""The portal's passport page (NRSS, 44 skills) as a signed-in nurse sees it, against a portal page that calls
no API (`GET /sign-in` with the same session cookie: the layout, the session, no backend call), both measured
in this run through the same client, one request at a time, after a warm-up.

identity, passport, signoff and certificate (the portal's back-ends) and the portal run as real processes
(gunicorn, relays, consumers) on fresh PostgreSQL databases and a fresh RabbitMQ vhost. A nurse of a new Trust
self-assesses all 44 skills through the APIs and a supervisor signs 10 of them off; the nurse then signs in to
the portal with the sign-in form, as a person would. For context, the two API calls the page makes at once
(the passport service's `GET /passports/{id}` and the sign-off service's `GET /signoffs?passport_id=`) are
timed directly too, each alone and both at once: what the page waits for before it renders.

    python -m bench.portal_page         (BENCH_PORTAL_REQUESTS=300 per figure by default)
"""

from __future__ import annotations

import json
import os
import re
import statistics
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

from bench.support import DATABASE_SERVER_URL, isolated_vhost, percentiles
from tests.support.journey import PASSPORT_TYPE, Trust, self_assessed, sign_off
from tests.support.stack import Stack, eventually, free_port

REQUESTS = int(os.environ.get("BENCH_PORTAL_REQUESTS", "300"))
WARM_UP = 30  # requests of each figure before the clock starts: each worker's first page loads its templates
BLOCKS = 6  # the figures take turns, a block of each at a time, so that drift on the machine hits them alike
SIGNED_OFF = 10
TARGET_P50_MS = 50.0
BACKENDS = ("identity", "passport", "signoff", "certificate")
LABELS = {
    "page": "GET /passports/{id} through the portal (44 skills)",
    "baseline": "GET /sign-in, signed in, no API call (baseline)",
    "passport_api": "passport service GET /passports/{id} (JSON)",
    "signoff_api": "sign-off service GET /signoffs?passport_id=",
    "both_apis": "both API calls at once (what the page waits for)",
}


def start(stack: Stack) -> None:
    """The portal's four back-ends, then the portal, as tests/browser/conftest.py starts them."""
    stack.ports["portal"] = free_port()
    quiet = {"LOG_LEVEL": "WARNING", "SKILLPASS_PUBLIC_BASE_URL": stack.url("portal")}
    for service in BACKENDS:
        stack.start_service(service, **quiet)
    stack.start(
        "portal",
        "web",
        **{f"{name.upper()}_URL": stack.url(name) for name in BACKENDS},
        SKILLPASS_DATA_DIR=str(stack.log_dir),
        **quiet,
    )
    stack.wait_ready("portal")


def signed_in(portal_url: str, email: str, password: str) -> requests.Session:
    """A session signed in through the portal's own form: its cookie `skillpass_session` holds the token."""
    session = requests.Session()
    form = session.get(f"{portal_url}/sign-in", timeout=10)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
    answer = session.post(
        f"{portal_url}/sign-in",
        data={"email": email, "password": password, "csrf_token": csrf, "next": "/"},
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 302 and "skillpass_session" in session.cookies, (
        f"sign-in refused: {answer.status_code} {answer.text[:300]}"
    )
    return session


def _get(session: requests.Session, url: str, headers: dict | None = None) -> requests.Response:
    response = session.get(url, headers=headers, allow_redirects=False, timeout=10)
    if response.status_code != 200:  # a redirect to sign-in would be a fast page of the wrong kind
        raise RuntimeError(f"GET {url} answered {response.status_code}: {response.text[:300]}")
    return response


def measure(requests_by_figure: dict, count: int) -> tuple[dict[str, list[float]], dict[str, float]]:
    """Milliseconds of each request of each figure, and each figure's requests a second (its requests over
    the wall time of its blocks, one request at a time)."""
    samples = {name: [] for name in requests_by_figure}
    busy = dict.fromkeys(requests_by_figure, 0.0)
    for name, send in requests_by_figure.items():
        for _ in range(WARM_UP):
            send()
    per_block = -(-count // BLOCKS)
    for _ in range(BLOCKS):
        for name, send in requests_by_figure.items():
            block_started = time.perf_counter()
            for _ in range(min(per_block, count - len(samples[name]))):
                started = time.perf_counter()
                send()
                samples[name].append((time.perf_counter() - started) * 1000)
            busy[name] += time.perf_counter() - block_started
    return samples, {name: len(samples[name]) / busy[name] for name in samples}


def with_p95(samples_ms: list[float]) -> dict[str, float]:
    """bench.support.percentiles, and the 95th percentile cut the same way."""
    figures = percentiles(samples_ms)
    p95 = round(statistics.quantiles(sorted(samples_ms), n=100, method="inclusive")[94], 2)
    return {"p50": figures["p50"], "p95": p95, "p99": figures["p99"], "max": figures["max"], "n": figures["n"]}


def main() -> None:
    with isolated_vhost() as amqp_url, tempfile.TemporaryDirectory() as logs:
        stack = Stack(amqp_url, DATABASE_SERVER_URL, Path(logs))
        try:
            start(stack)
            trust = Trust(stack, "Benchmark Trust")
            journey = self_assessed(trust)
            for code in journey.skills[:SIGNED_OFF]:
                sign_off(trust, journey, code)
            nurse = journey.nurse
            passport_url = f"{stack.url('passport')}/passports/{journey.passport_id}"
            signoff_url = f"{stack.url('signoff')}/signoffs?passport_id={journey.passport_id}&page_size=100"
            bearer = {"Authorization": f"Bearer {nurse.token}"}
            # No events on their way while measuring: the passport service has applied every sign-off.
            api = requests.Session()
            eventually(
                lambda: _get(api, passport_url, bearer).json(),
                lambda detail: detail["progress"]["signed_off"] == SIGNED_OFF,
            )
            assert len(journey.skills) == 44, f"{PASSPORT_TYPE} has {len(journey.skills)} skills, not 44"

            portal_url = stack.url("portal")
            portal = signed_in(portal_url, nurse.user["email"], nurse.user["password"])
            page_url = f"{portal_url}/passports/{journey.passport_id}"
            page = _get(portal, page_url).text
            assert f"{SIGNED_OFF} of 44 skills signed off" in page, "the page does not show the sign-offs"
            assert "Sign in</h1>" in _get(portal, f"{portal_url}/sign-in").text
            page_bytes = len(page.encode())

            # The page's two calls at once, as the portal's backend makes them: a client each, from two threads.
            pool, clients = ThreadPoolExecutor(max_workers=2), [requests.Session(), requests.Session()]

            def both() -> None:
                list(pool.map(lambda pair: _get(pair[0], pair[1], bearer), zip(clients, (passport_url, signoff_url))))

            samples, rates = measure(
                {
                    "page": lambda: _get(portal, page_url),
                    "baseline": lambda: _get(portal, f"{portal_url}/sign-in"),
                    "passport_api": lambda: _get(api, passport_url, bearer),
                    "signoff_api": lambda: _get(api, signoff_url, bearer),
                    "both_apis": both,
                },
                REQUESTS,
            )
            pool.shutdown()
        finally:
            stack.stop()

    figures = {name: {**with_p95(values), "rps": round(rates[name], 1)} for name, values in samples.items()}
    page, base = figures["page"], figures["baseline"]
    ratio = page["p50"] / base["p50"]
    met = page["p50"] <= TARGET_P50_MS
    print(
        f"Portal passport page on PostgreSQL, every back-end a real process (gunicorn 2 sync workers), "
        f"{REQUESTS} requests each, one at a time after {WARM_UP} to warm up (milliseconds)"
    )
    for name, label in LABELS.items():
        row = figures[name]
        print(
            f"  {label:52s} p50 {row['p50']:6.2f}  p95 {row['p95']:6.2f}  p99 {row['p99']:6.2f}  "
            f"{row['rps']:6.1f} req/s"
        )
        if name == "baseline":
            print(f"  {'page p50 / baseline p50':52s} {ratio:.2f}")
    print(
        f"  page: {page_bytes / 1024:.0f} kB of HTML; target p50 ≤ {TARGET_P50_MS:g} ms: "
        f"{'met' if met else 'MISSED'}; the page's own part (p50 page − p50 both API calls) "
        f"{page['p50'] - figures['both_apis']['p50']:.1f} ms"
    )
    print(
        json.dumps(
            {
                "portal_page": {
                    **figures,
                    "ratio_p50": round(ratio, 2),
                    "page_bytes": page_bytes,
                    "target_p50_ms": TARGET_P50_MS,
                    "target_met": met,
                }
            }
        )
    )


if __name__ == "__main__":
    main()
