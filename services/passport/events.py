"""The passport service's events: the payloads it publishes (handlers.py holds the table of those it consumes)."""

from __future__ import annotations

from services.passport.models import LearningRecord, Passport, PassportType, SelfAssessment

PUBLISHES = (
    "passport.started",
    "passport.skill_assessed",
    "passport.learning_recorded",
    "passport.completed",
    "passport.reopened",
    "passport.withdrawn",
)


def _ref(passport: Passport) -> dict:
    return {
        "passport_id": passport.id,
        "staff_id": passport.staff_id,
        "trust_id": passport.trust_id,
        "passport_type": passport.passport_type,
    }


def passport_started(passport: Passport, title: str, skill_codes: list[str]) -> dict:
    return {
        **_ref(passport),
        "type_version": passport.type_version,
        "title": title,
        "skill_codes": skill_codes,
        "retrospective": passport.retrospective,
        "assigned_by": passport.assigned_by,
        "started_at": passport.started_at,
    }


def skill_assessed(passport: Passport, assessment: SelfAssessment, first_for_skill: bool) -> dict:
    return {
        **_ref(passport),
        "skill_code": assessment.skill_code,
        "level": assessment.level,
        "first_for_skill": first_for_skill,
        "assessed_at": assessment.assessed_at,
    }


def learning_recorded(passport: Passport, record: LearningRecord) -> dict:
    return {
        **_ref(passport),
        "learning_id": record.id,
        "skill_code": record.skill_code,
        "kind": record.kind,
        "status": record.status,
        "date": record.date,
        "hours": record.hours,
        "recorded_at": record.recorded_at,
    }


def passport_completed(passport: Passport, type_row: PassportType) -> dict:
    return {
        **_ref(passport),
        "type_version": passport.type_version,
        "title": type_row.title,
        "skill_count": type_row.skill_count,
        "completed_at": passport.completed_at,
    }


def passport_reopened(passport: Passport, skill_code: str, reopened_at) -> dict:
    return {
        **_ref(passport),
        "skill_code": skill_code,
        "reason": "a sign-off no longer holds",
        "reopened_at": reopened_at,
    }


def passport_withdrawn(passport: Passport) -> dict:
    return {**_ref(passport), "reason": passport.withdrawal_reason, "withdrawn_at": passport.withdrawn_at}
