"""Outside systems (DESIGN §9): two Trusts on the running platform, an account for each made with
`skillpass subscribers add`, and a plain AMQP client (pika) logged in as Trust A's outside system."""

from __future__ import annotations

import json
import os
import subprocess
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import jsonschema
import pytest

from shared.events.catalogue import CATALOGUE
from shared.localstack import resolve
from tests.support.journey import PASSPORT_TYPE, Trust, complete
from tests.support.stack import eventually

pytestmark = pytest.mark.stack

REFUSED = 403


@pytest.fixture(scope="module")
def stack_amqp_url(broker):
    """A vhost of this module's own."""
    with broker.fresh_vhost_url() as url:
        yield url


class Subscribers:
    """`skillpass subscribers …` as Trust IT runs it, against the platform's broker; removes what it added."""

    def __init__(self, amqp_url: str, rabbitmqctl: list[str]):
        self.env = {**os.environ, "AMQP_URL": amqp_url, "RABBITMQCTL": " ".join(rabbitmqctl)}
        self.added: list[str] = []

    def run(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            resolve(["skillpass", "subscribers", *args]), env=self.env, capture_output=True, text=True, timeout=120
        )

    def add(self, name: str, ods_code: str) -> dict:
        result = self.run("add", name, "--trust", ods_code, "--json")
        assert result.returncode == 0, result.stderr
        self.added.append(name)
        return json.loads(result.stdout)

    def remove(self, name: str) -> None:
        result = self.run("remove", name)
        assert result.returncode == 0, result.stderr
        self.added.remove(name)

    def names(self) -> list[str]:
        listed = self.run("list", "--json")
        assert listed.returncode == 0, listed.stderr
        return [s["name"] for s in json.loads(listed.stdout)["subscribers"]]

    def remove_all(self) -> None:
        for name in list(self.added):
            self.run("remove", name)


@pytest.fixture
def subscribers(stack_amqp_url, rabbitmqctl_command):
    made = Subscribers(stack_amqp_url, rabbitmqctl_command)
    yield made
    made.remove_all()  # broker users are not per vhost: leave none behind


class OutsideSystem:
    """Another system of the Trust with the credentials `skillpass subscribers add` printed: pika only."""

    def __init__(self, broker_url: str, account: dict):
        import pika

        self.pika = pika
        broker = pika.URLParameters(broker_url)
        # No heartbeats: the journeys keep this blocking client idle for longer than a heartbeat interval.
        self.parameters = pika.ConnectionParameters(
            broker.host,
            broker.port,
            account["vhost"],
            pika.PlainCredentials(account["username"], account["password"]),
            heartbeat=0,
        )
        self.account = account
        self.connection = pika.BlockingConnection(self.parameters)
        self.channel = self.connection.channel()
        self.queue = f"{account['username']}.events"
        self.received: list[tuple[str, object, bytes]] = []

    def subscribe(self, *binding_keys: str) -> None:
        self.channel.queue_declare(self.queue, durable=True)
        for key in binding_keys:
            self.channel.queue_bind(self.queue, self.account["exchange"], routing_key=key)

    def refused(self, attempt) -> int:
        """The broker's reply code when `attempt(channel)` on a fresh channel is refused (None when it is not)."""
        channel = self.connection.channel()
        try:
            attempt(channel)
        except self.pika.exceptions.ChannelClosedByBroker as refusal:
            return refusal.reply_code
        channel.close()
        return None

    def publish_refused(self, exchange: str, routing_key: str) -> int:
        def publish(channel):
            channel.confirm_delivery()
            channel.basic_publish(exchange, routing_key, b"{}", self.pika.BasicProperties(delivery_mode=2))

        return self.refused(publish)

    def drain(self, quiet_seconds: float = 2.0) -> list[tuple[str, object, bytes]]:
        """Every message until the queue has been empty for a while, acknowledged as handled."""
        quiet_since = time.monotonic()
        while time.monotonic() - quiet_since < quiet_seconds:
            method, properties, body = self.channel.basic_get(self.queue)
            if method is None:
                time.sleep(0.05)
                continue
            self.channel.basic_ack(method.delivery_tag)
            self.received.append((method.routing_key, properties, body))
            quiet_since = time.monotonic()
        return self.received

    def close(self) -> None:
        if self.connection.is_open:
            self.connection.close()


def test_an_outside_system_receives_its_own_trust_s_public_events_and_nothing_else(
    platform, broker, subscribers, tap, cloudevents_schema
):
    stack = platform
    trust_a, trust_b = Trust(stack, "Public Events Trust A"), Trust(stack, "Public Events Trust B")
    ods_a, ods_b = trust_a.record["ods_code"], trust_b.record["ods_code"]
    run = uuid.uuid4().hex[:6]
    name_a, name_b = f"rostering-a-{run}", f"rostering-b-{run}"
    account_a = subscribers.add(name_a, ods_a)
    account_b = subscribers.add(name_b, ods_b)
    assert account_a["exchange"] == "skillpass.public" and account_a["routing_key_prefix"] == f"{ods_a}."
    assert {name_a, name_b} <= set(subscribers.names())

    system_a, system_b = OutsideSystem(broker.base_url, account_a), OutsideSystem(broker.base_url, account_b)
    system_a.subscribe(f"{ods_a}.certificate.#", f"{ods_a}.roster.#")
    system_b.subscribe(f"{ods_b}.#")

    # What Trust A's account may not do, each refused by the broker.
    queue_a, queue_b = system_a.queue, system_b.queue
    for exchange, key in (("skillpass.events", "#"), ("skillpass.events", "certificate.#")):
        assert system_a.refused(lambda ch: ch.queue_bind(queue_a, exchange, key)) == REFUSED, (exchange, key)
    for key in (
        f"{ods_b}.certificate.#",
        f"{ods_b}.roster.updated",
        "#",
        "*.certificate.issued",
        f"{ods_a}X.certificate.#",
    ):
        assert system_a.refused(lambda ch: ch.queue_bind(queue_a, "skillpass.public", key)) == REFUSED, key
    assert system_a.refused(lambda ch: ch.queue_declare(f"{account_b['username']}.mine", durable=True)) == REFUSED
    assert system_a.refused(lambda ch: ch.queue_declare(queue_b, durable=True)) == REFUSED
    assert system_a.refused(lambda ch: ch.basic_get(queue_b)) == REFUSED
    assert system_a.refused(lambda ch: ch.basic_consume(queue_b, lambda *a: None)) == REFUSED
    assert system_a.refused(lambda ch: ch.queue_declare("certificate.events", passive=False, durable=True)) == REFUSED
    assert system_a.refused(lambda ch: ch.basic_get("certificate.events")) == REFUSED
    for exchange, key in (
        ("skillpass.public", f"{ods_a}.certificate.issued"),
        ("skillpass.events", "roster.updated"),
        ("", queue_a),
    ):
        assert system_a.publish_refused(exchange, key) == REFUSED, exchange

    # A nurse of each Trust to a certificate and the roster, at the same time.
    with ThreadPoolExecutor(max_workers=2) as pool:
        journey_a, journey_b = pool.map(complete, [trust_a, trust_b])
    internal = {}
    for trust, journey in ((trust_a, journey_a), (trust_b, journey_b)):
        roster_path = f"/roster?staff_id={journey.nurse.id}&role={PASSPORT_TYPE}"
        eventually(lambda: trust.lead.api("planning").get(roster_path).json(), lambda rows: len(rows) == 1, timeout=120)
        [issued] = tap.wait_for(
            lambda m, t=trust: m.routing_key == "certificate.issued" and m.envelope["trustid"] == t.id, timeout=60
        )
        [rostered] = tap.wait_for(
            lambda m, t=trust: m.routing_key == "roster.updated" and m.envelope["trustid"] == t.id, timeout=60
        )
        internal[trust.id] = {"certificate.issued": issued.envelope, "roster.updated": rostered.envelope}

    received_a, received_b = system_a.drain(), system_b.drain()
    envelopes_a = [json.loads(body) for _, _, body in received_a]
    assert Counter(e["id"] for e in envelopes_a) == Counter(e["id"] for e in internal[trust_a.id].values()), (
        "not exactly Trust A's two events, each once"
    )
    assert {e["id"] for _, _, body in received_b for e in [json.loads(body)]} == {
        e["id"] for e in internal[trust_b.id].values()
    }, "Trust B's subscriber did not get Trust B's events"

    nurse = journey_a.nurse
    for routing_key, properties, body in received_a:
        envelope = json.loads(body)
        event_type = envelope["type"].removeprefix("uk.nhs.skillpass.").removesuffix(".v1")
        twin = internal[trust_a.id][event_type]
        assert routing_key == f"{ods_a}.{event_type}"
        assert "@" not in body.decode("utf-8")
        jsonschema.validate(envelope, cloudevents_schema, format_checker=jsonschema.FormatChecker())
        assert properties.message_id == envelope["id"] and properties.delivery_mode == 2
        assert properties.content_type == "application/cloudevents+json"
        assert {k: v for k, v in envelope.items() if k != "data"} == {k: v for k, v in twin.items() if k != "data"}
        assert envelope["trustid"] == trust_a.id
        data = envelope["data"]
        CATALOGUE[event_type].public().load(data)
        assert list(data) == list(CATALOGUE[event_type].public().fields)
        assert data["staff_number"] == nurse.user["staff_number"] and data["staff_name"] == nurse.user["name"]
        assert not {"staff_id", "trust_id", "email"} & set(data)
    system_b.close()

    # Removed: its connection is closed and it cannot come back.
    subscribers.remove(name_a)
    assert name_a not in subscribers.names()
    deadline = time.monotonic() + 15
    with pytest.raises(system_a.pika.exceptions.ConnectionClosedByBroker):
        while time.monotonic() < deadline:
            system_a.connection.process_data_events(time_limit=0.2)
    with pytest.raises(system_a.pika.exceptions.ProbableAuthenticationError):
        system_a.pika.BlockingConnection(system_a.parameters)
