"""`skillpass subscribers`: the rabbitmqctl commands it runs (against a stand-in), and the accounts it makes
(against the real RabbitMQ, with a plain AMQP client)."""

from __future__ import annotations

import json
import os
import subprocess
import time
import uuid

import pytest

from shared.localstack import resolve
from shared.subscribers import SUBSCRIBER_TAG, BrokerCommandFailed, subscribers_command

AMQP_URL = "amqp://guest:guest@127.0.0.1:5672/trust-vhost"


class FakeRabbitmqctl:
    """rabbitmqctl as far as the command uses it: users, permissions and queues, and every call recorded."""

    def __init__(self, fail_on: str | None = None):
        self.users: dict[str, dict] = {"guest": {"tags": ["administrator"], "password": "guest"}}
        self.permissions: dict[tuple[str, str], tuple] = {}
        self.topic_permissions: dict[tuple[str, str], tuple] = {}
        self.queues: dict[tuple[str, str], int] = {}
        self.calls: list[tuple[str, ...]] = []
        self.stdins: list[str | None] = []
        self.fail_on = fail_on

    def __call__(self, *args: str, stdin: str | None = None) -> str:
        self.calls.append(args)
        self.stdins.append(stdin)
        words = [a for a in args if a != "-q"]
        command = words[0]
        if command == self.fail_on:
            raise BrokerCommandFailed(f"rabbitmqctl {command} failed: simulated")
        if command == "list_users":
            return json.dumps([{"user": u, "tags": d["tags"]} for u, d in self.users.items()])
        if command == "add_user":
            assert len(words) == 2, "the password must not be on the command line"
            self.users[words[1]] = {"tags": [], "password": stdin.strip()}
            return ""
        if command == "set_user_tags":
            self.users[words[1]]["tags"] = list(words[2:])
            return ""
        if command == "set_permissions":
            _, _, vhost, user, *regexes = words
            self.permissions[(vhost, user)] = tuple(regexes)
            return ""
        if command == "set_topic_permissions":
            _, _, vhost, user, exchange, write, read = words
            self.topic_permissions[(vhost, user)] = (exchange, write, read)
            return ""
        if command == "list_permissions":
            vhost = words[2]
            return json.dumps(
                [
                    {"user": u, "configure": c, "write": w, "read": r}
                    for (v, u), (c, w, r) in self.permissions.items()
                    if v == vhost
                ]
            )
        if command == "list_topic_permissions":
            vhost = words[2]
            return json.dumps(
                [
                    {"user": u, "exchange": x, "write": w, "read": r}
                    for (v, u), (x, w, r) in self.topic_permissions.items()
                    if v == vhost
                ]
            )
        if command == "list_queues":
            vhost = words[2]
            return json.dumps([{"name": q, "messages": n} for (v, q), n in self.queues.items() if v == vhost])
        if command == "delete_user":
            del self.users[words[1]]
            for store in (self.permissions, self.topic_permissions):
                for key in [k for k in store if k[1] == words[1]]:
                    del store[key]
            return ""
        if command == "delete_queue":
            del self.queues[(words[2], words[3])]
            return ""
        raise AssertionError(f"unexpected rabbitmqctl {args}")


def run(ctl: FakeRabbitmqctl, capsys, *args: str) -> tuple[int, str, str]:
    code = subscribers_command(list(args), run=ctl, amqp_url=AMQP_URL)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_add_makes_the_account_with_exactly_the_contract_s_permissions_and_prints_the_password_once(capsys):
    ctl = FakeRabbitmqctl()
    code, out, _ = run(ctl, capsys, "add", "rr8-rostering", "--trust", "rr8", "--json")
    assert code == 0
    printed = json.loads(out)
    assert set(printed) == {"username", "password", "vhost", "exchange", "routing_key_prefix"}
    assert printed["username"] == "sub.rr8-rostering" and printed["vhost"] == "trust-vhost"
    assert printed["exchange"] == "skillpass.public" and printed["routing_key_prefix"] == "RR8."
    assert len(printed["password"]) >= 40 and ctl.users["sub.rr8-rostering"]["password"] == printed["password"]
    assert all(printed["password"] not in " ".join(call) for call in ctl.calls), "password on a command line"
    assert ctl.users["sub.rr8-rostering"]["tags"] == [SUBSCRIBER_TAG]
    assert ctl.permissions[("trust-vhost", "sub.rr8-rostering")] == (
        r"^sub\.rr8\-rostering\..*",
        r"^sub\.rr8\-rostering\..*",
        r"^(sub\.rr8\-rostering\..*|skillpass\.public)$",
    )
    assert ctl.topic_permissions[("trust-vhost", "sub.rr8-rostering")] == ("skillpass.public", "^$", r"^RR8\..*")

    code, out, err = run(ctl, capsys, "add", "rr8-rostering", "--trust", "RR8")  # again: refused, unchanged
    assert code == 1 and "already" in err and out == ""
    assert ctl.users["sub.rr8-rostering"]["password"] == printed["password"]


def test_events_limit_the_binding_keys_to_those_patterns_and_the_events_they_match(capsys):
    ctl = FakeRabbitmqctl()
    code, out, _ = run(
        ctl, capsys, "add", "hr", "--trust", "RX1", "--events", "certificate.*", "--events", "roster.updated"
    )
    assert code == 0 and "password" in out and "RX1." in out
    _, write, read = ctl.topic_permissions[("trust-vhost", "sub.hr")]
    assert write == "^$"
    assert read == (
        r"^RX1\.(certificate\.\*|roster\.updated|certificate\.issued|certificate\.revoked|"
        r"certificate\.expired)$"
    )


@pytest.mark.parametrize(
    "args, said",
    [
        (["add", "Bad.Name", "--trust", "RR8"], "not a subscriber name"),
        (["add", "a.b", "--trust", "RR8"], "not a subscriber name"),
        (["add", "ok", "--trust", "R*8"], "not an ODS code"),
        (["add", "ok", "--trust", "R_8"], "not an ODS code"),
        (["add", "ok", "--trust", "RR8", "--events", "user.*"], "matches no public event"),
        (["remove", "nobody"], "no subscriber nobody"),
    ],
)
def test_what_cannot_be_done_is_said_and_nothing_is_made(capsys, args, said):
    ctl = FakeRabbitmqctl()
    code, _, err = run(ctl, capsys, *args)
    assert code == 1 and said in err
    assert not [call for call in ctl.calls if call[0] in ("add_user", "delete_user", "delete_queue")]


def test_a_failure_half_way_leaves_no_account_behind(capsys):
    ctl = FakeRabbitmqctl(fail_on="set_topic_permissions")
    code, out, err = run(ctl, capsys, "add", "acme", "--trust", "RR8", "--json")
    assert code == 1 and "simulated" in err and out == ""
    assert "sub.acme" not in ctl.users and ("trust-vhost", "sub.acme") not in ctl.permissions


def test_list_shows_this_vhost_s_subscribers_and_their_queues(capsys):
    ctl = FakeRabbitmqctl()
    run(ctl, capsys, "add", "acme", "--trust", "RR8")
    run(ctl, capsys, "add", "acme-2", "--trust", "R.X1")
    ctl.queues[("trust-vhost", "sub.acme.roster")] = 3
    ctl.queues[("trust-vhost", "sub.acme-2.all")] = 0
    ctl.users["sub.not-ours"] = {"tags": [], "password": "x"}
    ctl.permissions[("trust-vhost", "sub.not-ours")] = (".*", ".*", ".*")
    code, out, _ = run(ctl, capsys, "list", "--json")
    assert code == 0
    listed = json.loads(out)
    assert listed["vhost"] == "trust-vhost"
    assert [(s["name"], s["username"], s["trust"], s["queues"]) for s in listed["subscribers"]] == [
        ("acme", "sub.acme", "RR8", [{"name": "sub.acme.roster", "messages": 3}]),
        ("acme-2", "sub.acme-2", "R_X1", [{"name": "sub.acme-2.all", "messages": 0}]),
    ]
    code, out, _ = run(ctl, capsys, "list")
    assert "acme" in out and "sub.acme.roster (3 waiting)" in out


def test_remove_deletes_the_user_and_its_queues_only(capsys):
    ctl = FakeRabbitmqctl()
    run(ctl, capsys, "add", "acme", "--trust", "RR8")
    run(ctl, capsys, "add", "acme-2", "--trust", "RR8")
    ctl.queues.update(
        {
            ("trust-vhost", "sub.acme.a"): 1,
            ("trust-vhost", "sub.acme.b"): 0,
            ("trust-vhost", "sub.acme-2.a"): 5,
            ("trust-vhost", "planning.events"): 0,
        }
    )
    code, out, _ = run(ctl, capsys, "remove", "acme")
    assert code == 0 and "sub.acme.a" in out
    assert "sub.acme" not in ctl.users and "sub.acme-2" in ctl.users
    assert set(ctl.queues) == {("trust-vhost", "sub.acme-2.a"), ("trust-vhost", "planning.events")}


def test_remove_refuses_a_broker_user_it_did_not_make(capsys):
    ctl = FakeRabbitmqctl()
    ctl.users["sub.platform"] = {"tags": ["administrator"], "password": "x"}
    code, _, err = run(ctl, capsys, "remove", "platform")
    assert code == 1 and "not tagged" in err and "sub.platform" in ctl.users


def test_a_missing_rabbitmqctl_is_said_in_words(capsys, monkeypatch):
    monkeypatch.setenv("RABBITMQCTL", "/nonexistent/rabbitmqctl")
    code = subscribers_command(["list"], amqp_url=AMQP_URL)
    assert code == 1 and "RABBITMQCTL" in capsys.readouterr().err


# --- Against the real broker ------------------------------------------------------------------------------


@pytest.fixture
def public_exchange_declared(amqp_url):
    from kombu import Connection

    from shared.broker import declare_topology

    with Connection(amqp_url) as connection:
        declare_topology(connection.channel())


def skillpass(amqp_url: str, *args: str, rabbitmqctl: list[str]) -> subprocess.CompletedProcess:
    env = {**os.environ, "AMQP_URL": amqp_url, "RABBITMQCTL": " ".join(rabbitmqctl)}
    return subprocess.run(
        resolve(["skillpass", "subscribers", *args]), env=env, capture_output=True, text=True, timeout=120
    )


def test_the_account_reads_only_its_trust_s_keys_and_is_gone_once_removed(
    amqp_url, broker, rabbitmqctl_command, public_exchange_declared
):
    import pika
    from pika.exceptions import ChannelClosedByBroker, ProbableAuthenticationError

    name = f"t-{uuid.uuid4().hex[:8]}"
    added = skillpass(
        amqp_url, "add", name, "--trust", "RR8", "--events", "roster.updated", "--json", rabbitmqctl=rabbitmqctl_command
    )
    assert added.returncode == 0, added.stderr
    account = json.loads(added.stdout)
    host = pika.URLParameters(broker.base_url)
    params = pika.ConnectionParameters(
        host.host, host.port, account["vhost"], pika.PlainCredentials(account["username"], account["password"])
    )
    try:
        connection = pika.BlockingConnection(params)
        channel = connection.channel()
        queue = channel.queue_declare(f"{account['username']}.roster", durable=True).method.queue
        channel.queue_bind(queue, "skillpass.public", "RR8.roster.updated")
        for key in ("RR8.certificate.issued", "RR8.#"):  # outside --events
            with pytest.raises(ChannelClosedByBroker) as refused:
                connection.channel().queue_bind(queue, "skillpass.public", key)
            assert refused.value.reply_code == 403

        listed = skillpass(amqp_url, "list", "--json", rabbitmqctl=rabbitmqctl_command)
        [mine] = [s for s in json.loads(listed.stdout)["subscribers"] if s["name"] == name]
        assert mine["trust"] == "RR8" and mine["queues"] == [{"name": queue, "messages": 0}]
    finally:
        removed = skillpass(amqp_url, "remove", name, rabbitmqctl=rabbitmqctl_command)
    assert removed.returncode == 0, removed.stderr
    assert queue in removed.stdout
    deadline = time.monotonic() + 15  # the broker closes it once its channels have shut down
    with pytest.raises(pika.exceptions.ConnectionClosedByBroker, match="CONNECTION_FORCED"):
        while time.monotonic() < deadline:
            connection.process_data_events(time_limit=0.2)
    with pytest.raises(ProbableAuthenticationError):
        pika.BlockingConnection(params)
    listed = skillpass(amqp_url, "list", "--json", rabbitmqctl=rabbitmqctl_command)
    assert name not in [s["name"] for s in json.loads(listed.stdout)["subscribers"]]
