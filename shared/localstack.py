"""`make run`: every installed service's init, then its web and worker, until Ctrl-C or SIGTERM."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request

from shared.broker import broker_reachable, without_password
from shared.config import PORTAL, SERVICE_PORTS, WEB_PORTS, WORKER_METRICS_PORT_OFFSET
from shared.processes import process_commands
from shared.service import installed_services

# gunicorn's graceful timeout is 10 s and a worker joins its threads one by one: room for both, as the
# compose file's stop_grace_period gives, before a process that has not stopped is killed.
STOP_GRACE_SECONDS = 30.0


def say(message: str) -> None:
    print(f"[skillpass] {message}", file=sys.stderr, flush=True)


def service_environment(service: str, base: dict[str, str]) -> dict[str, str]:
    env = dict(base)
    env["PORT"] = base.get(f"{service.upper()}_PORT", str(WEB_PORTS[service]))
    identity_port = base.get("IDENTITY_PORT", str(SERVICE_PORTS["identity"]))
    env.setdefault("IDENTITY_JWKS_URL", f"http://127.0.0.1:{identity_port}/.well-known/jwks.json")
    env.setdefault("IDENTITY_ISSUER", f"http://127.0.0.1:{identity_port}")
    portal_port = base.get("PORTAL_PORT", str(WEB_PORTS[PORTAL]))
    # Verify links and QR codes point at the portal's public certificate page.
    env.setdefault("SKILLPASS_PUBLIC_BASE_URL", f"http://127.0.0.1:{portal_port}")
    if service != PORTAL and base.get("WORKER_METRICS_PORT") != "0":
        # Each worker's /metrics beside its web port (5001 -> 6001), or at <SERVICE>_WORKER_METRICS_PORT: one
        # WORKER_METRICS_PORT for every worker would collide, so only 0 (none at all) is taken from it.
        env["WORKER_METRICS_PORT"] = base.get(f"{service.upper()}_WORKER_METRICS_PORT") or str(
            int(env["PORT"]) + WORKER_METRICS_PORT_OFFSET
        )
    if service == PORTAL:
        for backend in SERVICE_PORTS:  # the portal calls each service where this run put it
            env.setdefault(
                f"{backend.upper()}_URL",
                f"http://127.0.0.1:{base.get(f'{backend.upper()}_PORT', SERVICE_PORTS[backend])}",
            )
    return env


def resolve(command: list[str]) -> list[str]:
    """Run `skillpass` from this same environment, even when its bin folder is not on PATH."""
    local = os.path.join(os.path.dirname(sys.executable), command[0])
    return [local if os.path.exists(local) else shutil.which(command[0]) or command[0], *command[1:]]


def run_local_stack() -> int:
    amqp_url = os.environ.get("AMQP_URL", "amqp://guest:guest@127.0.0.1:5672//")
    ok, detail = broker_reachable(amqp_url)
    if not ok:
        say(f"cannot reach RabbitMQ at {without_password(amqp_url)}: {detail}")
        say("start it (for example `rabbitmq-server -detached`) or set AMQP_URL, then try again.")
        return 1
    if os.environ.get("DATABASE_URL"):
        say(
            "DATABASE_URL names a single database, but each service needs its own: unset it and set "
            "DATABASE_SERVER_URL (postgresql://user:password@host:port) instead, or neither for SQLite."
        )
        return 1
    services = installed_services()
    database = os.environ.get("DATABASE_SERVER_URL") and "PostgreSQL" or "SQLite files in ./var"
    say(f"starting {', '.join(services)} on {database}")

    processes: list[tuple[str, subprocess.Popen]] = []
    stopping = False

    def _stop(_signum, _frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    try:
        # Each service starts as soon as its own init is done: identity serves while the rest set up.
        for service in services:
            env = service_environment(service, dict(os.environ))
            result = subprocess.run(resolve(process_commands(service)["init"]), env=env)
            if stopping:
                say("stopping")
                return 0
            if result.returncode != 0:
                say(f"{service} init failed (exit {result.returncode}); stopping everything.")
                return 1
            for kind in ("web", "worker"):
                command = resolve(process_commands(service)[kind])
                processes.append((f"{service} {kind}", subprocess.Popen(command, env=env)))
        portal_env = service_environment(PORTAL, dict(os.environ))
        processes.append((f"{PORTAL} web", subprocess.Popen(resolve(process_commands(PORTAL)["web"]), env=portal_env)))
        _announce_when_ready([*services, PORTAL], lambda: stopping)
        while not stopping:
            for name, process in processes:
                if process.poll() is not None:
                    say(f"{name} exited with code {process.returncode}; stopping everything.")
                    return 1
            time.sleep(0.2)
        say("stopping")
        return 0
    finally:
        _terminate(processes)


def _announce_when_ready(services: list[str], should_stop) -> None:
    deadline = time.monotonic() + 30
    pending = list(services)
    while pending and time.monotonic() < deadline and not should_stop():
        for service in list(pending):
            port = service_environment(service, dict(os.environ))["PORT"]
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=1) as response:
                    if response.status == 200:
                        where = "sign in there" if service == PORTAL else "API docs at /docs"
                        say(f"{service} ready at http://127.0.0.1:{port} ({where})")
                        pending.remove(service)
            except OSError:
                pass
        time.sleep(0.2)
    for service in pending:
        say(f"{service} is not ready yet; see its log lines above")


def _terminate(processes: list[tuple[str, subprocess.Popen]], grace_seconds: float = STOP_GRACE_SECONDS) -> None:
    for _, process in processes:
        if process.poll() is None:
            process.terminate()
    deadline = time.monotonic() + grace_seconds
    for _, process in processes:
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            # Its own children first (a gunicorn master's workers), or they would outlive it.
            for pid in _children(process.pid):
                _kill(pid)
            process.kill()
            process.wait()


def _children(pid: int) -> list[int]:
    """Every descendant of a process, deepest last (Linux's /proc; none where there is no /proc)."""
    found = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as children:
                found += [int(child) for child in children.read().split()]
    except OSError:
        return []
    return [descendant for child in found for descendant in (child, *_children(child))]


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
