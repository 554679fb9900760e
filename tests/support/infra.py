"""The real RabbitMQ and PostgreSQL the tests run against, each test run isolated from the rest.

A Docker engine, when one answers, provides both through testcontainers; otherwise the servers named
by AMQP_URL and DATABASE_SERVER_URL (defaulting to the local ones) are used, with a fresh RabbitMQ
vhost and fresh databases per run so that a `make run` on the same machine is never touched.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import urllib.parse
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

DEFAULT_AMQP_URL = "amqp://guest:guest@127.0.0.1:5672//"
DEFAULT_DATABASE_SERVER_URL = "postgresql://postgres@127.0.0.1:5432"


def docker_engine_answers() -> bool:
    try:
        import docker

        docker.from_env(timeout=2).ping()
        return True
    except Exception:
        return False


@dataclass
class Broker:
    """A RabbitMQ server and a way to run rabbitmqctl against it."""

    base_url: str
    ctl: Callable[..., str]
    # The command line that runs rabbitmqctl against it, for processes that run it themselves
    # (`skillpass subscribers`, through RABBITMQCTL).
    ctl_command: list[str] = field(default_factory=list)

    def url_for(self, vhost: str) -> str:
        parsed = urllib.parse.urlsplit(self.base_url)
        return urllib.parse.urlunsplit(parsed._replace(path="/" + urllib.parse.quote(vhost, safe="")))

    def new_vhost(self) -> str:
        vhost = f"skillpass-test-{uuid.uuid4().hex[:12]}"
        user = urllib.parse.urlsplit(self.base_url).username or "guest"
        self.ctl("add_vhost", vhost)
        self.ctl("set_permissions", "-p", vhost, user, ".*", ".*", ".*")
        return vhost

    @contextlib.contextmanager
    def fresh_vhost_url(self):
        """The URL of a vhost of its own, deleted afterwards: queues no other test shares."""
        vhost = self.new_vhost()
        try:
            yield self.url_for(vhost)
        finally:
            self.delete_vhost(vhost)

    def delete_vhost(self, vhost: str) -> None:
        self.ctl("delete_vhost", vhost)

    def stop(self) -> None:
        self.ctl("stop_app")

    def start(self) -> None:
        self.ctl("start_app")
        self.ctl("await_startup")


def _local_rabbitmqctl() -> str:
    return shutil.which("rabbitmqctl") or "/usr/sbin/rabbitmqctl"


def _local_ctl(*args: str) -> str:
    rabbitmqctl = _local_rabbitmqctl()
    result = subprocess.run([rabbitmqctl, *args], capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        raise RuntimeError(f"rabbitmqctl {' '.join(args)} failed: {result.stderr or result.stdout}")
    return result.stdout


def start_broker(stack) -> Broker:
    """The broker for this test run; `stack` is an ExitStack that owns any container."""
    if os.environ.get("AMQP_URL") or not docker_engine_answers():
        return Broker(os.environ.get("AMQP_URL", DEFAULT_AMQP_URL), _local_ctl, [_local_rabbitmqctl()])
    from testcontainers.rabbitmq import RabbitMqContainer

    container = stack.enter_context(RabbitMqContainer("rabbitmq:3.13"))
    host, port = container.get_container_host_ip(), container.get_exposed_port(5672)

    def ctl(*args: str) -> str:
        code, output = container.exec(["rabbitmqctl", *args])
        if code != 0:
            raise RuntimeError(f"rabbitmqctl {' '.join(args)} failed: {output!r}")
        return output.decode()

    return Broker(
        f"amqp://guest:guest@{host}:{port}//",
        ctl,
        ["docker", "exec", "-i", container.get_wrapped_container().id, "rabbitmqctl"],
    )


def start_database_server(stack) -> str:
    """A PostgreSQL server URL (plain postgresql://user:password@host:port)."""
    if os.environ.get("DATABASE_SERVER_URL") or not docker_engine_answers():
        return os.environ.get("DATABASE_SERVER_URL", DEFAULT_DATABASE_SERVER_URL).rstrip("/")
    from testcontainers.postgres import PostgresContainer

    container = stack.enter_context(PostgresContainer("postgres:16", driver=None))
    return (
        f"postgresql://{container.username}:{container.password}@"
        f"{container.get_container_host_ip()}:{container.get_exposed_port(5432)}"
    )


def cut_connections(connection, database: str) -> int:
    """End every server process connected to the database (through `connection`, from shared.db's
    server_connection), as a PostgreSQL restart would; how many."""
    import sqlalchemy as sa

    ended = connection.execute(
        sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name"), {"name": database}
    )
    return len(ended.all())
