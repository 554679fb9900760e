"""The sign-off service's commands and the effects of the events it consumes."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime

import sqlalchemy as sa

from services.signoff import domain, events
from services.signoff.models import (
    Passport,
    RequestedSkill,
    Revocation,
    SelfAssessedSkill,
    Signoff,
    SignoffRequest,
    StaffMember,
)
from shared.db import insert_if_missing, upsert_locked, utcnow
from shared.domain import Caller, Invalid, NotFound
from shared.pagination import filtered_by, readable_by
from shared.uow import UnitOfWork

# --- Decisions ---------------------------------------------------------------------------------------


def record_signoff(uow: UnitOfWork, caller: Caller, body: dict) -> Signoff:
    [signoff] = _record(uow, caller, body["passport_id"], [body], skill_field=lambda index: "skill_code")
    return signoff


def record_bulk(uow: UnitOfWork, caller: Caller, body: dict) -> list[Signoff]:
    """Several skills of one passport at once: every decision is recorded, or none is."""
    return _record(
        uow, caller, body["passport_id"], body["signoffs"], skill_field=lambda index: f"signoffs.{index}.skill_code"
    )


def _record(
    uow: UnitOfWork, caller: Caller, passport_id: uuid.UUID, decisions: list[dict], skill_field: Callable[[int], str]
) -> list[Signoff]:
    passport = _passport_open_for_signoff(uow, caller, passport_id, domain.check_not_holder)
    _check_skills_open_for_signoff(uow, passport, [decision["skill_code"] for decision in decisions], skill_field)
    now = utcnow()
    holder = uow.session.get(StaffMember, passport.holder_id)
    signoffs = [
        Signoff(
            id=uuid.uuid4(),
            passport_id=passport.id,
            skill_code=decision["skill_code"],
            holder_id=passport.holder_id,
            trust_id=passport.trust_id,
            outcome=decision["outcome"],
            comment=decision["comment"],
            evidence=decision["evidence"],
            action_plan=decision["action_plan"],
            assessed_on=decision["assessed_on"] or now.date(),
            supervisor_id=caller.user_id,
            decided_at=now,
            # Said outright: the response is written after the session has closed.
            revocation=None,
            holder=holder,
        )
        for decision in decisions
    ]
    uow.session.add_all(signoffs)
    _answer_requests(uow, passport.id, {signoff.skill_code: signoff.id for signoff in signoffs}, now)
    for signoff in signoffs:
        uow.publish(
            "signoff.recorded", subject=passport.id, trust_id=passport.trust_id, data=events.signoff_recorded(signoff)
        )
    uow.commit()
    return signoffs


def _passport_open_for_signoff(
    uow: UnitOfWork, caller: Caller, passport_id: uuid.UUID, check_caller: Callable[[Caller, uuid.UUID], None]
) -> Passport:
    """The passport, locked, once the caller may act on it and it still has skills to sign off."""
    passport = uow.session.get(Passport, passport_id, with_for_update=True)
    domain.check_in_trust(caller, passport_id, passport.trust_id if passport else None)
    check_caller(caller, passport.holder_id)
    domain.check_open_for_signoff(passport.status)
    domain.check_started(passport.skill_codes)
    return passport


def _check_skills_open_for_signoff(
    uow: UnitOfWork, passport: Passport, codes: list[str], skill_field: Callable[[int], str]
) -> None:
    unknown = domain.unknown_skills(codes, passport.skill_codes)
    if unknown:
        type_version = f"{passport.passport_type} version {passport.type_version}"
        raise Invalid.fields(
            {skill_field(index): [f"{type_version} has no skill {codes[index]}."] for index in unknown}
        )
    self_assessed = set(
        uow.session.scalars(sa.select(SelfAssessedSkill.skill_code).where(SelfAssessedSkill.passport_id == passport.id))
    )
    domain.check_self_assessed(codes, self_assessed)
    domain.check_not_signed_off(codes, _standing_decisions(uow, passport.id))


def _standing_decisions(uow: UnitOfWork, passport_id: uuid.UUID) -> dict[str, domain.Decision]:
    revoked = Revocation.signoff_id.is_not(None)
    rows = uow.session.execute(
        sa.select(Signoff.id, Signoff.skill_code, Signoff.outcome, Signoff.decided_at, revoked)
        .outerjoin(Revocation)
        .where(Signoff.passport_id == passport_id)
    )
    return domain.standing_decisions(domain.Decision(*row) for row in rows)


def _open_requests(uow: UnitOfWork, passport_id: uuid.UUID) -> list[SignoffRequest]:
    return list(
        uow.session.scalars(
            sa.select(SignoffRequest).where(
                SignoffRequest.passport_id == passport_id, SignoffRequest.closed_at.is_(None)
            )
        )
    )


def _answer_requests(
    uow: UnitOfWork, passport_id: uuid.UUID, signoff_by_skill: dict[str, uuid.UUID], now: datetime
) -> None:
    """A decision answers the open request for its skill; a request whose every skill is answered closes."""
    for request in _open_requests(uow, passport_id):
        for skill in request.skills:
            if skill.signoff_id is None and skill.skill_code in signoff_by_skill:
                skill.signoff_id = signoff_by_skill[skill.skill_code]
        if all(skill.signoff_id is not None for skill in request.skills):
            request.closed_at, request.closed_reason = now, domain.ANSWERED


def revoke(uow: UnitOfWork, caller: Caller, signoff_id: uuid.UUID, reason: str) -> Signoff:
    signoff = uow.session.get(Signoff, signoff_id, with_for_update=True)
    if signoff is None:
        raise NotFound("No such sign-off.")
    domain.check_can_read(caller, signoff.holder_id, signoff.trust_id, "sign-off")
    domain.check_not_holder(caller, signoff.holder_id)
    domain.check_not_revoked(signoff.revocation is not None)
    signoff.revocation = Revocation(revoked_by=caller.user_id, reason=reason, revoked_at=utcnow())
    uow.publish(
        "signoff.revoked", subject=signoff.passport_id, trust_id=signoff.trust_id, data=events.signoff_revoked(signoff)
    )
    uow.commit()
    return signoff


def list_signoffs(caller: Caller, filters: dict) -> sa.Select:
    """The audit trail: every decision, revoked or not, oldest first."""
    query = sa.select(Signoff).order_by(Signoff.decided_at, Signoff.skill_code, Signoff.id)
    query = readable_by(query, caller, domain.READERS, trust_id=Signoff.trust_id, holder_id=Signoff.holder_id)
    return filtered_by(query, Signoff, filters, ("passport_id", "skill_code", "holder_id", "outcome"))


def get_signoff(uow: UnitOfWork, caller: Caller, signoff_id: uuid.UUID) -> Signoff:
    signoff = uow.session.get(Signoff, signoff_id)
    if signoff is None:
        raise NotFound("No such sign-off.")
    domain.check_can_read(caller, signoff.holder_id, signoff.trust_id, "sign-off")
    return signoff


# --- Requests ----------------------------------------------------------------------------------------


def request_signoff(uow: UnitOfWork, caller: Caller, body: dict) -> SignoffRequest:
    passport = _passport_open_for_signoff(uow, caller, body["passport_id"], domain.check_holder)
    codes = body["skill_codes"]
    _check_skills_open_for_signoff(uow, passport, codes, skill_field=lambda index: f"skill_codes.{index}")
    domain.check_not_requested(
        codes,
        {
            skill.skill_code: request.id
            for request in _open_requests(uow, passport.id)
            for skill in request.skills
            if skill.signoff_id is None
        },
    )
    request = SignoffRequest(
        id=uuid.uuid4(),
        passport_id=passport.id,
        holder_id=passport.holder_id,
        trust_id=passport.trust_id,
        requested_at=utcnow(),
        closed_at=None,
        closed_reason=None,
        skills=[RequestedSkill(skill_code=code, signoff_id=None) for code in codes],
        holder=uow.session.get(StaffMember, passport.holder_id),  # said outright, as for a decision
    )
    uow.session.add(request)
    uow.publish(
        "signoff.requested", subject=passport.id, trust_id=passport.trust_id, data=events.signoff_requested(request)
    )
    uow.commit()
    return request


def list_requests(caller: Caller, filters: dict) -> sa.Select:
    query = sa.select(SignoffRequest).order_by(SignoffRequest.requested_at, SignoffRequest.id)
    query = readable_by(
        query, caller, domain.READERS, trust_id=SignoffRequest.trust_id, holder_id=SignoffRequest.holder_id
    )
    if "status" in filters:
        closed = SignoffRequest.closed_at.is_not(None)
        query = query.where(closed if filters["status"] == domain.CLOSED else ~closed)
    return filtered_by(query, SignoffRequest, filters, ("passport_id", "holder_id"))


# --- Consumed events ---------------------------------------------------------------------------------


def _passport_of_event(uow: UnitOfWork, payload: dict) -> Passport:
    """The passport an event is about, locked; created from the event when it is the first to arrive."""
    insert_if_missing(
        uow.session,
        Passport,
        {
            "id": payload["passport_id"],
            "holder_id": payload["staff_id"],
            "trust_id": payload["trust_id"],
            "passport_type": payload["passport_type"],
        },
    )
    return uow.session.get(Passport, payload["passport_id"], with_for_update=True)


def apply_passport_started(uow: UnitOfWork, payload: dict) -> None:
    passport = _passport_of_event(uow, payload)
    passport.type_version = payload["type_version"]
    passport.skill_codes = payload["skill_codes"]


def apply_self_assessment(uow: UnitOfWork, payload: dict) -> None:
    _passport_of_event(uow, payload)
    insert_if_missing(
        uow.session, SelfAssessedSkill, {"passport_id": payload["passport_id"], "skill_code": payload["skill_code"]}
    )


def apply_status(uow: UnitOfWork, payload: dict, status: str, changed_at: datetime) -> None:
    passport = _passport_of_event(uow, payload)
    passport.status, passport.status_changed_at = domain.status_after(
        passport.status, passport.status_changed_at, status, changed_at
    )
    if passport.status == domain.WITHDRAWN:
        # Nobody will answer its requests now: they leave the supervisors' lists.
        for request in _open_requests(uow, passport.id):
            request.closed_at, request.closed_reason = changed_at, domain.WITHDRAWN


def apply_staff(uow: UnitOfWork, payload: dict, as_of: datetime) -> None:
    """Keep the newest name and staff number of a user, whatever order user.* events arrive in."""
    staff = upsert_locked(
        uow.session,
        StaffMember,
        {"id": payload["user_id"], "name": payload["name"], "staff_number": payload["staff_number"], "as_of": as_of},
    )
    if domain.is_newer_profile(staff.as_of, as_of):
        staff.name, staff.staff_number, staff.as_of = payload["name"], payload["staff_number"], as_of


def apply_leaver(uow: UnitOfWork, payload: dict) -> None:
    """user.deactivated: the holder left the Trust, so nobody will answer their requests. Each open one
    closes (reason `left`) and leaves the supervisors' queues; their decisions stay in the audit trail."""
    open_requests = uow.session.scalars(
        sa.select(SignoffRequest)
        .where(SignoffRequest.holder_id == payload["user_id"], SignoffRequest.closed_at.is_(None))
        .order_by(SignoffRequest.id)
        .with_for_update()
    )
    for request in open_requests:
        request.closed_at, request.closed_reason = payload["deactivated_at"], domain.LEFT


# --- The events this service consumes: the consumer's table ---------------------------------------


def on_passport_started(uow, event, payload):
    apply_passport_started(uow, payload)


def on_skill_assessed(uow, event, payload):
    apply_self_assessment(uow, payload)


def on_passport_completed(uow, event, payload):
    apply_status(uow, payload, domain.COMPLETED, payload["completed_at"])


def on_passport_reopened(uow, event, payload):
    apply_status(uow, payload, domain.IN_PROGRESS, payload["reopened_at"])


def on_passport_withdrawn(uow, event, payload):
    apply_status(uow, payload, domain.WITHDRAWN, payload["withdrawn_at"])


def on_user_registered(uow, event, payload):
    apply_staff(uow, payload, payload["registered_at"])


def on_user_updated(uow, event, payload):
    apply_staff(uow, payload, payload["updated_at"])


def on_user_deactivated(uow, event, payload):
    apply_leaver(uow, payload)


HANDLERS = {
    "passport.started": on_passport_started,
    "passport.skill_assessed": on_skill_assessed,
    "passport.completed": on_passport_completed,
    "passport.reopened": on_passport_reopened,
    "passport.withdrawn": on_passport_withdrawn,
    "user.registered": on_user_registered,
    "user.updated": on_user_updated,
    "user.deactivated": on_user_deactivated,
}
