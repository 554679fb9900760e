"""The transactional outbox and its relay, against real databases and the real broker."""

import time
import uuid
from collections import Counter

import jsonschema
import pytest
import sqlalchemy as sa

from shared.outbox import OutboxMessage
from shared.relay import Relay
from tests.shared.messaging_support import migrated_database, running, settings_for, stage_trust_created
from tests.support.bus import BusTap


@pytest.fixture
def tap(amqp_url):
    listener = BusTap(amqp_url, "trust.created")
    yield listener
    listener.close()


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


def test_outbox_row_ids_are_unique_per_event(database_url, tmp_path):
    database = migrated_database(database_url, tmp_path)
    envelope = stage_trust_created(database)
    with database.session() as session:
        row = session.scalars(sa.select(OutboxMessage)).one()
    assert row.event_id == uuid.UUID(envelope["id"]) and row.event_type == "trust.created"
