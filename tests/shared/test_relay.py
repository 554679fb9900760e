"""The transactional outbox and its relay, against real databases and the real broker."""

import time
import uuid
from collections import Counter

import jsonschema
import pytest
import sqlalchemy as sa
from kombu import Connection, Queue

from shared.broker import declare_topology, events_exchange
from shared.db import Database
from shared.outbox import OutboxMessage
from shared.relay import Relay
from tests.shared.messaging_support import (
    cut_connections,
    migrated_database,
    running,
    settings_for,
    stage_trust_created,
)
from tests.support.bus import BusTap


@pytest.fixture
def tap(amqp_url):
    listener = BusTap(amqp_url, "trust.created")
    yield listener
    listener.close()


def wait_until(condition, timeout=20.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "not reached in time"
        time.sleep(0.05)


def unsent(database) -> int:
    with database.session() as session:
        return session.scalar(sa.select(sa.func.count()).where(OutboxMessage.sent_at.is_(None)))


def test_committed_event_is_published_with_the_contract_properties(
    tap, database_url, amqp_url, tmp_path, cloudevents_schema
):
    database = migrated_database(database_url, tmp_path)
    envelope = stage_trust_created(database)
    settings = settings_for("identity", database_url, amqp_url)
    with running(lambda stop: Relay(database, settings, stop)):
        [message] = tap.wait_for(lambda m: m.envelope["id"] == envelope["id"])
    assert message.routing_key == "trust.created"
    assert message.properties["message_id"] == envelope["id"]
    assert message.properties["content_type"] == "application/cloudevents+json"
    assert message.properties["delivery_mode"] == 2
    assert message.envelope == envelope
    jsonschema.validate(message.envelope, cloudevents_schema)
    assert unsent(database) == 0


def test_rolled_back_change_publishes_nothing(tap, database_url, amqp_url, tmp_path):
    database = migrated_database(database_url, tmp_path)
    rolled_back = stage_trust_created(database, commit=False)
    committed = stage_trust_created(database)
    with running(lambda stop: Relay(database, settings_for("identity", database_url, amqp_url), stop)):
        tap.wait_for(lambda m: m.envelope["id"] == committed["id"])
        tap.drain(quiet_seconds=0.5)
    assert rolled_back["id"] not in {m.envelope["id"] for m in tap.received}


def test_unreachable_broker_keeps_rows_until_it_answers(tap, database_url, amqp_url, tmp_path):
    database = migrated_database(database_url, tmp_path)
    envelopes = [stage_trust_created(database) for _ in range(5)]
    dead_broker = settings_for(
        "identity", database_url, "amqp://guest:guest@127.0.0.1:1//", PUBLISH_CONFIRM_TIMEOUT="1"
    )
    with running(lambda stop: Relay(database, dead_broker, stop)) as [relay]:
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline and relay.published == 0:
            time.sleep(0.1)
        assert relay.published == 0
    assert unsent(database) == 5

    with running(lambda stop: Relay(database, settings_for("identity", database_url, amqp_url), stop)):
        ids = {e["id"] for e in envelopes}
        tap.wait_for(lambda m: m.envelope["id"] in ids, count=5)
    assert unsent(database) == 0


def test_two_relays_never_send_the_same_row(tap, database_url, amqp_url, tmp_path):
    database = migrated_database(database_url, tmp_path)
    envelopes = [stage_trust_created(database) for _ in range(300)]
    ids = {e["id"] for e in envelopes}
    settings = settings_for("identity", database_url, amqp_url, RELAY_BATCH_SIZE="20")
    with running(lambda stop: Relay(database, settings, stop), count=2) as relays:
        tap.wait_for(lambda m: m.envelope["id"] in ids, count=300, timeout=60)
        tap.drain(quiet_seconds=1.0)
    counts = Counter(m.envelope["id"] for m in tap.received if m.envelope["id"] in ids)
    assert set(counts) == ids
    assert max(counts.values()) == 1, "an event was sent twice"
    assert sum(relay.published for relay in relays) == 300


def test_on_postgres_the_relay_wakes_on_commit_not_on_its_poll(tap, postgres_url, amqp_url, tmp_path):
    database = migrated_database(postgres_url, tmp_path)
    # With the safety poll an hour away, only the commit's NOTIFY can make the relay publish.
    settings = settings_for("identity", postgres_url, amqp_url, RELAY_SAFETY_POLL_SECONDS="3600")
    with running(lambda stop: Relay(database, settings, stop)):
        first = stage_trust_created(database)  # sent when the listener connects, or by its NOTIFY
        tap.wait_for(lambda m: m.envelope["id"] == first["id"], timeout=10)
        second = stage_trust_created(database)  # now only the NOTIFY can wake the relay
        tap.wait_for(lambda m: m.envelope["id"] == second["id"], timeout=10)


def test_a_relay_whose_connections_were_cut_sends_the_next_rows_once(tap, postgres_url, amqp_url, tmp_path):
    web = migrated_database(postgres_url, tmp_path)  # stages the rows, as a web process would
    # The relay as the worker runs it: no ping before each use of a pooled connection, a retry instead.
    database = Database(web.url, pre_ping=False)
    settings = settings_for("identity", postgres_url, amqp_url, RELAY_SAFETY_POLL_SECONDS="3600")
    with running(lambda stop: Relay(database, settings, stop)):
        first = stage_trust_created(web)
        tap.wait_for(lambda m: m.envelope["id"] == first["id"], timeout=10)
        assert cut_connections(database) >= 2  # the relay's pooled connection and its listener
        later = [stage_trust_created(web) for _ in range(3)]
        ids = {e["id"] for e in later}
        tap.wait_for(lambda m: m.envelope["id"] in ids, count=3, timeout=20)
        tap.drain(quiet_seconds=0.5)
    counts = Counter(m.envelope["id"] for m in tap.received)
    assert counts == {first["id"]: 1, **dict.fromkeys(ids, 1)}
    assert unsent(database) == 0


def test_outbox_row_ids_are_unique_per_event(database_url, tmp_path):
    database = migrated_database(database_url, tmp_path)
    envelope = stage_trust_created(database)
    with database.session() as session:
        row = session.scalars(sa.select(OutboxMessage)).one()
    assert row.event_id == uuid.UUID(envelope["id"]) and row.event_type == "trust.created"


def attempts(database) -> list[tuple[int, bool]]:
    with database.session() as session:
        return [(row.publish_attempts, row.sent_at is not None) for row in session.scalars(sa.select(OutboxMessage))]


def test_a_batch_goes_out_in_commit_order_each_row_marked_sent_after_one_attempt(tap, database_url, amqp_url, tmp_path):
    database = migrated_database(database_url, tmp_path)
    envelopes = [stage_trust_created(database) for _ in range(60)]
    settings = settings_for("identity", database_url, amqp_url, RELAY_BATCH_SIZE="50")
    with running(lambda stop: Relay(database, settings, stop)) as [relay]:
        ids = [e["id"] for e in envelopes]
        tap.wait_for(lambda m: m.envelope["id"] in set(ids), count=60)
        wait_until(lambda: unsent(database) == 0)
    assert [m.envelope["id"] for m in tap.received if m.envelope["id"] in set(ids)] == ids
    assert attempts(database) == [(1, True)] * 60
    assert relay.published == 60


def test_messages_the_broker_refuses_stay_unsent_and_go_again(tap, database_url, amqp_url, tmp_path):
    database = migrated_database(database_url, tmp_path)
    # A queue that takes nothing and refuses publishes: the broker nacks every trust.created routed to it.
    refusing = Queue(
        f"test.refusing.{uuid.uuid4().hex[:8]}",
        exchange=events_exchange,
        routing_key="trust.created",
        queue_arguments={"x-max-length": 0, "x-overflow": "reject-publish"},
    )
    with Connection(amqp_url) as connection:
        channel = connection.channel()
        declare_topology(channel)
        refusing(channel).declare()
        try:
            envelopes = [stage_trust_created(database) for _ in range(3)]
            settings = settings_for("identity", database_url, amqp_url, RELAY_SAFETY_POLL_SECONDS="0.2")
            with running(lambda stop: Relay(database, settings, stop)) as [relay]:
                wait_until(lambda: min(n for n, _ in attempts(database)) >= 2)
            assert relay.published == 0
            assert unsent(database) == 3
        finally:
            refusing(channel).delete()
    ids = {e["id"] for e in envelopes}
    with running(lambda stop: Relay(database, settings_for("identity", database_url, amqp_url), stop)):
        wait_until(lambda: unsent(database) == 0)
        tap.wait_for(lambda m: m.envelope["id"] in ids, count=3)
