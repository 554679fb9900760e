"""How the services' data reads to a person: pure rules, no Flask."""

from __future__ import annotations

from datetime import UTC, date, datetime

from services.portal import presenters
from services.portal.presenters import FieldError


def decision(code, outcome, at, revoked=False, id_="x"):
    return {
        "id": f"{code}-{at}-{id_}",
        "skill_code": code,
        "outcome": outcome,
        "decided_at": at,
        "action_plan": "practise" if outcome == "not_yet" else None,
        "revocation": {"reason": "unsafe", "revoked_at": at} if revoked else None,
    }


def test_dates_read_as_day_month_year_in_uk_time():
    assert presenters.long_date("2026-11-28") == "28 November 2026"
    assert presenters.long_date(date(2026, 3, 1)) == "1 March 2026"
    # 23:30 UTC on 30 June is already 1 July in London (summer time)
    assert presenters.long_date("2026-06-30T23:30:00+00:00") == "1 July 2026"
    assert presenters.long_date(None) == ""


def test_time_ago_in_words():
    now = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    assert presenters.time_ago("2026-12-01T11:59:30+00:00", now) == "just now"
    assert presenters.time_ago("2026-12-01T11:59:00+00:00", now) == "1 minute ago"
    assert presenters.time_ago("2026-12-01T09:00:00Z", now) == "3 hours ago"
    assert presenters.time_ago("2026-11-28T12:00:00+00:00", now) == "3 days ago"


def test_a_decision_beats_a_self_assessment_and_a_revocation_shows_until_a_new_decision():
    assessed = {"self_assessment": {"level": "supervised"}}
    assert presenters.skill_status({}, None, False).text == "Not started"
    assert presenters.skill_status(assessed, None, False).text == "Self-assessed: I can do this with supervision"
    assert presenters.skill_status(assessed, decision("A", "proficient", "1"), False).text == "Signed off"
    assert presenters.skill_status(assessed, decision("A", "not_yet", "1"), False).colour == "orange"
    assert presenters.skill_status(assessed, None, True).text == "Sign-off revoked"
    assert presenters.skill_status(assessed, decision("A", "proficient", "3"), True).text == "Signed off"


def test_the_standing_decision_is_the_newest_not_revoked():
    decisions = [
        decision("A", "not_yet", "2026-01-01T00:00:00Z"),
        decision("A", "proficient", "2026-01-02T00:00:00Z"),
        decision("B", "proficient", "2026-01-01T00:00:00Z"),
        decision("B", "proficient", "2026-01-03T00:00:00Z", revoked=True),
    ]
    standing = presenters.standing_decisions(decisions)
    assert standing["A"]["outcome"] == "proficient"
    assert standing["B"]["decided_at"] == "2026-01-01T00:00:00Z"  # the revoked newer one does not stand


def test_passport_rows_count_what_is_signed_off_and_what_awaits_a_decision():
    passport = {
        "domains": [
            {
                "code": "D",
                "title": "Domain",
                "skills": [
                    {"code": "A", "title": "a", "self_assessment": {"level": "independent"}},
                    {"code": "B", "title": "b", "self_assessment": {"level": "independent"}},
                    {"code": "C", "title": "c", "self_assessment": None},
                ],
            }
        ]
    }
    rows = presenters.passport_rows(passport, [decision("A", "proficient", "2026-01-01T00:00:00Z")])
    skills = rows[0].skills
    assert presenters.signed_off_count(rows) == 1
    assert [s.awaits_decision for s in skills] == [False, True, False]
    assert skills[0].status.text == "Signed off" and skills[2].status.text == "Not started"


def test_api_field_errors_become_the_forms_own_with_plain_words():
    errors = presenters.field_errors(
        {"signoffs.3.comment": ["Must not be blank."], "level": ["Must be one of: …"]},
        {"comment": "comment", "level": "level"},
        {"level": "Select one of the four levels"},
    )
    assert errors == [FieldError("comment", "Must not be blank."), FieldError("level", "Select one of the four levels")]
    assert presenters.field_errors({}, {}, {}, "Passport is withdrawn.") == [FieldError("", "Passport is withdrawn.")]


def test_people_by_name_with_their_staff_number():
    assert presenters.person("Amara Okafor", "N123") == "Amara Okafor (N123)"
    assert presenters.person(None) == "Name not known yet"
