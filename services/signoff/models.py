"""The sign-off service's tables: its read model of passports, and its own requests and decisions."""

from __future__ import annotations

import uuid
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from services.signoff.domain import IN_PROGRESS
from shared.db import NamedPerson, UTCDateTime, looked_up, new_id


class Base(DeclarativeBase):
    pass


class StaffMember(Base):
    """A person's name and staff number as identity's user.* events last told them: sign-offs and requests
    name the person whose skill it is by them."""

    __tablename__ = "staff"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid(), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    staff_number: Mapped[str | None] = mapped_column(sa.String(50), nullable=True)
    as_of: Mapped[datetime] = mapped_column(UTCDateTime())


class NamedHolder(NamedPerson):
    """The holder's name and staff number beside their id (a `holder` relationship)."""

    PERSON = "holder"


class Passport(Base):
    """A passport as the passport.* events describe it. Any of them may arrive first, so a row can exist
    before passport.started has brought the type and its skill codes."""

    __tablename__ = "passports"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid(), primary_key=True)
    holder_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid())
    trust_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid())
    passport_type: Mapped[str] = mapped_column(sa.String(32))
    type_version: Mapped[int | None] = mapped_column(sa.Integer(), nullable=True)
    skill_codes: Mapped[list | None] = mapped_column(sa.JSON(), nullable=True)
    status: Mapped[str] = mapped_column(sa.String(20), default=IN_PROGRESS)
    # When the status last changed, so that a late passport.completed or .reopened cannot undo a newer one.
    status_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class SelfAssessedSkill(Base):
    """A skill the holder has self-assessed: sign-off needs one first."""

    __tablename__ = "self_assessed_skills"

    passport_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("passports.id"), primary_key=True)
    skill_code: Mapped[str] = mapped_column(sa.String(40), primary_key=True)


class Signoff(NamedHolder, Base):
    """One decision on one skill. Never changed once written: a revocation is a row of its own."""

    __tablename__ = "signoffs"
    __table_args__ = (sa.Index("ix_signoffs_passport_skill", "passport_id", "skill_code"),)

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid(), primary_key=True, default=new_id)
    passport_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("passports.id"))
    skill_code: Mapped[str] = mapped_column(sa.String(40))
    holder_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid(), index=True)
    trust_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid(), index=True)
    outcome: Mapped[str] = mapped_column(sa.String(20))
    comment: Mapped[str] = mapped_column(sa.Text())
    evidence: Mapped[str | None] = mapped_column(sa.Text(), nullable=True)
    action_plan: Mapped[str | None] = mapped_column(sa.Text(), nullable=True)
    assessed_on: Mapped[date] = mapped_column(sa.Date())
    supervisor_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid())
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revocation: Mapped[Revocation | None] = relationship(lazy="selectin")
    holder: Mapped[StaffMember | None] = looked_up(StaffMember, "Signoff", "holder_id")


class Revocation(Base):
    """The revocation of a decision, recorded beside it; at most one per decision."""

    __tablename__ = "revocations"

    signoff_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("signoffs.id"), primary_key=True)
    revoked_by: Mapped[uuid.UUID] = mapped_column(sa.Uuid())
    reason: Mapped[str] = mapped_column(sa.Text())
    revoked_at: Mapped[datetime] = mapped_column(UTCDateTime())


class SignoffRequest(NamedHolder, Base):
    """The holder asking for sign-off of some skills; closed once each has a decision, when the passport is
    withdrawn, or when the holder leaves."""

    __tablename__ = "signoff_requests"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid(), primary_key=True, default=new_id)
    passport_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("passports.id"), index=True)
    holder_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid(), index=True)
    trust_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid(), index=True)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    closed_reason: Mapped[str | None] = mapped_column(sa.String(20), nullable=True)
    skills: Mapped[list[RequestedSkill]] = relationship(lazy="selectin", order_by="RequestedSkill.skill_code")
    holder: Mapped[StaffMember | None] = looked_up(StaffMember, "SignoffRequest", "holder_id")


class RequestedSkill(Base):
    __tablename__ = "requested_skills"

    request_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("signoff_requests.id"), primary_key=True)
    skill_code: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    signoff_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("signoffs.id"), nullable=True)
