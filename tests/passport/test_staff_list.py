"""GET /staff without ids: the Trust's people to choose from, by name, found by name or staff number and
filtered by professional group and department (kept from identity's user events); leavers only on request."""

import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from tests.passport.conftest import problem
from tests.support.service_app import Person

NOW = datetime.now(UTC)


def register(
    service,
    name,
    staff_number,
    professional_group="Nursing",
    department="Theatres",
    *,
    trust_id=None,
    with_department=True,
):
    person = service.person("staff", trust_id=trust_id, known=False)
    profile = {
        "user_id": person.id,
        "trust_id": person.trust_id,
        "email": f"{person.id.hex[:10]}@example.nhs.uk",
        "name": name,
        "staff_number": staff_number,
        "professional_group": professional_group,
        "roles": ["staff"],
        "active": True,
        "registered_at": NOW,
    }
    if with_department:
        profile["department"] = department
    service.deliver("user.registered", profile)
    return person


def listed(service, caller, query=""):
    response = service.client.get(f"/staff?{query}", headers=caller.headers)
    assert response.status_code == 200, response.get_json()
    return response


def names(service, caller, query=""):
    return [p["name"] for p in listed(service, caller, query).get_json()]


@pytest.fixture
def ward(service):
    """A lead and a small Trust: two nurses, a support worker, a leaver, and someone of another Trust."""
    people = {
        "ada": register(service, "Ada Okafor", "N004217", "Nursing", "Theatres"),
        "ben": register(service, "Ben Carter", "N009001", "Nursing", "Recovery"),
        "cal": register(service, "Cal Adams", "H100200", "Healthcare support worker", "Theatres"),
        "dee": register(service, "Dee Lowe", "N004999", "Nursing", "Theatres"),
        "sam": register(service, "Sam Elsewhere", "N004000", "Nursing", "Theatres", trust_id=uuid.uuid4()),
    }
    service.deliver(
        "user.deactivated",
        {"user_id": people["dee"].id, "trust_id": people["dee"].trust_id, "deactivated_at": NOW + timedelta(seconds=1)},
    )
    return service.person("lead", known=False), people


def test_the_trusts_people_still_with_it_by_name_with_every_field(service, ward):
    lead, people = ward
    response = listed(service, lead)
    body = response.get_json()
    assert [p["name"] for p in body] == ["Ada Okafor", "Ben Carter", "Cal Adams"]
    assert body[0] == {
        "id": str(people["ada"].id),
        "staff_id": str(people["ada"].id),
        "name": "Ada Okafor",
        "staff_number": "N004217",
        "professional_group": "Nursing",
        "department": "Theatres",
        "active": True,
    }
    assert json.loads(response.headers["X-Pagination"])["total"] == 3


def test_leavers_are_listed_only_when_asked_for_and_named_by_id_always(service, ward):
    lead, people = ward
    leavers = listed(service, lead, "active=false").get_json()
    assert [(p["name"], p["active"]) for p in leavers] == [("Dee Lowe", False)]
    assert names(service, lead, "active=true") == ["Ada Okafor", "Ben Carter", "Cal Adams"]
    # Naming by id is for showing who did what: a leaver keeps their name.
    assert names(service, lead, f"id={people['dee'].id}&id={people['ada'].id}") == ["Ada Okafor", "Dee Lowe"]
    assert names(service, lead, f"id={people['dee'].id}&active=true") == []


@pytest.mark.parametrize(
    "q,expected",
    [
        ("okafor", ["Ada Okafor"]),  # part of the name, any case
        ("A", ["Ada Okafor", "Ben Carter", "Cal Adams"]),
        ("N004", ["Ada Okafor"]),  # the start of the staff number (Dee has left, Sam is elsewhere)
        ("n00", ["Ada Okafor", "Ben Carter"]),
        ("4217", []),  # the middle of a staff number is no match
        ("%", []),  # wildcards are plain characters
        ("_", []),
    ],
)
def test_q_finds_by_part_of_the_name_or_start_of_the_staff_number(service, ward, q, expected):
    lead, _ = ward
    assert names(service, lead, f"q={q.replace('%', '%25')}") == expected


def test_professional_group_and_department_filter_in_any_case_and_together(service, ward):
    lead, _ = ward
    assert names(service, lead, "professional_group=nursing") == ["Ada Okafor", "Ben Carter"]
    assert names(service, lead, "department=THEATRES") == ["Ada Okafor", "Cal Adams"]
    assert names(service, lead, "department=Theatres&professional_group=Nursing") == ["Ada Okafor"]
    assert names(service, lead, "department=Theatres&q=cal") == ["Cal Adams"]
    assert names(service, lead, "department=Cath%20lab") == []


def test_the_department_follows_user_updated_in_the_order_things_happened(service):
    lead = service.person("lead", known=False)
    ada = register(service, "Ada Okafor", "N1", department="Theatres")
    base = {
        "user_id": ada.id,
        "trust_id": ada.trust_id,
        "email": "ada@example.nhs.uk",
        "name": "Ada Okafor",
        "staff_number": "N1",
        "professional_group": "Nursing",
        "roles": ["staff"],
        "active": True,
    }
    service.deliver(
        "user.updated",
        {**base, "department": "Critical care", "changed": ["department"], "updated_at": NOW + timedelta(seconds=1)},
    )
    assert [p["department"] for p in listed(service, lead).get_json()] == ["Critical care"]
    service.deliver(
        "user.updated",
        {
            **base,
            "name": "Ada Okafor-Reid",
            "department": "Critical care",
            "changed": ["name"],
            "updated_at": NOW + timedelta(seconds=2),
        },
    )
    assert [(p["name"], p["department"]) for p in listed(service, lead).get_json()] == [
        ("Ada Okafor-Reid", "Critical care")
    ]
    # An older event arriving late changes nothing.
    service.deliver("user.updated", {**base, "department": "Wards", "changed": ["department"], "updated_at": NOW})
    assert [p["department"] for p in listed(service, lead).get_json()] == ["Critical care"]


def test_someone_registered_without_a_department_is_listed_with_none(service):
    lead = service.person("lead", known=False)
    register(service, "Bea Mensah", "N2", with_department=False)
    assert [(p["name"], p["department"]) for p in listed(service, lead).get_json()] == [("Bea Mensah", None)]


def test_the_list_pages_and_another_trust_sees_only_its_own(service, ward):
    lead, people = ward
    second = listed(service, lead, "page=2&page_size=2")
    assert [p["name"] for p in second.get_json()] == ["Cal Adams"]
    assert json.loads(second.headers["X-Pagination"])["total_pages"] == 2
    theirs = service.person("trust_admin", trust_id=people["sam"].trust_id, known=False)
    assert names(service, theirs) == ["Sam Elsewhere"]
    assert names(service, theirs, f"id={people['ada'].id}") == []
    platform_admin = Person(service.keys, None, ["platform_admin"])
    assert "Sam Elsewhere" in names(service, platform_admin) and "Ada Okafor" in names(service, platform_admin)


@pytest.mark.parametrize(
    "query,field",
    [
        ("active=perhaps", "active"),
        ("q=", "q"),
        (f"q={'x' * 101}", "q"),
        ("department=", "department"),
        ("professional_group=", "professional_group"),
    ],
)
def test_bad_filters_are_422_naming_the_field(service, query, field):
    errors = problem(service.client.get(f"/staff?{query}", headers=service.person("lead").headers), 422)["errors"]
    assert f"query.{field}" in errors, errors


def test_staff_alone_may_not_list_people(service):
    problem(service.client.get("/staff", headers=service.person("staff").headers), 403)
    problem(service.client.get("/staff"), 401)
