"""The passport service's tables."""

from __future__ import annotations

import uuid
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.db import UTCDateTime, new_id, partial_index, utcnow

IN_PROGRESS, COMPLETED, WITHDRAWN = "in_progress", "completed", "withdrawn"


class Base(DeclarativeBase):
    pass


class PassportType(Base):
    """One version of a passport type's content; versions are never changed once stored."""

    __tablename__ = "passport_types"

    code: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    version: Mapped[int] = mapped_column(sa.Integer(), primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    care_setting: Mapped[str] = mapped_column(sa.String(20))
    description: Mapped[str] = mapped_column(sa.Text())
    sample: Mapped[bool] = mapped_column(sa.Boolean())
    notice: Mapped[str | None] = mapped_column(sa.Text(), nullable=True)
    domains: Mapped[list] = mapped_column(sa.JSON())
    skill_count: Mapped[int] = mapped_column(sa.Integer())
    current: Mapped[bool] = mapped_column(sa.Boolean(), default=False)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    imported_by: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid(), nullable=True)


class Passport(Base):
    __tablename__ = "passports"
    __table_args__ = (
        # Only an in-progress passport blocks another of the same type for the same person.
        partial_index(
            "uq_passports_one_in_progress", "staff_id", "passport_type", where="status = 'in_progress'", unique=True
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid(), primary_key=True, default=new_id)
    staff_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid(), index=True)
    trust_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid(), index=True)
    passport_type: Mapped[str] = mapped_column(sa.String(32))
    type_version: Mapped[int] = mapped_column(sa.Integer())
    status: Mapped[str] = mapped_column(sa.String(20), default=IN_PROGRESS)
    retrospective: Mapped[bool] = mapped_column(sa.Boolean(), default=False)
    surge_started_on: Mapped[date | None] = mapped_column(sa.Date(), nullable=True)
    surge_ended_on: Mapped[date | None] = mapped_column(sa.Date(), nullable=True)
    retrospective_evidence: Mapped[str | None] = mapped_column(sa.Text(), nullable=True)
    assigned_by: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid(), nullable=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    withdrawal_reason: Mapped[str | None] = mapped_column(sa.Text(), nullable=True)
    last_activity_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Progress, kept current by every change so that no read has to count.
    skills_total: Mapped[int] = mapped_column(sa.Integer(), default=0)
    skills_self_assessed: Mapped[int] = mapped_column(sa.Integer(), default=0)
    skills_signed_off: Mapped[int] = mapped_column(sa.Integer(), default=0)


class SkillState(Base):
    """Each skill's current state on one passport, kept up to date as things happen."""

    __tablename__ = "skill_states"

    passport_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("passports.id"), primary_key=True)
    skill_code: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    position: Mapped[int] = mapped_column(sa.Integer())
    level: Mapped[str | None] = mapped_column(sa.String(20), nullable=True)
    level_note: Mapped[str | None] = mapped_column(sa.Text(), nullable=True)
    self_assessed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    signoff_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid(), nullable=True)
    signoff_outcome: Mapped[str | None] = mapped_column(sa.String(20), nullable=True)
    signed_off_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    signed_off_by: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid(), nullable=True)
    # The skill's learning records as the passport shows them (the learning_records table stays the
    # record), and the skill's whole changing part as JSON text, rewritten on every change: reading a
    # passport of 60 skills then costs one small query and no encoding.
    learning: Mapped[list] = mapped_column(sa.JSON(), default=list)
    view: Mapped[str] = mapped_column(sa.Text(), default='{"self_assessment":null,"learning":[],"signoff":null}')


class SelfAssessment(Base):
    """Every self-assessment ever made: history is kept, never overwritten."""

    __tablename__ = "self_assessments"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid(), primary_key=True, default=new_id)
    passport_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("passports.id"), index=True)
    skill_code: Mapped[str] = mapped_column(sa.String(40))
    level: Mapped[str] = mapped_column(sa.String(20))
    note: Mapped[str | None] = mapped_column(sa.Text(), nullable=True)
    assessed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class LearningRecord(Base):
    __tablename__ = "learning_records"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid(), primary_key=True, default=new_id)
    passport_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("passports.id"), index=True)
    skill_code: Mapped[str] = mapped_column(sa.String(40))
    kind: Mapped[str] = mapped_column(sa.String(20))
    status: Mapped[str] = mapped_column(sa.String(20))
    date: Mapped[date | None] = mapped_column(sa.Date(), nullable=True)
    hours: Mapped[float | None] = mapped_column(sa.Float(), nullable=True)
    note: Mapped[str | None] = mapped_column(sa.Text(), nullable=True)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    recorded_by: Mapped[uuid.UUID] = mapped_column(sa.Uuid())


class SignoffDecision(Base):
    """Sign-off decisions as the sign-off service announced them, in whatever order they arrived."""

    __tablename__ = "signoff_decisions"

    signoff_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid(), primary_key=True)
    passport_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("passports.id"), index=True)
    skill_code: Mapped[str] = mapped_column(sa.String(40))
    outcome: Mapped[str | None] = mapped_column(sa.String(20), nullable=True)
    supervisor_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid(), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    revoked: Mapped[bool] = mapped_column(sa.Boolean(), default=False)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    revoke_reason: Mapped[str | None] = mapped_column(sa.Text(), nullable=True)


class StaffMember(Base):
    """Identity's users as this service knows them from user.* events."""

    __tablename__ = "staff"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid(), primary_key=True)
    trust_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid(), nullable=True, index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    staff_number: Mapped[str | None] = mapped_column(sa.String(50), nullable=True)
    professional_group: Mapped[str | None] = mapped_column(sa.String(100), nullable=True)
    department: Mapped[str | None] = mapped_column(sa.String(100), nullable=True)
    active: Mapped[bool] = mapped_column(sa.Boolean(), default=True)
    as_of: Mapped[datetime] = mapped_column(UTCDateTime())
