"""`skillpass subscribers`: broker accounts for outside systems, each limited to its own Trust (DESIGN §9).

    skillpass subscribers add NAME --trust ODS [--events PATTERN ...] [--json]
    skillpass subscribers list [--json]
    skillpass subscribers remove NAME

An outside system (a Trust's e-rostering, an HR system) gets a RabbitMQ user `sub.NAME` on the vhost of
AMQP_URL that may:
- declare, bind, read and delete only queues named `sub.NAME.<anything>`;
- bind them only to `skillpass.public`, and there only with binding keys that start with its Trust's
  routing word (`RR8.…`; with `--events`, only `RR8.<pattern>` for those patterns and the public events
  they match), so that nothing of another Trust can reach its queues;
- neither read `skillpass.events` (nor any other exchange or queue) nor publish to any exchange but
  ones it declared itself under `sub.NAME.` (which reach only its own queues).

These are RabbitMQ permissions (configure, write and read regular expressions on the vhost) and topic
permissions (on `skillpass.public`: write `^$`, read the Trust's binding keys), which RabbitMQ checks on
every declare, bind, get and publish. The account is made with `rabbitmqctl`, which every RabbitMQ
installation has (the management plugin, and so its HTTP API, is not always enabled): set RABBITMQCTL to
the command that runs it, e.g. `docker compose exec -T rabbitmq rabbitmqctl` for the Compose broker
(default `rabbitmqctl`, which needs to run as a user allowed to use it: root or rabbitmq). The password
goes to rabbitmqctl on its standard input, never on a command line, and is printed once.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shlex
import subprocess
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from kombu import Connection

from shared.config import PUBLIC_EXCHANGE, Settings
from shared.events.public import check_event_pattern, public_event_types, routing_word, topic_matches

SUBSCRIBER_TAG = "skillpass-subscriber"
USERNAME_PREFIX = "sub."
# No dots: `sub.NAME.` must never be a prefix of another subscriber's `sub.OTHER.`.
NAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]{0,39}")
PASSWORD_BYTES = 32


class SubscriberError(Exception):
    """Something the operator can fix: told in words, exit code 1."""


class BrokerCommandFailed(SubscriberError):
    pass


# --- What an account may do --------------------------------------------------------------------------


@dataclass(frozen=True)
class Grant:
    """The broker account of one outside system: its name, vhost and every permission it gets."""

    name: str
    trust: str  # the routing word: the ODS code as it starts the routing keys
    events: tuple[str, ...]  # event patterns; empty: every public event
    vhost: str

    @property
    def username(self) -> str:
        return username_for(self.name)

    @property
    def queue_prefix(self) -> str:
        return f"{self.username}."

    @property
    def routing_key_prefix(self) -> str:
        return f"{self.trust}."

    @property
    def permissions(self) -> tuple[str, str, str]:
        """configure, write, read: its own queues, and reading (binding from) skillpass.public."""
        own = f"^{re.escape(self.queue_prefix)}.*"
        return own, own, f"^({re.escape(self.queue_prefix)}.*|{re.escape(PUBLIC_EXCHANGE)})$"

    @property
    def topic_permissions(self) -> tuple[str, str]:
        """write (publishing: nothing), read (binding keys: its Trust's, and its events' when limited)."""
        return "^$", binding_key_regex(self.trust, self.events)

    def credentials(self, password: str) -> dict[str, str]:
        return {
            "username": self.username,
            "password": password,
            "vhost": self.vhost,
            "exchange": PUBLIC_EXCHANGE,
            "routing_key_prefix": self.routing_key_prefix,
        }


def username_for(name: str) -> str:
    return f"{USERNAME_PREFIX}{name}"


def check_name(name: str) -> str:
    if not NAME_PATTERN.fullmatch(name or ""):
        raise SubscriberError(
            f"not a subscriber name: {name!r} (1 to 40 of a-z, 0-9 and '-', starting with a letter or digit)"
        )
    return name


def grant_for(name: str, trust: str, events: list[str] | None, vhost: str) -> Grant:
    try:
        word = routing_word(trust)
        patterns = tuple(dict.fromkeys(check_event_pattern(p) for p in events or []))
    except ValueError as error:
        raise SubscriberError(str(error)) from None
    return Grant(check_name(name), word, patterns, vhost)


def binding_key_regex(trust_word: str, events: tuple[str, ...] = ()) -> str:
    """The binding keys a subscriber may use on skillpass.public, as RabbitMQ's topic permission checks them.

    The Trust's word is a whole, literal first word (no `.`, `*` or `#` in it), so any key allowed here
    matches only routing keys of that Trust. With event patterns, a binding key is the Trust's word followed
    by one of the patterns as given or one of the public event types they match, and nothing else."""
    word = re.escape(trust_word)
    if not events:
        return rf"^{word}\..*"
    allowed = list(
        dict.fromkeys([*events, *(t for t in public_event_types() if any(topic_matches(p, t) for p in events))])
    )
    return rf"^{word}\.({'|'.join(re.escape(key) for key in allowed)})$"


def trust_of(binding_regex: str) -> str | None:
    """The Trust's word back from a binding-key regex this module made."""
    match = re.match(r"\^((?:\\.|[^\\.])+?)\\\.", binding_regex or "")
    return match.group(1).replace("\\", "") if match else None


# --- rabbitmqctl ---------------------------------------------------------------------------------------

Runner = Callable[..., str]


def rabbitmqctl_runner(command: list[str] | None = None) -> Runner:
    """Runs `RABBITMQCTL ARGS…` (stdin optional) and returns its output; fails with what it said."""
    prefix = command or shlex.split(os.environ.get("RABBITMQCTL") or "rabbitmqctl")

    def run(*args: str, stdin: str | None = None) -> str:
        try:
            result = subprocess.run([*prefix, *args], input=stdin, capture_output=True, text=True, timeout=120)
        except FileNotFoundError:
            raise BrokerCommandFailed(
                f"{prefix[0]} not found: run this where rabbitmqctl is, or set RABBITMQCTL (e.g. "
                "'docker compose exec -T rabbitmq rabbitmqctl')"
            ) from None
        except subprocess.TimeoutExpired:
            raise BrokerCommandFailed(f"rabbitmqctl {args[0]} did not answer within 120 s") from None
        if result.returncode != 0:
            said = (result.stderr or result.stdout).strip()
            raise BrokerCommandFailed(f"rabbitmqctl {args[0]} failed: {said}")
        return result.stdout

    return run


def _json_rows(output: str) -> list[dict]:
    start = output.find("[")  # anything rabbitmqctl said before the JSON
    return json.loads(output[start:]) if start >= 0 else []


def vhost_of(amqp_url: str) -> str:
    return Connection(amqp_url).virtual_host or "/"


@dataclass
class Subscriber:
    name: str
    username: str
    trust: str | None
    binding_keys: str | None
    queues: list[dict] = field(default_factory=list)


class Subscribers:
    """The outside systems' accounts on one vhost, managed through rabbitmqctl."""

    def __init__(self, vhost: str, run: Runner):
        self.vhost = vhost
        self.run = run

    def _users(self) -> dict[str, list[str]]:
        return {
            row["user"]: list(row.get("tags") or [])
            for row in _json_rows(self.run("-q", "list_users", "--formatter", "json"))
        }

    def _queues(self, grant_prefix: str) -> list[dict]:
        rows = _json_rows(self.run("-q", "list_queues", "-p", self.vhost, "name", "messages", "--formatter", "json"))
        return sorted(
            (
                {"name": r["name"], "messages": r.get("messages")}
                for r in rows
                if str(r["name"]).startswith(grant_prefix)
            ),
            key=lambda r: r["name"],
        )

    def add(self, grant: Grant) -> str:
        """Create the account with its permissions; returns the password (never stored here)."""
        if grant.username in self._users():
            raise SubscriberError(
                f"there is already a broker user {grant.username}: remove it first "
                f"(`skillpass subscribers remove {grant.name}`), or choose another name"
            )
        password = secrets.token_urlsafe(PASSWORD_BYTES)
        self.run("add_user", grant.username, stdin=password + "\n")
        try:
            self.run("set_user_tags", grant.username, SUBSCRIBER_TAG)
            self.run("set_permissions", "-p", self.vhost, grant.username, *grant.permissions)
            self.run(
                "set_topic_permissions", "-p", self.vhost, grant.username, PUBLIC_EXCHANGE, *grant.topic_permissions
            )
        except Exception:
            self.run("delete_user", grant.username)  # no half-made account left behind
            raise
        return password

    def list(self) -> list[Subscriber]:
        users = self._users()
        on_vhost = {
            row["user"]
            for row in _json_rows(self.run("-q", "list_permissions", "-p", self.vhost, "--formatter", "json"))
        }
        topics = {
            row["user"]: row
            for row in _json_rows(self.run("-q", "list_topic_permissions", "-p", self.vhost, "--formatter", "json"))
            if row.get("exchange") == PUBLIC_EXCHANGE
        }
        queues = _json_rows(self.run("-q", "list_queues", "-p", self.vhost, "name", "messages", "--formatter", "json"))
        found = []
        for username, tags in sorted(users.items()):
            if SUBSCRIBER_TAG not in tags or username not in on_vhost or not username.startswith(USERNAME_PREFIX):
                continue
            read = topics.get(username, {}).get("read")
            found.append(
                Subscriber(
                    name=username[len(USERNAME_PREFIX) :],
                    username=username,
                    trust=trust_of(read) if read else None,
                    binding_keys=read,
                    queues=sorted(
                        (
                            {"name": q["name"], "messages": q.get("messages")}
                            for q in queues
                            if str(q["name"]).startswith(f"{username}.")
                        ),
                        key=lambda q: q["name"],
                    ),
                )
            )
        return found

    def remove(self, name: str) -> list[str]:
        """Delete the account (the broker closes its connections) and its queues; returns the queues deleted."""
        username = username_for(check_name(name))
        users = self._users()
        if username not in users:
            raise SubscriberError(f"no subscriber {name} (no broker user {username})")
        if SUBSCRIBER_TAG not in users[username]:
            raise SubscriberError(f"broker user {username} is not tagged {SUBSCRIBER_TAG}: not removing it")
        self.run("delete_user", username)
        queues = [q["name"] for q in self._queues(f"{username}.")]
        for queue in queues:  # nobody reads them any more: left, they would fill up forever
            self.run("delete_queue", "-p", self.vhost, queue)
        return queues


# --- Command line ----------------------------------------------------------------------------------------


def subscribers_command(args: list[str], run: Runner | None = None, amqp_url: str | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="skillpass subscribers",
        description=(
            "Broker accounts for outside systems: each reads only its own Trust's public events from "
            f"{PUBLIC_EXCHANGE}, on the vhost of AMQP_URL, made with rabbitmqctl (RABBITMQCTL)."
        ),
    )
    commands = parser.add_subparsers(dest="command", required=True)
    adding = commands.add_parser(
        "add",
        help="create an outside system's account; prints its password once",
        description=(
            f"Create the broker user sub.NAME: it may declare and read queues named sub.NAME.*, bind them "
            f"to {PUBLIC_EXCHANGE} with its Trust's routing keys only (ODS.<event>), and nothing else."
        ),
    )
    adding.add_argument("name", metavar="NAME", help="the outside system, e.g. rr8-rostering (a-z, 0-9, '-')")
    adding.add_argument("--trust", required=True, metavar="ODS", help="the ODS code of the Trust it belongs to")
    adding.add_argument(
        "--events",
        nargs="+",
        action="extend",
        metavar="PATTERN",
        default=[],
        help=f"only these events (topic patterns over: {', '.join(public_event_types())}, "
        "e.g. certificate.* roster.updated); default every public event",
    )
    adding.add_argument("--json", action="store_true", help="print the credentials as one JSON object")
    listing = commands.add_parser("list", help="the outside systems' accounts on this vhost")
    listing.add_argument("--json", action="store_true", help="machine-readable output")
    removing = commands.add_parser("remove", help="delete an account: its connections close, its queues go")
    removing.add_argument("name", metavar="NAME")
    options = parser.parse_args(args)

    url = amqp_url or os.environ.get("AMQP_URL") or Settings.amqp_url
    subscribers = Subscribers(vhost_of(url), run or rabbitmqctl_runner())
    try:
        if options.command == "add":
            grant = grant_for(options.name, options.trust, options.events, subscribers.vhost)
            password = subscribers.add(grant)
            _print_added(grant, password, options.json)
        elif options.command == "list":
            _print_list(subscribers.list(), subscribers.vhost, options.json)
        else:
            queues = subscribers.remove(options.name)
            print(
                f"removed subscriber {options.name}: broker user {username_for(options.name)} deleted (its "
                f"connections closed)" + (f", queues deleted: {', '.join(queues)}" if queues else ", no queues")
            )
    except SubscriberError as error:
        print(f"skillpass subscribers: {error}", file=sys.stderr)
        return 1
    return 0


def _print_added(grant: Grant, password: str, as_json: bool) -> None:
    if as_json:
        print(json.dumps(grant.credentials(password)))
        return
    events = " ".join(grant.events) if grant.events else "every public event"
    example = f"{grant.routing_key_prefix}{grant.events[0] if grant.events else 'certificate.#'}"
    print(f"Subscriber {grant.name} of Trust {grant.trust} created ({events}).")
    print("The password is shown this once: hand it over securely. To replace it, remove and add again.\n")
    for label, value in grant.credentials(password).items():
        print(f"  {label:<20}{value}")
    print(f"  {'queues':<20}{grant.queue_prefix}<anything> (declare your own, durable)")
    print(f"  {'binding keys':<20}{grant.routing_key_prefix}<event pattern>, e.g. {example}")


def _print_list(found: list[Subscriber], vhost: str, as_json: bool) -> None:
    if as_json:
        print(json.dumps({"vhost": vhost, "subscribers": [asdict(s) for s in found]}, indent=2))
        return
    if not found:
        print(f"no subscribers on vhost {vhost}")
        return
    for subscriber in found:
        queues = ", ".join(f"{q['name']} ({q['messages']} waiting)" for q in subscriber.queues) or "no queues yet"
        print(
            f"{subscriber.name}  user {subscriber.username}  Trust {subscriber.trust}  "
            f"binding keys {subscriber.binding_keys}  {queues}"
        )
