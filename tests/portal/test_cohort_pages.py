"""The lead's cohort pages, in process with Flask's test client and the services' answers scripted: where each
person is (a pure presenter over three lists), and assigning a passport to many people in four steps."""

from __future__ import annotations

import json
import re
import time
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from services.portal import presenters
from services.portal.app import create_app
from services.portal.backend import Answer, Call
from services.portal.settings import BACKENDS, PortalSettings
from tests.portal.scripted import CLOSED, FakeBackend

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
TYPES = [
    {"code": "NRSS", "title": "Non-Registered Support Staff", "care_setting": "adult", "skill_count": 44},
    {"code": "RSC", "title": "Registered Support Clinician", "care_setting": "adult", "skill_count": 60},
]


def uid(number: int) -> str:
    return f"00000000-0000-0000-0000-{number:012d}"


def listing(items: list, page_size: int = 100):
    """A paginated list answer, a page at a time as the query asks, with flask-smorest's X-Pagination."""

    def answer(call: Call) -> Answer:
        query = call.query or {}
        page, size = int(query.get("page", 1)), int(query.get("page_size", page_size))
        pages = max(1, -(-len(items) // size))
        chunk = items[(page - 1) * size : page * size]
        return Answer(
            200, chunk, {"X-Pagination": json.dumps({"total": len(items), "total_pages": pages, "page": page})}
        )

    return answer


def portal_with(fake: FakeBackend, roles=("lead",)):
    app = create_app(
        PortalSettings(backend_urls={name: CLOSED for name in BACKENDS}, secret_key=b"k" * 32, api_timeout_seconds=1.0),
        log_to_stdout=False,
    )
    app.extensions["portal"] = fake
    client = app.test_client()
    with client.session_transaction() as session:
        session.update(
            {
                "token": "lead-token",
                "csrf": "known-csrf",
                "user": {
                    "user_id": uid(999),
                    "name": "Rachel Lead",
                    "trust_id": uid(500),
                    "trust_name": "Leeds Teaching Hospitals",
                    "roles": list(roles),
                    "expires_at": time.time() + 3600,
                },
            }
        )
    return client


def passport(number: int, name: str, *, status="in_progress", assessed=0, signed=0, passport_type="NRSS") -> dict:
    return {
        "id": uid(number),
        "staff_id": uid(number + 100),
        "staff_name": name,
        "staff_number": f"N{number:04}",
        "passport_type": passport_type,
        "title": "Non-Registered Support Staff" if passport_type == "NRSS" else "Registered Support Clinician",
        "status": status,
        "progress": {"skills_total": 44, "self_assessed": assessed, "signed_off": signed},
    }


def certificate(passport_number: int, expires: datetime, status="valid") -> dict:
    return {
        "id": uid(passport_number + 200),
        "passport_id": uid(passport_number),
        "status": status,
        "expires_at": expires.isoformat(),
    }


# --- Where each person is: the pure presenter ---------------------------------------------------------


def test_each_status_from_the_strongest_fact():
    later, soon = NOW + timedelta(days=300), NOW + timedelta(days=20)
    rows = presenters.cohort_rows(
        [
            passport(1, "Ada"),
            passport(2, "Ben", assessed=3),
            passport(3, "Cal", assessed=44),
            passport(4, "Dee", status="completed"),
            passport(5, "Eve", status="completed"),
            passport(6, "Fay", status="completed"),
            passport(7, "Gus", status="withdrawn"),
            passport(8, "Hal", status="completed"),
        ],
        [{"passport_id": uid(3)}, {"passport_id": uid(7)}],
        [
            certificate(4, later),
            certificate(5, soon),
            certificate(8, later, status="revoked"),
            certificate(6, NOW - timedelta(days=1)),
        ],  # valid still, but past its date: the expiry job is behind
        NOW,
    )
    assert [(row.name, row.status) for row in rows] == [
        ("Ada", "not_started"),
        ("Ben", "self_assessing"),
        ("Cal", "waiting_for_signoff"),
        ("Dee", "certified"),
        ("Eve", "expiring_soon"),
        ("Fay", "no_certificate"),
        ("Hal", "no_certificate"),
    ]
    details = {row.name: row.detail for row in rows}
    assert details["Ben"] == "3 of 44 skills self-assessed"
    assert details["Dee"] == f"Certified until {presenters.long_date(later)}"
    assert details["Eve"] == f"Certificate expires {presenters.long_date(soon)}"
    assert presenters.cohort_counts(rows) == {
        "not_started": 1,
        "self_assessing": 1,
        "waiting_for_signoff": 1,
        "certified": 1,
        "expiring_soon": 1,
        "no_certificate": 2,
    }


def test_rows_are_by_name_and_a_name_not_known_yet_says_so():
    rows = presenters.cohort_rows([passport(1, "zoe"), passport(2, None), passport(3, "Amir")], [], [], NOW)
    assert [row.name for row in rows] == ["Amir", "Name not known yet", "zoe"]
    counts = presenters.cohort_counts(rows)
    assert counts["not_started"] == 3 and "no_certificate" not in counts


@pytest.mark.parametrize(
    "result,words",
    [
        ({"created": 70, "existing": 3, "rejected": 0}, ["70 passports assigned", "3 people already had one"]),
        (
            {"created": 1, "existing": 1, "rejected": 2},
            ["1 passport assigned", "1 person already had one", "2 people could not be given one"],
        ),
        ({"created": 0, "existing": 0, "rejected": 0}, ["0 passports assigned"]),
    ],
)
def test_an_assignment_in_plain_words(result, words):
    assert presenters.assignment_summary(result) == words


# --- The cohort page ----------------------------------------------------------------------------------


@pytest.fixture
def fake():
    fake = FakeBackend()
    fake.on("passport", "GET", "/passport-types", Answer(200, TYPES))
    return fake


def test_the_cohort_page_counts_each_status_and_lists_people_by_name(fake):
    people = [passport(n, f"Person {n:03}") for n in range(1, 151)]
    people[0] = passport(1, "Ada Okafor", assessed=5)
    fake.on("passport", "GET", "/passports", listing(people))
    fake.on("signoff", "GET", "/signoff-requests", listing([{"passport_id": uid(2)}]))
    fake.on("certificate", "GET", "/certificates", listing([]))
    page = portal_with(fake).get("/cohort")
    assert page.status_code == 200
    text = page.text
    assert re.search(
        r'portal-cohort-counts__number">148</span>\s*<span class="portal-cohort-counts__label">Not started', text
    )
    assert "Ada Okafor" in text and "N0001" in text and "Waiting for sign-off" in text
    assert text.index("Ada Okafor") < text.index("Person 003")
    # Two pages of passports: each list is fetched whole, in one call per page, never once per person.
    assert [c.query.get("page", 1) for c in fake.made("passport", "GET", "/passports")] == [1, 2]
    assert len(fake.made("signoff", "GET", "/signoff-requests")) == 1
    assert fake.made("signoff", "GET", "/signoff-requests")[0].query["status"] == "open"
    assert fake.made("certificate", "GET", "/certificates")[0].query["status"] == "valid"
    assert all(token == "lead-token" for _, token in fake.sent)


def test_the_cohort_filters_by_passport_type_at_the_source_and_by_status_on_the_page(fake):
    fake.on("passport", "GET", "/passports", listing([passport(1, "Ada", assessed=2), passport(2, "Ben")]))
    fake.on("signoff", "GET", "/signoff-requests", listing([]))
    fake.on("certificate", "GET", "/certificates", listing([]))
    page = portal_with(fake).get("/cohort?passport_type=NRSS&status=self_assessing")
    assert "Ada" in page.text and ">Ben<" not in page.text
    assert "1 passport shown of 2" in page.text
    assert fake.made("passport", "GET", "/passports")[0].query["passport_type"] == "NRSS"
    # A status or type there is not is no filter at all.
    page = portal_with(fake).get("/cohort?passport_type=NOPE&status=lost")
    assert ">Ben<" in page.text and fake.made("passport", "GET", "/passports")[-1].query.get("passport_type") is None


@pytest.mark.parametrize("roles", [("staff",), ("supervisor",), ("workforce",)])
def test_the_cohort_is_not_found_for_others(fake, roles):
    client = portal_with(fake, roles=roles)
    for path in ("/cohort", "/cohort/assign", "/cohort/assign/staff?passport_type=NRSS"):
        assert client.get(path).status_code == 404
    assert fake.sent == []


# --- Assigning in bulk ----------------------------------------------------------------------------------


def staff_member(number: int, name: str, group="Registered nurse", department="Theatres") -> dict:
    return {
        "id": uid(number),
        "staff_id": uid(number),
        "name": name,
        "staff_number": f"S{number:04}",
        "professional_group": group,
        "department": department,
        "active": True,
    }


def test_choosing_the_passport_type_first(fake):
    client = portal_with(fake, roles=("educator",))
    page = client.get("/cohort/assign")
    assert page.status_code == 200 and "Which passport do you want to assign?" in page.text
    assert 'action="/cohort/assign/staff"' in page.text and 'method="get"' in page.text
    missing = client.get("/cohort/assign/staff")
    assert missing.status_code == 422 and "Select the passport to assign" in missing.text
    assert 'href="#passport_type"' in missing.text


def test_the_people_to_choose_from_are_found_by_the_filters_and_all_shown_can_be_sent(fake):
    found = [staff_member(n, f"Nurse {n:02}") for n in range(1, 81)]
    fake.on("passport", "GET", "/staff", listing(found))
    page = portal_with(fake).get(
        "/cohort/assign/staff?passport_type=RSC&q=&professional_group=Registered+nurse&department="
    )
    assert page.status_code == 200
    [asked] = fake.made("passport", "GET", "/staff")
    assert asked.query == {"professional_group": "Registered nurse", "page_size": 100}
    assert page.text.count('name="shown"') == 80 and page.text.count('name="staff_ids"') == 80
    assert "Select everyone shown (80) and continue" in page.text
    assert 'name="professional_group" value="Registered nurse"' in page.text  # kept for the next step
    assert "Nurse 01 (S0001)" in page.text and "Registered nurse · Theatres" in page.text


def test_a_search_finding_more_than_can_be_shown_says_so(fake):
    fake.on("passport", "GET", "/staff", listing([staff_member(n, f"P{n:04}") for n in range(1, 451)]))
    page = portal_with(fake).get("/cohort/assign/staff?passport_type=NRSS")
    assert page.text.count('name="shown"') == 300
    assert "The first 300 of 450 people found" in page.text
    assert [c.query.get("page", 1) for c in fake.made("passport", "GET", "/staff")] == [1, 2, 3]


def test_a_bad_filter_is_shown_on_its_field(fake):
    fake.on(
        "passport",
        "GET",
        "/staff",
        Answer(422, {"status": 422, "detail": "Invalid", "errors": {"query.q": ["Longer than maximum length 100."]}}),
    )
    page = portal_with(fake).get("/cohort/assign/staff?passport_type=NRSS&q=" + "x" * 101)
    assert page.status_code == 422 and 'href="#q"' in page.text and "Longer than maximum length 100." in page.text


def test_continuing_with_no_one_ticked_asks_again_keeping_the_search(fake):
    fake.on("passport", "GET", "/staff", listing([staff_member(1, "Ada Okafor")]))
    page = portal_with(fake).post(
        "/cohort/assign/check",
        data={
            "csrf_token": "known-csrf",
            "passport_type": "NRSS",
            "department": "Theatres",
            "choice": "ticked",
            "shown": [uid(1)],
        },
    )
    assert page.status_code == 422 and "Select the people to assign this passport to" in page.text
    assert 'href="#staff_ids"' in page.text
    assert fake.made("passport", "GET", "/staff")[0].query["department"] == "Theatres"


def test_select_all_shown_leads_to_the_check_page_by_name(fake):
    fake.on(
        "passport",
        "GET",
        "/staff",
        lambda call: Answer(200, [staff_member(int(i[-12:]), f"Person {int(i[-12:])}") for i in call.query["id"]]),
    )
    ids = [uid(n) for n in range(1, 131)]
    page = portal_with(fake).post(
        "/cohort/assign/check",
        data={
            "csrf_token": "known-csrf",
            "passport_type": "NRSS",
            "choice": "all",
            "shown": ids,
            "staff_ids": [uid(1)],
        },
    )
    assert page.status_code == 200 and "Check before you assign" in page.text
    assert "130 people" in page.text and "Person 130 (S0130)" in page.text and "Who they are" in page.text
    assert page.text.count('name="staff_ids"') == 130
    # Named in one call per hundred.
    assert [len(c.query["id"]) for c in fake.made("passport", "GET", "/staff")] == [100, 30]
    ticked = portal_with(fake).post(
        "/cohort/assign/check",
        data={
            "csrf_token": "known-csrf",
            "passport_type": "NRSS",
            "choice": "ticked",
            "shown": ids,
            "staff_ids": [uid(3), uid(4), uid(3)],
        },
    )
    assert "2 people" in ticked.text and ticked.text.count('name="staff_ids"') == 2


def test_assigning_sends_one_bulk_request_and_says_what_happened_in_plain_words(fake):
    def bulk(call: Call) -> Answer:
        results = [
            {"staff_id": i, "status": "created", "passport_id": uid(900), "errors": None}
            for i in call.body["staff_ids"][:2]
        ]
        results.append(
            {"staff_id": call.body["staff_ids"][2], "status": "existing", "passport_id": uid(901), "errors": None}
        )
        results.append(
            {
                "staff_id": call.body["staff_ids"][3],
                "status": "rejected",
                "passport_id": None,
                "errors": {"staff_id": ["This person's account is deactivated: they have left the Trust."]},
            }
        )
        return Answer(200, {"created": 2, "existing": 1, "rejected": 1, "results": results})

    fake.on("passport", "POST", "/passports/bulk", bulk)
    fake.on("passport", "GET", "/staff", Answer(200, [staff_member(4, "Dee Lowe")]))
    client = portal_with(fake)
    ids = [uid(n) for n in range(1, 5)]
    page = client.post(
        "/cohort/assign/confirm", data={"csrf_token": "known-csrf", "passport_type": "NRSS", "staff_ids": ids}
    )
    assert page.status_code == 200
    [sent] = fake.made("passport", "POST", "/passports/bulk")
    assert sent.body == {"passport_type": "NRSS", "staff_ids": ids}
    assert "<h1>2 passports assigned</h1>" in page.text
    assert "1 person already had one; 1 person could not be given one." in page.text
    assert "Dee Lowe (S0004)" in page.text and "they have left the Trust" in page.text
    link = re.search(r'href="([^"]*cohort\?[^"]*)"', page.text).group(1)
    assert parse_qs(urlsplit(link.replace("&amp;", "&")).query) == {"passport_type": ["NRSS"]}


def test_assigning_without_the_forms_token_sends_nothing(fake):
    refused = portal_with(fake).post("/cohort/assign/confirm", data={"passport_type": "NRSS", "staff_ids": [uid(1)]})
    assert refused.status_code == 400 and fake.made("passport", "POST", "/passports/bulk") == []
