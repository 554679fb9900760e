"""Entering the values of a measure bound to no metric, in process with the metrics service's answers
scripted: the values so far, a value saved for a period (and the API's refusals shown against the fields, what
was typed kept), one changed, one removed; another Trust's measure, or one computed from the passports' data,
is not found."""

from __future__ import annotations

import re

import pytest

from services.portal import presenters
from services.portal.backend import Answer, Call
from tests.portal.scripted import FakeBackend
from tests.portal.test_cohort_pages import TYPES, portal_with, uid
from tests.portal.test_dashboard_pages import COMPLETED, FALLS
from tests.portal.test_plan_pages import error_links

FALLS_ID = FALLS["measure_id"]
VALUES = f"/dashboard/measures/{FALLS_ID}/values"
API_VALUES = f"/measures/{FALLS_ID}/values"
CSRF = {"csrf_token": "known-csrf"}
ENTERED = [
    {
        "period_start": "2026-11-16",
        "period_end": "2026-11-22",
        "value": 5.0,
        "note": None,
        "entered_at": "2026-11-23T08:00:00+00:00",
    },
    {
        "period_start": "2026-11-23",
        "period_end": "2026-11-29",
        "value": 4.0,
        "note": "Ward 3 closed on Friday",
        "entered_at": "2026-11-30T08:00:00+00:00",
    },
]


def series_of(measure: dict) -> dict:
    """The parts of a measure's series answer the pages read."""
    return {key: measure[key] for key in ("measure_id", "name", "frequency", "form", "metric", "target")}


def saved_as_sent(call: Call) -> Answer:
    period_start = call.path.rsplit("/", 1)[1]
    return Answer(
        200,
        {"measure_id": FALLS_ID, "period_start": period_start, **call.body, "entered_at": "2026-11-30T10:00:00+00:00"},
    )


@pytest.fixture
def fake():
    fake = FakeBackend()
    fake.on("passport", "GET", "/passport-types", Answer(200, TYPES))
    fake.on("metrics", "GET", f"/measures/{FALLS_ID}/series", Answer(200, series_of(FALLS)))
    fake.on("metrics", "GET", API_VALUES, Answer(200, ENTERED))
    for period_start in ("2026-11-23", "2026-11-30"):
        fake.on("metrics", "PUT", f"{API_VALUES}/{period_start}", saved_as_sent)
    fake.on("metrics", "DELETE", f"{API_VALUES}/2026-11-23", Answer(204, None))
    return fake


def new_value(day="30", month="11", year="2026", value="7", note="") -> dict:
    return {
        **CSRF,
        "period_start[day]": day,
        "period_start[month]": month,
        "period_start[year]": year,
        "value": value,
        "note": note,
    }


def table_rows(html: str) -> list[list[str]]:
    body = re.search(r'<tbody class="nhsuk-table__body">(.*?)</tbody>', html, re.DOTALL).group(1)
    rows = []
    for row in re.findall(r'<tr class="nhsuk-table__row">(.*?)</tr>', body, re.DOTALL):
        row = re.sub(r'<span class="nhsuk-table-responsive__heading" aria-hidden="true">.*?</span>', "", row)
        row = re.sub(r'<span class="nhsuk-u-visually-hidden">.*?</span>', "", row)
        row = re.sub(r"<input[^>]*>", "", row)
        rows.append(
            [
                re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", cell)).strip()
                for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.DOTALL)
            ]
        )
    return rows


def banner(html: str) -> str:
    found = re.search(
        r"nhsuk-notification-banner--success.*?"
        r'<p class="nhsuk-notification-banner__heading">\s*(.*?)\s*</p>',
        html,
        re.DOTALL,
    )
    return found.group(1) if found else ""


# --- The values so far --------------------------------------------------------------------------------


def test_the_values_so_far_newest_first_each_with_a_change_link_and_a_remove_button(fake):
    page = portal_with(fake, roles=("workforce",)).get(VALUES)
    assert page.status_code == 200
    text = page.text
    assert "<h1>Falls on the ward</h1>" in text and "Week starting</th>" in text
    assert table_rows(text) == [
        ["23 November 2026", "4", "Ward 3 closed on Friday", "Change Remove"],
        ["16 November 2026", "5", "–", "Change Remove"],
    ]
    assert text.index("Add a value") < text.index("Values entered so far")  # the form first, on a phone too
    assert (
        f'href="{VALUES}/2026-11-23">Change<span class="nhsuk-u-visually-hidden"> the value for the week '
        "starting 23 November 2026</span>"
    ) in text
    remove = re.search(
        r'<form method="post" novalidate class="portal-value-actions__form"\s*'
        rf'action="{VALUES}/2026-11-16/remove">(.*?)</form>',
        text,
        re.DOTALL,
    ).group(1)
    assert 'name="csrf_token" value="known-csrf"' in remove and "Remove" in remove
    # The form to add one: the week's Monday as a date, the value, a note.
    assert "Which week is the value for?" in text and "The Monday the week starts on, for example 23 11 2026" in text
    for name in ("period_start[day]", "period_start[month]", "period_start[year]", "value", "note"):
        assert f'name="{name}"' in text, name
    assert "Save value" in text
    [asked] = fake.made("metrics", "GET", API_VALUES)
    assert fake.sent[-1][1] == "lead-token" and asked.query is None


def test_without_values_the_page_says_so_and_still_offers_the_form(fake):
    fake.on("metrics", "GET", API_VALUES, Answer(200, []))
    text = portal_with(fake).get(VALUES).text
    assert "No value entered yet." in text and 'name="value"' in text and "nhsuk-table__body" not in text


# --- Saving a value -----------------------------------------------------------------------------------


def test_a_value_is_saved_for_its_week_and_the_list_says_which_week(fake):
    client = portal_with(fake)
    saved = client.post(VALUES, data=new_value(value="7", note="  Two near misses  "))
    assert saved.status_code == 302 and saved.headers["Location"] == VALUES
    [put] = fake.made("metrics", "PUT", f"{API_VALUES}/2026-11-30")
    assert put.body == {"value": 7.0, "note": "Two near misses"}
    assert banner(client.get(VALUES).text) == "The value for the week starting 30 November 2026 is saved."


def test_a_value_for_a_week_that_has_one_takes_its_place_and_says_so(fake):
    client = portal_with(fake)
    assert client.post(VALUES, data=new_value(day="23", value="3.5")).status_code == 302
    assert fake.made("metrics", "PUT", f"{API_VALUES}/2026-11-23")[0].body == {"value": 3.5, "note": None}
    assert banner(client.get(VALUES).text) == (
        "The value for the week starting 23 November 2026 is saved, in place of the one entered before."
    )


def test_the_services_refusals_are_shown_against_their_fields_and_what_was_typed_is_kept(fake):
    fake.on(
        "metrics",
        "PUT",
        f"{API_VALUES}/2026-11-25",
        Answer(
            422,
            {
                "title": "Unprocessable Entity",
                "status": 422,
                "errors": {
                    "period_start": ["This measure is weekly: give the first day of the period (a Monday)."],
                    "value": ["Not a valid number."],
                },
            },
        ),
    )
    refused = portal_with(fake).post(VALUES, data=new_value(day="25", value="lots", note="Typed with care"))
    assert refused.status_code == 422
    assert error_links(refused.text) == {
        "period_start-day": "This measure is weekly: give the first day of the period (a Monday).",
        "value": "Enter the value as a number, for example 12",
    }
    [sent] = fake.made("metrics", "PUT", f"{API_VALUES}/2026-11-25")
    assert sent.body == {"value": "lots", "note": "Typed with care"}  # as typed: the service says what is wrong
    text = refused.text
    assert "<title>Error: " in text
    assert re.search(r'id="period_start-day"[^>]*value="25"|value="25"[^>]*id="period_start-day"', text)
    assert 'value="lots"' in text and "Typed with care</textarea>" in text
    assert 'id="value-error"' in text and 'id="period_start-error"' in text
    assert table_rows(text)[0][0] == "23 November 2026"  # the list is still there


def test_a_note_too_long_is_said_in_plain_words(fake):
    fake.on(
        "metrics",
        "PUT",
        f"{API_VALUES}/2026-11-30",
        Answer(422, {"status": 422, "errors": {"note": ["Longer than maximum length 500."]}}),
    )
    refused = portal_with(fake).post(VALUES, data=new_value(note="x" * 501))
    assert error_links(refused.text) == {"note": "Enter a note of 500 characters or fewer"}


@pytest.mark.parametrize("day,month,year", [("31", "2", "2026"), ("", "", ""), ("1", "thirteen", "2026")])
def test_a_date_that_is_not_a_real_day_is_refused_before_asking_the_service(fake, day, month, year):
    refused = portal_with(fake).post(VALUES, data=new_value(day=day, month=month, year=year))
    assert refused.status_code == 422
    assert error_links(refused.text) == {
        "period_start-day": "Enter the Monday the week starts on, for example 23 11 2026"
    }
    assert not [call for call, _ in fake.sent if call.method == "PUT"]
    if month:
        assert f'value="{month}"' in refused.text  # what was typed is kept


def test_a_form_without_its_csrf_token_saves_nothing(fake):
    refused = portal_with(fake).post(VALUES, data={**new_value(), "csrf_token": "forged"})
    assert refused.status_code == 400
    assert not [call for call, _ in fake.sent if call.method == "PUT"]


# --- Changing and removing one ------------------------------------------------------------------------


def test_a_value_is_changed_on_a_page_of_its_own(fake):
    client = portal_with(fake)
    form = client.get(f"{VALUES}/2026-11-23")
    assert form.status_code == 200
    assert "<h1>Change the value for the week starting 23 November 2026</h1>" in form.text
    assert 'value="4"' in form.text and "Ward 3 closed on Friday</textarea>" in form.text
    fake.on(
        "metrics",
        "PUT",
        f"{API_VALUES}/2026-11-23",
        Answer(422, {"status": 422, "errors": {"value": ["Field may not be null."]}}),
    )
    refused = client.post(f"{VALUES}/2026-11-23", data={**CSRF, "value": "", "note": "Ward 3 closed on Friday"})
    assert refused.status_code == 422
    assert error_links(refused.text) == {"value": "Enter the value as a number, for example 12"}
    assert fake.made("metrics", "PUT", f"{API_VALUES}/2026-11-23")[-1].body == {
        "value": None,
        "note": "Ward 3 closed on Friday",
    }
    fake.on("metrics", "PUT", f"{API_VALUES}/2026-11-23", saved_as_sent)
    saved = client.post(f"{VALUES}/2026-11-23", data={**CSRF, "value": "6", "note": ""})
    assert saved.status_code == 302 and saved.headers["Location"] == VALUES
    assert fake.made("metrics", "PUT", f"{API_VALUES}/2026-11-23")[-1].body == {"value": 6.0, "note": None}
    assert banner(client.get(VALUES).text) == "The value for the week starting 23 November 2026 is saved."


@pytest.mark.parametrize("period_start", ["2026-11-30", "2026-02-31", "last-week"])
def test_a_period_with_no_value_or_no_such_day_has_no_change_page(fake, period_start):
    client = portal_with(fake)
    assert client.get(f"{VALUES}/{period_start}").status_code == 404
    assert client.post(f"{VALUES}/{period_start}", data={**CSRF, "value": "1"}).status_code == 404
    assert not [call for call, _ in fake.sent if call.method == "PUT"]


def test_removing_a_value_asks_nothing_more_and_says_what_was_removed(fake):
    client = portal_with(fake)
    removed = client.post(f"{VALUES}/2026-11-23/remove", data=CSRF)
    assert removed.status_code == 302 and removed.headers["Location"] == VALUES
    assert len(fake.made("metrics", "DELETE", f"{API_VALUES}/2026-11-23")) == 1
    assert banner(client.get(VALUES).text) == "The value for the week starting 23 November 2026 is removed: it was 4."


# --- Whose measures ----------------------------------------------------------------------------------


def test_another_trusts_measure_is_not_found_and_nothing_is_saved_for_it(fake):
    other = f"/dashboard/measures/{uid(799)}/values"  # not on this Trust's dashboard; the API answers 404
    client = portal_with(fake)
    page = client.get(other)
    assert page.status_code == 404 and "Page not found" in page.text
    assert client.post(other, data=new_value()).status_code == 404
    assert client.post(f"{other}/2026-11-23/remove", data=CSRF).status_code == 404
    assert not [call for call, _ in fake.sent if call.method in ("PUT", "DELETE")]


def test_a_measure_computed_from_the_passports_data_takes_no_values_by_hand(fake):
    fake.on("metrics", "GET", f"/measures/{COMPLETED['measure_id']}/series", Answer(200, series_of(COMPLETED)))
    fake.on("metrics", "GET", f"/measures/{COMPLETED['measure_id']}/values", Answer(200, []))
    client = portal_with(fake)
    computed = f"/dashboard/measures/{COMPLETED['measure_id']}/values"
    assert client.get(computed).status_code == 404
    assert client.post(computed, data=new_value()).status_code == 404
    assert not [call for call, _ in fake.sent if call.method == "PUT"]


@pytest.mark.parametrize("roles", [("trust_admin",), ("staff",), ("supervisor",), ("educator",)])
def test_only_leads_and_workforce_leads_enter_values(fake, roles):
    client = portal_with(fake, roles=roles)
    assert client.get(VALUES).status_code == 404
    assert client.post(VALUES, data=new_value()).status_code == 404
    assert fake.sent == []


# --- The words -------------------------------------------------------------------------------------------


def test_periods_are_named_as_a_person_names_them():
    assert presenters.period_name("weekly", "2026-11-23") == "the week starting 23 November 2026"
    assert presenters.period_name("monthly", "2026-11-01") == "November 2026"
    assert presenters.period_name("daily", "2026-11-28") == "28 November 2026"
    assert presenters.period_name("weekly", None) == ""
    assert presenters.real_date("2026-02-29") is None and presenters.real_date("2028-02-29").day == 29
    assert presenters.number_text(4.0) == "4" and presenters.number_text(3.5) == "3.5"
