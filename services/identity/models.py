"""Identity's tables."""
from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.db import UTCDateTime, new_id, utcnow
from shared.signing import SigningKeyColumns


class Base(DeclarativeBase):
    pass


class Trust(Base):
    __tablename__ = "trusts"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid(), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(sa.String(200))
    ods_code: Mapped[str] = mapped_column(sa.String(16), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class User(Base):
    __tablename__ = "users"
    __table_args__ = (sa.UniqueConstraint("trust_id", "staff_number", name="uq_users_trust_staff_number"),)

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid(), primary_key=True, default=new_id)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    staff_number: Mapped[str | None] = mapped_column(sa.String(50), nullable=True)
    professional_group: Mapped[str | None] = mapped_column(sa.String(100), nullable=True)
    trust_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("trusts.id"), nullable=True, index=True)
    roles: Mapped[list[str]] = mapped_column(sa.JSON())
    active: Mapped[bool] = mapped_column(sa.Boolean(), default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class SigningKey(SigningKeyColumns, Base):
    """The keys that sign identity's tokens."""


class LoginThrottle(Base):
    """Failed sign-ins per email (hashed), whether or not such a user exists."""

    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(sa.Integer(), default=0)
    window_started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
