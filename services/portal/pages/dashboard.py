"""The Chief Nurse and leads: the Trust's dashboard and the roster, with its CSV."""

from __future__ import annotations

import re

from flask import Blueprint, abort, request
from markupsafe import Markup

from services.portal import presenters
from services.portal.backend import get
from services.portal.pages.support import (
    calls,
    every_page_of_each,
    form_page,
    found,
    passed_through,
    passport_type_titles,
    requires_sign_in,
)
from services.portal.session import signed_in
from shared import icons
from shared.language import DASHBOARD_READERS as READERS
from shared.language import RATIOS, ROSTER_READERS

blueprint = Blueprint("dashboard", __name__)

ROSTER_STATUSES = ("eligible", "ineligible")
ROLE_CODE = re.compile(r"^[A-Z0-9][A-Z0-9.-]{0,31}$")


@blueprint.get("/dashboard")
@requires_sign_in(*READERS)
def show():
    user = signed_in()
    if not user.trust_id:
        abort(404)
    dashboard_answer, types_answer = calls(
        [
            get("metrics", f"/trusts/{user.trust_id}/dashboard"),
            get("passport", "/passport-types"),
        ]
    )
    dashboard = found(dashboard_answer)
    titles = {t["code"]: t["title"] for t in found(types_answer)}
    return form_page(
        "dashboard/show.html",
        dashboard=dashboard,
        titles=titles,
        totals=presenters.dashboard_totals(dashboard["passport_types"]),
        rows=presenters.dashboard_rows(dashboard["passport_types"]),
        columns=presenters.DASHBOARD_COLUMNS,
        ratio_metrics=RATIOS,
        on_track=presenters.on_track_tag,
        figure=presenters.figure,
        period_name=presenters.period_name,
        variation_icon=_beside_words(icons.variation_icon),
        variation_words=icons.variation_words,
        assurance_icon=_beside_words(icons.assurance_icon),
        assurance_words=icons.assurance_words,
    )


def _beside_words(draw):
    """An icon drawn for a page that says its words beside it: screen readers hear the words once."""
    return lambda state: Markup(draw(state, size=32, decorative=True))


@blueprint.get("/dashboard/measures/<uuid:measure_id>/chart.svg")
@requires_sign_in(*READERS)
def chart(measure_id):
    return passed_through(get("metrics", f"/measures/{measure_id}/chart.svg", kind="spc"), "image/svg+xml")


# --- The roster ------------------------------------------------------------------------------------


def _roster_filters(types: set[str]) -> dict[str, str]:
    """The role and status asked for, when they are ones there are."""
    role, status = request.args.get("role", ""), request.args.get("status", "")
    return {
        name: value
        for name, value in (
            ("role", role if role in types else ""),
            ("status", status if status in ROSTER_STATUSES else ""),
        )
        if value
    }


@blueprint.get("/roster")
@requires_sign_in(*ROSTER_READERS)
def roster():
    titles = passport_type_titles()
    filters = _roster_filters(set(titles))
    [entries] = every_page_of_each([get("planning", "/roster", **filters)])
    entries.sort(
        key=lambda entry: (
            (entry.get("staff_name") or "").casefold() or "\uffff",
            entry.get("staff_number") or "",
            entry["role"],
        )
    )
    eligible = sum(1 for entry in entries if entry["status"] == "eligible")
    return form_page(
        "dashboard/roster.html",
        entries=entries,
        titles=titles,
        filters=filters,
        eligible=eligible,
        statuses=presenters.ROSTER_STATUSES,
        reason=presenters.roster_reason,
    )


@blueprint.get("/roster.csv")
@requires_sign_in(*ROSTER_READERS)
def roster_csv():
    """Planning's roster CSV streamed through with the user's own token, as a file to save."""
    filters = {name: value for name, value in request.args.items() if name in ("role", "status")}
    if filters.get("status") not in (None, *ROSTER_STATUSES) or not ROLE_CODE.match(filters.get("role", "NRSS")):
        abort(404)  # no such list: not a question for planning
    return passed_through(
        get("planning", "/roster.csv", **filters),
        "text/csv",
        **{"Content-Disposition": 'attachment; filename="roster.csv"'},
    )
