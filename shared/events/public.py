"""The public events (DESIGN §9): what outside systems receive on `skillpass.public`, and how it is routed.

A public event is the internal event with the same envelope (`id`, `type`, `source`, `time`, `subject`,
`trustid`, `correlationid`) and a minimised `data`: the catalogue's public schema, filled from the internal
payload and the holder's staff number and name. Its routing key is `<ODS code>.<event type>`, so that a
subscriber's broker account can be limited to its own Trust's keys.

The ODS code is one word of the routing key: a Trust's code is written in upper case, with any `.` (which
identity allows, and which would split the word) written `_` (which identity never allows), so that no
Trust's keys can ever start with another Trust's word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from shared.events.catalogue import CATALOGUE, PUBLIC_PERSON_FIELDS, serialise_with, spec_for

# identity's ODS code: 2 to 16 of A-Z, 0-9, '-' and '.', starting with a letter or digit. No '_': so that
# writing '.' as '_' can never turn one Trust's code into another's.
ODS_CODE = re.compile(r"[A-Z0-9][A-Z0-9.-]{1,15}")
PATTERN_WORD = re.compile(r"[a-z_]+|\*|#")


@dataclass(frozen=True)
class PublicFacts:
    """What a public payload carries beyond the internal one: the holder as the Trust's systems know them.
    Either may be None (identity's user.* event has not reached the publishing service yet)."""

    staff_number: str | None = None
    staff_name: str | None = None


def public_event_types() -> list[str]:
    """The event types that are republished to skillpass.public, in catalogue order."""
    return [event_type for event_type, spec in CATALOGUE.items() if spec.public is not None]


def is_public(event_type: str) -> bool:
    return spec_for(event_type).public is not None


def routing_word(ods_code: str) -> str:
    """A Trust's ODS code as the first word of its public routing keys."""
    code = ods_code.strip().upper()
    if not ODS_CODE.fullmatch(code):
        raise ValueError(f"not an ODS code: {ods_code!r} (2 to 16 letters, digits, '-' or '.')")
    return code.replace(".", "_")


def public_routing_key(ods_code: str, event_type: str) -> str:
    """`<ODS code>.<event type>`, e.g. `RR8.certificate.issued`."""
    return f"{routing_word(ods_code)}.{event_type}"


def public_payload(event_type: str, data: dict[str, Any], facts: PublicFacts) -> dict[str, Any]:
    """The public schema's fields, taken by name from the internal payload (Python values) and from
    `facts`, validated and serialised. Whatever the public schema does not name is left out."""
    schema = spec_for(event_type).public
    if schema is None:
        raise ValueError(f"{event_type} is not a public event")
    person = {"staff_number": facts.staff_number, "staff_name": facts.staff_name}
    picked: dict[str, Any] = {}
    for name in schema().fields:
        if name in PUBLIC_PERSON_FIELDS:
            picked[name] = person[name]
        elif name in data:
            picked[name] = data[name]
        else:
            raise KeyError(f"{event_type}: the public field {name!r} is not in the internal payload")
    return serialise_with(schema, picked)


def public_envelope(envelope: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """The internal envelope with the public payload: same id, type, source, time, subject and extensions."""
    return {**envelope, "data": data}


# --- Binding patterns --------------------------------------------------------------------------------


def check_event_pattern(pattern: str) -> str:
    """A topic pattern over event types (`certificate.*`, `roster.updated`, `#`) that matches a public event."""
    words = pattern.split(".")
    if not pattern or not all(PATTERN_WORD.fullmatch(word) for word in words):
        raise ValueError(f"not an event pattern: {pattern!r} (words of a-z and _, or * and #, joined by '.')")
    if not any(topic_matches(pattern, event_type) for event_type in public_event_types()):
        raise ValueError(f"{pattern!r} matches no public event; public events: {', '.join(public_event_types())}")
    return pattern


def topic_matches(pattern: str, routing_key: str) -> bool:
    """AMQP topic matching: `*` is exactly one word, `#` zero or more."""

    def match(pattern_words: list[str], key_words: list[str]) -> bool:
        if not pattern_words:
            return not key_words
        head, rest = pattern_words[0], pattern_words[1:]
        if head == "#":
            return any(match(rest, key_words[i:]) for i in range(len(key_words) + 1))
        if not key_words:
            return False
        return (head == "*" or head == key_words[0]) and match(rest, key_words[1:])

    return match(pattern.split("."), routing_key.split("."))
