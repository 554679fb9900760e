"""The roster, which planning keeps from the certificate events (who stands eligible for which role, and why),
and the read models fed by identity's events: names for the roster and the public roster.updated, and leavers."""

import uuid
from datetime import datetime

import sqlalchemy as sa

from services.planning import domain, events
from services.planning.models import (
    RosterCertificate,
    RosterEntry,
    RosterHistory,
    StaffMember,
)
from shared.db import insert_if_missing, upsert_locked, utcnow
from shared.domain import Caller
from shared.events import Event
from shared.events.public import PublicFacts
from shared.outbox import remember_trust
from shared.uow import UnitOfWork

# --- The roster --------------------------------------------------------------------------------------


def apply_certificate_event(
    uow: UnitOfWork,
    event: Event,
    payload: dict,
    *,
    issued_at: datetime | None = None,
    ended_at: datetime | None = None,
    end_reason: str | None = None,
) -> None:
    """Record what the event says of its certificate, then recompute the person's standing in the role;
    a change is kept in the history and published as roster.updated."""
    # The person first, then the entry: the order user.deactivated takes its locks in too, so that a leaving
    # and a certificate arriving at once never miss each other.
    staff = _staff_locked(uow, payload["staff_id"])
    key = {"trust_id": payload["trust_id"], "staff_id": payload["staff_id"], "role": payload["passport_type"]}
    # The entry is the lock every event about this person and role takes, whichever certificate it is about.
    insert_if_missing(uow.session, RosterEntry, key)
    entry = uow.session.get(RosterEntry, (key["trust_id"], key["staff_id"], key["role"]), with_for_update=True)
    insert_if_missing(uow.session, RosterCertificate, {"certificate_id": payload["certificate_id"], **key})
    certificate = uow.session.get(RosterCertificate, payload["certificate_id"], with_for_update=True)
    facts = domain.facts_after(_facts(certificate), issued_at=issued_at, ended_at=ended_at, end_reason=end_reason)
    certificate.issued_at, certificate.ended_at, certificate.end_reason = (
        facts.issued_at,
        facts.ended_at,
        facts.end_reason,
    )
    uow.session.flush()
    _restand(uow, event, entry, staff)


def _restand(uow: UnitOfWork, event: Event, entry: RosterEntry, staff: StaffMember) -> None:
    """Recompute a locked entry's standing from its certificates and whether the person has left; a change
    is kept in the history and published as roster.updated (and its public twin)."""
    certificates = uow.session.scalars(
        sa.select(RosterCertificate).where(
            RosterCertificate.trust_id == entry.trust_id,
            RosterCertificate.staff_id == entry.staff_id,
            RosterCertificate.role == entry.role,
        )
    )
    taken_back = domain.left_since(staff.left_at, staff.active_at) is None
    standing = domain.standing((_facts(c) for c in certificates), staff.left_at, taken_back)
    if standing is None or (entry.status, entry.certificate_id, entry.since, entry.reason) == (
        standing.status,
        standing.certificate_id,
        standing.since,
        standing.reason,
    ):
        return
    now = utcnow()
    entry.status, entry.certificate_id, entry.since, entry.reason = (
        standing.status,
        standing.certificate_id,
        standing.since,
        standing.reason,
    )
    entry.updated_at = now
    uow.session.add(
        RosterHistory(
            id=uuid.uuid4(),
            trust_id=entry.trust_id,
            staff_id=entry.staff_id,
            role=entry.role,
            status=entry.status,
            certificate_id=entry.certificate_id,
            since=entry.since,
            reason=entry.reason,
            recorded_at=now,
            event_id=event.id,
        )
    )
    uow.publish(
        "roster.updated",
        subject=entry.staff_id,
        trust_id=entry.trust_id,
        data=events.roster_updated(entry),
        public=PublicFacts(staff_number=staff.staff_number, staff_name=staff.name),
    )


def _staff_locked(uow: UnitOfWork, staff_id: uuid.UUID) -> StaffMember:
    """The person's row, locked; created empty when nothing from identity has arrived yet."""
    return upsert_locked(
        uow.session,
        StaffMember,
        {"id": staff_id, "name": None, "staff_number": None, "as_of": None, "left_at": None, "active_at": None},
    )


def _restand_person(uow: UnitOfWork, event: Event, staff: StaffMember, was_left_since: datetime | None) -> None:
    """Once whether the person has left changed, recompute each of their entries (in any Trust)."""
    if domain.left_since(staff.left_at, staff.active_at) == was_left_since:
        return
    entries = uow.session.scalars(
        sa.select(RosterEntry)
        .where(RosterEntry.staff_id == staff.id)
        .order_by(RosterEntry.trust_id, RosterEntry.role)
        .with_for_update()
    ).all()
    for entry in entries:
        _restand(uow, event, entry, staff)


# --- Read models fed by identity: names for the roster and the public roster.updated, and leavers -----


def apply_trust(uow: UnitOfWork, payload: dict) -> None:
    """The Trust's ODS code routes its public events; any held for want of it leave now."""
    remember_trust(uow.session, payload["trust_id"], payload["ods_code"])


def apply_staff(uow: UnitOfWork, event: Event, payload: dict, as_of: datetime) -> None:
    """Keep the newest name and staff number of a user, whatever order user.* events arrive in. An active
    profile newer than someone's leaving means they were taken back."""
    staff = _staff_locked(uow, payload["user_id"])
    was_left_since = domain.left_since(staff.left_at, staff.active_at)
    if domain.is_newer_profile(staff.as_of, as_of):
        staff.name, staff.staff_number, staff.as_of = payload["name"], payload["staff_number"], as_of
    if payload["active"]:
        staff.active_at = domain.latest(staff.active_at, as_of)
    _restand_person(uow, event, staff, was_left_since)


def apply_leaver(uow: UnitOfWork, event: Event, payload: dict) -> None:
    """user.deactivated: the person left the Trust. Each entry they are eligible in becomes ineligible with
    reason `left`, and no certificate makes them eligible again."""
    staff = _staff_locked(uow, payload["user_id"])
    was_left_since = domain.left_since(staff.left_at, staff.active_at)
    staff.left_at = domain.latest(staff.left_at, payload["deactivated_at"])
    _restand_person(uow, event, staff, was_left_since)


def _facts(certificate: RosterCertificate) -> domain.CertificateFacts:
    return domain.CertificateFacts(
        certificate.certificate_id, certificate.issued_at, certificate.ended_at, certificate.end_reason
    )


def list_roster(caller: Caller, filters: dict) -> sa.Select:
    """The caller's Trust's roster (its own entries for anyone but leads, workforce and trust_admins).
    A trust_id of another Trust matches nothing, like any other filter that matches nothing."""
    query = (
        sa.select(RosterEntry)
        .where(RosterEntry.trust_id == caller.trust_id, RosterEntry.status.is_not(None))
        .order_by(RosterEntry.role, RosterEntry.staff_id)
    )
    if not domain.reads_whole_roster(caller):
        query = query.where(RosterEntry.staff_id == caller.user_id)
    for name in ("trust_id", "role", "staff_id", "status"):
        if name in filters:
            query = query.where(getattr(RosterEntry, name) == filters[name])
    return query


def roster_history(uow: UnitOfWork, caller: Caller, staff_id: uuid.UUID, role: str) -> list[RosterHistory]:
    if not domain.reads_whole_roster(caller) and staff_id != caller.user_id:
        return []
    return list(
        uow.session.scalars(
            sa.select(RosterHistory)
            .where(
                RosterHistory.trust_id == caller.trust_id,
                RosterHistory.staff_id == staff_id,
                RosterHistory.role == role,
            )
            .order_by(RosterHistory.recorded_at, RosterHistory.id)
        )
    )
