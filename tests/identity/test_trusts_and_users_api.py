"""Trusts and users: who may do what, across Trusts, and what each change publishes."""

import json
import uuid

import pytest
import sqlalchemy as sa

from services.identity.models import User


def problem(response, status):
    assert response.status_code == status, response.get_json()
    assert response.mimetype == "application/problem+json"
    return response.get_json()


# --- Trusts ----------------------------------------------------------------------------------------


def test_platform_admin_creates_a_trust_and_trust_created_is_staged(identity):
    trust = identity.new_trust("Manchester University NHS FT")
    assert trust["ods_code"].startswith("R") and uuid.UUID(trust["id"])
    [envelope] = identity.outbox("trust.created")
    assert envelope["subject"] == trust["id"] and envelope["trustid"] == trust["id"]
    assert envelope["data"] == {
        "trust_id": trust["id"],
        "name": "Manchester University NHS FT",
        "ods_code": trust["ods_code"],
        "created_at": trust["created_at"],
    }


def test_ods_codes_are_unique_and_kept_upper_case(identity):
    first = identity.client.post("/trusts", json={"name": "A", "ods_code": "rr8"}, headers=identity.admin())
    assert first.get_json()["ods_code"] == "RR8"
    problem(identity.client.post("/trusts", json={"name": "B", "ods_code": "RR8"}, headers=identity.admin()), 409)
    assert len(identity.outbox("trust.created")) == 1


@pytest.mark.parametrize(
    "body,field",
    [
        ({"name": "A", "ods_code": "R R8"}, "ods_code"),
        ({"name": "A", "ods_code": "X"}, "ods_code"),
        ({"name": "", "ods_code": "RR9"}, "name"),
        ({"ods_code": "RR9"}, "name"),
        ({"name": "A" * 201, "ods_code": "RR9"}, "name"),
        ({"name": "A", "ods_code": "RR9", "id": str(uuid.uuid4())}, "id"),
        ({"name": "Nul\u0000Trust", "ods_code": "RR9"}, "name"),
    ],
)
def test_bad_trusts_are_422_naming_the_field_and_nothing_is_written(identity, body, field):
    assert field in problem(identity.client.post("/trusts", json=body, headers=identity.admin()), 422)["errors"]
    assert identity.outbox("trust.created") == []


def test_only_a_platform_admin_creates_trusts(identity):
    trust = identity.new_trust()
    trust_admin = identity.new_user(trust["id"], roles=["trust_admin"])
    problem(identity.client.post("/trusts", json={"name": "X", "ods_code": "RX9"}, headers=trust_admin["headers"]), 403)
    problem(identity.client.post("/trusts", json={"name": "X", "ods_code": "RX9"}), 401)


def test_users_see_only_their_own_trust(identity):
    mine, other = identity.new_trust(), identity.new_trust()
    staff = identity.new_user(mine["id"])
    listed = identity.client.get("/trusts", headers=staff["headers"]).get_json()
    assert [t["id"] for t in listed] == [mine["id"]]
    assert identity.client.get(f"/trusts/{mine['id']}", headers=staff["headers"]).status_code == 200
    problem(identity.client.get(f"/trusts/{other['id']}", headers=staff["headers"]), 404)
    all_trusts = identity.client.get("/trusts?page_size=100", headers=identity.admin())
    assert {mine["id"], other["id"]} <= {t["id"] for t in all_trusts.get_json()}
    assert json.loads(all_trusts.headers["X-Pagination"])["total"] >= 2


# --- Users -----------------------------------------------------------------------------------------


def test_user_registered_carries_the_profile_and_never_the_password(identity):
    trust = identity.new_trust()
    user = identity.new_user(trust["id"], roles=["staff", "supervisor"], staff_number="N-100")
    [envelope] = identity.outbox("user.registered")[1:]  # the first is the start-up admin
    assert envelope["data"]["user_id"] == user["id"] and envelope["trustid"] == trust["id"]
    assert envelope["data"]["staff_number"] == "N-100"
    assert "password" not in json.dumps(envelope) and "argon2" not in json.dumps(envelope)
    body = identity.client.get(f"/users/{user['id']}", headers=identity.admin()).get_json()
    assert not {"password", "password_hash"} & set(body)


def test_trust_admin_manages_users_of_their_own_trust_only(identity):
    mine, other = identity.new_trust(), identity.new_trust()
    admin = identity.new_user(mine["id"], roles=["trust_admin"])
    colleague = identity.new_user(mine["id"], by=admin["headers"])
    stranger = identity.new_user(other["id"])

    # Read and change their own Trust's users.
    assert identity.client.get(f"/users/{colleague['id']}", headers=admin["headers"]).status_code == 200
    patched = identity.client.patch(
        f"/users/{colleague['id']}", json={"roles": ["staff", "supervisor"]}, headers=admin["headers"]
    )
    assert patched.status_code == 200 and patched.get_json()["roles"] == ["staff", "supervisor"]

    # Another Trust's user does not exist for them.
    problem(identity.client.get(f"/users/{stranger['id']}", headers=admin["headers"]), 404)
    problem(identity.client.patch(f"/users/{stranger['id']}", json={"name": "Hacked"}, headers=admin["headers"]), 404)
    problem(identity.client.post(f"/users/{stranger['id']}/deactivate", headers=admin["headers"]), 404)
    listed = identity.client.get("/users?page_size=100", headers=admin["headers"]).get_json()
    assert stranger["id"] not in {u["id"] for u in listed}
    assert identity.client.get(f"/users?trust_id={other['id']}", headers=admin["headers"]).get_json() == []

    # Nor may they create users there.
    body = {
        "email": "x@example.nhs.uk",
        "name": "X",
        "password": "long enough pw",
        "trust_id": other["id"],
        "roles": ["staff"],
    }
    problem(identity.client.post("/users", json=body, headers=admin["headers"]), 403)
    with identity.runtime.database.session() as session:
        assert session.scalar(sa.select(User).where(User.email == "x@example.nhs.uk")) is None
        assert session.get(User, uuid.UUID(stranger["id"])).name == "Sam Example"


def test_trust_admin_users_join_their_trust_by_default(identity):
    trust = identity.new_trust()
    admin = identity.new_user(trust["id"], roles=["trust_admin"])
    body = {"email": "new@example.nhs.uk", "name": "New", "password": "long enough pw", "roles": ["staff"]}
    created = identity.client.post("/users", json=body, headers=admin["headers"])
    assert created.status_code == 201 and created.get_json()["trust_id"] == trust["id"]


def test_trust_admin_cannot_grant_platform_admin(identity):
    trust = identity.new_trust()
    admin = identity.new_user(trust["id"], roles=["trust_admin"])
    staff = identity.new_user(trust["id"])
    body = {
        "email": "boss@example.nhs.uk",
        "name": "B",
        "password": "long enough pw",
        "trust_id": trust["id"],
        "roles": ["platform_admin"],
    }
    problem(identity.client.post("/users", json=body, headers=admin["headers"]), 403)
    problem(
        identity.client.patch(f"/users/{staff['id']}", json={"roles": ["platform_admin"]}, headers=admin["headers"]),
        403,
    )
    problem(
        identity.client.patch(f"/users/{staff['id']}", json={"trust_id": str(uuid.uuid4())}, headers=admin["headers"]),
        403,
    )


def test_staff_cannot_list_or_create_users_but_read_themselves(identity):
    trust = identity.new_trust()
    staff = identity.new_user(trust["id"])
    colleague = identity.new_user(trust["id"])
    problem(identity.client.get("/users", headers=staff["headers"]), 403)
    problem(identity.client.post("/users", json={}, headers=staff["headers"]), 403)
    problem(identity.client.get(f"/users/{colleague['id']}", headers=staff["headers"]), 403)
    me = identity.client.get("/users/me", headers=staff["headers"]).get_json()
    assert me["id"] == staff["id"] and me["email"] == staff["email"]
    assert identity.client.get(f"/users/{staff['id']}", headers=staff["headers"]).status_code == 200


def test_users_change_their_own_name_and_password_only(identity):
    trust = identity.new_trust()
    staff = identity.new_user(trust["id"])
    renamed = identity.client.patch(f"/users/{staff['id']}", json={"name": "Sam Renamed"}, headers=staff["headers"])
    assert renamed.status_code == 200 and renamed.get_json()["name"] == "Sam Renamed"
    problem(
        identity.client.patch(f"/users/{staff['id']}", json={"roles": ["trust_admin"]}, headers=staff["headers"]), 403
    )
    problem(identity.client.patch(f"/users/{staff['id']}", json={"active": True}, headers=staff["headers"]), 403)
    assert (
        "current_password"
        in problem(
            identity.client.patch(
                f"/users/{staff['id']}", json={"password": "a brand new password"}, headers=staff["headers"]
            ),
            422,
        )["errors"]
    )
    assert (
        "current_password"
        in problem(
            identity.client.patch(
                f"/users/{staff['id']}",
                json={"password": "a brand new password", "current_password": "wrong one"},
                headers=staff["headers"],
            ),
            422,
        )["errors"]
    )
    changed = identity.client.patch(
        f"/users/{staff['id']}",
        json={"password": "a brand new password", "current_password": staff["password"]},
        headers=staff["headers"],
    )
    assert changed.status_code == 200
    assert identity.token(staff["email"], "a brand new password")


def test_updates_and_deactivation_publish_their_events(identity):
    trust = identity.new_trust()
    staff = identity.new_user(trust["id"])
    identity.client.patch(
        f"/users/{staff['id']}", json={"professional_group": "AHP", "name": "Sam B"}, headers=identity.admin()
    )
    identity.client.patch(
        f"/users/{staff['id']}", json={"professional_group": "AHP"}, headers=identity.admin()
    )  # no change
    identity.client.patch(f"/users/{staff['id']}", json={"active": False}, headers=identity.admin())
    [updated] = identity.outbox("user.updated")
    assert sorted(updated["data"]["changed"]) == ["name", "professional_group"]
    [deactivated] = identity.outbox("user.deactivated")
    assert deactivated["data"]["user_id"] == staff["id"] and deactivated["trustid"] == trust["id"]


def test_administrators_cannot_lock_themselves_out(identity):
    me = identity.client.get("/users/me", headers=identity.admin()).get_json()
    for change in ({"active": False}, {"roles": ["staff"]}):
        problem(identity.client.patch(f"/users/{me['id']}", json=change, headers=identity.admin()), 403)
    problem(identity.client.post(f"/users/{me['id']}/deactivate", headers=identity.admin()), 403)
    assert identity.client.get("/users/me", headers=identity.admin()).get_json()["active"] is True


def test_an_empty_change_is_422(identity):
    trust = identity.new_trust()
    staff = identity.new_user(trust["id"])
    assert (
        "body"
        in problem(identity.client.patch(f"/users/{staff['id']}", json={}, headers=identity.admin()), 422)["errors"]
    )
    problem(identity.client.patch(f"/users/{staff['id']}", headers=identity.admin()), 422)


def test_duplicates_are_409_and_write_nothing(identity):
    trust = identity.new_trust()
    user = identity.new_user(trust["id"], staff_number="DUP-1")
    before = len(identity.outbox())
    body = {
        "email": user["email"].upper(),
        "name": "Again",
        "password": "long enough pw",
        "trust_id": trust["id"],
        "roles": ["staff"],
    }
    problem(identity.client.post("/users", json=body, headers=identity.admin()), 409)
    body = {**body, "email": "other@example.nhs.uk", "staff_number": "DUP-1"}
    problem(identity.client.post("/users", json=body, headers=identity.admin()), 409)
    assert len(identity.outbox()) == before


@pytest.mark.parametrize(
    "change,field",
    [
        ({"email": "not-an-email"}, "email"),
        ({"password": "short"}, "password"),
        ({"roles": []}, "roles"),
        ({"roles": ["wizard"]}, "roles.0"),
        ({"trust_id": "not-a-uuid"}, "trust_id"),
        ({"staff_number": ""}, "staff_number"),
        ({"name": None}, "name"),
        ({"surprise": 1}, "surprise"),
    ],
)
def test_bad_user_fields_are_422_naming_the_field(identity, change, field):
    trust = identity.new_trust()
    body = {
        "email": "valid@example.nhs.uk",
        "name": "N",
        "password": "long enough pw",
        "trust_id": trust["id"],
        "roles": ["staff"],
        **change,
    }
    before = len(identity.outbox())
    assert field in problem(identity.client.post("/users", json=body, headers=identity.admin()), 422)["errors"]
    assert len(identity.outbox()) == before


def test_a_user_needs_an_existing_trust_unless_platform_admin(identity):
    body = {"email": "v@example.nhs.uk", "name": "N", "password": "long enough pw", "roles": ["staff"]}
    assert "trust_id" in problem(identity.client.post("/users", json=body, headers=identity.admin()), 422)["errors"]
    body["trust_id"] = str(uuid.uuid4())
    assert "trust_id" in problem(identity.client.post("/users", json=body, headers=identity.admin()), 422)["errors"]


def test_unknown_user_is_404_and_bad_ids_are_not_500(identity):
    problem(identity.client.get(f"/users/{uuid.uuid4()}", headers=identity.admin()), 404)
    problem(identity.client.get("/users/12345", headers=identity.admin()), 404)
    problem(identity.client.get("/users?trust_id=nope", headers=identity.admin()), 422)
    problem(identity.client.get("/users?page=0", headers=identity.admin()), 422)
    problem(identity.client.get("/users?email=a%00b", headers=identity.admin()), 422)


def test_users_can_be_filtered_by_role(identity):
    trust = identity.new_trust()
    supervisor = identity.new_user(trust["id"], roles=["staff", "supervisor"])
    identity.new_user(trust["id"], roles=["staff"])
    found = identity.client.get(f"/users?trust_id={trust['id']}&role=supervisor", headers=identity.admin()).get_json()
    assert [u["id"] for u in found] == [supervisor["id"]]


def test_openapi_names_the_contract_routes(identity):
    spec = identity.client.get("/openapi.json").get_json()
    header = spec["paths"]["/users"]["get"]["responses"]["200"]["headers"]["X-Pagination"]
    assert header["schema"] == {"type": "string"}
    paths = set(spec["paths"])
    assert {
        "/auth/token",
        "/.well-known/jwks.json",
        "/trusts",
        "/trusts/{trust_id}",
        "/users",
        "/users/{user_id}",
        "/users/me",
    } <= paths


def test_administrators_also_give_their_current_password_to_change_it(identity):
    admin_headers = identity.admin()
    me = identity.client.get("/users/me", headers=admin_headers).get_json()
    response = identity.client.patch(
        f"/users/{me['id']}", json={"password": "a stolen token's choice"}, headers=admin_headers
    )
    assert "current_password" in problem(response, 422)["errors"]


def test_users_are_found_by_name_or_staff_number_department_and_password_and_sorted_by_name(identity):
    trust = identity.new_trust()
    admin = identity.new_user(trust["id"], roles=["trust_admin"], name="Zed Admin", staff_number="Z-1")
    ward = identity.new_user(trust["id"], name="Olu O'Brien", staff_number="AB100", department="Ward 10")
    icu = identity.new_user(trust["id"], name="Alex Percent%", staff_number="CD200", department="ICU")
    invited = identity.client.post(
        "/users",
        json={
            "email": "np@example.nhs.uk",
            "name": "bea no-password",
            "trust_id": trust["id"],
            "roles": ["staff"],
            "staff_number": "AB101",
            "department": "ICU",
        },
        headers=admin["headers"],
    ).get_json()

    def found(query):
        response = identity.client.get(f"/users?{query}", headers=admin["headers"])
        assert response.status_code == 200, response.get_json()
        return [u["id"] for u in response.get_json()]

    assert found("q=o%27brien") == [ward["id"]]
    assert found("q=ab1") == [ward["id"], invited["id"]]  # the start of the staff number, any case
    assert found("q=B100") == []  # not the middle of a staff number
    assert found("q=%25") == [icu["id"]]  # a literal %, not a wildcard
    assert found("department=ICU") == [icu["id"], invited["id"]]
    assert found("department=icu") == []
    assert found("password_set=false") == [invited["id"]]
    assert invited["id"] not in found("password_set=true")
    assert found("sort=name") == [icu["id"], invited["id"], ward["id"], admin["id"]]
    assert found("sort=created") == [admin["id"], ward["id"], icu["id"], invited["id"]]
    assert found("") == found("sort=created")
    problem(identity.client.get("/users?sort=email", headers=admin["headers"]), 422)


def test_department_is_changed_like_any_field_and_published(identity):
    trust = identity.new_trust()
    staff = identity.new_user(trust["id"])
    response = identity.client.patch(f"/users/{staff['id']}", json={"department": "Theatres"}, headers=identity.admin())
    assert response.status_code == 200 and response.get_json()["department"] == "Theatres"
    [updated] = identity.outbox("user.updated")
    assert updated["data"]["changed"] == ["department"] and updated["data"]["department"] == "Theatres"
    too_long = identity.client.patch(f"/users/{staff['id']}", json={"department": "x" * 101}, headers=identity.admin())
    assert "department" in problem(too_long, 422)["errors"]
