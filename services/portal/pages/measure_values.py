"""Leads and workforce leads: the values of a measure bound to no metric, entered by hand one period at a
time (a week, a month or a day, as the measure is measured), so that the dashboard charts it like the rest."""

from __future__ import annotations

import math

from flask import Blueprint, abort, flash, redirect, request, url_for

from services.portal import presenters
from services.portal.backend import Answer, delete, get, put
from services.portal.pages.support import call, calls, form_page, found, requires_sign_in
from services.portal.presenters import FieldError
from services.portal.session import signed_in
from shared.language import ENTERED, VALUE_ENTERERS

blueprint = Blueprint("measure_values", __name__)

VALUES = "/dashboard/measures/<uuid:measure_id>/values"
ONE_VALUE = VALUES + "/<period_start>"
# The API's fields and the form's: a date input's error belongs to its first box.
VALUE_FIELDS = {"period_start": "period_start-day", "value": "value", "note": "note"}
VALUE_MESSAGES = {
    "value": "Enter the value as a number, for example 12",
    "note": "Enter a note of 500 characters or fewer",
}


def _measure_and_values(measure_id) -> tuple[dict, list[dict]]:
    """The measure (its name and frequency, from its series) and the values entered for it so far, oldest
    first. Another Trust's measure, one that does not exist, or one computed from the passports' data is the
    not-found page."""
    if not signed_in().trust_id:
        abort(404)
    series_answer, values_answer = calls(
        [get("metrics", f"/measures/{measure_id}/series"), get("metrics", f"/measures/{measure_id}/values")]
    )
    measure = found(series_answer)
    if measure.get("form") != ENTERED:
        abort(404)
    return measure, found(values_answer)


def _period_start_of(text: str) -> str:
    """The period named in the address, when it is a real day."""
    day = presenters.real_date(text)
    if day is None:
        abort(404)
    return day.isoformat()


def _entered_for(values: list[dict], period_start: str) -> dict | None:
    return next((one for one in values if one["period_start"] == period_start), None)


def _one_entered(measure_id, period_text: str) -> tuple[dict, list[dict], str, dict]:
    """The measure, its values, the period named in the address and the value entered for it; the not-found
    page when the address names no real day or a period with no value."""
    period_start = _period_start_of(period_text)
    measure, entered = _measure_and_values(measure_id)
    current = _entered_for(entered, period_start)
    if current is None:
        abort(404)
    return measure, entered, period_start, current


def _number_or_text(text: str):
    """A number as the API takes one; anything else goes as typed, for the API to say what is wrong with it."""
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        return text
    return number if math.isfinite(number) else text


def _typed(*names: str) -> dict[str, str]:
    return {name: request.form.get(name, "").strip() for name in names}


def _save(measure_id, period_start: str, typed: dict) -> Answer:
    answer = call(
        put(
            "metrics",
            f"/measures/{measure_id}/values/{period_start}",
            {"value": _number_or_text(typed["value"]), "note": typed["note"] or None},
        )
    )
    if answer.status in (403, 404):
        abort(404)
    return answer


def _errors_of(answer: Answer) -> list[FieldError]:
    return presenters.field_errors(
        answer.field_errors, VALUE_FIELDS, VALUE_MESSAGES, answer.detail or "The value could not be saved. Try again."
    )


def _saved_message(measure: dict, period_start: str, replaced: bool) -> str:
    period = presenters.period_name(measure.get("frequency"), period_start)
    return f"The value for {period} is saved" + (", in place of the one entered before." if replaced else ".")


# --- The values entered so far, and a new one ---------------------------------------------------------


@blueprint.get(VALUES)
@requires_sign_in(*VALUE_ENTERERS)
def values(measure_id):
    measure, entered = _measure_and_values(measure_id)
    return _values_page(measure, entered, {})


@blueprint.post(VALUES)
@requires_sign_in(*VALUE_ENTERERS)
def value_added(measure_id):
    measure, entered = _measure_and_values(measure_id)
    typed = _typed("value", "note")
    typed.update(
        {
            f"period_start-{part}": request.form.get(f"period_start[{part}]", "").strip()
            for part in ("day", "month", "year")
        }
    )
    day = presenters.real_date(
        presenters.iso_date(typed["period_start-day"], typed["period_start-month"], typed["period_start-year"])
    )
    if day is None:
        message = presenters.PERIOD_MESSAGES.get(measure.get("frequency"), presenters.PERIOD_MESSAGES["weekly"])
        return _values_page(measure, entered, typed, [FieldError("period_start-day", message)])
    period_start = day.isoformat()
    answer = _save(measure_id, period_start, typed)
    if not answer.ok:
        return _values_page(measure, entered, typed, _errors_of(answer))
    flash(_saved_message(measure, period_start, replaced=_entered_for(entered, period_start) is not None))
    return redirect(url_for("measure_values.values", measure_id=measure_id))


def _values_page(measure: dict, entered: list[dict], typed: dict, errors=()):
    frequency = measure.get("frequency") or "weekly"
    return form_page(
        "dashboard/values.html",
        measure=measure,
        entered=entered,
        values=typed,
        errors=errors,
        frequency=frequency,
        presenters=presenters,
        figure=presenters.figure,
    )


# --- Changing one period's value ---------------------------------------------------------------------


@blueprint.get(ONE_VALUE)
@requires_sign_in(*VALUE_ENTERERS)
def value_change(measure_id, period_start):
    measure, _, period_start, current = _one_entered(measure_id, period_start)
    typed = {"value": presenters.number_text(current["value"]), "note": current.get("note") or ""}
    return _value_page(measure, period_start, typed)


@blueprint.post(ONE_VALUE)
@requires_sign_in(*VALUE_ENTERERS)
def value_change_submitted(measure_id, period_start):
    measure, _, period_start, _ = _one_entered(measure_id, period_start)
    typed = _typed("value", "note")
    answer = _save(measure_id, period_start, typed)
    if not answer.ok:
        # The period is the page's own, not a field on it: what the API says of it is said of the page.
        errors = [
            FieldError("" if error.field == VALUE_FIELDS["period_start"] else error.field, error.message)
            for error in _errors_of(answer)
        ]
        return _value_page(measure, period_start, typed, errors)
    flash(_saved_message(measure, period_start, replaced=False))
    return redirect(url_for("measure_values.values", measure_id=measure_id))


def _value_page(measure: dict, period_start: str, typed: dict, errors=()):
    return form_page(
        "dashboard/value.html",
        measure=measure,
        period_start=period_start,
        values=typed,
        errors=errors,
        period=presenters.period_name(measure.get("frequency"), period_start),
    )


# --- Removing one -------------------------------------------------------------------------------------


@blueprint.post(ONE_VALUE + "/remove")
@requires_sign_in(*VALUE_ENTERERS)
def value_removed(measure_id, period_start):
    measure, entered, period_start, current = _one_entered(measure_id, period_start)
    answer = call(delete("metrics", f"/measures/{measure_id}/values/{period_start}"))
    if answer.status in (403, 404):
        abort(404)
    if not answer.ok:
        return _values_page(measure, entered, {}, _errors_of(answer))
    period = presenters.period_name(measure.get("frequency"), period_start)
    flash(f"The value for {period} is removed: it was {presenters.number_text(current['value'])}.")
    return redirect(url_for("measure_values.values", measure_id=measure_id))
