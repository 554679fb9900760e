"""Leads and educators: passports assigned in bulk, and the cohort by name with where each person is."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from flask import Blueprint, request

from services.portal import presenters
from services.portal.backend import Answer, Call, get
from services.portal.pages.support import (
    MAX_PAGE_SIZE,
    call,
    calls,
    every_page_of_each,
    form_page,
    found,
    passport_types,
    requires_sign_in,
    total_pages,
)
from services.portal.presenters import FieldError
from shared.language import PASSPORT_ASSIGNERS as ASSIGNERS

blueprint = Blueprint("cohort", __name__)

# The most people one search offers to choose from: enough for a whole cohort, few enough to read and send.
MOST_SHOWN = 300
STAFF_FILTERS = ("q", "professional_group", "department")


# --- The cohort ------------------------------------------------------------------------------------


@blueprint.get("/cohort")
@requires_sign_in(*ASSIGNERS)
def overview():
    types = passport_types()
    codes = {t["code"] for t in types}
    chosen_type = request.args.get("passport_type", "")
    chosen_type = chosen_type if chosen_type in codes else ""
    chosen_status = request.args.get("status", "")
    chosen_status = chosen_status if chosen_status in presenters.COHORT_STATUSES else ""
    passports, open_requests, certificates = every_page_of_each(
        [
            get("passport", "/passports", passport_type=chosen_type or None),
            get("signoff", "/signoff-requests", status="open"),
            get("certificate", "/certificates", status="valid", passport_type=chosen_type or None),
        ]
    )
    rows = presenters.cohort_rows(passports, open_requests, certificates, datetime.now(UTC))
    counts = presenters.cohort_counts(rows)
    shown = [row for row in rows if row.status == chosen_status] if chosen_status else rows
    return form_page(
        "cohort/overview.html",
        rows=shown,
        counts=counts,
        total=len(rows),
        types=types,
        chosen_type=chosen_type,
        chosen_status=chosen_status,
        statuses=presenters.COHORT_STATUSES,
    )


# --- Assigning passports in bulk: type, people, check, result --------------------------------------


@blueprint.get("/cohort/assign")
@requires_sign_in(*ASSIGNERS)
def assign():
    return _type_page(values={"passport_type": request.args.get("passport_type", "")})


def _type_page(errors=(), values=None):
    return form_page("cohort/assign-type.html", types=passport_types(), errors=errors, values=values)


@blueprint.get("/cohort/assign/staff")
@requires_sign_in(*ASSIGNERS)
def choose_staff():
    passport_type = request.args.get("passport_type", "")
    filters = {name: request.args.get(name, "").strip() for name in STAFF_FILTERS}
    return _staff_page(passport_type, filters)


def _staff_page(passport_type: str, filters: dict, errors=(), chosen=()):
    """The people to choose from, found with the filters; a passport type not chosen goes back a step."""
    types = {t["code"]: t for t in passport_types()}
    if passport_type not in types:
        return _type_page(errors=[FieldError("passport_type", "Select the passport to assign")])
    given = {name: value for name, value in filters.items() if value}
    query = {**given, "page_size": MAX_PAGE_SIZE}
    first = call(get("passport", "/staff", **query))
    if first.status == 422:
        errors = [
            *errors,
            *presenters.field_errors(
                {path.removeprefix("query."): texts for path, texts in first.field_errors.items()},
                {name: name for name in STAFF_FILTERS},
                {},
                first.detail,
            ),
        ]
        staff, total = [], 0
    else:
        staff = list(found(first))
        pages = total_pages(first, most=MOST_SHOWN // MAX_PAGE_SIZE)
        for answer in calls([get("passport", "/staff", **query, page=page) for page in range(2, pages + 1)]):
            staff.extend(found(answer))
        total = _total(first, len(staff))
    return form_page(
        "cohort/assign-staff.html",
        passport_type=types[passport_type],
        staff=staff,
        total=total,
        errors=errors,
        values={**filters, "staff_ids": list(chosen)},
        filters=given,
    )


def _total(answer: Answer, default: int) -> int:
    try:
        return int(json.loads(answer.headers.get("X-Pagination") or "{}").get("total", default))
    except (ValueError, AttributeError):
        return default


@blueprint.post("/cohort/assign/check")
@requires_sign_in(*ASSIGNERS)
def check():
    passport_type = request.form.get("passport_type", "")
    filters = {name: request.form.get(name, "").strip() for name in STAFF_FILTERS}
    # "Select all shown" sends every id on the page; "Continue" only those ticked.
    everyone_shown = request.form.get("choice") == "all"
    staff_ids = _unique(request.form.getlist("shown" if everyone_shown else "staff_ids"))
    if not staff_ids:
        return _staff_page(
            passport_type, filters, errors=[FieldError("staff_ids", "Select the people to assign this passport to")]
        )
    types = {t["code"]: t for t in passport_types()}
    if passport_type not in types:
        return _type_page(errors=[FieldError("passport_type", "Select the passport to assign")])
    return form_page(
        "cohort/assign-check.html",
        passport_type=types[passport_type],
        people=_named(staff_ids),
        staff_ids=staff_ids,
        filters={name: value for name, value in filters.items() if value},
    )


def _unique(ids: list[str]) -> list[str]:
    return list(dict.fromkeys(value for value in ids if value))


def _named(staff_ids: list[str]) -> list[dict]:
    """The people with these ids, by name, in one call per hundred made at once."""
    chunks = [staff_ids[start : start + MAX_PAGE_SIZE] for start in range(0, len(staff_ids), MAX_PAGE_SIZE)]
    answers = calls([get("passport", "/staff", id=chunk, page_size=MAX_PAGE_SIZE) for chunk in chunks])
    known = {person["id"]: person for answer in answers if answer.ok for person in answer.body}
    return [known.get(staff_id, {"id": staff_id, "name": None, "staff_number": None}) for staff_id in staff_ids]


@blueprint.post("/cohort/assign/confirm")
@requires_sign_in(*ASSIGNERS)
def confirm():
    passport_type = request.form.get("passport_type", "")
    staff_ids = _unique(request.form.getlist("staff_ids"))
    types = {t["code"]: t for t in passport_types()}
    if passport_type not in types or not staff_ids:
        return _type_page(errors=[FieldError("passport_type", "Select the passport to assign")])
    answer = call(
        Call("passport", "POST", "/passports/bulk", body={"passport_type": passport_type, "staff_ids": staff_ids})
    )
    if not answer.ok:
        # Ids of the page's own making are well-formed: a refusal here is the page's fault or a stale form.
        return _type_page(
            errors=presenters.field_errors(
                answer.field_errors,
                {"passport_type": "passport_type"},
                {},
                answer.detail or "The passports could not be assigned.",
            ),
            values={"passport_type": passport_type},
        )
    result = answer.body
    rejected = [item for item in result["results"] if item["status"] == "rejected"]
    names = {person["id"]: person for person in _named([item["staff_id"] for item in rejected])} if rejected else {}
    return form_page(
        "cohort/assign-result.html",
        passport_type=types[passport_type],
        result=result,
        summary=presenters.assignment_summary(result),
        rejected=[{**item, "person": names.get(item["staff_id"], {})} for item in rejected],
    )
