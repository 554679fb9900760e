"""The sign-off service in process on a real database; passports reach it as passport.* events."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from services.signoff.service import SERVICE
from tests.support.service_app import Person, ServiceWithTestTokens, problem  # noqa: F401 - problem is re-exported

SKILLS = ["AIR-01", "AIR-02", "IPC-01", "IPC-02"]


def now() -> datetime:
    return datetime.now(UTC)


class SignoffService(ServiceWithTestTokens):
    def __init__(self, database_url):
        super().__init__(SERVICE, database_url)

    # --- passport.* events, as the passport service publishes them ------------------------------------

    def _ref(self, passport: dict) -> dict:
        return {key: passport[key] for key in ("passport_id", "staff_id", "trust_id", "passport_type")}

    def passport_event(self, event_type: str, passport: dict, *, event_id=None, **data) -> bool:
        return self.deliver(
            event_type,
            {**self._ref(passport), **data},
            subject=passport["passport_id"],
            trust_id=passport["trust_id"],
            event_id=event_id,
        )

    def passport(self, holder: Person, *, assessed=SKILLS, started=True) -> dict:
        """A passport of `holder` that this service has heard started, with `assessed` self-assessed."""
        passport = {
            "passport_id": uuid.uuid4(),
            "staff_id": holder.id,
            "trust_id": holder.trust_id,
            "passport_type": "NRSS",
        }
        if started:
            self.start(passport)
        self.self_assess(passport, *assessed)
        return passport

    def start(self, passport: dict, skill_codes=SKILLS) -> None:
        self.passport_event(
            "passport.started",
            passport,
            type_version=1,
            title="Non-Registered Support Staff",
            skill_codes=list(skill_codes),
            retrospective=False,
            assigned_by=None,
            started_at=now(),
        )

    def self_assess(self, passport: dict, *codes: str) -> None:
        for code in codes:
            self.passport_event(
                "passport.skill_assessed",
                passport,
                skill_code=code,
                level="supervised",
                first_for_skill=True,
                assessed_at=now(),
            )

    def withdraw(self, passport: dict, at=None) -> None:
        self.passport_event("passport.withdrawn", passport, reason="Left the Trust", withdrawn_at=at or now())

    def complete(self, passport: dict, at=None) -> None:
        self.passport_event(
            "passport.completed",
            passport,
            type_version=1,
            title="Non-Registered Support Staff",
            skill_count=len(SKILLS),
            completed_at=at or now(),
        )

    def reopen(self, passport: dict, at=None) -> None:
        self.passport_event(
            "passport.reopened",
            passport,
            skill_code=SKILLS[0],
            reason="a sign-off no longer holds",
            reopened_at=at or now(),
        )

    # --- the API --------------------------------------------------------------------------------------

    def sign(self, person: Person, passport: dict, skill_code=SKILLS[0], outcome="proficient", **body):
        body = {
            "passport_id": str(passport["passport_id"]),
            "skill_code": skill_code,
            "outcome": outcome,
            "comment": "Observed on ICU, safe and confident.",
            **body,
        }
        return self.client.post("/signoffs", json=body, headers=person.headers)

    def signed(self, person: Person, passport: dict, skill_code=SKILLS[0], outcome="proficient", **body) -> dict:
        response = self.sign(person, passport, skill_code, outcome, **body)
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    def history(self, person: Person, **filters) -> list[dict]:
        response = self.client.get("/signoffs", query_string=filters, headers=person.headers)
        assert response.status_code == 200, response.get_json()
        return response.get_json()


@pytest.fixture
def service(database_url):
    return SignoffService(database_url)


@pytest.fixture
def holder(service):
    return service.person("staff")


@pytest.fixture
def supervisor(service):
    return service.person("supervisor")
