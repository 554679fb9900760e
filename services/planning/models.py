"""The planning service's tables: plans and their parts, and the roster fed by certificate events.

Nested parts that are always read and written whole (process-map lanes, steps and links; the launch's
lists) are JSON columns, validated by the request schemas before they are stored."""

from __future__ import annotations

import uuid
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from shared.db import NamedPerson, UTCDateTime, looked_up, new_id
from shared.events.catalogue import INCREASE


class Base(DeclarativeBase):
    pass


def _plan_fk() -> Mapped[uuid.UUID]:
    return mapped_column(sa.ForeignKey("plans.id", ondelete="CASCADE"), index=True)


class Plan(Base):
    __tablename__ = "plans"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid(), primary_key=True, default=new_id)
    trust_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid(), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    created_by: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    aim: Mapped[Aim | None] = relationship(lazy="selectin", cascade="all, delete-orphan", passive_deletes=True)


class Aim(Base):
    """Why / how / what (the Golden Circle), the full statement and the measurable target."""

    __tablename__ = "aims"

    plan_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("plans.id", ondelete="CASCADE"), primary_key=True)
    why: Mapped[str | None] = mapped_column(sa.Text(), nullable=True)
    how: Mapped[str | None] = mapped_column(sa.Text(), nullable=True)
    what: Mapped[str | None] = mapped_column(sa.Text(), nullable=True)
    statement: Mapped[str] = mapped_column(sa.Text())
    target_passport_types: Mapped[list] = mapped_column(sa.JSON())
    target_percentage: Mapped[float | None] = mapped_column(sa.Float(), nullable=True)
    target_cohort_size: Mapped[int | None] = mapped_column(sa.Integer(), nullable=True)
    target_deadline: Mapped[date | None] = mapped_column(sa.Date(), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Stakeholder(Base):
    __tablename__ = "stakeholders"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid(), primary_key=True, default=new_id)
    plan_id: Mapped[uuid.UUID] = _plan_fk()
    name: Mapped[str] = mapped_column(sa.String(200))
    role: Mapped[str | None] = mapped_column(sa.Text(), nullable=True)
    power: Mapped[str] = mapped_column(sa.String(10))
    impact: Mapped[str] = mapped_column(sa.String(10))
    engage_when: Mapped[str | None] = mapped_column(sa.Text(), nullable=True)
    engage_how: Mapped[str | None] = mapped_column(sa.Text(), nullable=True)
    benefits: Mapped[list] = mapped_column(sa.JSON())
    enablers: Mapped[list] = mapped_column(sa.JSON())
    position: Mapped[int] = mapped_column(sa.Integer())


class Driver(Base):
    """A node of the driver diagram: a primary driver, a secondary driver or an activity (change idea)."""

    __tablename__ = "drivers"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid(), primary_key=True, default=new_id)
    plan_id: Mapped[uuid.UUID] = _plan_fk()
    kind: Mapped[str] = mapped_column(sa.String(20))
    title: Mapped[str] = mapped_column(sa.Text())
    parent_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("drivers.id"), nullable=True, index=True)
    status: Mapped[str | None] = mapped_column(sa.String(20), nullable=True)
    priority: Mapped[str | None] = mapped_column(sa.String(10), nullable=True)
    position: Mapped[int] = mapped_column(sa.Integer())


class ProcessMap(Base):
    """The future-state process map: swim lanes × stages, shaped steps and the links between them."""

    __tablename__ = "process_maps"

    plan_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("plans.id", ondelete="CASCADE"), primary_key=True)
    lanes: Mapped[list] = mapped_column(sa.JSON())
    stages: Mapped[list] = mapped_column(sa.JSON())
    steps: Mapped[list] = mapped_column(sa.JSON())
    links: Mapped[list] = mapped_column(sa.JSON())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Launch(Base):
    __tablename__ = "launches"

    plan_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("plans.id", ondelete="CASCADE"), primary_key=True)
    ambition: Mapped[str | None] = mapped_column(sa.Text(), nullable=True)
    audiences: Mapped[list] = mapped_column(sa.JSON())
    stakeholders_involved: Mapped[list] = mapped_column(sa.JSON())
    timeline: Mapped[list] = mapped_column(sa.JSON())
    forums_and_formats: Mapped[list] = mapped_column(sa.JSON())
    locations: Mapped[list] = mapped_column(sa.JSON())
    benefits: Mapped[list] = mapped_column(sa.JSON())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Measure(Base):
    __tablename__ = "measures"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid(), primary_key=True, default=new_id)
    plan_id: Mapped[uuid.UUID] = _plan_fk()
    name: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[str] = mapped_column(sa.String(10))
    what: Mapped[str | None] = mapped_column(sa.Text(), nullable=True)
    already_measured: Mapped[bool | None] = mapped_column(sa.Boolean(), nullable=True)
    already_measured_how: Mapped[str | None] = mapped_column(sa.Text(), nullable=True)
    frequency: Mapped[str | None] = mapped_column(sa.String(100), nullable=True)
    method: Mapped[str | None] = mapped_column(sa.String(20), nullable=True)
    owner: Mapped[str | None] = mapped_column(sa.String(200), nullable=True)
    shared_where: Mapped[str | None] = mapped_column(sa.Text(), nullable=True)
    metric: Mapped[str | None] = mapped_column(sa.String(40), nullable=True)
    passport_type: Mapped[str | None] = mapped_column(sa.String(32), nullable=True)
    target: Mapped[float | None] = mapped_column(sa.Float(), nullable=True)
    improvement_direction: Mapped[str] = mapped_column(sa.String(10), default=INCREASE, server_default=INCREASE)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Cycle(Base):
    """A PDSA cycle testing one activity (change idea) of the driver diagram."""

    __tablename__ = "cycles"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid(), primary_key=True, default=new_id)
    plan_id: Mapped[uuid.UUID] = _plan_fk()
    activity_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("drivers.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    plan: Mapped[str] = mapped_column(sa.Text())
    prediction: Mapped[str | None] = mapped_column(sa.Text(), nullable=True)
    do: Mapped[str | None] = mapped_column(sa.Text(), nullable=True)
    study: Mapped[str | None] = mapped_column(sa.Text(), nullable=True)
    act: Mapped[str | None] = mapped_column(sa.String(10), nullable=True)
    act_notes: Mapped[str | None] = mapped_column(sa.Text(), nullable=True)
    started_on: Mapped[date | None] = mapped_column(sa.Date(), nullable=True)
    ended_on: Mapped[date | None] = mapped_column(sa.Date(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class WorkforceRole(Base):
    """The surge model's need for one role, and the rotation cohort identified for it."""

    __tablename__ = "workforce_roles"

    plan_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("plans.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    needed: Mapped[int] = mapped_column(sa.Integer())
    prospective: Mapped[int] = mapped_column(sa.Integer())
    retrospective: Mapped[int] = mapped_column(sa.Integer())


class StaffMember(Base):
    """A person as identity's user.* events last told them: the roster and the public roster.updated
    (DESIGN §9) name them by name and staff number, and a leaver is never rostered. The row is also the
    lock that orders a person's leaving against their certificate events."""

    __tablename__ = "staff"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid(), primary_key=True)
    # Null until user.registered or user.updated arrives (a certificate event or user.deactivated may come first).
    name: Mapped[str | None] = mapped_column(sa.String(200), nullable=True)
    staff_number: Mapped[str | None] = mapped_column(sa.String(50), nullable=True)
    as_of: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # The newest moments identity said the account was deactivated, and active: see domain.left_since.
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    active_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


# --- The roster --------------------------------------------------------------------------------------


class RosterEntry(NamedPerson, Base):
    """Whether a person may be rostered in a role now. The row is what concurrent certificate events for
    the same person and role lock; its status is set in the transaction that creates it."""

    __tablename__ = "roster_entries"

    trust_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid(), primary_key=True)
    staff_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid(), primary_key=True, index=True)
    role: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    status: Mapped[str | None] = mapped_column(sa.String(20), nullable=True)
    certificate_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid(), nullable=True)
    since: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    reason: Mapped[str | None] = mapped_column(sa.String(20), nullable=True)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    staff: Mapped[StaffMember | None] = looked_up(StaffMember, "RosterEntry", "staff_id")


class RosterCertificate(Base):
    """What the certificate events have said about one certificate, so that any arrival order gives the
    same roster."""

    __tablename__ = "roster_certificates"

    certificate_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid(), primary_key=True)
    trust_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid())
    staff_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid())
    role: Mapped[str] = mapped_column(sa.String(32))
    issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    end_reason: Mapped[str | None] = mapped_column(sa.String(20), nullable=True)

    __table_args__ = (sa.Index("ix_roster_certificates_person_role", "trust_id", "staff_id", "role"),)


class RosterHistory(NamedPerson, Base):
    """Every change of a roster entry, oldest first."""

    __tablename__ = "roster_history"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid(), primary_key=True, default=new_id)
    trust_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid())
    staff_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid())
    role: Mapped[str] = mapped_column(sa.String(32))
    status: Mapped[str] = mapped_column(sa.String(20))
    certificate_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid(), nullable=True)
    since: Mapped[datetime] = mapped_column(UTCDateTime())
    reason: Mapped[str] = mapped_column(sa.String(20))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    event_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid())
    staff: Mapped[StaffMember | None] = looked_up(StaffMember, "RosterHistory", "staff_id")

    __table_args__ = (sa.Index("ix_roster_history_person_role", "trust_id", "staff_id", "role"),)
