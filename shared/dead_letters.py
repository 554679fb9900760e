"""Operators' view of a service's dead-letter queue: list what is there, and replay it.

A message lands in `<service>.events.dlq` when the service's consumer rejected it as unreadable or it
kept failing until the queue's delivery limit. The broker records why in the `x-death` header; the
consumer's log has the error itself (search it for the event id).

Listing takes every message without acknowledging it and then closes the channel, which gives them all
back to the queue: browsing loses nothing. Replaying publishes a message, unchanged, to the service's
own queue through the default exchange (so no other subscriber of `skillpass.events` gets a duplicate),
waits for the broker's confirm, and only then removes it from the dead-letter queue. A failure half way
leaves every message not yet confirmed where it was. A message replayed twice is harmless: consumers
record the event ids they have applied and ignore repeats.

They remember them for INBOX_RETENTION_DAYS only (shared/housekeeping.py prunes the inbox). An event older
than that may have been applied long ago (another copy of it) and forgotten since, and would then be
applied again: replay refuses such messages unless asked to include them (`--past-inbox-retention`),
after the operator has made sure the event was never applied. Its age is its envelope's `time`, when it
was made: any copy applied later is newer still, so an event younger than the retention is still known.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from amqp.exceptions import NotFound
from kombu import Connection, Producer

from shared.broker import dead_letter_queue, dead_letter_queue_name, queue_name, without_password
from shared.config import Settings
from shared.db import utcnow
from shared.events import CONTENT_TYPE

PREVIEW_CHARACTERS = 200
REPLAY_COUNT_HEADER = "x-skillpass-replays"
# Headers the broker owns: a replayed message starts a fresh death history (the broker may refuse or
# merge a client-supplied one, depending on its version) and a fresh delivery count.
BROKER_HEADERS = ("x-death", "x-first-death-", "x-last-death-", "x-delivery-count")
# AMQP basic properties carried over unchanged when a message is replayed.
REPLAYED_PROPERTIES = ("message_id", "correlation_id", "timestamp", "type", "app_id")


class DeadLetterQueueMissing(LookupError):
    """The service's dead-letter queue has never been declared on this broker."""


@dataclass
class DeadLetter:
    """One dead-lettered message as an operator needs to see it."""

    event_id: str | None
    event_type: str | None
    trust_id: str | None
    time: str | None
    dead_lettered_from: str | None
    reason: str | None
    first_reason: str | None
    deaths: int
    last_dead_lettered_at: str | None
    replays: int
    preview: str
    death_history: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def of(cls, message) -> DeadLetter:
        headers = message.headers or {}
        history = [_jsonable(death) for death in headers.get("x-death") or []]
        latest = history[0] if history else {}  # the broker keeps the most recent death first
        envelope = _envelope_or_none(message.body)
        original_keys = latest.get("routing-keys") or []
        return cls(
            event_id=message.properties.get("message_id") or envelope.get("id"),
            event_type=original_keys[0] if original_keys else envelope.get("type"),
            trust_id=envelope.get("trustid"),
            time=envelope.get("time"),
            dead_lettered_from=latest.get("queue"),
            reason=latest.get("reason"),
            first_reason=_text(headers.get("x-first-death-reason")),
            deaths=sum(int(death.get("count") or 0) for death in history),
            last_dead_lettered_at=latest.get("time"),
            replays=int(headers.get(REPLAY_COUNT_HEADER) or 0),
            preview=_body_text(message.body)[:PREVIEW_CHARACTERS],
            death_history=history,
        )


@dataclass
class ReplayOutcome:
    replayed: list[DeadLetter] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    # Chosen, but older than the inbox retention: the consumer may no longer know it applied them.
    past_inbox_retention: list[DeadLetter] = field(default_factory=list)


def list_dead_letters(settings: Settings, service: str, limit: int | None = None) -> tuple[int, list[DeadLetter]]:
    """(how many messages the queue holds, the first `limit` of them); every message stays in the queue."""
    with _broker(settings) as connection, _held_dead_letters(connection, service, limit) as (total, held):
        return total, [DeadLetter.of(message) for message in held]


def replay_dead_letters(
    settings: Settings,
    service: str,
    event_ids: list[str] | None,
    *,
    dry_run: bool = False,
    past_inbox_retention: bool = False,
) -> ReplayOutcome:
    """Replay the messages with these event ids (every message when None) to the service's own queue.

    When an id is not in the queue nothing is replayed: a mistyped id should not leave a replay half done.
    Nor is anything replayed when a chosen event is older than the inbox retention, unless
    `past_inbox_retention` says the operator knows it was never applied.
    """
    outcome = ReplayOutcome()
    forgotten_before = utcnow() - timedelta(days=settings.inbox_retention_days)
    with _broker(settings) as connection, _held_dead_letters(connection, service) as (_, held):
        # Every message is taken before any is replayed, so one that fails again and comes straight
        # back to the dead-letter queue is not picked up and replayed a second time.
        chosen = [m for m in held if event_ids is None or _event_id(m) in event_ids]
        outcome.missing = sorted(set(event_ids or []) - {_event_id(m) for m in chosen})
        if not past_inbox_retention:
            outcome.past_inbox_retention = [
                DeadLetter.of(m) for m in chosen if made_before(_envelope_or_none(m.body), forgotten_before)
            ]
        refused = outcome.missing or outcome.past_inbox_retention
        if refused or dry_run:
            outcome.replayed = [DeadLetter.of(m) for m in chosen] if not refused else []
            return outcome
        producer = Producer(connection.channel(), auto_declare=False)
        for message in chosen:
            encoding = message.properties.get("content_encoding") or "utf-8"
            producer.publish(
                _raw_body(message.body, encoding),
                exchange="",  # the default exchange: straight to the one queue named by the routing key
                routing_key=queue_name(service),
                mandatory=True,  # no such queue must fail loudly, not drop the message
                delivery_mode=2,
                content_type=message.properties.get("content_type") or CONTENT_TYPE,
                content_encoding=encoding,
                headers=_replayed_headers(message.headers or {}),
                confirm_timeout=settings.publish_confirm_timeout,
                retry=False,
                **{name: message.properties[name] for name in REPLAYED_PROPERTIES if name in message.properties},
            )
            # publish() returned: the broker confirmed the copy, so the original may go.
            message.ack()
            outcome.replayed.append(DeadLetter.of(message))
    return outcome


@contextmanager
def _broker(settings: Settings) -> Iterator[Connection]:
    connection = Connection(settings.amqp_url, connect_timeout=5, transport_options={"confirm_publish": True})
    try:
        connection.ensure_connection(max_retries=1, timeout=5)
        yield connection
    finally:
        connection.release()


@contextmanager
def _held_dead_letters(connection: Connection, service: str, limit: int | None = None):
    """Take the queue's messages without acknowledging them; closing the channel gives back the rest."""
    channel = connection.channel()
    try:
        try:
            _, total, _ = channel.queue_declare(queue=dead_letter_queue_name(service), passive=True)
        except NotFound:
            raise DeadLetterQueueMissing(dead_letter_queue_name(service)) from None
        queue = dead_letter_queue(service)(channel)
        held = []
        while limit is None or len(held) < limit:
            message = queue.get(no_ack=False, accept=[CONTENT_TYPE])
            if message is None:
                break
            held.append(message)
        yield total, held
    finally:
        try:
            channel.close()
        except Exception:  # a broken channel has given the messages back already
            pass


def made_before(envelope: dict[str, Any], moment: datetime) -> bool:
    """Whether the event was made before `moment`, by its envelope's time. An envelope without a readable
    time is not: no consumer can have applied an event it cannot read."""
    try:
        made = datetime.fromisoformat(envelope["time"])
    except (KeyError, TypeError, ValueError):
        return False
    return made.tzinfo is not None and made < moment


def _event_id(message) -> str | None:
    return message.properties.get("message_id") or _envelope_or_none(message.body).get("id")


def _raw_body(body, encoding: str) -> bytes:
    """The body's bytes as they arrived: py-amqp hands it over decoded when it carries a content encoding."""
    return body.encode(encoding) if isinstance(body, str) else body


def _replayed_headers(headers: dict[str, Any]) -> dict[str, Any]:
    kept = {name: value for name, value in headers.items() if not name.startswith(BROKER_HEADERS)}
    kept[REPLAY_COUNT_HEADER] = int(headers.get(REPLAY_COUNT_HEADER) or 0) + 1
    return kept


def _envelope_or_none(body) -> dict[str, Any]:
    try:
        envelope = json.loads(body)
    except (TypeError, ValueError, UnicodeDecodeError):
        return {}
    return envelope if isinstance(envelope, dict) else {}


def _body_text(body) -> str:
    return body.decode("utf-8", errors="replace") if isinstance(body, bytes) else str(body)


def _text(value) -> str | None:
    return value.decode() if isinstance(value, bytes) else value


def _jsonable(value):
    if isinstance(value, dict):
        return {_text(key): _jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(item) for item in value]
    if isinstance(value, datetime):
        return value.isoformat()
    return _text(value)


# --- Command line --------------------------------------------------------------------------------------


def dead_letters_command(service: str, args: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog=f"skillpass {service} dead-letters",
        description=f"Inspect and replay the messages {service} could not handle ({dead_letter_queue_name(service)}).",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    listing = commands.add_parser("list", help="show dead-lettered messages; they all stay in the queue")
    listing.add_argument("--limit", type=int, default=50, help="show at most N messages (default 50)")
    listing.add_argument("--json", action="store_true", help="machine-readable output")
    replaying = commands.add_parser(
        "replay",
        help=f"send messages back to {queue_name(service)} only; replaying one twice is harmless "
        "(consumers ignore event ids they have already applied)",
        description=(
            f"Publish dead-lettered messages, unchanged, to {queue_name(service)} (no other service receives "
            "them), and remove each from the dead-letter queue once the broker has confirmed its copy. Fix "
            "what made them fail first. Replaying the same message twice is harmless: consumers record the "
            "event ids they have applied and ignore repeats."
        ),
    )
    which = replaying.add_mutually_exclusive_group(required=True)
    which.add_argument("--id", dest="ids", action="append", metavar="EVENT_ID", help="an event id (repeatable)")
    which.add_argument("--all", action="store_true", help="every message in the dead-letter queue")
    replaying.add_argument("--dry-run", action="store_true", help="show what would be replayed; change nothing")
    replaying.add_argument(
        "--past-inbox-retention",
        action="store_true",
        help="replay events older than INBOX_RETENTION_DAYS too; the service no longer remembers whether it "
        "applied them, so check first that it never did",
    )
    options = parser.parse_args(args)

    settings = Settings.from_env(service)
    try:
        if options.command == "list":
            return _print_list(service, *list_dead_letters(settings, service, max(options.limit, 0)), options.json)
        outcome = replay_dead_letters(
            settings, service, options.ids, dry_run=options.dry_run, past_inbox_retention=options.past_inbox_retention
        )
        return _print_replay(service, outcome, options.dry_run, settings.inbox_retention_days)
    except DeadLetterQueueMissing as missing:
        print(
            f"skillpass: there is no queue {missing} on the broker: {service} has not consumed events here yet "
            "(or consumes none)",
            file=sys.stderr,
        )
        return 1
    except Exception as error:  # kombu and py-amqp raise many kinds; all mean the broker failed us
        print(
            f"skillpass: broker at {without_password(settings.amqp_url)} failed: {error or type(error).__name__}. "
            "Messages not yet replayed are still in the dead-letter queue.",
            file=sys.stderr,
        )
        return 1


def _print_list(service: str, total: int, letters: list[DeadLetter], as_json: bool) -> int:
    if as_json:
        print(
            json.dumps(
                {
                    "queue": dead_letter_queue_name(service),
                    "total": total,
                    "messages": [asdict(letter) for letter in letters],
                },
                indent=2,
            )
        )
        return 0
    print(
        f"{dead_letter_queue_name(service)}: {total} message(s)"
        + (f", showing {len(letters)}" if len(letters) < total else "")
    )
    for letter in letters:
        print(f"\n{letter.event_id}  {letter.event_type}  trust {letter.trust_id}  at {letter.time}")
        print(
            f"  dead-lettered {letter.deaths}x from {letter.dead_lettered_from}: {letter.reason} "
            f"(first: {letter.first_reason}), last at {letter.last_dead_lettered_at}; replayed {letter.replays}x"
        )
        print(f"  body: {letter.preview}")
    if letters:
        print(f"\nThe error itself is in the {service} worker's log: search it for the event id.")
    return 0


def _print_replay(service: str, outcome: ReplayOutcome, dry_run: bool, inbox_retention_days: int) -> int:
    if outcome.missing:
        print(
            f"skillpass: not in {dead_letter_queue_name(service)}: {', '.join(outcome.missing)}; nothing replayed",
            file=sys.stderr,
        )
        return 1
    if outcome.past_inbox_retention:
        events = ", ".join(f"{letter.event_id} (made {letter.time})" for letter in outcome.past_inbox_retention)
        print(
            f"skillpass: older than the inbox retention (INBOX_RETENTION_DAYS, {inbox_retention_days} days): "
            f"{events}. {service} no longer remembers whether it applied events that old, and would apply one "
            "again if it had; check that it never did, then replay with --past-inbox-retention. "
            "Nothing replayed",
            file=sys.stderr,
        )
        return 1
    verb = "would replay" if dry_run else "replayed"
    for letter in outcome.replayed:
        print(f"{verb} {letter.event_id} ({letter.event_type}) to {queue_name(service)}")
    if not outcome.replayed:
        print(f"{dead_letter_queue_name(service)} is empty: nothing to replay")
    return 0
