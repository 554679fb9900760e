"""The services as real processes, started with the very commands docker-compose.yml runs."""

from __future__ import annotations

import itertools
import os
import socket
import subprocess
import time
import urllib.request
import uuid
from pathlib import Path

from shared.db import drop_database
from shared.localstack import resolve
from shared.processes import process_commands

ADMIN_EMAIL = "stack.admin@example.nhs.uk"
ADMIN_PASSWORD = "stack admin password"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Process:
    def __init__(self, name: str, command: list[str], env: dict[str, str], log_dir: Path):
        self.name = name
        self.log_path = log_dir / f"{name}.log"
        self._log = open(self.log_path, "ab")
        self.popen = subprocess.Popen(
            command, env=env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def signal(self, sig: int = 15) -> None:
        if self.popen.poll() is None:
            os.killpg(self.popen.pid, sig)

    def stop(self, sig: int = 15, timeout: float = 15) -> None:
        self.signal(sig)
        try:
            self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.popen.pid, 9)
            self.popen.wait()
        self._log.close()

    def kill(self) -> None:
        """SIGKILL, as a crash would."""
        self.stop(sig=9)

    def tail(self, lines: int = 30) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


class Stack:
    """One test run's services on fresh databases, a given vhost and free ports."""

    def __init__(self, amqp_url: str, database_server: str, log_dir: Path):
        self.amqp_url = amqp_url
        self.database_server = database_server
        self.log_dir = log_dir
        self.run_id = uuid.uuid4().hex[:10]
        self.ports: dict[str, int] = {}
        self.replica_ports: dict[str, list[int]] = {}
        # Each worker's /metrics (WORKER_METRICS_PORT): workers of one host need a port each.
        self.worker_metrics_ports: dict[str, list[int]] = {}
        self.processes: list[Process] = []
        self.database_urls: dict[str, str] = {}

    def database_url(self, service: str) -> str:
        if service not in self.database_urls:
            self.database_urls[service] = f"{self.database_server}/skillpass_test_{self.run_id}_{service}"
        return self.database_urls[service]

    def url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.ports[service]}"

    def urls(self, service: str) -> list[str]:
        """Every web replica of the service, as a load balancer in front of them would know them."""
        return [self.url(service)] + [f"http://127.0.0.1:{port}" for port in self.replica_ports.get(service, [])]

    def env(self, service: str, **extra: str) -> dict[str, str]:
        self.ports.setdefault(service, free_port())
        self.ports.setdefault("identity", free_port())
        env = {
            **os.environ,
            "DATABASE_URL": self.database_url(service),
            "AMQP_URL": self.amqp_url,
            "PORT": str(self.ports[service]),
            "IDENTITY_JWKS_URL": f"{self.url('identity')}/.well-known/jwks.json",
            "IDENTITY_ISSUER": "http://identity.stack.test",
            "SKILLPASS_ADMIN_EMAIL": ADMIN_EMAIL,
            "SKILLPASS_ADMIN_PASSWORD": ADMIN_PASSWORD,
            "ARGON2_TIME_COST": "1",
            "ARGON2_MEMORY_KIB": "1024",
            # One gunicorn worker a web process unless a test asks for more: each worker is a process that
            # imports and builds the whole app, and on 2 cores those starts are most of a platform's start-up.
            "WEB_WORKERS": "1",
            "WORKER_HEARTBEAT_FILE": str(self.log_dir / f"{service}-{uuid.uuid4().hex[:6]}.alive"),
        }
        env.pop("DATABASE_SERVER_URL", None)
        env.update(extra)
        return env

    def run_init(self, service: str) -> None:
        result = subprocess.run(
            resolve(process_commands(service)["init"]),
            env=self.env(service),
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, f"{service} init failed:\n{result.stdout}\n{result.stderr}"

    def worker_metrics_urls(self, service: str) -> list[str]:
        return [f"http://127.0.0.1:{port}/metrics" for port in self.worker_metrics_ports.get(service, [])]

    def start(self, service: str, kind: str, **extra: str) -> Process:
        index = sum(1 for p in self.processes if p.name.startswith(f"{service}-{kind}"))
        if kind == "worker":
            extra.setdefault("WORKER_METRICS_PORT", str(free_port()))
            self.worker_metrics_ports.setdefault(service, []).append(int(extra["WORKER_METRICS_PORT"]))
        process = Process(
            f"{service}-{kind}-{index}",
            resolve(process_commands(service)[kind]),
            self.env(service, **extra),
            self.log_dir,
        )
        self.processes.append(process)
        return process

    def start_service(self, service: str, workers: int = 1, webs: int = 1, **extra: str) -> None:
        """init once, then `webs` gunicorn servers (each on its own port) and `workers` worker processes."""
        self.run_init(service)
        self.start(service, "web", **extra)
        for _ in range(webs - 1):
            port = free_port()
            self.replica_ports.setdefault(service, []).append(port)
            self.start(service, "web", PORT=str(port), **extra)
        for _ in range(workers):
            self.start(service, "worker", **extra)
        for url in self.urls(service):
            self.wait_ready(service, url)

    def wait_ready(self, service: str, url: str | None = None, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{url or self.url(service)}/readyz", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.1)
        logs = "\n".join(f"--- {p.name}\n{p.tail()}" for p in self.processes)
        raise AssertionError(f"{service} not ready within {timeout}s\n{logs}")

    def stop(self) -> None:
        for process in self.processes:  # all at once: each takes a moment to finish what it holds
            process.signal()
        for process in reversed(self.processes):
            process.stop()
        for url in self.database_urls.values():
            drop_database(url.replace("postgresql://", "postgresql+psycopg://", 1))


class Api:
    """A service's HTTP API as a client reaches it, optionally as a signed-in user."""

    def __init__(self, base_url: str | list[str], token: str | None = None):
        import requests

        self.base_urls = [base_url] if isinstance(base_url, str) else list(base_url)
        self.base_url = self.base_urls[0]
        self._next_replica = itertools.cycle(self.base_urls)  # round robin, as a load balancer would
        self.bearer = token
        self.http = requests.Session()

    def as_user(self, token: str) -> Api:
        return Api(self.base_urls, token)

    def request(self, method: str, path: str, body=None, **headers):
        if self.bearer:
            headers.setdefault("Authorization", f"Bearer {self.bearer}")
        return self.http.request(method, f"{next(self._next_replica)}{path}", json=body, headers=headers, timeout=15)

    def get(self, path, **headers):
        return self.request("GET", path, **headers)

    def post(self, path, body=None, **headers):
        return self.request("POST", path, body, **headers)

    def put(self, path, body=None, **headers):
        return self.request("PUT", path, body, **headers)

    def patch(self, path, body=None, **headers):
        return self.request("PATCH", path, body, **headers)

    def sign_in(self, email: str, password: str) -> str:
        response = self.http.post(
            f"{self.base_url}/auth/token", json={"email": email, "password": password}, timeout=15
        )
        assert response.status_code == 200, response.text
        return response.json()["access_token"]


def process_alive(pid: int) -> bool:
    """Whether the process still runs: a zombie (ended, not yet reaped by its parent) does not."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def _described(result) -> str:
    """A response with what it said, anything else as itself."""
    if hasattr(result, "status_code") and hasattr(result, "text"):
        return f"{result.status_code} {result.text[:500]}"
    return repr(result)


def eventually(call, until, timeout: float = 30.0, interval: float = 0.1):
    """Call until its result satisfies `until` (events still on their way), or fail after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        result = call()
        if until(result):
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"not reached within {timeout}s; last result: {_described(result)}")
        time.sleep(interval)
