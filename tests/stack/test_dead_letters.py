"""`skillpass <service> dead-letters` as a real process against the real broker and a real worker."""

from __future__ import annotations

import json
import os
import subprocess
import uuid
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
from kombu import Connection, Producer

from shared.broker import dead_letter_exchange, dead_letter_queue_name, declare_topology, queue_name, service_queue
from shared.events import CONTENT_TYPE
from shared.localstack import resolve
from tests.stack.test_planning_stack import certificate_event
from tests.support.bus import publish_raw
from tests.support.stack import eventually

pytestmark = pytest.mark.stack


@pytest.fixture
def stack_amqp_url(broker):
    """A vhost of this test's own: queue depths are exact, whatever other tests leave behind."""
    with broker.fresh_vhost_url() as url:
        yield url


def dead_letters(amqp_url: str, service: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "AMQP_URL": amqp_url}
    return subprocess.run(
        resolve(["skillpass", service, "dead-letters", *args]), env=env, capture_output=True, text=True, timeout=60
    )


def listed(amqp_url: str, service: str) -> dict:
    result = dead_letters(amqp_url, service, "list", "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def depth(amqp_url: str, queue: str) -> int | None:
    """Messages ready in the queue; None while it does not exist."""
    with Connection(amqp_url, connect_timeout=5) as connection:
        try:
            return connection.channel().queue_declare(queue=queue, passive=True).message_count
        except Exception:
            return None


def issued_certificate() -> tuple[dict, bytes]:
    certificate = {
        "certificate_id": uuid.uuid4(),
        "staff_id": uuid.uuid4(),
        "trust_id": uuid.uuid4(),
        "passport_id": uuid.uuid4(),
        "passport_type": "NRSS",
    }
    issued_at = datetime.now(UTC).replace(microsecond=0)
    return certificate, certificate_event(
        "certificate.issued",
        certificate,
        type_version=1,
        role_title="Non-Registered Support Staff",
        issued_at=issued_at,
        expires_at=issued_at + timedelta(days=365),
        verify_url=f"http://certificate.test/certificates/{certificate['certificate_id']}/verify",
    )


def test_dead_letters_are_listed_without_loss_and_replayed_once_the_fault_is_fixed(stack, tap, stack_amqp_url):
    stack.start_service("planning")
    eventually(lambda: depth(stack_amqp_url, queue_name("planning")), lambda found: found is not None)
    planning_db = stack.database_url("planning")
    # A fault retrying cannot fix: the table the handler writes to is gone (a bad deploy, say).
    with psycopg.connect(planning_db, autocommit=True) as db:
        db.execute("ALTER TABLE roster_entries RENAME TO roster_entries_away")

    poison_id = str(uuid.uuid4())
    publish_raw(stack_amqp_url, "certificate.issued", b"{not json", message_id=poison_id)
    certificate, body = issued_certificate()
    failing_id = json.loads(body)["id"]
    publish_raw(stack_amqp_url, "certificate.issued", body, message_id=failing_id)

    eventually(lambda: depth(stack_amqp_url, dead_letter_queue_name("planning")), lambda n: n == 2, timeout=60)
    first_look = listed(stack_amqp_url, "planning")
    assert first_look["queue"] == "planning.events.dlq" and first_look["total"] == 2
    by_id = {letter["event_id"]: letter for letter in first_look["messages"]}
    assert set(by_id) == {poison_id, failing_id}
    assert by_id[poison_id]["reason"] == "rejected" and by_id[poison_id]["preview"] == "{not json"
    assert by_id[failing_id]["reason"] == "delivery_limit"
    assert by_id[failing_id]["trust_id"] == str(certificate["trust_id"])
    for letter in by_id.values():
        assert letter["event_type"] == "certificate.issued"
        assert letter["dead_lettered_from"] == "planning.events" and letter["deaths"] == 1

    second_look = listed(stack_amqp_url, "planning")
    assert [m["event_id"] for m in second_look["messages"]] == [m["event_id"] for m in first_look["messages"]]
    assert depth(stack_amqp_url, dead_letter_queue_name("planning")) == 2  # browsing took nothing away

    unknown = str(uuid.uuid4())
    refused = dead_letters(stack_amqp_url, "planning", "replay", "--id", failing_id, "--id", unknown)
    assert refused.returncode == 1 and unknown in refused.stderr and "nothing replayed" in refused.stderr
    assert depth(stack_amqp_url, dead_letter_queue_name("planning")) == 2

    with psycopg.connect(planning_db, autocommit=True) as db:
        db.execute("ALTER TABLE roster_entries_away RENAME TO roster_entries")
    replayed = dead_letters(stack_amqp_url, "planning", "replay", "--id", failing_id)
    assert replayed.returncode == 0, replayed.stderr
    assert failing_id in replayed.stdout

    [update] = tap.wait_for(
        lambda m: m.routing_key == "roster.updated" and m.envelope["data"]["staff_id"] == str(certificate["staff_id"]),
        timeout=30,
    )
    assert update.envelope["data"]["status"] == "eligible"
    with psycopg.connect(planning_db) as db:
        assert db.execute(
            "SELECT status FROM roster_entries WHERE staff_id = %s", (certificate["staff_id"],)
        ).fetchall() == [("eligible",)]
    left = listed(stack_amqp_url, "planning")
    assert [m["event_id"] for m in left["messages"]] == [poison_id]  # only what was asked for went

    tap.drain(quiet_seconds=1)
    republished = [m for m in tap.received if m.routing_key == "certificate.issued"]
    assert [m.properties["message_id"] for m in republished] == [poison_id, failing_id]  # the originals only


def test_replay_reaches_only_the_services_own_queue_and_a_dry_run_changes_nothing(stack_amqp_url, tap):
    with Connection(stack_amqp_url, transport_options={"confirm_publish": True}) as connection:
        declare_topology(connection.channel(), "planning", ["certificate.issued"])
        event_id = str(uuid.uuid4())
        # Exactly what the broker does when planning's queue dead-letters a message.
        Producer(connection.channel(), exchange=dead_letter_exchange).publish(
            b'{"id": "%s"}' % event_id.encode(),
            routing_key=queue_name("planning"),
            content_type=CONTENT_TYPE,
            content_encoding="utf-8",
            message_id=event_id,
            delivery_mode=2,
            confirm_timeout=5,
            headers={"x-first-death-reason": "rejected", "x-trace": "kept"},
        )

    dry = dead_letters(stack_amqp_url, "planning", "replay", "--all", "--dry-run")
    assert dry.returncode == 0 and f"would replay {event_id}" in dry.stdout
    assert depth(stack_amqp_url, dead_letter_queue_name("planning")) == 1
    assert depth(stack_amqp_url, queue_name("planning")) == 0

    replayed = dead_letters(stack_amqp_url, "planning", "replay", "--all")
    assert replayed.returncode == 0, replayed.stderr
    assert depth(stack_amqp_url, dead_letter_queue_name("planning")) == 0
    with Connection(stack_amqp_url) as connection:
        message = service_queue("planning", ["certificate.issued"])(connection.channel()).get(no_ack=True)
        assert message.properties["message_id"] == event_id
        assert message.body in (f'{{"id": "{event_id}"}}', f'{{"id": "{event_id}"}}'.encode())
        assert message.properties["delivery_mode"] == 2
        assert message.headers["x-trace"] == "kept" and message.headers["x-skillpass-replays"] == 1
        assert "x-first-death-reason" not in message.headers
    assert tap.drain(quiet_seconds=1) == [], "a replay was published to skillpass.events"

    nothing_left = dead_letters(stack_amqp_url, "planning", "replay", "--all")
    assert nothing_left.returncode == 0 and "nothing to replay" in nothing_left.stdout


def test_a_service_without_a_dead_letter_queue_is_a_clear_error(stack_amqp_url):
    result = dead_letters(stack_amqp_url, "identity", "list")
    assert result.returncode == 1
    assert "no queue identity.events.dlq" in result.stderr
