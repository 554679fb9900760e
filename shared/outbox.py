"""Transactional outbox: events are rows written in the same transaction as the change."""
from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column

from shared.db import Base, UTCDateTime, utcnow
from shared.events import make_envelope, serialise_payload
from shared.logs import current_correlation_id

NOTIFY_CHANNEL = "skillpass_outbox"


class OutboxMessage(Base):
    __tablename__ = "outbox"
    __table_args__ = (
        sa.Index(
            "ix_outbox_unsent", "id",
            postgresql_where=sa.text("sent_at IS NULL"), sqlite_where=sa.text("sent_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True)
    event_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid(), unique=True)
    event_type: Mapped[str] = mapped_column(sa.String(100))
    envelope: Mapped[str] = mapped_column(sa.Text())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    publish_attempts: Mapped[int] = mapped_column(sa.Integer(), default=0)


def stage_event(
    session: Session,
    *,
    service: str,
    event_type: str,
    subject: Any,
    data: dict[str, Any],
    trust_id: Any | None,
) -> dict[str, Any]:
    """Validate the payload against the catalogue and add its outbox row to the session's transaction."""
    envelope = make_envelope(
        service=service,
        event_type=event_type,
        subject=str(subject),
        data=serialise_payload(event_type, data),
        trust_id=str(trust_id) if trust_id is not None else None,
        correlation_id=current_correlation_id(),
    )
    session.add(
        OutboxMessage(
            event_id=uuid.UUID(envelope["id"]),
            event_type=event_type,
            envelope=json.dumps(envelope, separators=(",", ":")),
            created_at=utcnow(),
        )
    )
    if session.get_bind().dialect.name == "postgresql":
        # Delivered to the relay's LISTEN when (and only if) this transaction commits.
        session.execute(sa.select(sa.func.pg_notify(NOTIFY_CHANNEL, "")))
    return envelope
