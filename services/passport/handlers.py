"""The passport service's commands and the effects of the events it consumes."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from services.passport import domain, events
from services.passport.models import (
    LearningRecord,
    Passport,
    PassportType,
    SelfAssessment,
    SignoffDecision,
    SkillState,
    StaffMember,
)
from services.passport.passport_types import ContentCache, TypeContent, current_type, store_version
from shared.consumer import Prepared, Unprocessable
from shared.db import utcnow
from shared.domain import Caller, Conflict, Forbidden, Invalid, NotFound
from shared.events import Event
from shared.pagination import filtered_by, named_like, readable_by
from shared.uow import UnitOfWork

# --- Passport types ----------------------------------------------------------------------------------


def import_type_version(uow: UnitOfWork, caller: Caller, content: dict) -> PassportType:
    errors = domain.content_errors(content["domains"])
    if errors:
        raise Invalid.fields(errors)
    newest = uow.session.scalar(
        sa.select(sa.func.max(PassportType.version)).where(PassportType.code == content["code"])
    )
    row = store_version(uow.session, content, (newest or 0) + 1, imported_by=caller.user_id)
    uow.commit()
    return row


def current_types(uow: UnitOfWork) -> list[PassportType]:
    return list(uow.session.scalars(sa.select(PassportType).where(PassportType.current).order_by(PassportType.code)))


def get_type(uow: UnitOfWork, code: str, version: int | None) -> PassportType:
    if version is None:
        return current_type(uow.session, code)
    row = uow.session.get(PassportType, (code, version))
    if row is None:
        raise NotFound(f"No passport type {code} version {version}.")
    return row


# --- Passports ---------------------------------------------------------------------------------------


def start_passport(uow: UnitOfWork, caller: Caller, data: dict) -> Passport:
    holder = domain.check_can_start(caller, data["staff_id"])
    if holder != caller.user_id:
        staff = uow.session.get(StaffMember, holder)
        domain.check_staff_of_trust(caller, staff.trust_id if staff else None, known=staff is not None)
        if not staff.active:
            raise Conflict("That staff member's account is deactivated.")
    type_row = uow.session.scalar(
        sa.select(PassportType).where(PassportType.code == data["passport_type"], PassportType.current)
    )
    if type_row is None:
        raise Invalid("passport_type", f"No passport type {data['passport_type']}.")
    _check_no_other_in_progress(uow, holder, type_row.code)
    domain.check_surge_dates(data.get("surge_started_on"), data.get("surge_ended_on"))

    now = utcnow()
    passport = Passport(
        id=uuid.uuid4(),
        staff_id=holder,
        trust_id=caller.trust_id,
        passport_type=type_row.code,
        type_version=type_row.version,
        status=domain.IN_PROGRESS,
        retrospective=data.get("retrospective", False),
        surge_started_on=data.get("surge_started_on"),
        surge_ended_on=data.get("surge_ended_on"),
        retrospective_evidence=data.get("retrospective_evidence"),
        assigned_by=caller.user_id if holder != caller.user_id else None,
        started_at=now,
        last_activity_at=now,
        skills_total=type_row.skill_count,
        skills_self_assessed=0,
        skills_signed_off=0,
    )
    uow.session.add(passport)
    uow.session.flush()
    skill_codes = domain.skill_codes_of(type_row.domains)
    for index, code in enumerate(skill_codes):
        state = SkillState(passport_id=passport.id, skill_code=code, position=index, learning=[])
        refresh_view(state)
        uow.session.add(state)
    uow.publish(
        "passport.started",
        subject=passport.id,
        trust_id=passport.trust_id,
        data=events.passport_started(passport, type_row.title, skill_codes),
    )
    uow.commit()
    return passport


def assign_in_bulk(uow: UnitOfWork, caller: Caller, data: dict) -> dict:
    """One passport type to many people at once, in one transaction and a handful of queries whatever their
    number: who is of the caller's Trust and still with it comes from this service's own staff table."""
    domain.check_can_assign(caller)
    type_row = uow.session.scalar(
        sa.select(PassportType).where(PassportType.code == data["passport_type"], PassportType.current)
    )
    if type_row is None:
        raise Invalid("passport_type", f"No passport type {data['passport_type']}.")
    staff_ids = data["staff_ids"]
    known = {
        row.id: domain.Colleague(row.trust_id, row.active)
        for row in uow.session.execute(
            sa.select(StaffMember.id, StaffMember.trust_id, StaffMember.active).where(StaffMember.id.in_(staff_ids))
        )
    }
    held: dict[uuid.UUID, list] = {}
    for row in uow.session.execute(
        sa.select(Passport.id, Passport.staff_id, Passport.status, Passport.started_at).where(
            Passport.staff_id.in_(staff_ids),
            Passport.passport_type == type_row.code,
            Passport.trust_id == caller.trust_id,
        )
    ):
        held.setdefault(row.staff_id, []).append((row.id, row.status, row.started_at))
    holding = {
        staff_id: passport_id
        for staff_id, passports in held.items()
        if (passport_id := domain.held_passport(passports)) is not None
    }
    outcomes = domain.bulk_outcomes(caller.trust_id, staff_ids, known, holding)
    if data["all_or_nothing"]:
        errors = domain.rejections_as_errors(outcomes)
        if errors:
            raise Invalid.fields(errors)

    created = _start_many(uow, caller, type_row, [o.staff_id for o in outcomes if o.status == domain.CREATED])
    uow.commit()
    results = [
        {
            "staff_id": o.staff_id,
            "status": o.status,
            "passport_id": created.get(o.staff_id, o.passport_id),
            "errors": o.errors,
        }
        for o in outcomes
    ]
    count = {
        status: sum(1 for o in outcomes if o.status == status)
        for status in (domain.CREATED, domain.EXISTING, domain.REJECTED)
    }
    return {**count, "results": results}


def _start_many(uow: UnitOfWork, caller: Caller, type_row: PassportType, holders: list[uuid.UUID]) -> dict:
    """New passports for the holders, each with its skills and its passport.started, as POST /passports
    makes one; returns the new passport's id by holder."""
    if not holders:
        return {}
    now = utcnow()
    skill_codes = domain.skill_codes_of(type_row.domains)
    blank = SkillState(learning=[])
    refresh_view(blank)
    passports = [
        Passport(
            id=uuid.uuid4(),
            staff_id=holder,
            trust_id=caller.trust_id,
            passport_type=type_row.code,
            type_version=type_row.version,
            status=domain.IN_PROGRESS,
            retrospective=False,
            assigned_by=caller.user_id if holder != caller.user_id else None,
            started_at=now,
            last_activity_at=now,
            skills_total=type_row.skill_count,
            skills_self_assessed=0,
            skills_signed_off=0,
        )
        for holder in holders
    ]
    uow.session.add_all(passports)
    uow.session.flush()
    uow.session.execute(
        sa.insert(SkillState),
        [
            {"passport_id": passport.id, "skill_code": code, "position": index, "learning": [], "view": blank.view}
            for passport in passports
            for index, code in enumerate(skill_codes)
        ],
    )
    for passport in passports:
        uow.publish(
            "passport.started",
            subject=passport.id,
            trust_id=passport.trust_id,
            data=events.passport_started(passport, type_row.title, skill_codes),
        )
    return {passport.staff_id: passport.id for passport in passports}


def _check_no_other_in_progress(uow: UnitOfWork, staff_id: uuid.UUID, code: str) -> None:
    existing = uow.session.scalar(
        sa.select(Passport.id).where(
            Passport.staff_id == staff_id, Passport.passport_type == code, Passport.status == domain.IN_PROGRESS
        )
    )
    if existing:
        raise Conflict(f"This person already has a {code} passport in progress ({existing}).")


def _passport_for(uow: UnitOfWork, caller: Caller, passport_id: uuid.UUID, *, lock: bool = False) -> Passport:
    passport = uow.session.get(Passport, passport_id, with_for_update=lock)
    if passport is None:
        raise NotFound("No such passport.")
    domain.check_can_read(caller, passport.staff_id, passport.trust_id)
    return passport


def update_retrospective(uow: UnitOfWork, caller: Caller, passport_id: uuid.UUID, changes: dict) -> Passport:
    passport = _passport_for(uow, caller, passport_id, lock=True)
    domain.check_can_withdraw(caller, passport.staff_id, passport.trust_id)
    if not changes:
        raise Invalid("body", "Give at least one field to change.")
    domain.check_surge_dates(
        changes.get("surge_started_on", passport.surge_started_on),
        changes.get("surge_ended_on", passport.surge_ended_on),
    )
    for name, value in changes.items():
        setattr(passport, name, value)
    passport.last_activity_at = utcnow()
    uow.commit()
    return passport


def withdraw(uow: UnitOfWork, caller: Caller, passport_id: uuid.UUID, reason: str | None) -> Passport:
    passport = _passport_for(uow, caller, passport_id, lock=True)
    domain.check_can_withdraw(caller, passport.staff_id, passport.trust_id)
    domain.check_in_progress(passport.status, "withdraw it")
    passport.status = domain.WITHDRAWN
    passport.withdrawn_at = passport.last_activity_at = utcnow()
    passport.withdrawal_reason = reason
    uow.publish(
        "passport.withdrawn", subject=passport.id, trust_id=passport.trust_id, data=events.passport_withdrawn(passport)
    )
    uow.commit()
    return passport


def self_assess(
    uow: UnitOfWork, caller: Caller, cache: ContentCache, passport_id: uuid.UUID, skill_code: str, data: dict
) -> SelfAssessment:
    passport = _passport_for(uow, caller, passport_id, lock=True)
    domain.check_holder(caller, passport.staff_id, passport.trust_id, "self-assess")
    domain.check_skill(skill_code, cache.get(uow.session, passport.passport_type, passport.type_version).skill_codes)
    domain.check_in_progress(passport.status, "self-assess")
    state = uow.session.get(SkillState, (passport.id, skill_code))
    first = state.level is None
    now = utcnow()
    assessment = SelfAssessment(
        passport_id=passport.id, skill_code=skill_code, level=data["level"], note=data.get("note"), assessed_at=now
    )
    uow.session.add(assessment)
    state.level, state.level_note, state.self_assessed_at = data["level"], data.get("note"), now
    refresh_view(state)
    passport.skills_self_assessed += int(first)
    passport.last_activity_at = now
    uow.publish(
        "passport.skill_assessed",
        subject=passport.id,
        trust_id=passport.trust_id,
        data=events.skill_assessed(passport, assessment, first),
    )
    uow.commit()
    return assessment


def record_learning(
    uow: UnitOfWork, caller: Caller, cache: ContentCache, passport_id: uuid.UUID, skill_code: str, data: dict
) -> LearningRecord:
    passport = _passport_for(uow, caller, passport_id, lock=True)
    if caller.user_id != passport.staff_id and not caller.has_any(*domain.ASSIGNERS):
        raise Forbidden("Only the holder, an educator, a lead or a trust_admin may record learning.")
    domain.check_skill(skill_code, cache.get(uow.session, passport.passport_type, passport.type_version).skill_codes)
    if passport.status == domain.WITHDRAWN:
        raise Conflict("The passport is withdrawn: cannot record learning.")
    now = utcnow()
    record = LearningRecord(
        id=uuid.uuid4(),
        passport_id=passport.id,
        skill_code=skill_code,
        kind=data["kind"],
        status=data["status"],
        date=data.get("date"),
        hours=data.get("hours"),
        note=data.get("note"),
        recorded_at=now,
        recorded_by=caller.user_id,
    )
    uow.session.add(record)
    state = uow.session.get(SkillState, (passport.id, skill_code))
    state.learning = [*state.learning, learning_json(record)]  # a new list: JSON columns track assignment
    refresh_view(state)
    passport.last_activity_at = now
    uow.publish(
        "passport.learning_recorded",
        subject=passport.id,
        trust_id=passport.trust_id,
        data=events.learning_recorded(passport, record),
    )
    uow.commit()
    return record


# --- Reading -----------------------------------------------------------------------------------------


def list_passports(uow: UnitOfWork, caller: Caller, filters: dict):
    query = sa.select(Passport).order_by(Passport.started_at, Passport.id)
    query = readable_by(query, caller, domain.READERS, trust_id=Passport.trust_id, holder_id=Passport.staff_id)
    if "id" in filters:
        query = query.where(Passport.id.in_(filters["id"]))
    return filtered_by(query, Passport, filters, ("staff_id", "passport_type", "status"))


def passport_views(uow: UnitOfWork, cache: ContentCache, passports: list[Passport]) -> list[dict]:
    holders = _staff_by_id(uow, {p.staff_id for p in passports})
    return [
        passport_view(p, cache.get(uow.session, p.passport_type, p.type_version), holders.get(p.staff_id))
        for p in passports
    ]


def _staff_by_id(uow: UnitOfWork, ids: set[uuid.UUID]) -> dict[uuid.UUID, StaffMember]:
    """The people with these ids that this service has heard of, in one query."""
    if not ids:
        return {}
    return {s.id: s for s in uow.session.scalars(sa.select(StaffMember).where(StaffMember.id.in_(ids)))}


def passport_view(passport: Passport, content: TypeContent, holder: StaffMember | None) -> dict:
    view = {column: getattr(passport, column) for column in Passport.__table__.columns.keys()}
    view.update(
        staff_name=holder.name if holder else None,
        staff_number=holder.staff_number if holder else None,
        title=content.title,
        sample_content=content.sample,
        progress=domain.Progress(passport.skills_total, passport.skills_self_assessed, passport.skills_signed_off),
    )
    return view


def learning_json(record: LearningRecord) -> dict:
    return {
        "id": str(record.id),
        "skill_code": record.skill_code,
        "kind": record.kind,
        "status": record.status,
        "date": _iso(record.date),
        "hours": record.hours,
        "note": record.note,
        "recorded_at": _iso(record.recorded_at),
        "recorded_by": str(record.recorded_by),
    }


def refresh_view(state: SkillState) -> None:
    """Rewrite the skill's JSON view after a change to it."""
    self_assessment = (
        {"level": state.level, "note": state.level_note, "assessed_at": _iso(state.self_assessed_at)}
        if state.level
        else None
    )
    signoff = (
        {
            "signoff_id": str(state.signoff_id),
            "outcome": state.signoff_outcome,
            "decided_at": _iso(state.signed_off_at),
            "supervisor_id": str(state.signed_off_by) if state.signed_off_by else None,
        }
        if state.signoff_outcome
        else None
    )
    state.view = json.dumps({"self_assessment": self_assessment, "learning": state.learning, "signoff": signoff})


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def passport_detail(
    uow: UnitOfWork, caller: Caller, cache: ContentCache, passport_id: uuid.UUID
) -> tuple[dict, TypeContent, dict[str, str]]:
    """The passport, its content, and each skill's JSON view: with 60 skills this is the service's
    hottest read, so it takes the views as they are stored."""
    passport = _passport_for(uow, caller, passport_id)
    content = cache.get(uow.session, passport.passport_type, passport.type_version)
    views = dict(
        uow.session.execute(
            sa.select(SkillState.skill_code, SkillState.view).where(SkillState.passport_id == passport.id)
        ).all()
    )
    return passport_view(passport, content, uow.session.get(StaffMember, passport.staff_id)), content, views


def list_staff(caller: Caller, filters: dict):
    """The caller's Trust's people (any Trust's for a platform admin), by name, filtered; ids this service
    has not heard of, or of another Trust, are simply left out."""
    query = sa.select(StaffMember).order_by(StaffMember.name, StaffMember.id)
    if not caller.is_platform_admin:
        # `== None` would be IS NULL, and people of no Trust are no one's colleagues.
        query = query.where(StaffMember.trust_id == caller.trust_id if caller.trust_id else sa.false())
    if "id" in filters:
        query = query.where(StaffMember.id.in_(filters["id"]))
    # Naming people by id names leavers too (a sign-off they made stays theirs); a list to choose from does not.
    active = filters.get("active", None if "id" in filters else True)
    if active is not None:
        query = query.where(StaffMember.active.is_(active))
    if "q" in filters:
        query = named_like(query, filters["q"], name=StaffMember.name, staff_number=StaffMember.staff_number)
    for name in ("professional_group", "department"):
        if name in filters:
            query = query.where(sa.func.lower(getattr(StaffMember, name)) == filters[name].strip().lower())
    return query


def _skill_view(skill: dict, state: SkillState, learning: list) -> dict:
    return {
        **skill,
        "self_assessment": (
            {"level": state.level, "note": state.level_note, "assessed_at": state.self_assessed_at}
            if state.level
            else None
        ),
        "learning": learning,
        "signoff": (
            {
                "signoff_id": state.signoff_id,
                "outcome": state.signoff_outcome,
                "decided_at": state.signed_off_at,
                "supervisor_id": state.signed_off_by,
            }
            if state.signoff_outcome
            else None
        ),
    }


def skill_detail(uow: UnitOfWork, caller: Caller, cache: ContentCache, passport_id: uuid.UUID, skill_code: str) -> dict:
    passport = _passport_for(uow, caller, passport_id)
    content = cache.get(uow.session, passport.passport_type, passport.type_version)
    domain.check_skill(skill_code, content.skill_codes)
    skill = next(s for d in content.domains for s in d["skills"] if s["code"] == skill_code)
    state = uow.session.get(SkillState, (passport.id, skill_code))
    where = dict(passport_id=passport.id, skill_code=skill_code)
    learning = list(
        uow.session.scalars(sa.select(LearningRecord).filter_by(**where).order_by(LearningRecord.recorded_at))
    )
    history = uow.session.scalars(sa.select(SelfAssessment).filter_by(**where).order_by(SelfAssessment.assessed_at))
    decisions = uow.session.scalars(sa.select(SignoffDecision).filter_by(**where).order_by(SignoffDecision.decided_at))
    return {
        **_skill_view(skill, state, learning),
        "passport_id": passport.id,
        "self_assessment_history": [{"level": a.level, "note": a.note, "assessed_at": a.assessed_at} for a in history],
        "signoff_history": [
            {
                "signoff_id": str(d.signoff_id),
                "outcome": d.outcome,
                "decided_at": d.decided_at.isoformat() if d.decided_at else None,
                "revoked": d.revoked,
                "revoke_reason": d.revoke_reason,
            }
            for d in decisions
        ],
    }


# --- Consumed events ---------------------------------------------------------------------------------


@dataclass
class PreparedSignoffs:
    """What the sign-off events of a batch are about, loaded and locked together (prepare_signoffs): their
    passports, their skills' states, every decision on those skills (and those their ids name), and how
    many skills of each passport are signed off proficient."""

    transaction: object
    passport_ids: set[uuid.UUID]
    passports: dict[uuid.UUID, Passport]
    skills: dict[tuple[uuid.UUID, str], SkillState]
    decisions: dict[tuple[uuid.UUID, str], list[SignoffDecision]]
    by_id: dict[uuid.UUID, SignoffDecision]
    proficient: dict[uuid.UUID, int]


_PREPARED = "passport.prepared_signoffs"


def prepare_signoffs(uow: UnitOfWork, events: list[tuple[Event, dict]]) -> None:
    """Load and lock the rows these sign-off events change, one statement a table, in the order every
    transaction locks them (passports, then skill states, then decisions; each by key)."""
    session = uow.session
    payloads = [payload for _, payload in events]
    passport_ids = {p["passport_id"] for p in payloads}
    pairs = sorted({(p["passport_id"], p["skill_code"]) for p in payloads})
    locked = {"populate_existing": True}
    passports = {
        row.id: row
        for row in session.scalars(
            sa.select(Passport).where(Passport.id.in_(sorted(passport_ids))).order_by(Passport.id).with_for_update(),
            execution_options=locked,
        )
    }
    skill = sa.tuple_(SkillState.passport_id, SkillState.skill_code)
    skills = {
        (row.passport_id, row.skill_code): row
        for row in session.scalars(
            sa.select(SkillState)
            .where(skill.in_(pairs))
            .order_by(SkillState.passport_id, SkillState.skill_code)
            .with_for_update(),
            execution_options=locked,
        )
    }
    decision = sa.tuple_(SignoffDecision.passport_id, SignoffDecision.skill_code)
    named = sorted({p["signoff_id"] for p in payloads})
    by_id = {
        row.signoff_id: row
        for row in session.scalars(
            sa.select(SignoffDecision)
            .where(sa.or_(decision.in_(pairs), SignoffDecision.signoff_id.in_(named)))
            .order_by(SignoffDecision.signoff_id)
            .with_for_update(),
            execution_options=locked,
        )
    }
    decisions: dict[tuple[uuid.UUID, str], list[SignoffDecision]] = {pair: [] for pair in skills}
    for row in by_id.values():
        decisions.setdefault((row.passport_id, row.skill_code), []).append(row)
    proficient = dict.fromkeys(passports, 0)
    if passports:
        proficient.update(
            session.execute(
                sa.select(SkillState.passport_id, sa.func.count())
                .where(SkillState.passport_id.in_(sorted(passports)), SkillState.signoff_outcome == domain.PROFICIENT)
                .group_by(SkillState.passport_id)
            ).all()
        )
    session.info[_PREPARED] = PreparedSignoffs(
        session.get_transaction(), passport_ids, passports, skills, decisions, by_id, proficient
    )


def _prepared_for(uow: UnitOfWork, payload: dict) -> PreparedSignoffs:
    prepared = uow.session.info.get(_PREPARED)
    # Its locks last as long as the transaction that took them.
    current = prepared is not None and prepared.transaction is uow.session.get_transaction()
    if not current or payload["passport_id"] not in prepared.passport_ids:
        prepare_signoffs(uow, [(None, payload)])  # applied on its own, not as part of a batch
        prepared = uow.session.info[_PREPARED]
    return prepared


def apply_signoff(
    uow: UnitOfWork, payload: dict, *, revoked_at: datetime | None = None, reason: str | None = None
) -> None:
    """Record a decision (or its revocation) and bring the skill's state and the passport's status in line."""
    prepared = _prepared_for(uow, payload)
    passport = prepared.passports.get(payload["passport_id"])
    if passport is None:
        raise Unprocessable(f"sign-off for unknown passport {payload['passport_id']}")
    key = (passport.id, payload["skill_code"])
    state = prepared.skills.get(key)
    if state is None:
        raise Unprocessable(f"sign-off for skill {payload['skill_code']} not on passport {passport.id}")

    decision = prepared.by_id.get(payload["signoff_id"])
    if decision is None:
        decision = SignoffDecision(
            signoff_id=payload["signoff_id"], passport_id=passport.id, skill_code=state.skill_code, revoked=False
        )
        uow.session.add(decision)
        prepared.by_id[decision.signoff_id] = decision
        prepared.decisions[key].append(decision)
    if revoked_at is None:
        decision.outcome, decision.decided_at = payload["outcome"], payload["decided_at"]
        decision.supervisor_id = payload["supervisor_id"]
    else:
        decision.revoked, decision.revoked_at, decision.revoke_reason = True, revoked_at, reason

    standing = domain.standing_decision(
        domain.Decision(d.signoff_id, d.outcome, d.decided_at, d.revoked, d.supervisor_id)
        for d in prepared.decisions[key]
    )
    was_proficient = state.signoff_outcome == domain.PROFICIENT
    state.signoff_id = standing.signoff_id if standing else None
    state.signoff_outcome = standing.outcome if standing else None
    state.signed_off_at = standing.decided_at if standing else None
    state.signed_off_by = standing.supervisor_id if standing else None
    refresh_view(state)

    # The passport's skills signed off, counted as the batch began and kept as each of its events moves one.
    prepared.proficient[passport.id] += (state.signoff_outcome == domain.PROFICIENT) - was_proficient
    passport.skills_signed_off = prepared.proficient[passport.id]
    all_proficient = passport.skills_signed_off == passport.skills_total
    _follow_completion(uow, passport, all_proficient=all_proficient, skill_code=state.skill_code)


def _follow_completion(uow: UnitOfWork, passport: Passport, *, all_proficient: bool, skill_code: str) -> None:
    now = utcnow()
    passport.last_activity_at = now
    status = domain.next_status(passport.status, all_proficient)
    if status == passport.status:
        return
    if status == domain.COMPLETED:
        passport.status, passport.completed_at = status, now
        type_row = uow.session.get(PassportType, (passport.passport_type, passport.type_version))
        uow.publish(
            "passport.completed",
            subject=passport.id,
            trust_id=passport.trust_id,
            data=events.passport_completed(passport, type_row),
        )
    else:
        passport.status, passport.completed_at = status, None
        uow.publish(
            "passport.reopened",
            subject=passport.id,
            trust_id=passport.trust_id,
            data=events.passport_reopened(passport, skill_code, now),
        )


def apply_staff_profile(uow: UnitOfWork, payload: dict, as_of: datetime, *, active: bool | None = None) -> None:
    """Keep the newest profile of a user, whatever order user.* events arrive in."""
    staff = uow.session.get(StaffMember, payload["user_id"], with_for_update=True)
    if staff is not None and not domain.is_newer_profile(staff.as_of, as_of):
        return
    if staff is None:
        staff = StaffMember(id=payload["user_id"], name=payload.get("name", ""), as_of=as_of)
        uow.session.add(staff)
    # department came later than the other fields: events from before it load with it null.
    for name in ("trust_id", "name", "staff_number", "professional_group", "department", "active"):
        if name in payload:
            setattr(staff, name, payload[name])
    if active is not None:
        staff.active = active
    staff.as_of = as_of


# --- The events this service consumes: the consumer's table ---------------------------------------


def _on_signoff_recorded(uow, event, payload):
    apply_signoff(uow, payload)


def _on_signoff_revoked(uow, event, payload):
    apply_signoff(uow, payload, revoked_at=payload["revoked_at"], reason=payload["reason"])


# A batch's sign-off events, recorded and revoked alike, are prepared together.
on_signoff_recorded = Prepared(_on_signoff_recorded, prepare_signoffs)
on_signoff_revoked = Prepared(_on_signoff_revoked, prepare_signoffs)


def on_user_registered(uow, event, payload):
    apply_staff_profile(uow, payload, payload["registered_at"])


def on_user_updated(uow, event, payload):
    apply_staff_profile(uow, payload, payload["updated_at"])


def on_user_deactivated(uow, event, payload):
    apply_staff_profile(uow, payload, payload["deactivated_at"], active=False)


HANDLERS = {
    "signoff.recorded": on_signoff_recorded,
    "signoff.revoked": on_signoff_revoked,
    "user.registered": on_user_registered,
    "user.updated": on_user_updated,
    "user.deactivated": on_user_deactivated,
}
