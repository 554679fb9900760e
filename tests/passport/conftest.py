"""The passport service in process on a real database, with tokens minted by a test key."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from services.passport.service import SERVICE
from tests.support.service_app import Person, ServiceWithTestTokens, problem  # noqa: F401 - re-exported


class PassportService(ServiceWithTestTokens):
    def __init__(self, database_url):
        super().__init__(SERVICE, database_url)

    def person(self, *roles, trust_id=None, known=True) -> Person:
        """Someone with a token; `known`: identity's user.registered has reached this service."""
        person = super().person(*roles, trust_id=trust_id)
        if known:
            self.deliver(
                "user.registered",
                {
                    "user_id": person.id,
                    "trust_id": person.trust_id,
                    "email": f"{person.id.hex[:10]}@example.nhs.uk",
                    "name": "Pat Example",
                    "staff_number": person.id.hex[:6],
                    "professional_group": "Nursing",
                    "roles": person.roles,
                    "active": True,
                    "registered_at": datetime.now(UTC),
                },
            )
        return person

    def start(self, person: Person, passport_type="NRSS", **body) -> dict:
        response = self.client.post("/passports", json={"passport_type": passport_type, **body}, headers=person.headers)
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    def detail(self, passport_id, person: Person) -> dict:
        response = self.client.get(f"/passports/{passport_id}", headers=person.headers)
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    def skill_codes(self, passport_id, person: Person) -> list[str]:
        return [s["code"] for d in self.detail(passport_id, person)["domains"] for s in d["skills"]]

    def sign_off(
        self, passport: dict, skill_code: str, outcome="proficient", *, decided_at=None, signoff_id=None, event_id=None
    ) -> uuid.UUID:
        signoff_id = signoff_id or uuid.uuid4()
        self.deliver(
            "signoff.recorded",
            {
                "signoff_id": signoff_id,
                "passport_id": passport["id"],
                "skill_code": skill_code,
                "outcome": outcome,
                "supervisor_id": uuid.uuid4(),
                "holder_id": passport["staff_id"],
                "trust_id": passport["trust_id"],
                "decided_at": decided_at or datetime.now(UTC),
            },
            subject=passport["id"],
            trust_id=passport["trust_id"],
            event_id=event_id,
        )
        return signoff_id

    def revoke(self, passport: dict, skill_code: str, signoff_id, *, revoked_at=None) -> None:
        self.deliver(
            "signoff.revoked",
            {
                "signoff_id": signoff_id,
                "passport_id": passport["id"],
                "skill_code": skill_code,
                "holder_id": passport["staff_id"],
                "trust_id": passport["trust_id"],
                "revoked_by": uuid.uuid4(),
                "reason": "Observed unsafe practice",
                "revoked_at": revoked_at or datetime.now(UTC),
            },
            subject=passport["id"],
            trust_id=passport["trust_id"],
        )


@pytest.fixture
def service(database_url):
    return PassportService(database_url)
