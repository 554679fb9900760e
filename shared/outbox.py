"""Transactional outbox: events are rows written in the same transaction as the change.

A public event (DESIGN §9) is one row too: besides the internal envelope it holds the public envelope
(same id, minimised data) and its routing key `<ODS code>.<event type>` on skillpass.public. The relay
publishes both from the row. The ODS code comes from `public_trusts`, which the publishing service fills
from trust.created (`remember_trust`); a public event of a Trust not known yet is *held*: its internal
message goes as usual, its public one waits (routing key NULL) until trust.created names the Trust's code.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column

from shared.db import Base, UTCDateTime, partial_index, upsert_locked, utcnow
from shared.events import make_envelope, serialise_payload, spec_for
from shared.events.public import PublicFacts, public_envelope, public_payload, routing_word
from shared.logs import current_correlation_id

NOTIFY_CHANNEL = "skillpass_outbox"


class OutboxMessage(Base):
    __tablename__ = "outbox"
    __table_args__ = (
        partial_index("ix_outbox_unsent", "id", where="sent_at IS NULL"),
        partial_index(
            "ix_outbox_public_unsent", "id", where="public_sent_at IS NULL AND public_routing_key IS NOT NULL"
        ),
        partial_index(
            "ix_outbox_public_held", "trust_id", where="public_routing_key IS NULL AND public_envelope IS NOT NULL"
        ),
        # Housekeeping finds the oldest sent rows by it (shared/housekeeping.py).
        sa.Index("ix_outbox_sent_at", "sent_at"),
    )

    id: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True)
    event_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid(), unique=True)
    event_type: Mapped[str] = mapped_column(sa.String(100))
    envelope: Mapped[str] = mapped_column(sa.Text())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # When the broker confirmed the internal message (skillpass.events).
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    publish_attempts: Mapped[int] = mapped_column(sa.Integer(), default=0)
    trust_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid(), nullable=True)
    # A public event's envelope for skillpass.public; NULL for internal-only events.
    public_envelope: Mapped[str | None] = mapped_column(sa.Text(), nullable=True)
    # Its routing key; NULL while the Trust's ODS code is not known (held).
    public_routing_key: Mapped[str | None] = mapped_column(sa.String(255), nullable=True)
    # When the broker confirmed the public message.
    public_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class PublicTrust(Base):
    """A Trust's ODS code, the first word of its public routing keys. A row without one is a Trust a public
    event was staged for before its trust.created arrived: the row is what both sides lock."""

    __tablename__ = "public_trusts"

    trust_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid(), primary_key=True)
    ods_code: Mapped[str | None] = mapped_column(sa.String(16), nullable=True)


def _json(value: dict[str, Any]) -> str:
    return json.dumps(value, separators=(",", ":"))


def _uuid(value: Any | None) -> uuid.UUID | None:
    if value is None or isinstance(value, uuid.UUID):
        return value
    return uuid.UUID(str(value))


def stage_event(
    session: Session,
    *,
    service: str,
    event_type: str,
    subject: Any,
    data: dict[str, Any],
    trust_id: Any | None,
    public: PublicFacts | None = None,
) -> dict[str, Any]:
    """Validate the payload against the catalogue and add its outbox row to the session's transaction.

    An event the catalogue marks public must be given `public` (the holder's staff number and name, each
    None when not known): the row then carries the public envelope too."""
    spec = spec_for(event_type)
    envelope = make_envelope(
        service=service,
        event_type=event_type,
        subject=str(subject),
        data=serialise_payload(event_type, data),
        trust_id=str(trust_id) if trust_id is not None else None,
        correlation_id=current_correlation_id(),
    )
    row = OutboxMessage(
        event_id=uuid.UUID(envelope["id"]),
        event_type=event_type,
        envelope=_json(envelope),
        created_at=utcnow(),
        trust_id=_uuid(trust_id),
    )
    if spec.public is not None:
        if spec.publisher != service:  # its relay would not look for the public half (Relay.unsent)
            raise TypeError(f"{event_type} is {spec.publisher}'s public event: {service} cannot stage it")
        if public is None:
            raise TypeError(f"{event_type} is a public event: stage it with public=PublicFacts(...)")
        if trust_id is None:
            raise ValueError(f"{event_type} is a public event: it needs the Trust it belongs to")
        row.public_envelope = _json(public_envelope(envelope, public_payload(event_type, data, public)))
        ods_code = _ods_code(session, row.trust_id)
        row.public_routing_key = f"{routing_word(ods_code)}.{event_type}" if ods_code else None
    elif public is not None:
        raise TypeError(f"{event_type} is not a public event")
    session.add(row)  # on PostgreSQL its INSERT wakes the relay (the outbox's trigger, messaging_0004)
    return envelope


def _ods_code(session: Session, trust_id: uuid.UUID) -> str | None:
    known = session.scalar(sa.select(PublicTrust.ods_code).where(PublicTrust.trust_id == trust_id))
    if known:
        return known  # an ODS code never changes: no lock needed once it is known
    # Not known: lock the Trust's row (made if missing), so that a trust.created applied at this moment
    # is either seen here or, after this commits, finds this event held and releases it.
    return upsert_locked(session, PublicTrust, {"trust_id": trust_id}).ods_code


def remember_trust(session: Session, trust_id: Any, ods_code: str) -> int:
    """Record a Trust's ODS code (from trust.created) and release its held public events; how many."""
    trust_id = _uuid(trust_id)
    word = routing_word(ods_code)
    trust = upsert_locked(session, PublicTrust, {"trust_id": trust_id, "ods_code": ods_code})
    trust.ods_code = ods_code
    released = session.execute(
        sa.update(OutboxMessage)
        .where(
            OutboxMessage.trust_id == trust_id,
            OutboxMessage.public_envelope.is_not(None),
            OutboxMessage.public_routing_key.is_(None),
        )
        .values(public_routing_key=sa.literal(f"{word}.") + OutboxMessage.event_type)
        .execution_options(synchronize_session=False)
    ).rowcount
    if released:
        _notify(session)
    return released


def _notify(session: Session) -> None:
    """Wake the relay for rows this transaction changed rather than inserted (an insert wakes it by itself)."""
    if session.get_bind().dialect.name != "postgresql":
        return
    # Once per transaction wakes the relay as well as once per change.
    current = session.get_nested_transaction() or session.get_transaction()
    if current is not None and session.info.get(_NOTIFIED_IN) is current:
        return
    # Delivered to the relay's LISTEN when (and only if) this transaction commits.
    session.execute(sa.select(sa.func.pg_notify(NOTIFY_CHANNEL, "")))
    session.info[_NOTIFIED_IN] = session.get_nested_transaction() or session.get_transaction()


_NOTIFIED_IN = "skillpass_outbox_notified_in"


# Rows with a message still to send: the internal one, or (the internal one sent) the public one once it
# has a routing key. Two queries rather than one with OR, so that each reads its own partial index
# (ix_outbox_unsent, ix_outbox_public_unsent) instead of every row the outbox keeps.
INTERNAL_UNSENT = OutboxMessage.sent_at.is_(None)
PUBLIC_UNSENT = sa.and_(
    OutboxMessage.public_sent_at.is_(None),
    OutboxMessage.public_routing_key.is_not(None),
    OutboxMessage.sent_at.is_not(None),
)
