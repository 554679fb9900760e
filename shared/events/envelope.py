"""The CloudEvents 1.0 envelope (structured JSON mode) of every event on the bus."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

SPEC_VERSION = "1.0"
TYPE_PREFIX = "uk.nhs.skillpass."
TYPE_SUFFIX = ".v1"
CONTENT_TYPE = "application/cloudevents+json"


class MalformedEnvelope(ValueError):
    """A message that is not a Skills Passports CloudEvent: it can never be handled."""


def ce_type(event_type: str) -> str:
    return f"{TYPE_PREFIX}{event_type}{TYPE_SUFFIX}"


def event_type_of(ce_type_value: str) -> str:
    if not (ce_type_value.startswith(TYPE_PREFIX) and ce_type_value.endswith(TYPE_SUFFIX)):
        raise MalformedEnvelope(f"not a Skills Passports event type: {ce_type_value!r}")
    return ce_type_value[len(TYPE_PREFIX) : -len(TYPE_SUFFIX)]


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


@dataclass(frozen=True)
class Event:
    """An event as a consumer sees it: the envelope's attributes and the still-raw payload."""

    id: uuid.UUID
    type: str
    source: str
    time: str
    subject: str | None
    trust_id: str | None
    correlation_id: str | None
    data: dict[str, Any]


def make_envelope(
    *,
    service: str,
    event_type: str,
    subject: str,
    data: dict[str, Any],
    trust_id: str | None,
    correlation_id: str | None,
    event_id: uuid.UUID | None = None,
    time: datetime | None = None,
) -> dict[str, Any]:
    envelope: dict[str, Any] = {
        "specversion": SPEC_VERSION,
        "id": str(event_id or uuid.uuid4()),
        "source": f"/skillpass/{service}",
        "type": ce_type(event_type),
        "time": rfc3339(time or datetime.now(UTC)),
        "subject": str(subject),
        "datacontenttype": "application/json",
        "data": data,
    }
    if trust_id is not None:
        envelope["trustid"] = str(trust_id)
    if correlation_id:
        envelope["correlationid"] = correlation_id
    return envelope


def parse_envelope(body: str | bytes | dict[str, Any]) -> Event:
    try:
        raw = body if isinstance(body, dict) else json.loads(body)
    except (TypeError, ValueError, UnicodeDecodeError) as error:
        raise MalformedEnvelope(f"body is not JSON: {error}") from None
    if not isinstance(raw, dict):
        raise MalformedEnvelope("body is not a JSON object")
    if raw.get("specversion") != SPEC_VERSION:
        raise MalformedEnvelope(f"specversion must be {SPEC_VERSION!r}")
    try:
        event_id = uuid.UUID(str(raw["id"]))
        event_type = event_type_of(str(raw["type"]))
        source = str(raw["source"])
    except (KeyError, ValueError) as error:
        raise MalformedEnvelope(f"bad envelope attribute: {error}") from None
    data = raw.get("data")
    if not isinstance(data, dict):
        raise MalformedEnvelope("data must be a JSON object")
    return Event(
        id=event_id,
        type=event_type,
        source=source,
        time=str(raw.get("time", "")),
        subject=raw.get("subject"),
        trust_id=raw.get("trustid"),
        correlation_id=raw.get("correlationid"),
        data=data,
    )
