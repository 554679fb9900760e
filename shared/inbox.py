"""Inbox: the ids of events a service has applied, written in the handler's own transaction."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from shared.db import Base, UTCDateTime


class InboxEntry(Base):
    __tablename__ = "inbox"
    # Housekeeping finds the oldest entries by it (shared/housekeeping.py).
    __table_args__ = (sa.Index("ix_inbox_processed_at", "processed_at"),)

    event_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid(), primary_key=True)
    event_type: Mapped[str] = mapped_column(sa.String(100))
    processed_at: Mapped[datetime] = mapped_column(UTCDateTime())
