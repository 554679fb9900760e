"""`make run` (skillpass run): the local stack starts, serves, refuses without a broker, stops cleanly."""

from __future__ import annotations

import os
import signal
import subprocess

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from shared.config import SERVICE_PORTS, WEB_PORTS
from shared.localstack import STOP_GRACE_SECONDS, resolve
from tests.support.stack import eventually, free_port, process_alive

pytestmark = pytest.mark.stack
STARTUP_SECONDS = 180


def test_refuses_with_a_clear_message_when_rabbitmq_cannot_be_reached(tmp_path):
    env = {**os.environ, "AMQP_URL": "amqp://guest:secret@127.0.0.1:1//", "SKILLPASS_DATA_DIR": str(tmp_path)}
    result = subprocess.run(resolve(["skillpass", "run"]), env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "cannot reach RabbitMQ at amqp://guest:***@127.0.0.1:1//" in result.stderr
    assert "secret" not in result.stderr
    assert not list(tmp_path.iterdir()), "nothing should have been started or written"


def _ready(port: int) -> bool:
    try:
        return requests.get(f"http://127.0.0.1:{port}/readyz", timeout=5).status_code == 200
    except requests.RequestException:
        return False


def _metric_names(port: int) -> set[str] | None:
    """The names of the samples a worker's /metrics holds; None while it does not answer."""
    try:
        response = requests.get(f"http://127.0.0.1:{port}/metrics", timeout=5)
    except requests.RequestException:
        return None
    return {sample.name for family in text_string_to_metric_families(response.text) for sample in family.samples}


def _descendants(pid: int) -> set[int]:
    found, frontier = set(), [pid]
    while frontier:
        parent = frontier.pop()
        result = subprocess.run(["ps", "-o", "pid=", "--ppid", str(parent)], capture_output=True, text=True)
        children = {int(p) for p in result.stdout.split()}
        found |= children
        frontier.extend(children)
    return found


def test_runs_identity_on_sqlite_and_stops_everything_on_sigterm(tmp_path, amqp_url):
    ports = {service: free_port() for service in WEB_PORTS}  # never those of a `make run` here
    worker_metrics = {service: free_port() for service in SERVICE_PORTS}
    port = ports["identity"]
    env = {
        **os.environ,
        **{f"{service.upper()}_PORT": str(number) for service, number in ports.items()},
        **{f"{service.upper()}_WORKER_METRICS_PORT": str(number) for service, number in worker_metrics.items()},
        "AMQP_URL": amqp_url,
        "SKILLPASS_DATA_DIR": str(tmp_path),
        "SKILLPASS_ADMIN_EMAIL": "local.admin@example.nhs.uk",
        "SKILLPASS_ADMIN_PASSWORD": "local admin password",
        "ARGON2_MEMORY_KIB": "1024",
        "WORKER_HEARTBEAT_FILE": str(tmp_path / "worker.alive"),
    }
    env.pop("DATABASE_SERVER_URL", None)
    env.pop("DATABASE_URL", None)
    log = tmp_path / "supervisor.log"
    supervisor = subprocess.Popen(
        resolve(["skillpass", "run"]), env=env, stdout=subprocess.DEVNULL, stderr=log.open("w"), start_new_session=True
    )
    try:
        # Seven services start one after another, each importing its packages in several processes: on a
        # busy machine of two cores that takes minutes, so the bounds are generous.
        eventually(lambda: _ready(port), bool, timeout=STARTUP_SECONDS, interval=0.2)
        token = requests.post(
            f"http://127.0.0.1:{port}/auth/token",
            timeout=10,
            json={"email": "local.admin@example.nhs.uk", "password": "local admin password"},
        )
        assert token.status_code == 200
        assert (tmp_path / "identity.db").exists()
        # The supervisor announces each service once it is set up, the portal last.
        eventually(
            lambda: log.read_text(),
            lambda text: "portal ready at" in text or supervisor.poll() is not None,
            timeout=STARTUP_SECONDS,
            interval=0.2,
        )
        assert supervisor.poll() is None, log.read_text()
        sign_in_page = requests.get(f"http://127.0.0.1:{ports['portal']}/sign-in", timeout=10)
        assert sign_in_page.status_code == 200 and "Email address" in sign_in_page.text
        # Every worker serves its metrics on a port of its own.
        for service, metrics_port in worker_metrics.items():
            scrape = eventually(lambda: _metric_names(metrics_port), lambda names: names is not None, timeout=60)
            assert "skillpass_worker_heartbeat_timestamp_seconds" in scrape, service
        processes = _descendants(supervisor.pid)
        assert len(processes) >= 4  # per service: gunicorn master, its 2 workers, the worker process

        supervisor.send_signal(signal.SIGTERM)
        assert supervisor.wait(timeout=STOP_GRACE_SECONDS + 30) == 0
        assert not [pid for pid in processes if process_alive(pid)], "a process outlived the stack"
        with pytest.raises(requests.ConnectionError):
            requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
    finally:
        if supervisor.poll() is None:
            os.killpg(supervisor.pid, signal.SIGKILL)
            supervisor.wait()
    assert "identity ready at" in log.read_text()
    assert f"portal ready at http://127.0.0.1:{ports['portal']}" in log.read_text()


def test_refuses_a_single_database_url_for_several_services(tmp_path, amqp_url):
    env = {
        **os.environ,
        "AMQP_URL": amqp_url,
        "DATABASE_URL": "postgresql://postgres@127.0.0.1:5432/one",
        "SKILLPASS_DATA_DIR": str(tmp_path),
    }
    result = subprocess.run(resolve(["skillpass", "run"]), env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "DATABASE_SERVER_URL" in result.stderr
