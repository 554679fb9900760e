"""Serving a service (or the baseline) with gunicorn and loading it with wrk, as a Trust would run it:
GETs of one URL, or a load of reads and writes (each its method, path, JSON body and token) that wrk
walks through with a Lua script."""

from __future__ import annotations

import itertools
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

DURATION_SECONDS = int(os.environ.get("BENCH_SECONDS", "8"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "8"))
WRK_THREADS = 2


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
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
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


def requests_per_second(url: str, token: str, *, seconds: int | None = None) -> float:
    """GET throughput of one URL with wrk where installed (apt-get install wrk), else a threaded Python client."""
    base, path = _split(url)
    return calls_per_second(base, [Call("GET", path, token)] * 2, seconds=seconds)


@dataclass(frozen=True)
class Call:
    """One request of a load: method, path (query included), the bearer token, and a JSON body or none."""

    method: str
    path: str
    token: str
    body: dict | None = None


def calls_per_second(base_url: str, calls: list[Call], *, repeatable: bool = True, seconds: int | None = None) -> float:
    """Throughput of a load that walks through `calls` over CONNECTIONS connections.

    `calls[0]` is sent once, alone, to check that the load is valid; the load is `calls[1:]`, each sent once
    in turn and then again from the start. A load of writes that may not be repeated (a decision on a skill,
    the revocation of a certificate) passes `repeatable=False` and enough calls for the run: running out
    fails loudly instead of measuring refusals. Each load runs `seconds` (BENCH_SECONDS by default)."""
    if len(calls) < 2:
        raise ValueError("a load needs a check call and at least one call")
    _check(base_url, calls[0])
    load, seconds = calls[1:], seconds or DURATION_SECONDS
    if shutil.which("wrk"):
        completed, rate = _wrk(base_url, load, seconds)
    else:
        completed, rate = _python_client(base_url, load, seconds)
    if not repeatable and completed > len(load):
        raise RuntimeError(
            f"{completed} requests for {len(load)} distinct calls: the load repeated writes that "
            "may not be repeated; give it more calls"
        )
    return rate


def _split(url: str) -> tuple[str, str]:
    parsed = urllib.parse.urlsplit(url)
    path = parsed.path + (f"?{parsed.query}" if parsed.query else "")
    return f"{parsed.scheme}://{parsed.netloc}", path


def _request(base_url: str, call: Call) -> urllib.request.Request:
    headers = {"Authorization": f"Bearer {call.token}"}
    data = None
    if call.body is not None:
        headers["Content-Type"] = "application/json"
        data = json.dumps(call.body).encode()
    return urllib.request.Request(base_url + call.path, data=data, headers=headers, method=call.method)


def _check(base_url: str, call: Call) -> None:
    try:
        with urllib.request.urlopen(_request(base_url, call), timeout=10) as response:
            status = response.status
    except urllib.error.HTTPError as error:
        raise RuntimeError(f"{call.method} {call.path} answered {error.code}: {error.read()[:500]!r}") from None
    if not 200 <= status < 300:
        raise RuntimeError(f"{call.method} {call.path} answered {status}")


# wrk runs one copy of this script per thread: `setup` gives each thread its offset, so that the threads
# share the calls out between them (every WRK_THREADS-th call each) instead of each sending all of them.
# The requests are formatted once in `init`, so that the load generator spends its time sending.
_WRK_SCRIPT = """\
local tokens = {%(tokens)s}
local calls = {
%(calls)s
}
local threads_started = 0

function setup(thread)
  thread:set("offset", threads_started)
  threads_started = threads_started + 1
end

function init(args)
  formatted = {}
  for i = offset + 1, #calls, %(threads)d do
    local call = calls[i]
    local headers = {["Authorization"] = "Bearer " .. tokens[call[4]]}
    local body = nil
    if call[3] ~= "" then
      headers["Content-Type"] = "application/json"
      body = call[3]
    end
    formatted[#formatted + 1] = wrk.format(call[1], call[2], headers, body)
  end
  position = 0
end

function request()
  position = position %% #formatted + 1
  return formatted[position]
end
"""


def _lua_string(text: str) -> str:
    """A Lua string literal of any text: printable ASCII as is, every other byte as a decimal escape."""
    return (
        '"'
        + "".join(chr(byte) if 32 <= byte < 127 and byte not in (34, 92) else f"\\{byte:03d}" for byte in text.encode())
        + '"'
    )


def _wrk_script(calls: list[Call]) -> str:
    tokens = list(dict.fromkeys(call.token for call in calls))
    token_index = {token: index + 1 for index, token in enumerate(tokens)}
    rows = ",\n".join(
        f"  {{{_lua_string(call.method)}, {_lua_string(call.path)}, "
        f"{_lua_string(json.dumps(call.body) if call.body is not None else '')}, {token_index[call.token]}}}"
        for call in calls
    )
    return _WRK_SCRIPT % {"tokens": ", ".join(_lua_string(t) for t in tokens), "calls": rows, "threads": WRK_THREADS}


def _wrk(base_url: str, calls: list[Call], seconds: int) -> tuple[int, float]:
    if len(calls) < WRK_THREADS:
        calls = calls * WRK_THREADS  # every thread needs at least one call to send
    with tempfile.TemporaryDirectory(prefix="skillpass-wrk-") as directory:
        script = Path(directory) / "load.lua"
        script.write_text(_wrk_script(calls))
        output = subprocess.run(
            ["wrk", f"-t{WRK_THREADS}", f"-c{CONNECTIONS}", f"-d{seconds}s", "-s", str(script), base_url + "/"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    if "Non-2xx" in output or "Socket errors" in output:
        first = calls[0]
        raise RuntimeError(f"errors under load of {first.method} {first.path} (and {len(calls) - 1} more):\n{output}")
    completed = int(re.search(r"(\d+) requests in", output).group(1))
    return completed, float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))


def _python_client(base_url: str, calls: list[Call], seconds: int) -> tuple[int, float]:
    import requests

    stop = time.monotonic() + seconds
    counts = []
    turn = itertools.count()

    def loop():
        session, done = requests.Session(), 0
        while time.monotonic() < stop:
            call = calls[next(turn) % len(calls)]
            response = session.request(
                call.method,
                base_url + call.path,
                json=call.body,
                headers={"Authorization": f"Bearer {call.token}"},
                timeout=10,
            )
            if not response.ok:
                raise RuntimeError(
                    f"{call.method} {call.path} answered {response.status_code} under load: {response.text[:500]}"
                )
            done += 1
        counts.append(done)

    threads = [threading.Thread(target=loop) for _ in range(CONNECTIONS)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if len(counts) < len(threads):
        raise RuntimeError("errors under load: see the traceback above")
    return sum(counts), sum(counts) / (time.monotonic() - started)
