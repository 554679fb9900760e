"""Identity's own app, in-process, on a real (SQLite or PostgreSQL) database."""

from __future__ import annotations

import uuid

import pytest

from services.identity.service import SERVICE
from tests.support.service_app import ServiceUnderTest

ADMIN_EMAIL = "platform.admin@example.nhs.uk"
ADMIN_PASSWORD = "correct horse battery staple"
FAST_HASHING = {"ARGON2_TIME_COST": "1", "ARGON2_MEMORY_KIB": "1024"}


class Identity(ServiceUnderTest):
    """The identity API as a client sees it, with helpers that read like the journeys they drive."""

    def token(self, email, password):
        response = self.client.post("/auth/token", json={"email": email, "password": password})
        assert response.status_code == 200, response.get_json()
        return response.get_json()["access_token"]

    def headers(self, token):
        return {"Authorization": f"Bearer {token}"}

    def admin(self):
        return self.headers(self.token(ADMIN_EMAIL, ADMIN_PASSWORD))

    def new_trust(self, name="Leeds Teaching Hospitals"):
        ods = "R" + uuid.uuid4().hex[:4].upper()
        response = self.client.post("/trusts", json={"name": name, "ods_code": ods}, headers=self.admin())
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    def new_user(self, trust_id, roles=("staff",), by=None, password="a long enough password", **fields):
        body = {
            "email": f"{uuid.uuid4().hex[:10]}@example.nhs.uk",
            "name": "Sam Example",
            "password": password,
            "trust_id": str(trust_id) if trust_id else None,
            "roles": list(roles),
            "staff_number": uuid.uuid4().hex[:8].upper(),
            "professional_group": "Nursing",
            **fields,
        }
        response = self.client.post("/users", json=body, headers=by or self.admin())
        assert response.status_code == 201, response.get_json()
        user = response.get_json()
        user["password"] = password
        user["headers"] = self.headers(self.token(body["email"], password))
        return user


def make_identity(database_url, **env):
    return Identity(
        SERVICE,
        database_url,
        SKILLPASS_ADMIN_EMAIL=ADMIN_EMAIL,
        SKILLPASS_ADMIN_PASSWORD=ADMIN_PASSWORD,
        IDENTITY_ISSUER="http://identity.test",
        **FAST_HASHING,
        **env,
    )


@pytest.fixture
def identity(database_url):
    return make_identity(database_url)
