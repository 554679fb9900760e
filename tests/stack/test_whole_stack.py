"""The whole platform as real processes against the real RabbitMQ and PostgreSQL: the journey end to end,
an outside subscriber, and faults."""

from __future__ import annotations

import json
import subprocess
import threading
import uuid
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor

import jsonschema
import pytest
from kombu import Connection, Producer, Queue

from shared.broker import events_exchange
from shared.events import CONTENT_TYPE, load_payload
from shared.localstack import resolve
from tests.support.bus import publish_raw
from tests.support.journey import (
    PASSPORT_TYPE,
    Trust,
    complete,
    dashboard_counts,
    self_assessed,
    settled,
    sign_off,
)
from tests.support.stack import Api, Stack, eventually

pytestmark = pytest.mark.stack


@pytest.fixture(scope="module")
def stack_amqp_url(broker):
    """A vhost of this module's own: the platform's queues are shared with no other test's services."""
    with broker.fresh_vhost_url() as url:
        yield url


class OutsideSubscriber:
    """A plain AMQP client (pika) with its own queue on the services' exchange skillpass.events, as the
    platform's account sees it. Outside systems read skillpass.public instead (test_public_events.py)."""

    def __init__(self, amqp_url: str, binding: str):
        import pika

        self.connection = pika.BlockingConnection(pika.URLParameters(amqp_url))
        self.channel = self.connection.channel()
        self.channel.exchange_declare("skillpass.events", exchange_type="topic", durable=True, passive=True)
        self.queue = self.channel.queue_declare(f"outside.{uuid.uuid4().hex[:8]}", exclusive=True).method.queue
        self.channel.queue_bind(self.queue, "skillpass.events", routing_key=binding)
        self.received: list[tuple[str, object, dict]] = []

    def wait_for(self, event_type: str, subject: str, timeout: float = 60) -> dict:
        def seen():
            return next((e for key, _, e in self.received if key == event_type and e["subject"] == subject), None)

        def pull():
            for method, properties, body in self.channel.consume(self.queue, inactivity_timeout=0.2):
                if method is None:
                    break
                self.channel.basic_ack(method.delivery_tag)
                self.received.append((method.routing_key, properties, json.loads(body)))
            self.channel.cancel()
            return seen()

        return eventually(pull, lambda envelope: envelope is not None, timeout=timeout, interval=0)

    def close(self) -> None:
        self.connection.close()


def test_a_nurse_is_certified_rostered_and_counted_and_a_revocation_walks_it_all_back(
    platform, stack_amqp_url, cloudevents_schema
):
    stack = platform
    subscriber = OutsideSubscriber(stack_amqp_url, "certificate.#")
    trust = Trust(stack, "Whole Stack Trust")
    journey = complete(trust)
    nurse = journey.nurse

    passport = eventually(
        lambda: nurse.api("passport").get(f"/passports/{journey.passport_id}").json(),
        lambda p: p["status"] == "completed",
    )
    assert passport["progress"]["signed_off"] == len(journey.skills) == 44

    [certificate] = eventually(
        lambda: nurse.api("certificate").get("/certificates").json(), lambda rows: len(rows) == 1
    )
    assert certificate["passport_type"] == PASSPORT_TYPE and certificate["status"] == "valid"
    public = Api(stack.urls("certificate"))
    verified = public.get(f"/certificates/{certificate['id']}/verify").json()
    assert verified["valid"] is True and verified["status"] == "valid"

    roster_path = f"/roster?staff_id={nurse.id}&role={PASSPORT_TYPE}"
    [entry] = eventually(lambda: trust.lead.api("planning").get(roster_path).json(), lambda rows: len(rows) == 1)
    assert entry["status"] == "eligible" and entry["certificate_id"] == certificate["id"]
    assert nurse.api("planning").get(roster_path).json() == [entry]  # staff read their own roster entry

    # certificate.issued reaches metrics, and then so does planning's roster.updated it caused.
    counted = eventually(lambda: dashboard_counts(trust), lambda c: c.get("certified") == 1 and c["rostered"] == 1)
    assert counted["started"] == counted["completed"] == counted["certificates_issued"] == counted["rostered"] == 1
    assert counted["skills_self_assessed"] == counted["skills_signed_off"] == 44
    assert counted["learning_attended"] == 1

    issued = subscriber.wait_for("certificate.issued", certificate["id"])
    revoked = trust.admin.api("certificate").post(
        f"/certificates/{certificate['id']}/revoke", {"reason": "Issued in error"}
    )
    assert revoked.status_code == 200, revoked.text

    [entry] = eventually(
        lambda: trust.lead.api("planning").get(roster_path).json(), lambda rows: rows[0]["status"] == "ineligible"
    )
    # The revocation reaches metrics, and then so does planning's roster.updated it caused.
    counted = eventually(lambda: dashboard_counts(trust), lambda c: c["certified"] == 0 and c["rostered"] == 0)
    assert counted["certificates_revoked"] == 1 and counted["certificates_issued"] == 1
    assert public.get(f"/certificates/{certificate['id']}/verify").json()["status"] == "revoked"

    withdrawn = subscriber.wait_for("certificate.revoked", certificate["id"])
    for envelope in (issued, withdrawn):
        jsonschema.validate(envelope, cloudevents_schema, format_checker=jsonschema.FormatChecker())
        assert envelope["trustid"] == trust.id and envelope["source"] == "/skillpass/certificate"
        load_payload(envelope["type"].removeprefix("uk.nhs.skillpass.").removesuffix(".v1"), envelope["data"])
    for routing_key, properties, envelope in subscriber.received:
        assert properties.message_id == envelope["id"] and properties.content_type == "application/cloudevents+json"
        assert properties.delivery_mode == 2 and routing_key.startswith("certificate.")
    subscriber.close()


class Duplicator(threading.Thread):
    """Sends every event on the bus a second time, same id and body, as an at-least-once bus may."""

    MARK = "x-test-duplicate"

    def __init__(self, amqp_url: str):
        super().__init__(daemon=True)
        self.amqp_url = amqp_url
        self.queue = Queue(
            f"test.duplicator.{uuid.uuid4().hex[:8]}",
            exchange=events_exchange,
            routing_key="#",
            durable=True,
            auto_delete=False,
        )
        self.stopping = threading.Event()
        self.duplicated = 0

    def run(self) -> None:
        while not self.stopping.is_set():
            try:
                with Connection(self.amqp_url, transport_options={"confirm_publish": True}) as connection:
                    self._duplicate(connection)
            except Exception:  # the broker is being restarted: come back when it is
                self.stopping.wait(0.5)

    def _duplicate(self, connection) -> None:
        connection.ensure_connection(max_retries=1)
        producer = Producer(connection.channel(), exchange=events_exchange)
        queue = self.queue(connection.channel())
        queue.declare()
        while not self.stopping.is_set():
            message = queue.get(no_ack=False)
            if message is None:
                self.stopping.wait(0.01)
                continue
            if not message.headers.get(self.MARK):
                producer.publish(
                    message.body,
                    routing_key=message.delivery_info["routing_key"],
                    content_type=CONTENT_TYPE,
                    content_encoding="utf-8",
                    delivery_mode=2,
                    message_id=message.properties.get("message_id"),
                    headers={self.MARK: True},
                    confirm_timeout=5,
                )
                self.duplicated += 1
            message.ack()

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=10)
        with Connection(self.amqp_url) as connection:
            self.queue(connection.channel()).delete()


def dead_letters(stack: Stack, service: str) -> list[str]:
    """The event ids parked in a service's dead-letter queue, as the operators' CLI lists them."""
    listed = subprocess.run(
        resolve(["skillpass", service, "dead-letters", "list", "--json"]),
        env=stack.env(service),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert listed.returncode == 0, listed.stderr
    return [letter["event_id"] for letter in json.loads(listed.stdout)["messages"]]


def assert_counts_agree(trust: Trust, journeys: int, tap, poison: tuple[str, ...] = ()) -> None:
    """Completed passports = certificates = roster entries = the dashboard, each exactly `journeys`."""
    seen = settled(trust, journeys, roster_filter="&status=eligible")
    completed, certificates, roster = seen.completed, seen.certificates, seen.roster
    tap.drain(quiet_seconds=3)  # whatever is still on its way has arrived

    assert completed == journeys
    assert len(certificates) == journeys and {c["status"] for c in certificates} == {"valid"}
    assert len({c["staff_id"] for c in certificates}) == journeys
    assert len(roster) == journeys and {r["certificate_id"] for r in roster} == {c["id"] for c in certificates}
    counted = dashboard_counts(trust)
    assert (
        counted["started"],
        counted["completed"],
        counted["certified"],
        counted["certificates_issued"],
        counted["rostered"],
    ) == (journeys,) * 5
    assert counted["skills_signed_off"] == counted["skills_self_assessed"] == journeys * 44

    # On the exchange: one event id per fact, however often it was delivered.
    ids_by_fact = defaultdict(set)
    for message in tap.received:
        if message.properties.get("message_id") in poison:
            continue
        if (
            message.routing_key in ("passport.completed", "certificate.issued", "roster.updated")
            and message.envelope["trustid"] == trust.id
        ):
            data = message.envelope["data"]
            fact = data.get("passport_id") or (data["staff_id"], data["status"])
            ids_by_fact[message.routing_key, str(fact)].add(message.envelope["id"])
    per_type = Counter(event_type for event_type, _ in ids_by_fact)
    assert per_type == {"passport.completed": journeys, "certificate.issued": journeys, "roster.updated": journeys}
    assert all(len(ids) == 1 for ids in ids_by_fact.values()), "an event was published twice under different ids"


@pytest.mark.serial  # stops the shared broker: nothing may run beside it
def test_fifty_journeys_through_a_broker_restart_a_killed_consumer_duplicates_and_poison(
    platform, broker, stack_amqp_url, tap
):
    stack, amqp_url = platform, stack_amqp_url
    trust = Trust(stack, "Faulty Day Trust")
    duplicator = Duplicator(amqp_url)
    duplicator.start()
    poison_id = str(uuid.uuid4())
    publish_raw(amqp_url, "certificate.issued", b'{"specversion": "1.0", "id": ', message_id=poison_id)

    journeys, done = 50, []
    with ThreadPoolExecutor(max_workers=4) as pool:
        futures = [pool.submit(complete, trust) for _ in range(journeys - 1)]
        for index, future in enumerate(futures):
            done.append(future.result())
            if index == 10:
                broker.stop()
                try:
                    # A nurse starts a passport and self-assesses every skill while the broker is down:
                    # every request is answered, and the events wait in the outboxes.
                    during_outage = self_assessed(trust)
                finally:
                    broker.start()
                for code in during_outage.skills:
                    sign_off(trust, during_outage, code)
                done.append(during_outage)
            if index == 25:
                # passport's consumer is busiest: a sign-off decision arrives every few milliseconds
                next(
                    p for p in stack.processes if p.name.startswith("passport-worker") and p.popen.poll() is None
                ).kill()
                stack.start("passport", "worker")
    assert len(done) == journeys

    assert_counts_agree(trust, journeys, tap, poison=(poison_id,))
    assert duplicator.duplicated > journeys * 44  # every sign-off, and everything after it, came twice
    duplicator.stop()

    for service in ("planning", "metrics"):
        parked = eventually(lambda: dead_letters(stack, service), lambda ids: poison_id in ids)
        assert set(parked) == {poison_id}, f"{service} parked more than the poison message"
    # The consumers went on working after the poison message: one more journey goes all the way.
    complete(trust)
    eventually(lambda: dashboard_counts(trust), lambda c: c["certified"] == journeys + 1, timeout=60)
