"""The planning service in process on a real database, with tokens minted by a test key; certificates
reach it as certificate.* events."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from services.planning.service import SERVICE
from tests.support.service_app import Person, ServiceWithTestTokens, problem  # noqa: F401 - problem is re-exported

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


class PlanningService(ServiceWithTestTokens):
    def __init__(self, database_url):
        super().__init__(SERVICE, database_url)

    def call(self, method: str, path: str, person: Person, body=None, **query):
        return self.client.open(path, method=method, json=body, query_string=query, headers=person.headers)

    def ok(self, method: str, path: str, person: Person, body=None, expect=200, **query):
        response = self.call(method, path, person, body, **query)
        assert response.status_code == expect, response.get_json()
        return response.get_json()

    def plan(self, person: Person, name="Critical care surge readiness") -> dict:
        return self.ok("POST", "/plans", person, {"name": name}, expect=201)

    # --- user.* events, as identity publishes them ------------------------------------------------------

    def profile(
        self,
        person: Person,
        name="Sam Okafor",
        staff_number="N7",
        *,
        at=T0,
        event="user.updated",
        active=True,
        event_id=None,
    ) -> bool:
        moment = {"registered_at": at} if event == "user.registered" else {"changed": ["name"], "updated_at": at}
        return self.deliver(
            event,
            {
                "user_id": person.id,
                "trust_id": person.trust_id,
                "email": "someone@example.nhs.uk",
                "name": name,
                "staff_number": staff_number,
                "professional_group": None,
                "roles": person.roles,
                "active": active,
                **moment,
            },
            subject=person.id,
            trust_id=person.trust_id,
            event_id=event_id,
        )

    def deactivated(self, person: Person, at: datetime, *, event_id=None) -> bool:
        return self.deliver(
            "user.deactivated",
            {"user_id": person.id, "trust_id": person.trust_id, "deactivated_at": at},
            subject=person.id,
            trust_id=person.trust_id,
            event_id=event_id,
        )

    # --- certificate.* events, as the certificate service publishes them -------------------------------

    def certificate(self, staff_id, role="NRSS", trust_id=None) -> dict:
        return {
            "certificate_id": uuid.uuid4(),
            "staff_id": staff_id,
            "trust_id": trust_id or self.trust_id,
            "passport_id": uuid.uuid4(),
            "passport_type": role,
        }

    def issued(self, certificate: dict, at: datetime, *, event_id=None) -> bool:
        return self.deliver(
            "certificate.issued",
            {
                **certificate,
                "type_version": 1,
                "role_title": "Non-Registered Support Staff",
                "issued_at": at,
                "expires_at": at + timedelta(days=365),
                "verify_url": f"http://certificate.test/{certificate['certificate_id']}",
            },
            subject=certificate["certificate_id"],
            trust_id=certificate["trust_id"],
            event_id=event_id,
        )

    def revoked(self, certificate: dict, at: datetime, *, event_id=None) -> bool:
        return self.deliver(
            "certificate.revoked",
            {
                **certificate,
                "reason": "Sign-off revoked",
                "revoked_by": uuid.uuid4(),
                "revoked_at": at,
            },
            subject=certificate["certificate_id"],
            trust_id=certificate["trust_id"],
            event_id=event_id,
        )

    def expired(self, certificate: dict, at: datetime, *, event_id=None) -> bool:
        return self.deliver(
            "certificate.expired",
            {**certificate, "expired_at": at},
            subject=certificate["certificate_id"],
            trust_id=certificate["trust_id"],
            event_id=event_id,
        )


@pytest.fixture
def service(database_url):
    return PlanningService(database_url)


@pytest.fixture
def lead(service):
    return service.person("lead")


@pytest.fixture
def plan(service, lead):
    return service.plan(lead)
