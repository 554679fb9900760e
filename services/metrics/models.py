"""The metrics service's tables: the counters the dashboard reads, the small per-entity state rows that let
each event change them in constant time whatever order events arrive in, and every applied event, kept
so that the projections can be rebuilt from scratch."""

from __future__ import annotations

import uuid
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.db import UTCDateTime
from shared.events.catalogue import INCREASE

COUNTER_NAMES = (
    "started",
    "in_progress",
    "completed",
    "withdrawn",
    "certified",
    "certificates_issued",
    "certificates_revoked",
    "certificates_expired",
    "skills_self_assessed",
    "skills_signed_off",
    "learning_planned",
    "learning_attended",
    "learning_completed",
    "rostered",
    "cohort_identified",
)


class Base(DeclarativeBase):
    pass


# --- Counters ----------------------------------------------------------------------------------------


class CurrentCounts(Base):
    """The running totals of one passport type in one Trust: all the dashboard reads, however long the history."""

    __tablename__ = "current_counts"

    trust_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid(), primary_key=True)
    passport_type: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    started: Mapped[int] = mapped_column(sa.Integer(), default=0)
    in_progress: Mapped[int] = mapped_column(sa.Integer(), default=0)
    completed: Mapped[int] = mapped_column(sa.Integer(), default=0)
    withdrawn: Mapped[int] = mapped_column(sa.Integer(), default=0)
    certified: Mapped[int] = mapped_column(sa.Integer(), default=0)
    certificates_issued: Mapped[int] = mapped_column(sa.Integer(), default=0)
    certificates_revoked: Mapped[int] = mapped_column(sa.Integer(), default=0)
    certificates_expired: Mapped[int] = mapped_column(sa.Integer(), default=0)
    skills_self_assessed: Mapped[int] = mapped_column(sa.Integer(), default=0)
    skills_signed_off: Mapped[int] = mapped_column(sa.Integer(), default=0)
    learning_planned: Mapped[int] = mapped_column(sa.Integer(), default=0)
    learning_attended: Mapped[int] = mapped_column(sa.Integer(), default=0)
    learning_completed: Mapped[int] = mapped_column(sa.Integer(), default=0)
    rostered: Mapped[int] = mapped_column(sa.Integer(), default=0)
    cohort_identified: Mapped[int] = mapped_column(sa.Integer(), default=0)
    first_day: Mapped[date | None] = mapped_column(sa.Date(), nullable=True)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class DailyCount(Base):
    """The net change of one counter on one day (UTC, the day the event says it happened): summed, the
    changes after a day give the counter's value at the end of that day, for series and charts."""

    __tablename__ = "daily_counts"

    trust_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid(), primary_key=True)
    passport_type: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    metric: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    day: Mapped[date] = mapped_column(sa.Date(), primary_key=True)
    delta: Mapped[int] = mapped_column(sa.Integer())


# --- What the events have said about each entity ------------------------------------------------------


class PassportState(Base):
    """One passport: its status by the latest status event, and what it contributes to the counters. The
    type is unknown while only sign-off events (which do not carry it) have arrived."""

    __tablename__ = "passport_states"

    passport_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid(), primary_key=True)
    trust_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid(), index=True)
    staff_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid())
    passport_type: Mapped[str | None] = mapped_column(sa.String(32), nullable=True)
    status: Mapped[str | None] = mapped_column(sa.String(20), nullable=True)
    status_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_activity_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    skills_total: Mapped[int | None] = mapped_column(sa.Integer(), nullable=True)
    skills_self_assessed: Mapped[int] = mapped_column(sa.Integer(), default=0)
    skills_signed_off: Mapped[int] = mapped_column(sa.Integer(), default=0)


class SkillSignoff(Base):
    """One sign-off decision on a skill of a passport, and whether it was revoked."""

    __tablename__ = "skill_signoffs"

    signoff_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid(), primary_key=True)
    passport_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid())
    skill_code: Mapped[str] = mapped_column(sa.String(64))
    outcome: Mapped[str | None] = mapped_column(sa.String(20), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    __table_args__ = (sa.Index("ix_skill_signoffs_passport_skill", "passport_id", "skill_code"),)


class SkillState(Base):
    """Whether a skill of a passport is signed off now (its latest standing decision is proficient)."""

    __tablename__ = "skill_states"

    passport_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid(), primary_key=True)
    skill_code: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    signed_off_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class LearningState(Base):
    """One learning record: the furthest status it has reached (planned → attended → completed)."""

    __tablename__ = "learning_states"

    learning_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid(), primary_key=True)
    passport_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid())
    status: Mapped[str | None] = mapped_column(sa.String(20), nullable=True)


class CertificateState(Base):
    """One certificate: issued or not yet heard of, and how (and when) it ended, if it did."""

    __tablename__ = "certificate_states"

    certificate_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid(), primary_key=True)
    trust_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid())
    staff_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid())
    passport_type: Mapped[str] = mapped_column(sa.String(32))
    passport_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid())
    issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    end_reason: Mapped[str | None] = mapped_column(sa.String(20), nullable=True)
    superseded: Mapped[bool] = mapped_column(sa.Boolean(), default=False)

    __table_args__ = (sa.Index("ix_certificate_states_holder", "trust_id", "staff_id", "passport_type"),)


class Holder(Base):
    """A person in a role: how many of their certificates are valid now. They count as certified while one is:
    a renewal's second certificate does not count them twice."""

    __tablename__ = "holders"

    trust_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid(), primary_key=True)
    staff_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid(), primary_key=True)
    passport_type: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    valid_certificates: Mapped[int] = mapped_column(sa.Integer(), default=0)


class RosterState(Base):
    __tablename__ = "roster_states"

    trust_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid(), primary_key=True)
    staff_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid(), primary_key=True)
    role: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    status: Mapped[str | None] = mapped_column(sa.String(20), nullable=True)
    since: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class Person(Base):
    """What identity has said about a user, for the export."""

    __tablename__ = "people"

    user_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid(), primary_key=True)
    trust_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid(), nullable=True)
    name: Mapped[str | None] = mapped_column(sa.String(200), nullable=True)
    staff_number: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)
    professional_group: Mapped[str | None] = mapped_column(sa.String(100), nullable=True)
    as_of: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


# --- Plans, aims, cohorts and measures, as planning publishes them ------------------------------------


class PlanAim(Base):
    __tablename__ = "plan_aims"

    plan_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid(), primary_key=True)
    trust_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid(), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    statement: Mapped[str | None] = mapped_column(sa.Text(), nullable=True)
    target_passport_types: Mapped[list] = mapped_column(sa.JSON())
    target_percentage: Mapped[float | None] = mapped_column(sa.Float(), nullable=True)
    target_cohort_size: Mapped[int | None] = mapped_column(sa.Integer(), nullable=True)
    target_deadline: Mapped[date | None] = mapped_column(sa.Date(), nullable=True)
    deleted: Mapped[bool] = mapped_column(sa.Boolean(), default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Cohort(Base):
    """Staff a plan identified for rotation in a role; a deleted plan's cohorts stop counting."""

    __tablename__ = "cohorts"

    plan_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid(), primary_key=True)
    role: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    trust_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid())
    identified: Mapped[int] = mapped_column(sa.Integer(), default=0)
    counted: Mapped[int] = mapped_column(sa.Integer(), default=0)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class MeasureDefinition(Base):
    __tablename__ = "measure_definitions"

    measure_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid(), primary_key=True)
    plan_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid())
    trust_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid(), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[str] = mapped_column(sa.String(10))
    metric: Mapped[str | None] = mapped_column(sa.String(40), nullable=True)
    passport_type: Mapped[str | None] = mapped_column(sa.String(32), nullable=True)
    target: Mapped[float | None] = mapped_column(sa.Float(), nullable=True)
    frequency: Mapped[str | None] = mapped_column(sa.String(100), nullable=True)
    improvement_direction: Mapped[str] = mapped_column(sa.String(10), default=INCREASE, server_default=INCREASE)
    deleted: Mapped[bool] = mapped_column(sa.Boolean(), default=False)
    defined_at: Mapped[datetime] = mapped_column(UTCDateTime())


# --- What people enter -------------------------------------------------------------------------------


class EnteredValue(Base):
    """The value of a measure bound to no metric (a survey score, an audit result) for one period, entered
    by a lead or workforce lead. Not a projection: no event gives it, so a rebuild keeps it."""

    __tablename__ = "entered_values"

    measure_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid(), primary_key=True)
    period_start: Mapped[date] = mapped_column(sa.Date(), primary_key=True)
    value: Mapped[float] = mapped_column(sa.Float())
    note: Mapped[str | None] = mapped_column(sa.String(500), nullable=True)
    entered_by: Mapped[uuid.UUID] = mapped_column(sa.Uuid())
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime())


# --- The events themselves ----------------------------------------------------------------------------


class AppliedEvent(Base):
    """Every event applied, in the order it was applied: what `rebuild` replays."""

    __tablename__ = "applied_events"

    sequence: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True)
    event_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid(), unique=True)
    event_type: Mapped[str] = mapped_column(sa.String(100))
    trust_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid(), nullable=True)
    envelope: Mapped[dict] = mapped_column(sa.JSON())
    applied_at: Mapped[datetime] = mapped_column(UTCDateTime())


PROJECTIONS = (
    CurrentCounts,
    DailyCount,
    PassportState,
    SkillSignoff,
    SkillState,
    LearningState,
    CertificateState,
    Holder,
    RosterState,
    Person,
    PlanAim,
    Cohort,
    MeasureDefinition,
)
