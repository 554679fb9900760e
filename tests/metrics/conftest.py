"""The metrics service in process on a real database, with tokens minted by a test key; the other services'
events reach it through its real inbox, built as their publishers build them."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from services.metrics.service import SERVICE
from tests.support.service_app import Person, ServiceWithTestTokens, problem  # noqa: F401 - problem is re-exported

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # a Monday


class MetricsService(ServiceWithTestTokens):
    def __init__(self, database_url):
        super().__init__(SERVICE, database_url)

    def call(self, method: str, path: str, person: Person, **query):
        return self.client.open(path, method=method, query_string=query, headers=person.headers)

    def ok(self, path: str, person: Person, **query):
        response = self.call("GET", path, person, **query)
        assert response.status_code == 200, response.get_data(as_text=True)
        return response

    def dashboard(self, person: Person | None = None) -> dict:
        return self.ok(f"/trusts/{self.trust_id}/dashboard", person or self.person("lead")).get_json()

    def counts(self, passport_type="NRSS") -> dict:
        [row] = [row for row in self.dashboard()["passport_types"] if row["code"] == passport_type]
        return row

    # --- Events, as their publishers build them --------------------------------------------------------

    def send(self, event_type: str, data: dict, *, event_id=None) -> bool:
        return self.deliver(event_type, data, trust_id=str(data.get("trust_id") or self.trust_id), event_id=event_id)

    def passport(self, staff_id=None, passport_type="NRSS") -> dict:
        return {
            "passport_id": uuid.uuid4(),
            "staff_id": staff_id or uuid.uuid4(),
            "trust_id": self.trust_id,
            "passport_type": passport_type,
        }

    def started(self, passport: dict, at: datetime, skills=("S1", "S2", "S3"), **kw) -> bool:
        return self.send(
            "passport.started",
            {
                **passport,
                "type_version": 1,
                "title": "Role",
                "skill_codes": list(skills),
                "retrospective": False,
                "assigned_by": None,
                "started_at": at,
            },
            **kw,
        )

    def assessed(self, passport: dict, skill: str, at: datetime, first=True, **kw) -> bool:
        return self.send(
            "passport.skill_assessed",
            {**passport, "skill_code": skill, "level": "supervised", "first_for_skill": first, "assessed_at": at},
            **kw,
        )

    def learning(self, passport: dict, status: str, at: datetime, learning_id=None, **kw) -> bool:
        return self.send(
            "passport.learning_recorded",
            {
                **passport,
                "learning_id": learning_id or uuid.uuid4(),
                "skill_code": "S1",
                "kind": "elearning",
                "status": status,
                "date": None,
                "hours": None,
                "recorded_at": at,
            },
            **kw,
        )

    def completed(self, passport: dict, at: datetime, **kw) -> bool:
        return self.send(
            "passport.completed",
            {**passport, "type_version": 1, "title": "Role", "skill_count": 3, "completed_at": at},
            **kw,
        )

    def reopened(self, passport: dict, at: datetime, **kw) -> bool:
        return self.send(
            "passport.reopened", {**passport, "skill_code": "S1", "reason": "sign-off revoked", "reopened_at": at}, **kw
        )

    def withdrawn(self, passport: dict, at: datetime, **kw) -> bool:
        return self.send("passport.withdrawn", {**passport, "reason": None, "withdrawn_at": at}, **kw)

    def signoff(self, passport: dict, skill: str, at: datetime, outcome="proficient", signoff_id=None, **kw) -> dict:
        decision = {
            "signoff_id": signoff_id or uuid.uuid4(),
            "passport_id": passport["passport_id"],
            "skill_code": skill,
            "holder_id": passport["staff_id"],
            "trust_id": passport["trust_id"],
        }
        self.send(
            "signoff.recorded", {**decision, "outcome": outcome, "supervisor_id": uuid.uuid4(), "decided_at": at}, **kw
        )
        return decision

    def signoff_revoked(self, decision: dict, at: datetime, **kw) -> bool:
        return self.send(
            "signoff.revoked", {**decision, "revoked_by": uuid.uuid4(), "reason": "error", "revoked_at": at}, **kw
        )

    def certificate(self, staff_id=None, passport_type="NRSS") -> dict:
        return {
            "certificate_id": uuid.uuid4(),
            "staff_id": staff_id or uuid.uuid4(),
            "trust_id": self.trust_id,
            "passport_id": uuid.uuid4(),
            "passport_type": passport_type,
        }

    def issued(self, certificate: dict, at: datetime, **kw) -> bool:
        return self.send(
            "certificate.issued",
            {
                **certificate,
                "type_version": 1,
                "role_title": "Role",
                "issued_at": at,
                "expires_at": at + timedelta(days=365),
                "verify_url": "http://certificate.test/verify",
            },
            **kw,
        )

    def revoked(self, certificate: dict, at: datetime, **kw) -> bool:
        return self.send(
            "certificate.revoked", {**certificate, "reason": "r", "revoked_by": None, "revoked_at": at}, **kw
        )

    def expired(self, certificate: dict, at: datetime, **kw) -> bool:
        return self.send("certificate.expired", {**certificate, "expired_at": at}, **kw)

    def roster(self, staff_id, status: str, since: datetime, role="NRSS", **kw) -> bool:
        return self.send(
            "roster.updated",
            {
                "staff_id": staff_id,
                "trust_id": self.trust_id,
                "role": role,
                "status": status,
                "certificate_id": None,
                "since": since,
                "reason": "certified" if status == "eligible" else "revoked",
            },
            **kw,
        )

    def plan(
        self,
        plan_id,
        at: datetime,
        *,
        percentage=95.0,
        cohort=150,
        deadline=date(2027, 3, 31),
        types=("NRSS", "RSC"),
        deleted=False,
        **kw,
    ) -> bool:
        return self.send(
            "plan.updated",
            {
                "plan_id": plan_id,
                "trust_id": self.trust_id,
                "name": "Surge readiness",
                "aim_statement": "95% complete",
                "target_passport_types": list(types),
                "target_percentage": percentage,
                "target_cohort_size": cohort,
                "target_deadline": deadline,
                "deleted": deleted,
                "updated_at": at,
            },
            **kw,
        )

    def cohort(self, plan_id, role: str, identified: int, at: datetime, **kw) -> bool:
        return self.send(
            "cohort.updated",
            {
                "plan_id": plan_id,
                "trust_id": self.trust_id,
                "role": role,
                "identified": identified,
                "prospective": identified,
                "retrospective": 0,
                "updated_at": at,
            },
            **kw,
        )

    def measure(
        self,
        plan_id,
        at: datetime,
        *,
        metric="completed",
        passport_type="NRSS",
        target=10.0,
        frequency="Weekly",
        deleted=False,
        measure_id=None,
        direction=None,
        **kw,
    ) -> uuid.UUID:
        """A measure.defined event; without `direction` the payload has no improvement_direction, as the events
        published before measures had one."""
        measure_id = measure_id or uuid.uuid4()
        self.send(
            "measure.defined",
            {
                "measure_id": measure_id,
                "plan_id": plan_id,
                "trust_id": self.trust_id,
                "name": f"{metric or 'entered'} measure",
                "kind": "outcome",
                "metric": metric,
                "passport_type": passport_type,
                "target": target,
                "frequency": frequency,
                "deleted": deleted,
                "defined_at": at,
                **({"improvement_direction": direction} if direction else {}),
            },
            **kw,
        )
        return measure_id

    def user(
        self,
        user_id,
        staff_number: str,
        group: str,
        at: datetime,
        trust_id=None,
        name="Nurse",
        event_type="user.registered",
        **kw,
    ) -> bool:
        moment = {"registered_at": at} if event_type == "user.registered" else {"changed": ["name"], "updated_at": at}
        return self.send(
            event_type,
            {
                "user_id": user_id,
                "trust_id": trust_id or self.trust_id,
                "email": "nurse@example.nhs.uk",
                "name": name,
                "staff_number": staff_number,
                "professional_group": group,
                "roles": ["staff"],
                "active": True,
                **moment,
            },
            **kw,
        )


@pytest.fixture
def service(database_url):
    return MetricsService(database_url)


@pytest.fixture
def sqlite_service(sqlite_url):
    return MetricsService(sqlite_url)
