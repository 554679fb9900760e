"""The consumer: quorum queue with DLQ, inbox for exactly-once effects, restarts and poison."""

import json
import time
import uuid
from collections import Counter

import pytest
import sqlalchemy as sa
from kombu import Connection
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.broker import DELIVERY_LIMIT, dead_letter_queue_name, declare_topology, service_queue
from shared.consumer import EventConsumer, Unprocessable
from shared.db import Database
from shared.events import make_envelope, serialise_payload
from tests.shared.messaging_support import (
    cut_connections,
    migrated_database,
    running,
    settings_for,
    trust_created_data,
)
from tests.support.bus import publish_raw


class ConsumerTestBase(DeclarativeBase):
    pass


class Applied(ConsumerTestBase):
    __tablename__ = "applied_events_test"
    subject: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    times: Mapped[int] = mapped_column(sa.Integer())


def count_applied(uow, event, payload):
    row = uow.session.get(Applied, event.subject, with_for_update=True)
    if row is None:
        uow.session.add(Applied(subject=event.subject, times=1))
    else:
        row.times += 1


def envelope_bytes(event_id=None) -> tuple[str, bytes]:
    data = serialise_payload("trust.created", trust_created_data())
    envelope = make_envelope(
        service="identity",
        event_type="trust.created",
        subject=data["trust_id"],
        data=data,
        trust_id=data["trust_id"],
        correlation_id=None,
        event_id=event_id,
    )
    return envelope["subject"], json.dumps(envelope).encode()


@pytest.fixture
def service():
    return f"test{uuid.uuid4().hex[:8]}"


@pytest.fixture
def consumer_db(database_url, tmp_path):
    database = migrated_database(database_url, tmp_path)
    ConsumerTestBase.metadata.create_all(database.engine)
    return database


def consumers(service, database, amqp_url, handler=count_applied):
    settings = settings_for(service, database.url, amqp_url, CONSUMER_PREFETCH="5")
    return lambda stop: EventConsumer(
        service=service, settings=settings, database=database, handlers={"trust.created": handler}, stop=stop
    )


def applied(database) -> dict[str, int]:
    with database.session() as session:
        return {row.subject: row.times for row in session.scalars(sa.select(Applied))}


def wait_until(condition, timeout=30.0, what="condition"):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def dead_letters(amqp_url, service) -> list[bytes]:
    bodies = []
    with Connection(amqp_url) as connection:
        channel = connection.channel()
        while (message := channel.basic_get(dead_letter_queue_name(service), no_ack=True)) is not None:
            body = message.body
            bodies.append(body.encode() if isinstance(body, str) else body)
    return bodies


def test_each_event_applied_once_though_delivered_twice(service, consumer_db, amqp_url):
    with running(consumers(service, consumer_db, amqp_url)):
        wait_until(lambda: _queue_exists(amqp_url, service), what="queue declared")
        subjects = []
        for _ in range(20):
            subject, body = envelope_bytes()
            subjects.append(subject)
            publish_raw(amqp_url, "trust.created", body)
            publish_raw(amqp_url, "trust.created", body)
        wait_until(lambda: len(applied(consumer_db)) == 20, what="20 events applied")
        wait_until(lambda: _queue_depth(amqp_url, service) == 0, what="queue drained")
    assert applied(consumer_db) == {subject: 1 for subject in subjects}


def test_a_consumer_whose_connections_were_cut_applies_the_next_events_once(service, postgres_url, amqp_url, tmp_path):
    # As the worker runs it: no ping before each use of a pooled connection; the transaction that finds its
    # connection gone is applied again, without spending a delivery.
    migrated = migrated_database(postgres_url, tmp_path)
    ConsumerTestBase.metadata.create_all(migrated.engine)
    database = Database(migrated.url, pre_ping=False)
    with running(consumers(service, database, amqp_url)):
        wait_until(lambda: _queue_exists(amqp_url, service), what="queue declared")
        first, body = envelope_bytes()
        publish_raw(amqp_url, "trust.created", body)
        wait_until(lambda: first in applied(database), what="the first event applied")
        assert cut_connections(database) >= 1
        later = []
        for _ in range(5):
            subject, body = envelope_bytes()
            later.append(subject)
            publish_raw(amqp_url, "trust.created", body)
        wait_until(lambda: len(applied(migrated)) == 6, what="the later events applied")
        wait_until(lambda: _queue_depth(amqp_url, service) == 0, what="queue drained")
    assert applied(migrated) == dict.fromkeys([first, *later], 1)
    assert _dlq_depth(amqp_url, service) == 0


def test_two_consumers_on_one_queue_apply_each_event_once(service, consumer_db, amqp_url):
    with running(consumers(service, consumer_db, amqp_url), count=2):
        wait_until(lambda: _queue_exists(amqp_url, service), what="queue declared")
        subjects = []
        for _ in range(30):
            subject, body = envelope_bytes()
            subjects.append(subject)
            for _ in range(3):
                publish_raw(amqp_url, "trust.created", body)
        wait_until(lambda: len(applied(consumer_db)) == 30 and _queue_depth(amqp_url, service) == 0, what="all handled")
    assert applied(consumer_db) == {subject: 1 for subject in subjects}


def test_poison_message_goes_to_the_dead_letter_queue_and_the_consumer_goes_on(service, consumer_db, amqp_url):
    with running(consumers(service, consumer_db, amqp_url)):
        wait_until(lambda: _queue_exists(amqp_url, service), what="queue declared")
        publish_raw(amqp_url, "trust.created", b"this is not an event")
        publish_raw(
            amqp_url,
            "trust.created",
            json.dumps(
                {
                    "specversion": "1.0",
                    "id": str(uuid.uuid4()),
                    "type": "uk.nhs.skillpass.trust.created.v1",
                    "source": "/x",
                    "data": {"name": 1},
                }
            ).encode(),
        )
        subject, body = envelope_bytes()
        publish_raw(amqp_url, "trust.created", body)
        wait_until(lambda: subject in applied(consumer_db), what="the good event after the poison")
    parked = dead_letters(amqp_url, service)
    assert b"this is not an event" in parked
    assert len(parked) == 2


def test_a_handler_that_keeps_failing_is_dead_lettered_after_bounded_retries(service, consumer_db, amqp_url):
    attempts = []

    def always_fails(uow, event, payload):
        attempts.append(event.id)
        raise RuntimeError("cannot apply")

    with running(consumers(service, consumer_db, amqp_url, always_fails)):
        wait_until(lambda: _queue_exists(amqp_url, service), what="queue declared")
        _, body = envelope_bytes()
        publish_raw(amqp_url, "trust.created", body)
        wait_until(lambda: _dlq_depth(amqp_url, service) == 1, timeout=60, what="dead-lettered")
    assert len(attempts) == DELIVERY_LIMIT + 1
    assert dead_letters(amqp_url, service) == [body]


def test_a_transient_failure_is_retried_and_applied_once(service, consumer_db, amqp_url):
    failures = {"left": 2}

    def flaky(uow, event, payload):
        if failures["left"]:
            failures["left"] -= 1
            raise RuntimeError("transient")
        count_applied(uow, event, payload)

    with running(consumers(service, consumer_db, amqp_url, flaky)):
        wait_until(lambda: _queue_exists(amqp_url, service), what="queue declared")
        subject, body = envelope_bytes()
        publish_raw(amqp_url, "trust.created", body)
        wait_until(lambda: applied(consumer_db) == {subject: 1}, what="applied after retries")
    assert _dlq_depth(amqp_url, service) == 0


def _waiting(service, consumer_db, amqp_url, count: int, copies: int = 1) -> list[tuple[str, bytes]]:
    """`count` events published while no consumer runs (a consumer declares the queue first, then stops),
    so that the next consumer finds them all waiting; each published `copies` times in a row."""
    with running(consumers(service, consumer_db, amqp_url)):
        wait_until(lambda: _queue_exists(amqp_url, service), what="queue declared")
    events = [envelope_bytes() for _ in range(count)]
    for _, body in events:
        for _ in range(copies):
            publish_raw(amqp_url, "trust.created", body)
    return events


def test_what_is_waiting_is_applied_in_transactions_of_several_events_up_to_the_prefetch(
    service, consumer_db, amqp_url
):
    units_of_work = []  # kept, so that each one's id stays its own

    def noting_the_transaction(uow, event, payload):
        units_of_work.append(uow)
        count_applied(uow, event, payload)

    events = _waiting(service, consumer_db, amqp_url, 20)
    with running(consumers(service, consumer_db, amqp_url, noting_the_transaction)):
        wait_until(lambda: len(applied(consumer_db)) == 20 and _queue_depth(amqp_url, service) == 0, what="all applied")
    events_per_transaction = Counter(id(uow) for uow in units_of_work).values()
    assert 1 < max(events_per_transaction) <= 5  # CONSUMER_PREFETCH
    assert applied(consumer_db) == {subject: 1 for subject, _ in events}


def test_an_event_that_cannot_be_applied_is_dead_lettered_alone_and_the_rest_of_its_batch_applied(
    service, consumer_db, amqp_url
):
    events = _waiting(service, consumer_db, amqp_url, 12)
    refused_subject, refused_body = events[5]

    def refusing_one(uow, event, payload):
        count_applied(uow, event, payload)  # written, then undone with the batch
        if event.subject == refused_subject:
            raise Unprocessable("this one can never be applied")

    with running(consumers(service, consumer_db, amqp_url, refusing_one)):
        wait_until(lambda: len(applied(consumer_db)) == 11 and _dlq_depth(amqp_url, service) == 1, what="all handled")
    assert applied(consumer_db) == {subject: 1 for subject, _ in events if subject != refused_subject}
    assert dead_letters(amqp_url, service) == [refused_body]


def test_a_batch_with_a_transient_failure_and_duplicates_applies_each_event_once(service, consumer_db, amqp_url):
    events = _waiting(service, consumer_db, amqp_url, 10, copies=2)
    flaky_subject = events[3][0]
    failures = {"left": 2}

    def failing_twice_on_one(uow, event, payload):
        count_applied(uow, event, payload)
        if event.subject == flaky_subject and failures["left"]:
            failures["left"] -= 1
            raise RuntimeError("transient")

    with running(consumers(service, consumer_db, amqp_url, failing_twice_on_one)):
        wait_until(lambda: len(applied(consumer_db)) == 10 and _queue_depth(amqp_url, service) == 0, what="all applied")
    assert applied(consumer_db) == {subject: 1 for subject, _ in events}
    assert failures["left"] == 0 and _dlq_depth(amqp_url, service) == 0


def test_each_event_of_a_batch_stages_what_it_causes_under_its_own_correlation_id(service, consumer_db, amqp_url):
    def republish(uow, event, payload):
        uow.publish("trust.created", subject=event.subject, data=trust_created_data(), trust_id=event.trust_id)

    events = _waiting(service, consumer_db, amqp_url, 10)
    with running(consumers(service, consumer_db, amqp_url, republish)):
        wait_until(lambda: _queue_depth(amqp_url, service) == 0 and len(_staged(consumer_db)) == 10, what="all staged")
    # The incoming events name no correlation id: each is its own (its event id).
    incoming = {subject: json.loads(body)["id"] for subject, body in events}
    assert {staged["subject"]: staged["correlationid"] for staged in _staged(consumer_db)} == incoming


def _staged(database) -> list[dict]:
    from shared.outbox import OutboxMessage

    with database.session() as session:
        return [json.loads(row.envelope) for row in session.scalars(sa.select(OutboxMessage))]


def test_queue_is_declared_with_its_delivery_limit_and_dead_letter_exchange(service, amqp_url):
    from amqp.exceptions import PreconditionFailed
    from kombu import Queue

    with Connection(amqp_url) as connection:
        channel = connection.channel()
        declare_topology(channel, service, ["trust.created"])
        different = Queue(
            service_queue(service, ["trust.created"]).name,
            durable=True,
            queue_arguments={"x-queue-type": "quorum", "x-delivery-limit": DELIVERY_LIMIT + 1},
        )
        with pytest.raises(PreconditionFailed):
            different(channel).declare()


@pytest.mark.serial
def test_consumer_reconnects_by_itself_after_a_broker_restart(service, consumer_db, amqp_url, broker):
    with running(consumers(service, consumer_db, amqp_url)):
        wait_until(lambda: _queue_exists(amqp_url, service), what="queue declared")
        before, body = envelope_bytes()
        publish_raw(amqp_url, "trust.created", body)
        wait_until(lambda: before in applied(consumer_db), what="first event")
        broker.stop()
        broker.start()
        after, body = envelope_bytes()
        _publish_when_broker_answers(amqp_url, body)
        wait_until(lambda: after in applied(consumer_db), timeout=60, what="event after the restart")
    assert applied(consumer_db) == {before: 1, after: 1}


def _publish_when_broker_answers(amqp_url, body):
    deadline = time.monotonic() + 60
    while True:
        try:
            publish_raw(amqp_url, "trust.created", body)
            return
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def _queue_info(amqp_url, name):
    from amqp.exceptions import NotFound

    try:
        with Connection(amqp_url) as connection:
            return connection.channel().queue_declare(name, passive=True)
    except NotFound:
        return None


def _queue_exists(amqp_url, service) -> bool:
    info = _queue_info(amqp_url, f"{service}.events")
    return info is not None and info.consumer_count > 0


def _queue_depth(amqp_url, service) -> int:
    info = _queue_info(amqp_url, f"{service}.events")
    return info.message_count if info else 0


def _dlq_depth(amqp_url, service) -> int:
    info = _queue_info(amqp_url, dead_letter_queue_name(service))
    return info.message_count if info else 0


def test_events_a_handler_publishes_carry_the_incoming_correlation_id(service, consumer_db, amqp_url):
    from shared.outbox import OutboxMessage
    from tests.shared.messaging_support import trust_created_data

    def republish(uow, event, payload):
        uow.publish("trust.created", subject=event.subject, data=trust_created_data(), trust_id=event.trust_id)

    with running(consumers(service, consumer_db, amqp_url, republish)):
        wait_until(lambda: _queue_exists(amqp_url, service), what="queue declared")
        data = serialise_payload("trust.created", trust_created_data())
        envelope = make_envelope(
            service="identity",
            event_type="trust.created",
            subject=data["trust_id"],
            data=data,
            trust_id=data["trust_id"],
            correlation_id="request-77",
        )
        publish_raw(amqp_url, "trust.created", json.dumps(envelope).encode())

        def staged():
            with consumer_db.session() as session:
                return [json.loads(row.envelope) for row in session.scalars(sa.select(OutboxMessage))]

        wait_until(lambda: staged(), what="the handler's event staged")
    [caused] = staged()
    assert caused["correlationid"] == "request-77"
