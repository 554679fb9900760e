"""The passport service's events: the payloads it publishes (handlers.py holds the table of those it consumes)."""

from __future__ import annotations

from services.passport.models import LearningRecord, Passport, PassportType, SelfAssessment
from shared.events.payloads import facts_of

PUBLISHES = (
    "passport.started",
    "passport.skill_assessed",
    "passport.learning_recorded",
    "passport.completed",
    "passport.reopened",
    "passport.withdrawn",
)


def _ref(passport: Passport) -> dict:
    return facts_of(passport, "staff_id", "trust_id", "passport_type", passport_id="id")


def passport_started(passport: Passport, title: str, skill_codes: list[str]) -> dict:
    return {
        **_ref(passport),
        "type_version": passport.type_version,
        "title": title,
        "skill_codes": skill_codes,
        **facts_of(passport, "retrospective", "assigned_by", "started_at"),
    }


def skill_assessed(passport: Passport, assessment: SelfAssessment, first_for_skill: bool) -> dict:
    return {
        **_ref(passport),
        **facts_of(assessment, "skill_code", "level", "assessed_at"),
        "first_for_skill": first_for_skill,
    }


def learning_recorded(passport: Passport, record: LearningRecord) -> dict:
    return {
        **_ref(passport),
        **facts_of(record, "skill_code", "kind", "status", "date", "hours", "recorded_at", learning_id="id"),
    }


def passport_completed(passport: Passport, type_row: PassportType) -> dict:
    return {
        **_ref(passport),
        **facts_of(type_row, "title", "skill_count"),
        **facts_of(passport, "type_version", "completed_at"),
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
