"""POST /users/import: a Trust's people from a CSV file, created, updated or unchanged, bad rows by line."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from services.identity.models import User
from tests.support.openapi import assert_matches_documented_response
from tests.support.service_app import problem

HEADER = "staff_number,name,email,professional_group,roles,department"


def send(identity, text: str | bytes, headers, *, trust_id=None, content_type="text/csv"):
    data = text.encode() if isinstance(text, str) else text
    query = {"trust_id": str(trust_id)} if trust_id else None
    return identity.client.post(
        "/users/import", data=data, content_type=content_type, query_string=query, headers=headers
    )


def imported(identity, text, headers, **options) -> dict:
    response = send(identity, text, headers, **options)
    assert response.status_code == 200, response.get_json()
    assert_matches_documented_response(identity.client, "POST", "/users/import", 200, response.get_json())
    return response.get_json()


def csv_of(*lines: str) -> str:
    return "\r\n".join([HEADER, *lines]) + "\r\n"


def people(identity, trust_id) -> dict[str, User]:
    with identity.runtime.database.session() as session:
        return {u.staff_number: u for u in session.scalars(sa.select(User).where(User.trust_id == uuid.UUID(trust_id)))}


@pytest.fixture
def trust(identity):
    return identity.new_trust()


@pytest.fixture
def admin(identity, trust):
    return identity.new_user(trust["id"], roles=["trust_admin"], staff_number="ADMIN-1")


def test_rows_are_created_updated_or_unchanged_and_bad_rows_are_reported_by_line(identity, trust, admin):
    existing = identity.new_user(
        trust["id"],
        staff_number="N0002",
        name="Ada Old",
        email="ada@example.nhs.uk",
        professional_group="Nursing",
        roles=["staff"],
    )
    same = identity.new_user(
        trust["id"],
        staff_number="N0003",
        name="Ben Same",
        email="ben@example.nhs.uk",
        professional_group="Nursing",
        roles=["staff", "supervisor"],
        department="ICU",
    )
    colleague = identity.new_user(trust["id"], staff_number="N0099")
    before = len(identity.outbox())
    text = csv_of(
        "N0001,Cat New,Cat.New@Example.nhs.uk,Nursing,staff;supervisor,Critical care",  # line 2: created
        "N0002,Ada Lovelace,ada@example.nhs.uk,Nursing,,Theatres",  # line 3: updated
        "N0003,Ben Same,ben@example.nhs.uk,Nursing,supervisor;staff,ICU",  # line 4: unchanged
        "N0004,,not-an-email,Nursing,wizard,",  # line 5: rejected
        "N0001,Cat Again,cat2@example.nhs.uk,Nursing,staff,",  # line 6: same staff number
        "N0006,Dan,cat.new@example.nhs.uk,Nursing,staff,",  # line 7: same email
        "N0007,Eve,eve@example.nhs.uk,Nursing,platform_admin,",  # line 8: not theirs
        f"N0008,Fay,{colleague['email']},Nursing,staff,",  # line 9: a colleague's
        "N0009,Gus,gus@example.nhs.uk,Nursing,staff",  # line 10: a value short
        f"ADMIN-1,Me,{admin['email']},Nursing,staff,",  # line 11: own roles
        "N0010," + "x" * 201 + ",long@example.nhs.uk,Nursing,staff," + "d" * 101,  # line 12: too long
    )
    result = imported(identity, text, admin["headers"])

    assert (result["created"], result["updated"], result["unchanged"]) == (1, 1, 1)
    rejected = {r["row"]: r["errors"] for r in result["rejected"]}
    assert sorted(rejected) == [5, 6, 7, 8, 9, 10, 11, 12]
    assert set(rejected[5]) == {"name", "email", "roles"}
    assert rejected[6] == {"staff_number": ["Line 2 has the same staff number."]}
    assert rejected[7] == {"email": ["Line 2 has the same email address."]}
    assert set(rejected[8]) == {"roles"}
    assert rejected[9] == {"email": ["Another person already has this email address."]}
    assert set(rejected[10]) == {"row"}
    assert rejected[11] == {"roles": ["Another administrator must change your own roles."]}
    assert set(rejected[12]) == {"name", "department"}

    found = people(identity, trust["id"])
    cat = found["N0001"]
    assert (cat.name, cat.email, cat.roles, cat.department, cat.password_hash) == (
        "Cat New",
        "cat.new@example.nhs.uk",
        ["staff", "supervisor"],
        "Critical care",
        None,
    )
    ada = found["N0002"]
    assert (ada.name, ada.department, ada.roles) == ("Ada Lovelace", "Theatres", ["staff"])
    assert {"N0004", "N0006", "N0007", "N0008", "N0009", "N0010"}.isdisjoint(found)
    assert found["ADMIN-1"].name == admin["name"]

    staged = identity.outbox()[before:]
    assert [e["type"].split(".")[-3:-1] for e in staged] == [["user", "registered"], ["user", "updated"]]
    registered, updated = staged
    assert registered["data"]["staff_number"] == "N0001" and registered["data"]["department"] == "Critical care"
    assert registered["trustid"] == trust["id"]
    assert updated["subject"] == existing["id"] and updated["data"]["changed"] == ["name", "department"]
    assert same["id"] not in {e["subject"] for e in staged}


def test_the_same_file_again_changes_nothing_and_stages_no_event(identity, trust, admin):
    text = csv_of(*(f"S{n:04d},Person {n},p{n}@example.nhs.uk,AHP,staff,Ward {n % 3}" for n in range(30)))
    first = imported(identity, text, admin["headers"])
    assert (first["created"], first["updated"], first["unchanged"], first["rejected"]) == (30, 0, 0, [])
    outbox = len(identity.outbox())
    with identity.runtime.database.session() as session:
        stamps = dict(session.execute(sa.select(User.id, User.updated_at)).all())

    again = imported(identity, text, admin["headers"])
    assert (again["created"], again["updated"], again["unchanged"], again["rejected"]) == (0, 0, 30, [])
    assert len(identity.outbox()) == outbox
    with identity.runtime.database.session() as session:
        assert dict(session.execute(sa.select(User.id, User.updated_at)).all()) == stamps


def test_a_byte_order_mark_and_blank_lines_are_fine_and_line_numbers_count_every_line(identity, trust, admin):
    text = "\ufeff" + HEADER + "\n\nB1,Bo,bo@example.nhs.uk,,,\n\nB2,,b2@example.nhs.uk,,,\n"
    result = imported(identity, text, admin["headers"])
    assert result["created"] == 1
    assert result["rejected"] == [{"row": 5, "errors": {"name": ["Enter a name."]}}]
    assert people(identity, trust["id"])["B1"].roles == ["staff"]  # no roles given: staff


def test_a_quoted_value_over_two_lines_keeps_the_numbering_of_the_file(identity, trust, admin):
    text = HEADER + '\n"Q1","Quinn\nSecond line",q1@example.nhs.uk,,,\nQ2,,q2@example.nhs.uk,,,\n'
    result = imported(identity, text, admin["headers"])
    assert result["created"] == 1 and [r["row"] for r in result["rejected"]] == [4]


def test_a_platform_admin_names_the_trust_and_may_grant_platform_admin(identity, trust):
    text = csv_of("P1,Pat,pat@example.nhs.uk,,platform_admin;staff,")
    assert "trust_id" in problem(send(identity, text, identity.admin()), 422)["errors"]
    problem(send(identity, text, identity.admin(), trust_id=uuid.uuid4()), 404)
    result = imported(identity, text, identity.admin(), trust_id=trust["id"])
    assert result["created"] == 1
    assert people(identity, trust["id"])["P1"].roles == ["staff", "platform_admin"]


def test_another_trust_is_404_for_a_trust_admin_and_their_own_trust_may_be_named(identity, trust, admin):
    other = identity.new_trust()
    text = csv_of("T1,Tam,tam@example.nhs.uk,,,")
    problem(send(identity, text, admin["headers"], trust_id=other["id"]), 404)
    assert imported(identity, text, admin["headers"], trust_id=trust["id"])["created"] == 1
    assert people(identity, other["id"]) == {}


def test_staff_cannot_import(identity, trust):
    staff = identity.new_user(trust["id"])
    problem(send(identity, csv_of("X1,X,x@example.nhs.uk,,,"), staff["headers"]), 403)


def test_an_email_of_someone_in_another_trust_is_refused(identity, trust, admin):
    stranger = identity.new_user(identity.new_trust()["id"])
    result = imported(identity, csv_of(f"E1,Em,{stranger['email'].upper()},,,"), admin["headers"])
    assert result["rejected"] == [{"row": 2, "errors": {"email": ["Another person already has this email address."]}}]


def test_an_imported_person_cannot_sign_in_before_setting_a_password(identity, trust, admin):
    imported(identity, csv_of("I1,Ivy,ivy@example.nhs.uk,,,"), admin["headers"])
    found = identity.client.get("/users?q=ivy", headers=admin["headers"]).get_json()
    assert [(u["password_set"], u["invited_at"]) for u in found] == [(False, None)]
    for guess in ("", "anything at all"):
        response = identity.client.post("/auth/token", json={"email": "ivy@example.nhs.uk", "password": guess or "x"})
        assert response.status_code == 401


@pytest.mark.parametrize(
    "body,content_type,status,field",
    [
        (b"\xff\xfe" + HEADER.encode("utf-16-le"), "text/csv", 400, None),
        (HEADER.encode() + b'\n"A1,unterminated', "text/csv", 400, None),
        (b"staff_number,name,email\nA1,A,a@example.nhs.uk\n", "text/csv", 422, "file"),
        ((HEADER + ",extra\n").encode(), "text/csv", 422, "file"),
        (b"name,staff_number,email,professional_group,roles,department\n", "text/csv", 422, "file"),
        (b"", "text/csv", 422, "file"),
        (HEADER.encode(), "application/json", 415, None),
        (HEADER.encode(), "text/plain", 415, None),
    ],
)
def test_whole_file_problems_import_nothing(identity, trust, admin, body, content_type, status, field):
    before = len(identity.outbox())
    response = send(identity, body + b"\nZ1,Zed,zed@example.nhs.uk,,,\n", admin["headers"], content_type=content_type)
    body = problem(response, status)
    if field:
        assert list(body["errors"]) == [field]
    assert "Z1" not in people(identity, trust["id"])
    assert len(identity.outbox()) == before


def test_the_header_problem_says_what_the_first_line_must_be(identity, admin):
    body = problem(send(identity, "staff,name\n", admin["headers"]), 422)
    assert body["errors"] == {"file": [f"The first line must be: {HEADER}"]}


def test_more_than_ten_thousand_rows_is_413_and_imports_nothing(sqlite_url):
    from tests.identity.conftest import make_identity

    identity = make_identity(sqlite_url)
    trust = identity.new_trust()
    text = csv_of(*(f"R{n},R,r{n}@example.nhs.uk,,," for n in range(10_001)))
    problem(send(identity, text, identity.admin(), trust_id=trust["id"]), 413)
    assert people(identity, trust["id"]) == {}


def test_a_file_over_five_megabytes_is_413_but_a_big_one_under_it_is_read(sqlite_url):
    from tests.identity.conftest import make_identity

    identity = make_identity(sqlite_url)
    trust = identity.new_trust()
    padding = "x" * 90
    big = csv_of(*(f"R{n},Name {n},r{n}@example.nhs.uk,{padding},staff,{padding}"[:250] for n in range(5000)))
    assert 1024 * 1024 < len(big.encode()) < 5 * 1024 * 1024  # over the default body limit of other routes
    problem(send(identity, big + "#" * (5 * 1024 * 1024), identity.admin(), trust_id=trust["id"]), 413)
    assert people(identity, trust["id"]) == {}
    assert imported(identity, big, identity.admin(), trust_id=trust["id"])["created"] == 5000


def test_a_nul_in_a_value_is_refused(identity, admin):
    problem(send(identity, csv_of("N1,Nul\x00Name,nul@example.nhs.uk,,,"), admin["headers"]), 400)
