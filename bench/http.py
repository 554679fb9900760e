"""Serving a service (or the baseline) with gunicorn and loading it with wrk, as a Trust would run it."""
from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from contextlib import contextmanager

DURATION_SECONDS = int(os.environ.get("BENCH_SECONDS", "8"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "8"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(app_spec: str, env: dict[str, str]):
    """gunicorn with the services' own configuration (2 sync workers unless WEB_WORKERS says otherwise)."""
    port = free_port()
    env = {**os.environ, **env, "PORT": str(port), "LOG_LEVEL": "WARNING"}
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--config", "python:shared.gunicorn_conf", app_spec],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=1)
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError(f"{app_spec} did not start")
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)


def requests_per_second(url: str, token: str) -> float:
    """Throughput with wrk where installed (apt-get install wrk), else a threaded Python client."""
    headers = {"Authorization": f"Bearer {token}"}
    _check(url, headers)
    if shutil.which("wrk"):
        output = subprocess.run(
            ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{DURATION_SECONDS}s", "-H", f"Authorization: Bearer {token}", url],
            capture_output=True, text=True, check=True,
        ).stdout
        if "Non-2xx" in output:
            raise RuntimeError(f"errors under load:\n{output}")
        return float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    return _python_client(url, headers)


def _check(url: str, headers: dict) -> None:
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=10) as response:
        if response.status != 200:
            raise RuntimeError(f"{url} answered {response.status}")


def _python_client(url: str, headers: dict) -> float:
    import requests

    stop = time.monotonic() + DURATION_SECONDS
    counts = []

    def loop():
        session, done = requests.Session(), 0
        while time.monotonic() < stop:
            response = session.get(url, headers=headers, timeout=10)
            response.raise_for_status()
            done += 1
        counts.append(done)

    threads = [threading.Thread(target=loop) for _ in range(CONNECTIONS)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(counts) / (time.monotonic() - started)
