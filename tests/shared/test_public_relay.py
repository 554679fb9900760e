"""The relay publishes a public event twice from one outbox row: to skillpass.events and, minimised, to
skillpass.public (same id), marking each sent only after its confirm; against both databases and RabbitMQ."""

from __future__ import annotations

import json
import threading
import time
import uuid

import jsonschema
import pytest
import sqlalchemy as sa

from shared.broker import public_exchange
from shared.events import load_payload
from shared.events.catalogue import CATALOGUE
from shared.events.public import PublicFacts
from shared.outbox import OutboxMessage, remember_trust
from shared.relay import Relay
from shared.uow import UnitOfWork
from tests.shared.messaging_support import migrated_database, running, settings_for
from tests.shared.test_public_events import INTERNAL_SAMPLES
from tests.support.bus import BusTap


def ods_code() -> str:
    return "P" + uuid.uuid4().hex[:5].upper()


@pytest.fixture
def internal_tap(amqp_url):
    listener = BusTap(amqp_url, "certificate.issued")
    yield listener
    listener.close()


@pytest.fixture
def public_taps(amqp_url):
    """A queue on skillpass.public per test: bound with the routing keys the test gives."""
    taps = []

    def tap(binding: str) -> BusTap:
        taps.append(BusTap(amqp_url, binding, exchange=public_exchange))
        return taps[-1]

    yield tap
    for listener in taps:
        listener.close()


def stage_issued(database, trust_id, facts=PublicFacts("N0042", "Sam Okafor")) -> dict:
    data = {**INTERNAL_SAMPLES["certificate.issued"](), "trust_id": trust_id}
    with UnitOfWork(database, "certificate") as uow:
        envelope = uow.publish(
            "certificate.issued", subject=data["certificate_id"], data=data, trust_id=trust_id, public=facts
        )
        uow.commit()
    return envelope


def known_trust(database, ods: str) -> uuid.UUID:
    trust_id = uuid.uuid4()
    with database.session() as session, session.begin():
        remember_trust(session, trust_id, ods)
    return trust_id


def row_of(database, envelope) -> OutboxMessage:
    with database.session() as session:
        row = session.scalars(sa.select(OutboxMessage).where(OutboxMessage.event_id == uuid.UUID(envelope["id"]))).one()
        session.expunge(row)
        return row


def wait_until(condition, timeout=10.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "not reached in time"
        time.sleep(0.05)


def test_a_public_event_goes_to_both_exchanges_with_the_same_id(
    internal_tap, public_taps, database_url, amqp_url, tmp_path, cloudevents_schema
):
    database = migrated_database(database_url, tmp_path)
    ods = ods_code()
    public_tap = public_taps(f"{ods}.#")
    envelope = stage_issued(database, known_trust(database, ods))
    with running(lambda stop: Relay(database, settings_for("certificate", database_url, amqp_url), stop)):
        [internal] = internal_tap.wait_for(lambda m: m.envelope["id"] == envelope["id"])
        [public] = public_tap.wait_for(lambda m: m.envelope["id"] == envelope["id"])
    assert internal.envelope == envelope and internal.routing_key == "certificate.issued"
    assert public.routing_key == f"{ods}.certificate.issued"
    assert public.properties["message_id"] == envelope["id"]
    assert public.properties["content_type"] == "application/cloudevents+json"
    assert public.properties["delivery_mode"] == 2
    jsonschema.validate(public.envelope, cloudevents_schema)
    assert {k: v for k, v in public.envelope.items() if k != "data"} == {
        k: v for k, v in envelope.items() if k != "data"
    }
    data = public.envelope["data"]
    assert list(data) == list(CATALOGUE["certificate.issued"].public().fields)
    assert data["staff_number"] == "N0042" and data["staff_name"] == "Sam Okafor"
    assert data["certificate_id"] == envelope["data"]["certificate_id"]
    assert "@" not in json.dumps(public.envelope)
    CATALOGUE["certificate.issued"].public().load(data)
    load_payload("certificate.issued", envelope["data"])
    row = row_of(database, envelope)
    assert row.sent_at is not None and row.public_sent_at is not None
    # Once to each exchange: the row is unsent on both, and the relay reads it for each.
    internal_tap.drain(quiet_seconds=0.3)
    public_tap.drain(quiet_seconds=0.3)
    assert [m.envelope["id"] for m in internal_tap.received].count(envelope["id"]) == 1
    assert [m.envelope["id"] for m in public_tap.received].count(envelope["id"]) == 1
    assert row.publish_attempts == 1


def test_nothing_of_one_trust_reaches_a_binding_of_another(public_taps, database_url, amqp_url, tmp_path):
    database = migrated_database(database_url, tmp_path)
    mine, theirs = ods_code(), ods_code()
    my_tap = public_taps(f"{mine}.#")
    their_envelope = stage_issued(database, known_trust(database, theirs))
    my_envelope = stage_issued(database, known_trust(database, mine))
    with running(lambda stop: Relay(database, settings_for("certificate", database_url, amqp_url), stop)):
        my_tap.wait_for(lambda m: m.envelope["id"] == my_envelope["id"])
        wait_until(lambda: row_of(database, their_envelope).public_sent_at is not None)
        my_tap.drain(quiet_seconds=0.5)
    assert [m.envelope["id"] for m in my_tap.received] == [my_envelope["id"]]


def test_a_held_public_event_waits_for_its_trust_without_holding_up_the_internal_one(
    internal_tap, public_taps, database_url, amqp_url, tmp_path
):
    database = migrated_database(database_url, tmp_path)
    ods = ods_code()
    public_tap = public_taps(f"{ods}.#")
    trust_id = uuid.uuid4()  # its trust.created has not arrived
    envelope = stage_issued(database, trust_id)
    with running(lambda stop: Relay(database, settings_for("certificate", database_url, amqp_url), stop)):
        internal_tap.wait_for(lambda m: m.envelope["id"] == envelope["id"])
        public_tap.drain(quiet_seconds=0.5)
        assert public_tap.received == []
        row = row_of(database, envelope)
        assert row.sent_at is not None and row.public_sent_at is None and row.public_routing_key is None

        with database.session() as session, session.begin():  # trust.created arrives
            assert remember_trust(session, trust_id, ods) == 1
        [public] = public_tap.wait_for(lambda m: m.envelope["id"] == envelope["id"])
    assert public.routing_key == f"{ods}.certificate.issued"
    internal_tap.drain(quiet_seconds=0.3)
    assert [m.envelope["id"] for m in internal_tap.received].count(envelope["id"]) == 1
    assert row_of(database, envelope).public_sent_at is not None


class PublicOutage(Relay):
    """A relay whose public publishes fail (the broker refusing, a lost confirm) until told otherwise."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.public_down = threading.Event()
        self.public_down.set()

    def _publish(self, producer, body, exchange, routing_key, row):
        if exchange.name == public_exchange.name and self.public_down.is_set():
            raise ConnectionError("no confirm for the public message")
        super()._publish(producer, body, exchange, routing_key, row)


def test_a_row_is_done_only_once_both_are_confirmed_and_only_the_unconfirmed_one_goes_again(
    internal_tap, public_taps, database_url, amqp_url, tmp_path
):
    database = migrated_database(database_url, tmp_path)
    ods = ods_code()
    public_tap = public_taps(f"{ods}.#")
    envelope = stage_issued(database, known_trust(database, ods))
    settings = settings_for("certificate", database_url, amqp_url, RELAY_SAFETY_POLL_SECONDS="0.2")
    with running(lambda stop: PublicOutage(database, settings, stop)) as [relay]:
        internal_tap.wait_for(lambda m: m.envelope["id"] == envelope["id"])
        time.sleep(1.0)  # retries, each failing on the public message
        row = row_of(database, envelope)
        assert row.sent_at is not None and row.public_sent_at is None  # not done
        assert row.publish_attempts >= 2
        assert public_tap.drain(quiet_seconds=0.2) == []

        relay.public_down.clear()
        public_tap.wait_for(lambda m: m.envelope["id"] == envelope["id"])
        wait_until(lambda: row_of(database, envelope).public_sent_at is not None)
    internal_tap.drain(quiet_seconds=0.3)
    assert [m.envelope["id"] for m in internal_tap.received].count(envelope["id"]) == 1, "the internal one went again"
    assert [m.envelope["id"] for m in public_tap.received] == [envelope["id"]]


def test_the_public_envelope_is_what_the_row_holds(database_url, tmp_path):
    database = migrated_database(database_url, tmp_path)
    envelope = stage_issued(database, known_trust(database, ods_code()), PublicFacts(None, None))
    public = json.loads(row_of(database, envelope).public_envelope)
    assert public["id"] == envelope["id"] and public["data"]["staff_number"] is None
