"""Identity's pure rules: passwords, links, emails, SMTP settings and the import file and plan."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from services.identity import domain
from services.identity.components import COMMON_PASSWORDS
from shared.domain import Caller, DomainError, Invalid

COMMON = frozenset({"password123", "qwertyuiop"})
HEADER = "staff_number,name,email,professional_group,roles,department"


# --- Passwords --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "password,problem",
    [
        ("correct horse battery staple", None),
        ("aaaaaaaaaa", None),  # no composition rules
        ("short", "Use at least 10 characters."),
        ("x" * 257, "Use at most 256 characters."),
        ("Password123", domain.TOO_COMMON),
        ("QWERTYUIOP", domain.TOO_COMMON),
        ("Sam@Example.nhs.uk", domain.SAME_AS_EMAIL),
    ],
)
def test_password_rules(password, problem):
    assert domain.password_problem(password, email="sam@example.nhs.uk", common=COMMON) == problem


def test_the_stored_list_names_its_source_and_holds_twenty_thousand_lower_case_passwords():
    with COMMON_PASSWORDS.open(encoding="utf-8") as lines:
        first = lines.readline()
        common = domain.read_common_passwords([first, *lines])
    assert first.startswith("#") and "zxcvbn" in first and "MIT" in first
    assert len(common) == 20_000
    assert {"password", "password123", "manchester"} <= common
    assert all(entry == entry.lower() for entry in common)


# --- Links and emails -------------------------------------------------------------------------------

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def test_a_link_is_usable_until_used_or_expired():
    assert domain.link_problem(used_at=None, expires_at=NOW + timedelta(seconds=1), now=NOW) is None
    assert domain.link_problem(used_at=None, expires_at=NOW, now=NOW) == domain.LINK_EXPIRED
    assert domain.link_problem(used_at=NOW, expires_at=NOW + timedelta(days=1), now=NOW) == domain.LINK_USED


def test_links_point_at_the_portal_and_only_a_hash_is_kept():
    settings = domain.LinkSettings(public_base_url="https://p.example/")
    assert settings.url("abc") == "https://p.example/set-password/abc"
    assert settings.ttl(domain.INVITATION) == timedelta(days=7)
    assert settings.ttl(domain.PASSWORD_RESET) == timedelta(hours=1)
    assert domain.token_hash("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


def test_the_invitation_email_says_who_invites_where_to_go_and_until_when():
    subject, body = domain.invitation_email(
        trust_name="Leeds Teaching Hospitals",
        link="https://p/set-password/t",
        expires_at=datetime(2026, 12, 8, 14, 5, tzinfo=UTC),
    )
    assert subject == "You have been invited to Skills Passports"
    assert "You have been invited to Skills Passports by Leeds Teaching Hospitals." in body
    assert "Set your password: https://p/set-password/t" in body
    assert "The link works once and expires on 8 December 2026 at 2:05pm." in body


def test_dates_are_in_uk_time():
    assert domain.when(datetime(2026, 7, 1, 23, 30, tzinfo=UTC)) == "2 July 2026 at 12:30am"


def test_failed_emails_are_retried_later_and_later_but_at_least_hourly():
    delays = [domain.email_retry_delay(n) for n in range(1, 12)]
    assert delays[0] == timedelta(seconds=30) and delays == sorted(delays) and delays[-1] == timedelta(hours=1)


@pytest.mark.parametrize(
    "url,expected",
    [
        ("smtp://mail.example:2525", domain.SmtpSettings("mail.example", 2525)),
        ("smtp://mail.example", domain.SmtpSettings("mail.example", 25)),
        (
            "smtp+starttls://me%40x.org:p%2Fss@mail.example:587",
            domain.SmtpSettings("mail.example", 587, starttls=True, username="me@x.org", password="p/ss"),
        ),
    ],
)
def test_smtp_urls(url, expected):
    assert domain.parse_smtp_url(url) == expected


@pytest.mark.parametrize("url", ["http://mail.example", "smtp://", "smtp://host:port"])
def test_bad_smtp_urls_are_refused(url):
    with pytest.raises(ValueError):
        domain.parse_smtp_url(url)


# --- The import file --------------------------------------------------------------------------------


def test_the_file_is_read_with_line_numbers_and_a_bom():
    rows = domain.read_import_file(("\ufeff" + HEADER + "\r\nA,B,c@d.e,,,\r\n\r\nX,Y\r\n").encode())
    cells = dict(zip(domain.IMPORT_COLUMNS, ["A", "B", "c@d.e", "", "", ""], strict=True))
    assert rows[0] == domain.RawRow(2, cells=cells)
    assert rows[1].line == 4 and rows[1].cells is None and "2 values" in rows[1].problem


@pytest.mark.parametrize(
    "data,error",
    [
        (b"\xff" + HEADER.encode(), DomainError),
        ((HEADER + '\n"open').encode(), DomainError),
        (b"", Invalid),
        (b"name,email\n", Invalid),
        (HEADER.encode() + b"\n" + b"a,b,c,d,e,f\n" * 10_001, domain.TooLarge),
    ],
)
def test_whole_file_problems(data, error):
    with pytest.raises(error):
        domain.read_import_file(data)


ADMIN = Caller(uuid.uuid4(), uuid.uuid4(), frozenset({"trust_admin"}))


def row(line, staff_number, email, roles=("staff",), **errors):
    values = {
        "staff_number": staff_number,
        "name": "N",
        "email": email,
        "professional_group": None,
        "roles": list(roles),
        "department": None,
    }
    return domain.ImportRow(line, values, {k: [v] for k, v in errors.items()})


def test_the_plan_matches_by_staff_number_and_rejects_what_breaks_a_rule():
    known = domain.KnownPerson(uuid.uuid4(), ("staff",))
    me = domain.KnownPerson(ADMIN.user_id, ("trust_admin",))
    outsider = uuid.uuid4()
    plan = domain.plan_import(
        [
            row(2, "A", "a@x"),
            row(3, "K", "k@x"),
            row(4, "A", "z@x"),
            row(5, "B", "a@x"),
            row(6, "C", "c@x", roles=["platform_admin"]),
            row(7, "D", "out@x"),
            row(8, "ME", "me@x", roles=["staff"]),
            row(9, "E", "e@x", name="Enter a name."),
            row(10, "K2", "k@x"),
        ],
        caller=ADMIN,
        by_staff_number={"K": known, "ME": me},
        email_owners={"k@x": known.id, "out@x": outsider, "me@x": me.id},
    )
    assert [r.line for r in plan.creates] == [2]
    assert [(r.line, user_id) for r, user_id in plan.matches] == [(3, known.id)]
    rejected = {r.line: r.errors for r in plan.rejected}
    assert rejected == {
        4: {"staff_number": ["Line 2 has the same staff number."]},
        5: {"email": ["Line 2 has the same email address."]},
        6: {"roles": ["Only a platform admin may grant the platform_admin role."]},
        7: {"email": ["Another person already has this email address."]},
        8: {"roles": ["Another administrator must change your own roles."]},
        9: {"name": ["Enter a name."]},
        10: {"email": ["Line 3 has the same email address."]},
    }


def test_only_the_imported_fields_count_as_changes():
    current = {"name": "A", "email": "a@x", "professional_group": None, "roles": ["staff"], "department": "ICU"}
    assert domain.changed_fields(current, {**current}) == []
    assert domain.changed_fields(current, {**current, "department": None, "name": "B"}) == ["name", "department"]
