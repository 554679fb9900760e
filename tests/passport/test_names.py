"""People by name: passports carry their holder's name and staff number, `GET /passports?id=` fetches given
passports, and `GET /staff?id=` names the caller's Trust's people, all in one call."""

import uuid
from contextlib import contextmanager
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from tests.passport.conftest import problem
from tests.support.service_app import Person


def profile(person, name, staff_number) -> dict:
    return {
        "user_id": person.id,
        "trust_id": person.trust_id,
        "email": f"{person.id.hex[:10]}@example.nhs.uk",
        "name": name,
        "staff_number": staff_number,
        "professional_group": "Nursing",
        "roles": person.roles,
        "active": True,
    }


def register(service, person, name, staff_number):
    """Identity's user.registered for someone the service did not know yet."""
    service.deliver("user.registered", {**profile(person, name, staff_number), "registered_at": datetime.now(UTC)})


@contextmanager
def statements(service):
    """The SQL statements the service runs inside the block."""
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    engine = service.runtime.database.engine
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)


def ids_query(ids) -> str:
    return "&".join(f"id={i}" for i in ids)


# --- Holders' names on passports ---------------------------------------------------------------------


def test_holders_name_and_staff_number_are_null_until_known_then_on_list_and_detail(service):
    nurse, lead = service.person("staff", known=False), service.person("lead")
    passport = service.start(nurse)
    assert (passport["staff_name"], passport["staff_number"]) == (None, None)
    [listed] = service.client.get("/passports", headers=lead.headers).get_json()
    assert (listed["staff_name"], listed["staff_number"]) == (None, None)
    detail = service.detail(passport["id"], lead)
    assert (detail["staff_name"], detail["staff_number"]) == (None, None)

    register(service, nurse, "Ada Okafor", "N004217")

    [listed] = service.client.get("/passports", headers=lead.headers).get_json()
    assert (listed["staff_name"], listed["staff_number"]) == ("Ada Okafor", "N004217")
    detail = service.detail(passport["id"], lead)
    assert (detail["staff_name"], detail["staff_number"]) == ("Ada Okafor", "N004217")
    assert detail["domains"] and detail["progress"]["skills_total"] > 0  # the rendered body is whole still
    own = service.detail(passport["id"], nurse)
    assert own["staff_name"] == "Ada Okafor"


def test_each_passport_carries_its_own_holders_name_and_a_rename_follows(service):
    lead = service.person("lead")
    nurses = [service.person("staff", known=False) for _ in range(3)]
    for index, nurse in enumerate(nurses):
        register(service, nurse, f"Nurse {index}", f"N{index:03}")
        service.start(nurse)
    service.deliver(
        "user.updated",
        {**profile(nurses[1], "Nurse One Renamed", "N001"), "changed": ["name"], "updated_at": datetime.now(UTC)},
    )
    listed = service.client.get("/passports", headers=lead.headers).get_json()
    by_holder = {p["staff_id"]: (p["staff_name"], p["staff_number"]) for p in listed}
    assert by_holder == {
        str(nurses[0].id): ("Nurse 0", "N000"),
        str(nurses[1].id): ("Nurse One Renamed", "N001"),
        str(nurses[2].id): ("Nurse 2", "N002"),
    }


def test_a_passport_assigned_patched_or_withdrawn_answers_with_the_holders_name(service):
    nurse, educator = service.person("staff", known=False), service.person("educator")
    register(service, nurse, "Bea Mensah", "N777")
    passport = service.start(educator, staff_id=str(nurse.id))
    assert (passport["staff_name"], passport["staff_number"]) == ("Bea Mensah", "N777")
    patched = service.client.patch(f"/passports/{passport['id']}", json={"retrospective": True}, headers=nurse.headers)
    assert patched.get_json()["staff_name"] == "Bea Mensah"
    withdrawn = service.client.post(f"/passports/{passport['id']}/withdraw", json={}, headers=nurse.headers)
    assert withdrawn.get_json()["staff_number"] == "N777"


def test_a_page_of_passports_looks_its_holders_up_in_one_query(service):
    lead = service.person("lead")
    for _ in range(4):
        service.start(service.person("staff"))
    with statements(service) as seen:
        listed = service.client.get("/passports", headers=lead.headers).get_json()
    assert len(listed) == 4 and all(p["staff_name"] == "Pat Example" for p in listed)
    staff_reads = [s for s in seen if "FROM staff" in s]
    assert len(staff_reads) == 1, staff_reads


# --- GET /passports?id= ------------------------------------------------------------------------------


def test_the_id_filter_returns_exactly_the_passports_asked_for(service):
    lead = service.person("lead")
    passports = [service.start(service.person("staff")) for _ in range(4)]
    asked = [passports[0]["id"], passports[2]["id"]]
    response = service.client.get(f"/passports?{ids_query(asked + [uuid.uuid4()])}", headers=lead.headers)
    assert response.status_code == 200
    assert sorted(p["id"] for p in response.get_json()) == sorted(asked)
    assert '"total": 2' in response.headers["X-Pagination"]
    # With the other filters, and a repeated id only once.
    again = service.client.get(f"/passports?{ids_query([asked[0], asked[0]])}&status=in_progress", headers=lead.headers)
    assert [p["id"] for p in again.get_json()] == [asked[0]]
    assert service.client.get(f"/passports?{ids_query(asked)}&status=completed", headers=lead.headers).get_json() == []


def test_the_id_filter_never_reaches_past_the_callers_scope(service):
    nurse, colleague = service.person("staff"), service.person("staff")
    own, theirs = service.start(nurse), service.start(colleague)
    elsewhere_admin = service.person("trust_admin", trust_id=uuid.uuid4())
    elsewhere = service.start(service.person("staff", trust_id=elsewhere_admin.trust_id))
    asked = ids_query([own["id"], theirs["id"], elsewhere["id"]])

    lead = service.person("lead")
    assert sorted(
        p["id"] for p in service.client.get(f"/passports?{asked}", headers=lead.headers).get_json()
    ) == sorted([own["id"], theirs["id"]])
    # Staff see their own passports only, whichever ids they ask for.
    assert [p["id"] for p in service.client.get(f"/passports?{asked}", headers=nurse.headers).get_json()] == [own["id"]]
    # Another Trust's admin gets their own Trust's passport only.
    assert [p["id"] for p in service.client.get(f"/passports?{asked}", headers=elsewhere_admin.headers).get_json()] == [
        elsewhere["id"]
    ]


@pytest.mark.parametrize("query", ["id=not-a-uuid", "id=", lambda: ids_query(uuid.uuid4() for _ in range(101))])
def test_a_bad_id_filter_is_422(service, query):
    query = query() if callable(query) else query
    assert "query.id" in str(
        problem(service.client.get(f"/passports?{query}", headers=service.person("lead").headers), 422)["errors"]
    )


def test_a_hundred_ids_are_allowed(service):
    lead = service.person("lead")
    passport = service.start(service.person("staff"))
    asked = [passport["id"], *(uuid.uuid4() for _ in range(99))]
    assert [p["id"] for p in service.client.get(f"/passports?{ids_query(asked)}", headers=lead.headers).get_json()] == [
        passport["id"]
    ]


# --- GET /staff --------------------------------------------------------------------------------------


def test_staff_names_the_callers_trusts_people_and_leaves_out_the_rest(service):
    lead = service.person("lead")
    ada, ben = service.person("staff", known=False), service.person("staff", known=False)
    register(service, ada, "Ada Okafor", "N001")
    register(service, ben, "Ben Carter", None)
    stranger = service.person("staff", trust_id=uuid.uuid4(), known=False)
    register(service, stranger, "Sam Elsewhere", "X999")
    unheard_of = service.person("staff", known=False)

    response = service.client.get(
        f"/staff?{ids_query([ben.id, stranger.id, ada.id, unheard_of.id])}", headers=lead.headers
    )
    assert response.status_code == 200
    assert [(p["id"], p["staff_id"], p["name"], p["staff_number"]) for p in response.get_json()] == [
        (str(ada.id), str(ada.id), "Ada Okafor", "N001"),
        (str(ben.id), str(ben.id), "Ben Carter", None),
    ]
    assert '"total": 2' in response.headers["X-Pagination"]
    # Another Trust's admin learns nothing of these people; a platform admin names anyone.
    other_admin = service.person("trust_admin", trust_id=stranger.trust_id)
    theirs = service.client.get(f"/staff?{ids_query([ada.id, ben.id, stranger.id])}", headers=other_admin.headers)
    assert [(p["id"], p["name"], p["staff_number"]) for p in theirs.get_json()] == [
        (str(stranger.id), "Sam Elsewhere", "X999")
    ]
    platform_admin = Person(service.keys, None, ["platform_admin"])
    named = service.client.get(f"/staff?{ids_query([ada.id, stranger.id])}", headers=platform_admin.headers).get_json()
    assert sorted(p["name"] for p in named) == ["Ada Okafor", "Sam Elsewhere"]


@pytest.mark.parametrize("role", ["supervisor", "educator", "lead", "workforce", "trust_admin"])
def test_the_trusts_readers_may_name_people(service, role):
    nurse = service.person("staff")
    response = service.client.get(f"/staff?id={nurse.id}", headers=service.person(role).headers)
    assert response.status_code == 200 and [p["id"] for p in response.get_json()] == [str(nurse.id)]


def test_staff_alone_may_not_name_people_and_a_token_is_needed(service):
    nurse = service.person("staff")
    problem(service.client.get(f"/staff?id={nurse.id}", headers=nurse.headers), 403)
    problem(service.client.get(f"/staff?id={nurse.id}"), 401)


@pytest.mark.parametrize("query", ["id=not-a-uuid", "id=", lambda: ids_query(uuid.uuid4() for _ in range(101))])
def test_a_malformed_id_or_too_many_is_422(service, query):
    query = query() if callable(query) else query
    errors = problem(service.client.get(f"/staff?{query}", headers=service.person("lead").headers), 422)["errors"]
    assert "query.id" in str(errors)


def test_staff_pages_and_takes_every_id_asked_for_on_one_page_by_default(service):
    lead = service.person("lead")
    people = [service.person("staff") for _ in range(12)]
    everyone = service.client.get(f"/staff?{ids_query(p.id for p in people)}", headers=lead.headers)
    assert len(everyone.get_json()) == 12
    second = service.client.get(f"/staff?{ids_query(p.id for p in people)}&page=2&page_size=5", headers=lead.headers)
    assert len(second.get_json()) == 5 and '"total": 12' in second.headers["X-Pagination"]
    assert {p["id"] for p in everyone.get_json()} == {str(p.id) for p in people}
