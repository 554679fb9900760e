"""Identity as real processes (gunicorn, worker) against the real RabbitMQ and PostgreSQL."""

from __future__ import annotations

import uuid
from collections import defaultdict

import jsonschema
import pytest

from shared.events import load_payload
from tests.support.stack import ADMIN_EMAIL, ADMIN_PASSWORD, Api

pytestmark = pytest.mark.stack


class Client(Api):
    def token(self, email: str, password: str) -> str:
        return self.sign_in(email, password)

    def post(self, path: str, body: dict, token: str | None = None, **headers):
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return super().post(path, body, **headers)

    def new_user(self, token: str, trust_id: str, roles=("staff",), **headers) -> dict:
        body = {
            "email": f"{uuid.uuid4().hex[:12]}@example.nhs.uk",
            "name": "Stack User",
            "password": "long enough pw",
            "trust_id": trust_id,
            "roles": list(roles),
            "staff_number": uuid.uuid4().hex[:8],
        }
        response = self.post("/users", body, token, **headers)
        assert response.status_code == 201, response.text
        return {**response.json(), "password": body["password"]}


def is_event(event_type: str, **data):
    def matches(message):
        envelope = message.envelope
        return message.routing_key == event_type and all(envelope["data"].get(k) == v for k, v in data.items())

    return matches


def test_token_trust_and_users_reach_the_exchange_as_valid_cloudevents(stack, tap, cloudevents_schema):
    stack.start_service("identity")
    client = Client(stack.url("identity"))
    admin = client.token(ADMIN_EMAIL, ADMIN_PASSWORD)

    trust = client.post(
        "/trusts",
        {"name": "Stack Trust", "ods_code": "RS" + uuid.uuid4().hex[:3].upper()},
        admin,
        **{"X-Correlation-ID": "journey-42"},
    )
    assert trust.status_code == 201, trust.text
    trust = trust.json()
    users = [client.new_user(admin, trust["id"]) for _ in range(3)]

    [created] = tap.wait_for(is_event("trust.created", trust_id=trust["id"]))
    registered = {u["id"]: tap.wait_for(is_event("user.registered", user_id=u["id"]))[0] for u in users}

    for message in [created, *registered.values()]:
        envelope = message.envelope
        jsonschema.validate(envelope, cloudevents_schema, format_checker=jsonschema.FormatChecker())
        assert message.properties["message_id"] == envelope["id"]
        assert message.properties["content_type"] == "application/cloudevents+json"
        assert envelope["source"] == "/skillpass/identity"
        assert envelope["trustid"] == trust["id"]
        load_payload(message.routing_key, envelope["data"])  # the catalogue's consumers can read it
    assert created.envelope["correlationid"] == "journey-42"
    assert created.envelope["type"] == "uk.nhs.skillpass.trust.created.v1"


def test_wrong_password_is_a_401_problem_and_a_trust_admin_stays_in_their_trust(stack):
    stack.start_service("identity")
    client = Client(stack.url("identity"))
    wrong = client.http.post(
        f"{client.base_url}/auth/token", json={"email": ADMIN_EMAIL, "password": "nope"}, timeout=10
    )
    assert wrong.status_code == 401 and wrong.headers["Content-Type"] == "application/problem+json"

    admin = client.token(ADMIN_EMAIL, ADMIN_PASSWORD)
    trusts = [
        client.post("/trusts", {"name": f"T{i}", "ods_code": f"RT{uuid.uuid4().hex[:3].upper()}"}, admin).json()
        for i in range(2)
    ]
    body = {
        "email": "ta@example.nhs.uk",
        "name": "TA",
        "password": "long enough pw",
        "trust_id": trusts[0]["id"],
        "roles": ["trust_admin"],
    }
    assert client.post("/users", body, admin).status_code == 201
    trust_admin = client.token("ta@example.nhs.uk", "long enough pw")
    stranger = client.new_user(admin, trusts[1]["id"])
    response = client.http.get(
        f"{client.base_url}/users/{stranger['id']}", headers={"Authorization": f"Bearer {trust_admin}"}
    )
    assert response.status_code == 404 and response.headers["Content-Type"] == "application/problem+json"
    garbage = client.http.post(
        f"{client.base_url}/users",
        data=b"{oops",
        timeout=10,
        headers={"Authorization": f"Bearer {trust_admin}", "Content-Type": "application/json"},
    )
    assert garbage.status_code == 400 and garbage.headers["Content-Type"] == "application/problem+json"


@pytest.mark.serial  # stops the shared broker: nothing may run beside it
def test_no_event_is_lost_across_a_broker_restart(stack, tap, broker):
    stack.start_service("identity")
    client = Client(stack.url("identity"))
    admin = client.token(ADMIN_EMAIL, ADMIN_PASSWORD)
    trust = client.post(
        "/trusts", {"name": "Restart Trust", "ods_code": "RR" + uuid.uuid4().hex[:3].upper()}, admin
    ).json()

    users = [client.new_user(admin, trust["id"]) for _ in range(10)]
    broker.stop()
    try:
        users += [client.new_user(admin, trust["id"]) for _ in range(10)]  # committed while the broker is down
    finally:
        broker.start()
    users += [client.new_user(admin, trust["id"]) for _ in range(10)]

    wanted = {u["id"] for u in users}
    tap.wait_for(
        lambda m: m.routing_key == "user.registered" and m.envelope["data"]["user_id"] in wanted,
        count=len(wanted),
        timeout=120,
    )
    tap.drain(quiet_seconds=2)
    ids_per_user = defaultdict(set)
    for message in tap.received:
        if message.routing_key == "user.registered" and message.envelope["data"]["user_id"] in wanted:
            ids_per_user[message.envelope["data"]["user_id"]].add(message.envelope["id"])
    assert set(ids_per_user) == wanted, "a user.registered event was lost"
    assert all(len(ids) == 1 for ids in ids_per_user.values()), "a resend carried a new event id"


def test_two_workers_send_each_event_exactly_once(stack, tap):
    stack.start_service("identity", workers=2)
    client = Client(stack.url("identity"))
    admin = client.token(ADMIN_EMAIL, ADMIN_PASSWORD)
    trust = client.post(
        "/trusts", {"name": "Twin Trust", "ods_code": "RW" + uuid.uuid4().hex[:3].upper()}, admin
    ).json()
    users = [client.new_user(admin, trust["id"]) for _ in range(120)]

    wanted = {u["id"] for u in users}
    tap.wait_for(
        lambda m: m.routing_key == "user.registered" and m.envelope["data"]["user_id"] in wanted,
        count=len(wanted),
        timeout=60,
    )
    tap.drain(quiet_seconds=2)
    sent = [
        m.envelope["id"]
        for m in tap.received
        if m.routing_key == "user.registered" and m.envelope["data"]["user_id"] in wanted
    ]
    assert len(sent) == len(set(sent)) == len(wanted), "an event was sent twice"
    logs = "".join(p.log_path.read_text() for p in stack.processes if "worker" in p.name)
    assert logs.count("outbox relay started") == 2  # both relays really ran
