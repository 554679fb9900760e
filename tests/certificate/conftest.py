"""The certificate service in process on a real database; passports, people and Trusts reach it as events."""

from __future__ import annotations

import io
import uuid
from datetime import UTC, datetime

import pytest
from pypdf import PdfReader

from services.certificate.service import SERVICE
from tests.support.service_app import Person, ServiceWithTestTokens, problem  # noqa: F401 - problem is re-exported

ROLE = "Non-Registered Support Staff"
TRUST_NAME = "Northshire Hospitals NHS Foundation Trust"


def now() -> datetime:
    return datetime.now(UTC)


class CertificateService(ServiceWithTestTokens):
    def __init__(self, database_url):
        super().__init__(SERVICE, database_url)
        self.deliver(
            "trust.created", {"trust_id": self.trust_id, "name": TRUST_NAME, "ods_code": "RNS", "created_at": now()}
        )

    def person(self, *roles, trust_id=None, name: str | None = "Alex Morgan-Reyes") -> Person:
        """Someone with a token; with a name, identity's user.registered has reached this service too."""
        person = super().person(*roles, trust_id=trust_id)
        if name:
            self.register(person, name)
        return person

    def register(
        self, person: Person, name: str, at=None, event_type="user.registered", staff_number=None, event_id=None
    ) -> bool:
        moment = (
            {"registered_at": at or now()}
            if event_type == "user.registered"
            else {"changed": ["name"], "updated_at": at or now()}
        )
        return self.deliver(
            event_type,
            {
                "user_id": person.id,
                "trust_id": person.trust_id,
                "email": f"{person.id.hex[:10]}@example.nhs.uk",
                "name": name,
                "staff_number": staff_number,
                "professional_group": None,
                "roles": person.roles,
                "active": True,
                **moment,
            },
            event_id=event_id,
        )

    # --- passport.* events, as the passport service publishes them ------------------------------------

    def completion(self, holder: Person, passport_type="NRSS", *, passport_id=None, completed_at=None) -> dict:
        return {
            "passport_id": passport_id or uuid.uuid4(),
            "staff_id": holder.id,
            "trust_id": holder.trust_id,
            "passport_type": passport_type,
            "type_version": 1,
            "title": ROLE,
            "skill_count": 4,
            "completed_at": completed_at or now(),
        }

    def complete(self, completion: dict, event_id=None) -> bool:
        return self.deliver(
            "passport.completed",
            completion,
            subject=completion["passport_id"],
            trust_id=completion["trust_id"],
            event_id=event_id,
        )

    def reopen(self, completion: dict, at=None) -> bool:
        data = {key: completion[key] for key in ("passport_id", "staff_id", "trust_id", "passport_type")}
        return self.deliver(
            "passport.reopened",
            {**data, "skill_code": "AIR-01", "reason": "a sign-off no longer holds", "reopened_at": at or now()},
            subject=completion["passport_id"],
            trust_id=completion["trust_id"],
        )

    def certified(self, holder: Person, passport_type="NRSS", **completion) -> dict:
        """A completion delivered, and the certificate it issued as the holder reads it."""
        done = self.completion(holder, passport_type, **completion)
        assert self.complete(done)
        [certificate] = [c for c in self.list(holder) if c["passport_id"] == str(done["passport_id"])]
        return certificate

    # --- the API --------------------------------------------------------------------------------------

    def list(self, person: Person, **filters) -> list[dict]:
        response = self.client.get("/certificates", query_string=filters, headers=person.headers)
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    def get(self, certificate_id, person: Person):
        return self.client.get(f"/certificates/{certificate_id}", headers=person.headers)

    def verify(self, certificate_id) -> dict:
        response = self.client.get(f"/certificates/{certificate_id}/verify")
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    def revoke(self, certificate_id, person: Person, reason="Falsified sign-off evidence"):
        return self.client.post(
            f"/certificates/{certificate_id}/revoke", json={"reason": reason}, headers=person.headers
        )

    def pdf(self, certificate_id, person: Person) -> PdfReader:
        response = self.client.get(f"/certificates/{certificate_id}/pdf", headers=person.headers)
        assert response.status_code == 200, response.get_json()
        assert response.mimetype == "application/pdf"
        return PdfReader(io.BytesIO(response.data))


@pytest.fixture
def service(database_url):
    return CertificateService(database_url)


@pytest.fixture
def holder(service):
    return service.person("staff")
