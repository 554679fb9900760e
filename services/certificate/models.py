"""The certificate service's tables: certificates, its signing keys, and read models of people and Trusts."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from services.certificate.domain import VALID
from shared.db import NamedPerson, UTCDateTime, looked_up, utcnow
from shared.signing import SigningKeyColumns


class Base(DeclarativeBase):
    pass


class StaffMember(Base):
    """A holder's name as identity's user.* events last told it: printed on the certificate; with the staff
    number, in the public certificate events."""

    __tablename__ = "staff"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid(), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    as_of: Mapped[datetime] = mapped_column(UTCDateTime())
    staff_number: Mapped[str | None] = mapped_column(sa.String(50), nullable=True)


class Trust(Base):
    """A Trust's name from trust.created: printed on the certificate and shown by /verify."""

    __tablename__ = "trusts"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid(), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))


class PassportReopening(Base):
    """The latest reopening of a passport, so that a completion arriving after it issues nothing."""

    __tablename__ = "passport_reopenings"

    passport_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid(), primary_key=True)
    reopened_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Certificate(NamedPerson, Base):
    """One certificate per passport completion; its status moves on from `valid` and never back."""

    __tablename__ = "certificates"
    PERSON = "holder"  # whose staff_name and staff_number a certificate gives
    __table_args__ = (
        # A completion is a passport and the moment it completed: redelivered, it finds its certificate.
        sa.UniqueConstraint("passport_id", "completed_at", name="uq_certificates_completion"),
        sa.Index("ix_certificates_holder_role", "staff_id", "passport_type"),
        # The expiry sweep's question: valid certificates past their expiry.
        sa.Index("ix_certificates_status_expires_at", "status", "expires_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid(), primary_key=True)
    passport_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid())
    completed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    staff_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid())
    trust_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid(), index=True)
    passport_type: Mapped[str] = mapped_column(sa.String(32))
    type_version: Mapped[int] = mapped_column(sa.Integer())
    title: Mapped[str] = mapped_column(sa.String(200))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(sa.String(20), default=VALID)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    revoked_by: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid(), nullable=True)
    revocation_reason: Mapped[str | None] = mapped_column(sa.Text(), nullable=True)
    expired_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    superseded_by: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid(), nullable=True)

    holder: Mapped[StaffMember | None] = looked_up(StaffMember, "Certificate", "staff_id")
    trust: Mapped[Trust | None] = looked_up(Trust, "Certificate", "trust_id")

    @property
    def holder_name(self) -> str | None:
        return self.holder.name if self.holder else None

    @property
    def trust_name(self) -> str | None:
        return self.trust.name if self.trust else None


class SigningKey(SigningKeyColumns, Base):
    """The keys that sign the certificates' credentials."""
