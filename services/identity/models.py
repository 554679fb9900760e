"""Identity's tables."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.db import UTCDateTime, new_id, partial_index, utcnow
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
    # None until the person sets a password (an imported or invited person cannot sign in before then).
    password_hash: Mapped[str | None] = mapped_column(sa.String(255), nullable=True)
    staff_number: Mapped[str | None] = mapped_column(sa.String(50), nullable=True)
    professional_group: Mapped[str | None] = mapped_column(sa.String(100), nullable=True)
    department: Mapped[str | None] = mapped_column(sa.String(100), nullable=True)
    trust_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("trusts.id"), nullable=True, index=True)
    roles: Mapped[list[str]] = mapped_column(sa.JSON())
    active: Mapped[bool] = mapped_column(sa.Boolean(), default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # When the latest invitation was made; None for someone never invited.
    invited_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    @property
    def password_set(self) -> bool:
        return self.password_hash is not None


class SigningKey(SigningKeyColumns, Base):
    """The keys that sign identity's tokens."""


class LoginThrottle(Base):
    """Failed sign-ins per email (hashed), whether or not such a user exists."""

    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(sa.Integer(), default=0)
    window_started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class AccountLink(Base):
    """A one-time link (invitation or password reset). Only the SHA-256 of its token is kept: the token
    itself is in the link the person holds, and nowhere else."""

    __tablename__ = "account_links"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid(), primary_key=True, default=new_id)
    user_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id"), index=True)
    purpose: Mapped[str] = mapped_column(sa.String(20))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # A link made void (a newer invitation, another link used) expires at that moment.
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class Email(Base):
    """An email waiting for identity's worker to send it, written in the transaction that made it. Once
    sent its body (which holds a link) is cleared."""

    __tablename__ = "emails"
    __table_args__ = (partial_index("ix_emails_unsent", "next_attempt_at", where="sent_at IS NULL"),)

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid(), primary_key=True, default=new_id)
    to_address: Mapped[str] = mapped_column(sa.String(254))
    subject: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str | None] = mapped_column(sa.Text(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(sa.Integer(), default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_error: Mapped[str | None] = mapped_column(sa.String(500), nullable=True)
