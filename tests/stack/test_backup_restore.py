"""The real platform backed up with `skillpass backup` and restored with `skillpass restore` into fresh
databases and a fresh vhost: the same passports, certificates (still verifying), roster and dashboard,
the same people signing in with their passwords, an outside system's account and queue, and a new
journey end to end afterwards."""

from __future__ import annotations

import contextlib
import json
import subprocess
import urllib.parse
import uuid
from pathlib import Path

import pytest
from kombu import Connection

from shared.localstack import resolve
from tests.support.journey import (
    SERVICES,
    Identity,
    Trust,
    complete,
    settled,
    start_platform,
)
from tests.support.stack import ADMIN_EMAIL, ADMIN_PASSWORD, Api, Stack, eventually

pytestmark = pytest.mark.stack

# pg_dump writing into a pipe and pg_restore reading one, as they do through `docker compose exec -T postgres`:
# a custom-format archive written to a pipe has no offsets to seek to, and must restore read straight through.
THROUGH_PIPES = {
    "PG_DUMP": "bash -o pipefail -c 'pg_dump \"$@\" | cat' pg_dump",
    "PG_RESTORE": "bash -o pipefail -c 'cat | pg_restore \"$@\"' pg_restore",
}
COUNTED = (
    "started",
    "completed",
    "certified",
    "certificates_issued",
    "rostered",
    "skills_self_assessed",
    "skills_signed_off",
    "learning_attended",
)


class ServerStack(Stack):
    """A Stack whose services find their databases as docker compose's do: on DATABASE_SERVER_URL, each
    named after its service, under a name prefix of this run's own, which backup and restore follow."""

    def __init__(self, amqp_url: str, database_server: str, log_dir: Path, rabbitmqctl: list[str]):
        log_dir.mkdir(parents=True, exist_ok=True)
        super().__init__(amqp_url, database_server, log_dir)
        self.rabbitmqctl = rabbitmqctl
        for service in SERVICES:  # dropped at the end even when restore made them and nothing started
            self.database_url(service)

    def env(self, service: str, **extra: str) -> dict[str, str]:
        env = super().env(service, **extra)
        env.pop("DATABASE_URL")
        env.update(
            DATABASE_SERVER_URL=self.database_server,
            DATABASE_NAME_PREFIX=f"skillpass_test_{self.run_id}_",
            RABBITMQCTL=" ".join(self.rabbitmqctl),
            **THROUGH_PIPES,
        )
        return env

    def skillpass(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            resolve(["skillpass", *args]), env=self.env("identity"), capture_output=True, text=True, timeout=300
        )

    def stop_processes(self) -> None:
        """Every process stopped, the data kept (stop() also drops the databases)."""
        for process in self.processes:
            process.signal()
        for process in self.processes:
            process.stop()


def what_people_see(trust: Trust, journeys: int) -> dict:
    """What the Trust's people see once every journey's events have arrived everywhere."""
    seen = settled(trust, journeys)
    return {
        "completed": seen.completed,
        "certificates": sorted((c["id"], c["staff_id"], c["status"]) for c in seen.certificates),
        "roster": sorted((r["staff_id"], r["certificate_id"], r["status"]) for r in seen.roster),
        "dashboard": {key: seen.counted[key] for key in COUNTED},
    }


def signed_in_again(trust: Trust, stack: Stack) -> Trust:
    """The same Trust and people on another platform, each signing in with their own password."""
    identity = Api(stack.urls("identity"))
    trust.stack = stack
    trust.platform_admin = Identity(stack.urls("identity"), identity.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD))
    for member in (trust.supervisor, trust.admin, trust.lead):
        member.stack = stack
        member.token = identity.sign_in(member.user["email"], member.user["password"])
    return trust


class OutsideSystem:
    """An outside system's own queue on skillpass.public, read with pika as the account it was given."""

    def __init__(self, broker_url: str, vhost: str, account: dict):
        import pika

        broker = urllib.parse.urlsplit(broker_url)
        self.parameters = pika.ConnectionParameters(
            broker.hostname,
            broker.port or 5672,
            vhost,
            pika.PlainCredentials(account["username"], account["password"]),
            heartbeat=0,
        )
        self.queue = f"{account['username']}.certificates"
        self.binding_key = f"{account['routing_key_prefix']}certificate.#"

    def _connect(self):
        import pika

        return pika.BlockingConnection(self.parameters)

    def subscribe(self) -> None:
        connection = self._connect()
        channel = connection.channel()
        channel.queue_declare(self.queue, durable=True)
        channel.queue_bind(self.queue, "skillpass.public", routing_key=self.binding_key)
        connection.close()

    def next_event(self) -> dict | None:
        connection = self._connect()
        try:
            method, _, body = connection.channel().basic_get(self.queue, auto_ack=True)
            return json.loads(body) if method else None
        finally:
            connection.close()


@pytest.fixture
def vhosts(broker):
    made = []

    def new() -> str:
        made.append(broker.new_vhost())
        return broker.url_for(made[-1])

    yield new
    for vhost in made:
        broker.delete_vhost(vhost)


def test_a_backup_restored_into_fresh_databases_and_a_fresh_vhost_carries_on_where_it_left_off(
    broker, database_server, rabbitmqctl_command, vhosts, tmp_path
):
    before = ServerStack(vhosts(), database_server, tmp_path / "before", rabbitmqctl_command)
    after = ServerStack(vhosts(), database_server, tmp_path / "after", rabbitmqctl_command)
    subscriber = f"backup-{uuid.uuid4().hex[:8]}"
    try:
        start_platform(before)
        trust = Trust(before, "Backup Trust")
        added = before.skillpass("subscribers", "add", subscriber, "--trust", trust.record["ods_code"], "--json")
        assert added.returncode == 0, added.stderr
        account = json.loads(added.stdout)
        OutsideSystem(broker.base_url, account["vhost"], account).subscribe()
        for _ in range(2):
            complete(trust)
        recorded = what_people_see(trust, 2)
        assert recorded["completed"] == len(recorded["certificates"]) == len(recorded["roster"]) == 2
        assert recorded["dashboard"]["certified"] == recorded["dashboard"]["rostered"] == 2

        # The runbook: everything stopped, then backed up.
        before.stop_processes()
        backup = tmp_path / "backup"
        made = before.skillpass("backup", str(backup))
        assert made.returncode == 0, made.stderr
        manifest = json.loads((backup / "manifest.json").read_text())
        assert manifest["services"] == list(SERVICES)
        assert manifest["broker"]["definitions"]["users"] == 1  # the outside system's account

        restored = after.skillpass("restore", str(backup))
        assert restored.returncode == 0, restored.stderr
        start_platform(after)

        trust = signed_in_again(trust, after)
        assert what_people_see(trust, 2) == recorded
        public = Api(after.urls("certificate"))
        for certificate_id, _, _ in recorded["certificates"]:
            verified = public.get(f"/certificates/{certificate_id}/verify").json()
            assert verified["valid"] is True and verified["status"] == "valid", verified

        listed = after.skillpass("subscribers", "list", "--json")
        assert listed.returncode == 0, listed.stderr
        [found] = [s for s in json.loads(listed.stdout)["subscribers"] if s["name"] == subscriber]
        assert found["trust"] == trust.record["ods_code"]
        # The same account, its password and its queue, on the new vhost.
        outside = OutsideSystem(broker.base_url, Connection(after.amqp_url).virtual_host, account)
        assert outside.next_event() is None  # what waited in the queue was not in the backup

        # A new journey, end to end, on the restored platform.
        journey = complete(trust)
        now = what_people_see(trust, 3)
        assert now["completed"] == len(now["certificates"]) == len(now["roster"]) == 3
        assert now["dashboard"]["certified"] == now["dashboard"]["rostered"] == 3
        [(new_id, staff_id, status)] = set(now["certificates"]) - set(recorded["certificates"])
        assert staff_id == journey.nurse.id and status == "valid"
        assert public.get(f"/certificates/{new_id}/verify").json()["valid"] is True
        event = eventually(outside.next_event, lambda e: e is not None, timeout=60)
        assert event["subject"] == new_id and event["type"] == "uk.nhs.skillpass.certificate.issued.v1"
    finally:
        before.stop()
        after.stop()
        with contextlib.suppress(RuntimeError):  # broker users are not per vhost: leave none behind
            broker.ctl("delete_user", f"sub.{subscriber}")
