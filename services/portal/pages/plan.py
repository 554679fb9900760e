"""Leads: the Trust's PDSA plan, every part edited in forms. Workforce leads and educators read it."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, request, url_for

from services.portal import presenters
from services.portal.backend import Answer, Call, get
from services.portal.pages.support import call, every_page, form_page, found, passport_type_titles, requires_sign_in
from services.portal.presenters import FieldError, plan_field_errors
from shared.events.catalogue import INCREASE
from shared.language import MAX_MEASURES
from shared.language import PLAN_READERS as READERS
from shared.language import PLAN_WRITERS as WRITERS

blueprint = Blueprint("plan", __name__)

PLAN = "/plan/<uuid:plan_id>"
MAP = PLAN + "/process-map"
ITEM_PARTS = {  # the parts a plan has many of: the API's path, and what one of them is called
    "stakeholders": "stakeholder",
    "drivers": "driver",
    "measures": "measure",
    "cycles": "PDSA cycle",
}
# An SVG shown as an <img> runs no script; its own <style> element is all it needs.
PICTURE_POLICY = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'self'"


def _plan(plan_id) -> dict:
    return found(call(get("planning", f"/plans/{plan_id}")))


def _send(method: str, path: str, body=None) -> Answer:
    """A change to the plan; a plan or item gone meanwhile (or another Trust's) is the not-found page."""
    answer = call(Call("planning", method, path, body=body))
    if answer.status in (403, 404):
        abort(404)
    return answer


def _form(*names: str) -> dict[str, str]:
    return {name: request.form.get(name, "").strip() for name in names}


def _date_values(name: str) -> dict[str, str]:
    return {f"{name}-{part}": request.form.get(f"{name}[{part}]", "").strip() for part in ("day", "month", "year")}


def _date_of(values: dict, name: str) -> str | None:
    return presenters.iso_date(values[f"{name}-day"], values[f"{name}-month"], values[f"{name}-year"])


def _date_fields(name: str, value: str | None) -> dict[str, str]:
    return {f"{name}-{part}": text for part, text in presenters.date_parts(value).items()}


def _or_none(text: str):
    return text or None


# --- The overview ------------------------------------------------------------------------------------


@blueprint.get("/plan")
@requires_sign_in(*READERS)
def overview():
    plans = every_page(get("planning", "/plans"))
    if not plans:
        return form_page("plan/start.html")
    newest = plans[-1]
    return _overview_page(newest["id"], others=plans[:-1])


@blueprint.get(PLAN)
@requires_sign_in(*READERS)
def plan_overview(plan_id):
    others = [plan for plan in every_page(get("planning", "/plans")) if plan["id"] != str(plan_id)]
    return _overview_page(plan_id, others=others)


def _overview_page(plan_id, others):
    plan = _plan(plan_id)
    return form_page("plan/overview.html", plan=plan, others=others, presenters=presenters, max_measures=MAX_MEASURES)


@blueprint.post("/plan/start")
@requires_sign_in(*WRITERS)
def start_submitted():
    values = _form("name")
    answer = call(Call("planning", "POST", "/plans", body={"name": values["name"]}))
    if not answer.ok:
        errors = plan_field_errors(
            answer.field_errors, {"name": "name"}, {"name": "Enter a name for the plan"}, answer.detail
        )
        return form_page("plan/start.html", errors=errors, values=values)
    flash("Your plan is started. Set its aim first.")
    return redirect(url_for("plan.plan_overview", plan_id=answer.body["id"]))


@blueprint.post("/plan/example")
@requires_sign_in(*WRITERS)
def example_submitted():
    answer = call(Call("planning", "POST", "/plans/example"))
    if not answer.ok:
        errors = [FieldError("", answer.detail or "The example could not be loaded.")]
        return form_page("plan/start.html", errors=errors)
    flash("The toolkit's example plan is loaded. Change any part of it to make it your Trust's.")
    return redirect(url_for("plan.plan_overview", plan_id=answer.body["id"]))


# --- Aim ---------------------------------------------------------------------------------------------

AIM_FIELDS = {
    "statement": "statement",
    "why": "why",
    "how": "how",
    "what": "what",
    "target_passport_types": "target_passport_types",
    "target_percentage": "target_percentage",
    "target_cohort_size": "target_cohort_size",
    "target_deadline": "target_deadline-day",
}
AIM_MESSAGES = {
    "statement": "Enter the full aim statement",
    "target_percentage": "Enter the percentage as a number from 0 to 100, for example 95",
    "target_cohort_size": "Enter the number of staff as a whole number, for example 150",
    "target_deadline-day": "Enter a real date, for example 31 3 2027",
    "target_passport_types": "Select the passports the target is for",
}


@blueprint.get(PLAN + "/aim")
@requires_sign_in(*WRITERS)
def aim(plan_id):
    plan = _plan(plan_id)
    current = plan.get("aim") or {}
    values = {name: current.get(name) or "" for name in ("statement", "why", "how", "what")}
    values["target_passport_types"] = current.get("target_passport_types") or []
    values["target_percentage"] = presenters.number_text(current.get("target_percentage"))
    values["target_cohort_size"] = presenters.number_text(current.get("target_cohort_size"))
    values.update(_date_fields("target_deadline", current.get("target_deadline")))
    return _aim_page(plan, values)


@blueprint.post(PLAN + "/aim")
@requires_sign_in(*WRITERS)
def aim_submitted(plan_id):
    values = _form("statement", "why", "how", "what", "target_percentage", "target_cohort_size")
    values["target_passport_types"] = request.form.getlist("target_passport_types")
    values.update(_date_values("target_deadline"))
    body = {
        "statement": values["statement"],
        "why": _or_none(values["why"]),
        "how": _or_none(values["how"]),
        "what": _or_none(values["what"]),
        "target_passport_types": values["target_passport_types"],
        # numbers go as typed: the planning service says when they are not numbers
        "target_percentage": _or_none(values["target_percentage"]),
        "target_cohort_size": _or_none(values["target_cohort_size"]),
        "target_deadline": _date_of(values, "target_deadline"),
    }
    answer = _send("PUT", f"/plans/{plan_id}/aim", body)
    if answer.ok:
        flash("The aim is saved.")
        return redirect(url_for("plan.plan_overview", plan_id=plan_id))
    errors = plan_field_errors(answer.field_errors, AIM_FIELDS, AIM_MESSAGES, answer.detail)
    return _aim_page(_plan(plan_id), values, errors)


def _aim_page(plan, values, errors=()):
    known = passport_type_titles()
    for code in values.get("target_passport_types") or []:
        known.setdefault(code, code)
    return form_page("plan/aim.html", plan=plan, values=values, errors=errors, passport_types=known)


# --- Stakeholders ------------------------------------------------------------------------------------

STAKEHOLDER_FIELDS = {
    name: name for name in ("name", "role", "power", "impact", "engage_when", "engage_how", "benefits", "enablers")
}
STAKEHOLDER_MESSAGES = {
    "name": "Enter the name of the person or group",
    "power": "Select whether they have high or low power over the implementation",
    "impact": "Select whether the implementation has a high or low impact on them",
}


@blueprint.get(PLAN + "/stakeholders")
@requires_sign_in(*READERS)
def stakeholders(plan_id):
    plan = _plan(plan_id)
    return form_page(
        "plan/stakeholders.html",
        plan=plan,
        grid=presenters.stakeholder_grid(plan["stakeholders"]),
        quadrants=presenters.QUADRANTS,
        presenters=presenters,
    )


@blueprint.get(PLAN + "/stakeholders/add")
@requires_sign_in(*WRITERS)
def stakeholder_add(plan_id):
    return _stakeholder_page(_plan(plan_id), None, {})


@blueprint.get(PLAN + "/stakeholders/<uuid:item_id>")
@requires_sign_in(*WRITERS)
def stakeholder_change(plan_id, item_id):
    plan = _plan(plan_id)
    item = _item(plan, "stakeholders", item_id)
    values = {name: item.get(name) or "" for name in ("name", "role", "power", "impact", "engage_when", "engage_how")}
    values.update(benefits="\n".join(item.get("benefits") or []), enablers="\n".join(item.get("enablers") or []))
    return _stakeholder_page(plan, item, values)


@blueprint.post(PLAN + "/stakeholders/add")
@requires_sign_in(*WRITERS)
def stakeholder_add_submitted(plan_id):
    return _stakeholder_submitted(plan_id, None)


@blueprint.post(PLAN + "/stakeholders/<uuid:item_id>")
@requires_sign_in(*WRITERS)
def stakeholder_change_submitted(plan_id, item_id):
    return _stakeholder_submitted(plan_id, item_id)


def _stakeholder_submitted(plan_id, item_id):
    values = _form("name", "role", "power", "impact", "engage_when", "engage_how", "benefits", "enablers")
    body = {
        "name": values["name"],
        "role": _or_none(values["role"]),
        "power": values["power"],
        "impact": values["impact"],
        "engage_when": _or_none(values["engage_when"]),
        "engage_how": _or_none(values["engage_how"]),
        "benefits": presenters.lines_of(values["benefits"]),
        "enablers": presenters.lines_of(values["enablers"]),
    }
    answer = _save_item(plan_id, "stakeholders", item_id, body)
    if answer.ok:
        quadrant = presenters.quadrant_of(answer.body["power"], answer.body["impact"])
        flash(f"{answer.body['name']} is saved, in {quadrant.name}.")
        return redirect(url_for("plan.stakeholders", plan_id=plan_id))
    errors = plan_field_errors(answer.field_errors, STAKEHOLDER_FIELDS, STAKEHOLDER_MESSAGES, answer.detail)
    plan = _plan(plan_id)
    return _stakeholder_page(plan, _item(plan, "stakeholders", item_id) if item_id else None, values, errors)


def _stakeholder_page(plan, item, values, errors=()):
    return form_page(
        "plan/stakeholder.html",
        plan=plan,
        item=item,
        values=values,
        errors=errors,
        levels_words=presenters.POWER_IMPACT,
    )


def _item(plan: dict, part: str, item_id) -> dict:
    item = next((one for one in plan.get(part) or [] if one["id"] == str(item_id)), None)
    if item is None:
        abort(404)
    return item


def _save_item(plan_id, part: str, item_id, body) -> Answer:
    if item_id is None:
        return _send("POST", f"/plans/{plan_id}/{part}", body)
    return _send("PUT", f"/plans/{plan_id}/{part}/{item_id}", body)


# --- Removing a stakeholder, driver, measure or cycle ------------------------------------------------

REMOVE = PLAN + "/<any(stakeholders, drivers, measures, cycles):part>/<uuid:item_id>/remove"


@blueprint.get(REMOVE)
@requires_sign_in(*WRITERS)
def remove_item(plan_id, part, item_id):
    return _remove_page(_plan(plan_id), part, item_id)


@blueprint.post(REMOVE)
@requires_sign_in(*WRITERS)
def remove_item_submitted(plan_id, part, item_id):
    plan = _plan(plan_id)
    item = _item(plan, part, item_id)
    answer = _send("DELETE", f"/plans/{plan_id}/{part}/{item_id}")
    if not answer.ok:  # a driver that others hang from, or that a cycle tests
        return _remove_page(plan, part, item_id, errors=[FieldError("", answer.detail)], http_status=answer.status)
    flash(f"{_item_name(part, item)} is removed.")
    return redirect(url_for(f"plan.{part}", plan_id=plan_id))


def _item_name(part: str, item: dict) -> str:
    return item.get("name") or item.get("title") or ITEM_PARTS[part]


def _remove_page(plan, part, item_id, errors=(), http_status=None):
    item = _item(plan, part, item_id)
    return form_page(
        "plan/remove.html",
        plan=plan,
        name=_item_name(part, item),
        what=ITEM_PARTS[part],
        action=url_for("plan.remove_item_submitted", plan_id=plan["id"], part=part, item_id=item_id),
        back=url_for(f"plan.{part}", plan_id=plan["id"]),
        consequence=_consequence(plan, part, item),
        errors=errors,
        http_status=http_status,
    )


def _consequence(plan: dict, part: str, item: dict) -> str:
    if part == "measures":
        return "Its chart on the dashboard goes too."
    if part == "drivers":
        children = [d for d in plan["drivers"] if d.get("parent_id") == item["id"]]
        if children:
            return f"{len(children)} driver(s) or change ideas link to it: move or remove them first."
    return ""


# --- Driver diagram ----------------------------------------------------------------------------------

DRIVER_FIELDS = {name: name for name in ("kind", "title", "parent_id", "status", "priority")}
DRIVER_MESSAGES = {
    "kind": "Select what it is: a primary driver, a secondary driver or a change idea",
    "title": "Enter what it is, in a few words",
}


@blueprint.get(PLAN + "/drivers")
@requires_sign_in(*READERS)
def drivers(plan_id):
    plan = _plan(plan_id)
    return form_page(
        "plan/drivers.html", plan=plan, tree=presenters.driver_tree(plan["drivers"]), presenters=presenters
    )


@blueprint.get(PLAN + "/drivers/add")
@requires_sign_in(*WRITERS)
def driver_add(plan_id):
    plan = _plan(plan_id)
    parent = next((d for d in plan["drivers"] if d["id"] == request.args.get("parent")), None)
    kind = request.args.get("kind", "")
    if kind not in presenters.DRIVER_KINDS:
        kind = "primary" if parent is None else ("activity" if parent["kind"] == "secondary" else "")
    return _driver_page(plan, None, {"kind": kind, "parent_id": parent["id"] if parent else ""})


@blueprint.get(PLAN + "/drivers/<uuid:item_id>")
@requires_sign_in(*WRITERS)
def driver_change(plan_id, item_id):
    plan = _plan(plan_id)
    item = _item(plan, "drivers", item_id)
    return _driver_page(plan, item, {name: item.get(name) or "" for name in DRIVER_FIELDS})


@blueprint.post(PLAN + "/drivers/add")
@requires_sign_in(*WRITERS)
def driver_add_submitted(plan_id):
    return _driver_submitted(plan_id, None)


@blueprint.post(PLAN + "/drivers/<uuid:item_id>")
@requires_sign_in(*WRITERS)
def driver_change_submitted(plan_id, item_id):
    return _driver_submitted(plan_id, item_id)


def _driver_submitted(plan_id, item_id):
    values = _form(*DRIVER_FIELDS)
    body = {
        "kind": values["kind"],
        "title": values["title"],
        "parent_id": _or_none(values["parent_id"]),
        "status": _or_none(values["status"]),
        "priority": _or_none(values["priority"]),
    }
    answer = _save_item(plan_id, "drivers", item_id, body)
    if answer.ok:
        flash(f"{presenters.DRIVER_KINDS[answer.body['kind']]} saved: {answer.body['title']}")
        return redirect(url_for("plan.drivers", plan_id=plan_id))
    errors = plan_field_errors(answer.field_errors, DRIVER_FIELDS, DRIVER_MESSAGES, answer.detail)
    plan = _plan(plan_id)
    return _driver_page(plan, _item(plan, "drivers", item_id) if item_id else None, values, errors)


def _driver_page(plan, item, values, errors=()):
    parents = [
        d for d in plan["drivers"] if d["kind"] in ("primary", "secondary") and (not item or d["id"] != item["id"])
    ]
    return form_page(
        "plan/driver.html", plan=plan, item=item, values=values, errors=errors, parents=parents, presenters=presenters
    )


# --- Process map -------------------------------------------------------------------------------------

ROWS = {  # lanes and stages are edited alike
    "lanes": {
        "one": "lane",
        "label": "Who does this part of the process?",
        "hint": "A person, team or department, for example Education team.",
    },
    "stages": {
        "one": "stage",
        "label": "What is the stage called?",
        "hint": "A stage of the process, for example Identification or Training.",
    },
}
STEP_FIELDS = {"label": "label", "shape": "shape", "lane": "lane", "stage": "stage", "after": "after", "links": "after"}
STEP_MESSAGES = {
    "label": "Enter what happens in this step",
    "shape": "Select the kind of step",
    "lane": "Select who does this step",
    "stage": "Select the stage this step is in",
}


def _map_of(plan: dict) -> dict:
    """The plan's process map as the API takes it back (an empty one when it has none yet)."""
    current = plan.get("process_map") or {}
    return {
        "lanes": list(current.get("lanes") or []),
        "stages": list(
            current.get("stages")
            or [
                {"key": key, "name": key.capitalize()}
                for key in ("identification", "completion", "training", "rostering")
            ]
        ),
        "steps": list(current.get("steps") or []),
        "links": list(current.get("links") or []),
    }


@blueprint.get(MAP)
@requires_sign_in(*READERS)
def process_map(plan_id):
    plan = _plan(plan_id)
    return form_page(
        "plan/process-map.html",
        plan=plan,
        shapes=presenters.STEP_SHAPES,
        in_words=presenters.process_map_text(plan.get("process_map")),
        current=_map_of(plan),
    )


@blueprint.get(PLAN + "/process-map.svg")
@requires_sign_in(*READERS)
def process_map_picture(plan_id):
    answer = call(get("planning", f"/plans/{plan_id}/process-map.svg"))
    if answer.status in (403, 404):
        abort(404)
    if not answer.ok:
        abort(503)
    response = current_app.response_class(answer.raw, mimetype="image/svg+xml")
    response.headers["Content-Security-Policy"] = PICTURE_POLICY
    return response


ROW_KIND = "<any(lanes, stages):kind>"


@blueprint.get(MAP + f"/{ROW_KIND}/add")
@requires_sign_in(*WRITERS)
def row_add(plan_id, kind):
    return _row_page(_plan(plan_id), kind, None, {})


@blueprint.get(MAP + f"/{ROW_KIND}/<key>")
@requires_sign_in(*WRITERS)
def row_change(plan_id, kind, key):
    plan = _plan(plan_id)
    row = _row(_map_of(plan), kind, key)
    return _row_page(plan, kind, row, {"name": row["name"]})


@blueprint.post(MAP + f"/{ROW_KIND}/add")
@requires_sign_in(*WRITERS)
def row_add_submitted(plan_id, kind):
    return _row_submitted(plan_id, kind, None)


@blueprint.post(MAP + f"/{ROW_KIND}/<key>")
@requires_sign_in(*WRITERS)
def row_change_submitted(plan_id, kind, key):
    return _row_submitted(plan_id, kind, key)


def _taken(rows: list[dict]) -> set[str]:
    """The keys in use, and "add", which the address of the form for a new one already has."""
    return {row["key"] for row in rows} | {"add"}


def _row(current: dict, kind: str, key: str) -> dict:
    row = next((one for one in current[kind] if one["key"] == key), None)
    if row is None:
        abort(404)
    return row


def _row_submitted(plan_id, kind, key):
    plan = _plan(plan_id)
    current = _map_of(plan)
    values = _form("name")
    if key is None:
        current[kind].append({"key": presenters.new_key(values["name"], _taken(current[kind])), "name": values["name"]})
    else:
        _row(current, kind, key)["name"] = values["name"]
    answer = _send("PUT", f"/plans/{plan_id}/process-map", current)
    if answer.ok:
        flash(f"The {ROWS[kind]['one']} {values['name']} is saved.")
        return redirect(url_for("plan.process_map", plan_id=plan_id))
    errors = plan_field_errors(
        answer.field_errors, {"name": "name"}, {"name": f"Enter the name of the {ROWS[kind]['one']}"}, answer.detail
    )
    return _row_page(plan, kind, _row(_map_of(plan), kind, key) if key else None, values, errors)


def _row_page(plan, kind, row, values, errors=()):
    return form_page("plan/row.html", plan=plan, kind=kind, words=ROWS[kind], row=row, values=values, errors=errors)


@blueprint.get(MAP + f"/{ROW_KIND}/<key>/remove")
@requires_sign_in(*WRITERS)
def row_remove(plan_id, kind, key):
    plan = _plan(plan_id)
    return _row_remove_page(plan, kind, _row(_map_of(plan), kind, key))


@blueprint.post(MAP + f"/{ROW_KIND}/<key>/remove")
@requires_sign_in(*WRITERS)
def row_remove_submitted(plan_id, kind, key):
    plan = _plan(plan_id)
    current = _map_of(plan)
    row = _row(current, kind, key)
    refusal = _row_refusal(current, kind, row)
    if refusal:
        return _row_remove_page(plan, kind, row, errors=[FieldError("", refusal)], http_status=409)
    current[kind] = [one for one in current[kind] if one["key"] != key]
    answer = _send("PUT", f"/plans/{plan_id}/process-map", current)
    if not answer.ok:
        errors = plan_field_errors(answer.field_errors, {}, {}, answer.detail)
        return _row_remove_page(plan, kind, row, errors=errors, http_status=answer.status)
    flash(f"The {ROWS[kind]['one']} {row['name']} is removed.")
    return redirect(url_for("plan.process_map", plan_id=plan_id))


def _row_refusal(current: dict, kind: str, row: dict) -> str:
    """Why a lane or stage cannot go: steps are in it, or it is the last one (the map needs one of each)."""
    attribute = "lane" if kind == "lanes" else "stage"
    steps = [step for step in current["steps"] if step[attribute] == row["key"]]
    if steps:
        return (
            f"{len(steps)} step{'s are' if len(steps) != 1 else ' is'} in the {attribute} {row['name']}: "
            f"move or remove {'them' if len(steps) != 1 else 'it'} first."
        )
    if len(current[kind]) == 1:
        return f"A process map needs at least one {attribute}: add another before you remove this one."
    return ""


def _row_remove_page(plan, kind, row, errors=(), http_status=None):
    return form_page(
        "plan/remove.html",
        plan=plan,
        name=row["name"],
        what=ROWS[kind]["one"],
        action=url_for("plan.row_remove_submitted", plan_id=plan["id"], kind=kind, key=row["key"]),
        back=url_for("plan.process_map", plan_id=plan["id"]),
        consequence=_row_refusal(_map_of(plan), kind, row),
        errors=errors,
        http_status=http_status,
    )


@blueprint.get(MAP + "/steps/add")
@requires_sign_in(*WRITERS)
def step_add(plan_id):
    plan = _plan(plan_id)
    return _step_page(plan, None, {})


@blueprint.get(MAP + "/steps/<key>")
@requires_sign_in(*WRITERS)
def step_change(plan_id, key):
    plan = _plan(plan_id)
    step = _row(_map_of(plan), "steps", key)
    return _step_page(plan, step, {name: step[name] for name in ("label", "shape", "lane", "stage")})


@blueprint.post(MAP + "/steps/add")
@requires_sign_in(*WRITERS)
def step_add_submitted(plan_id):
    return _step_submitted(plan_id, None)


@blueprint.post(MAP + "/steps/<key>")
@requires_sign_in(*WRITERS)
def step_change_submitted(plan_id, key):
    return _step_submitted(plan_id, key)


def _step_submitted(plan_id, key):
    plan = _plan(plan_id)
    current = _map_of(plan)
    values = _form("label", "shape", "lane", "stage", "after")
    given = {name: values[name] for name in ("label", "shape", "lane", "stage")}
    errors = [FieldError(name, STEP_MESSAGES[name]) for name in ("lane", "stage") if not values[name]]
    if not current["lanes"]:
        errors = [FieldError("", "Add a lane first: every step is done by someone.")]
    if not errors:
        if key is None:
            new = {"key": presenters.new_key(values["label"][:24], _taken(current["steps"])), **given}
            current["steps"].append(new)
            if values["after"]:
                current["links"].append({"from": values["after"], "to": new["key"], "label": None})
        else:
            _row(current, "steps", key).update(given)
        answer = _send("PUT", f"/plans/{plan_id}/process-map", current)
        if answer.ok:
            flash("The step is saved.")
            return redirect(url_for("plan.process_map", plan_id=plan_id))
        errors = plan_field_errors(answer.field_errors, STEP_FIELDS, STEP_MESSAGES, answer.detail)
    return _step_page(plan, _row(_map_of(plan), "steps", key) if key else None, values, errors)


def _step_page(plan, step, values, errors=()):
    return form_page(
        "plan/step.html",
        plan=plan,
        step=step,
        values=values,
        errors=errors,
        current=_map_of(plan),
        shapes=presenters.STEP_SHAPES,
    )


@blueprint.get(MAP + "/steps/<key>/remove")
@requires_sign_in(*WRITERS)
def step_remove(plan_id, key):
    plan = _plan(plan_id)
    return _step_remove_page(plan, _row(_map_of(plan), "steps", key))


@blueprint.post(MAP + "/steps/<key>/remove")
@requires_sign_in(*WRITERS)
def step_remove_submitted(plan_id, key):
    plan = _plan(plan_id)
    current = _map_of(plan)
    step = _row(current, "steps", key)
    current["steps"] = [one for one in current["steps"] if one["key"] != key]
    current["links"] = [link for link in current["links"] if key not in (link["from"], link["to"])]
    answer = _send("PUT", f"/plans/{plan_id}/process-map", current)
    if not answer.ok:
        return _step_remove_page(
            plan, step, errors=plan_field_errors(answer.field_errors, {}, {}, answer.detail), http_status=answer.status
        )
    flash("The step is removed.")
    return redirect(url_for("plan.process_map", plan_id=plan_id))


def _step_remove_page(plan, step, errors=(), http_status=None):
    arrows = [link for link in _map_of(plan)["links"] if step["key"] in (link["from"], link["to"])]
    consequence = f"Its {len(arrows)} arrow{'s go' if len(arrows) != 1 else ' goes'} too." if arrows else ""
    return form_page(
        "plan/remove.html",
        plan=plan,
        name=step["label"],
        what="step",
        action=url_for("plan.step_remove_submitted", plan_id=plan["id"], key=step["key"]),
        back=url_for("plan.process_map", plan_id=plan["id"]),
        consequence=consequence,
        errors=errors,
        http_status=http_status,
    )


# --- Launch plan -------------------------------------------------------------------------------------

LAUNCH_LISTS = ("audiences", "stakeholders_involved", "forums_and_formats", "locations", "benefits")
LAUNCH_FIELDS = {"ambition": "ambition", "timeline": "timeline", **{name: name for name in LAUNCH_LISTS}}


@blueprint.get(PLAN + "/launch")
@requires_sign_in(*READERS)
def launch(plan_id):
    return form_page("plan/launch.html", plan=_plan(plan_id))


@blueprint.get(PLAN + "/launch/change")
@requires_sign_in(*WRITERS)
def launch_change(plan_id):
    plan = _plan(plan_id)
    current = plan.get("launch") or {}
    values = {"ambition": current.get("ambition") or "", "timeline": presenters.timeline_text(current.get("timeline"))}
    values.update({name: "\n".join(current.get(name) or []) for name in LAUNCH_LISTS})
    return form_page("plan/launch-form.html", plan=plan, values=values)


@blueprint.post(PLAN + "/launch/change")
@requires_sign_in(*WRITERS)
def launch_change_submitted(plan_id):
    values = _form("ambition", "timeline", *LAUNCH_LISTS)
    timeline, unclear = presenters.timeline_of(values["timeline"])
    if unclear:
        lines = ", ".join(str(number) for number in unclear)
        errors = [
            FieldError(
                "timeline",
                f"Write each timeline line as when, a colon, then what happens "
                f"(line{'s' if len(unclear) != 1 else ''} {lines})",
            )
        ]
    else:
        body = {
            "ambition": _or_none(values["ambition"]),
            "timeline": timeline,
            **{name: presenters.lines_of(values[name]) for name in LAUNCH_LISTS},
        }
        answer = _send("PUT", f"/plans/{plan_id}/launch", body)
        if answer.ok:
            flash("The launch plan is saved.")
            return redirect(url_for("plan.launch", plan_id=plan_id))
        errors = plan_field_errors(answer.field_errors, LAUNCH_FIELDS, {}, answer.detail)
    return form_page("plan/launch-form.html", plan=_plan(plan_id), values=values, errors=errors)


# --- Measures ----------------------------------------------------------------------------------------

MEASURE_TEXTS = (
    "name",
    "kind",
    "what",
    "already_measured",
    "already_measured_how",
    "frequency",
    "method",
    "owner",
    "shared_where",
    "metric",
    "passport_type",
    "target",
)
MEASURE_FIELDS = {name: name for name in (*MEASURE_TEXTS, "improvement_direction")}
MEASURE_MESSAGES = {
    "name": "Enter the name of the measure",
    "kind": "Select whether it is an outcome or a process measure",
    "target": "Enter the target as a number, for example 95",
    "improvement_direction": "Select whether higher or lower is better",
}
YES_NO = {"yes": True, "no": False}


@blueprint.get(PLAN + "/measures")
@requires_sign_in(*READERS)
def measures(plan_id):
    return form_page("plan/measures.html", plan=_plan(plan_id), presenters=presenters, max_measures=MAX_MEASURES)


@blueprint.get(PLAN + "/measures/add")
@requires_sign_in(*WRITERS)
def measure_add(plan_id):
    return _measure_page(_plan(plan_id), None, {})


@blueprint.get(PLAN + "/measures/<uuid:item_id>")
@requires_sign_in(*WRITERS)
def measure_change(plan_id, item_id):
    plan = _plan(plan_id)
    item = _item(plan, "measures", item_id)
    values = {name: item.get(name) or "" for name in MEASURE_TEXTS}
    values["already_measured"] = {True: "yes", False: "no"}.get(item.get("already_measured"), "")
    values["target"] = presenters.number_text(item.get("target"))
    values["improvement_direction"] = item.get("improvement_direction") or INCREASE
    return _measure_page(plan, item, values)


@blueprint.post(PLAN + "/measures/add")
@requires_sign_in(*WRITERS)
def measure_add_submitted(plan_id):
    return _measure_submitted(plan_id, None)


@blueprint.post(PLAN + "/measures/<uuid:item_id>")
@requires_sign_in(*WRITERS)
def measure_change_submitted(plan_id, item_id):
    return _measure_submitted(plan_id, item_id)


def _measure_submitted(plan_id, item_id):
    values = _form(*MEASURE_TEXTS, "improvement_direction")
    body = {name: _or_none(values[name]) for name in MEASURE_TEXTS}  # a blank metric: values entered by hand
    body["name"], body["kind"] = values["name"], values["kind"]
    body["already_measured"] = YES_NO.get(values["already_measured"])
    body["improvement_direction"] = values["improvement_direction"] or INCREASE
    answer = _save_item(plan_id, "measures", item_id, body)
    if answer.ok:
        flash(f"The measure {answer.body['name']} is saved.")
        return redirect(url_for("plan.measures", plan_id=plan_id))
    errors = plan_field_errors(answer.field_errors, MEASURE_FIELDS, MEASURE_MESSAGES, answer.detail)
    plan = _plan(plan_id)
    return _measure_page(plan, _item(plan, "measures", item_id) if item_id else None, values, errors)


def _measure_page(plan, item, values, errors=()):
    return form_page(
        "plan/measure.html",
        plan=plan,
        item=item,
        values=values,
        errors=errors,
        presenters=presenters,
        max_measures=MAX_MEASURES,
        passport_types=passport_type_titles(),
    )


# --- PDSA cycles -------------------------------------------------------------------------------------

CYCLE_TEXTS = ("activity_id", "title", "plan", "prediction", "do", "study", "act", "act_notes")
CYCLE_FIELDS = {**{name: name for name in CYCLE_TEXTS}, "started_on": "started_on-day", "ended_on": "ended_on-day"}
CYCLE_MESSAGES = {
    "activity_id": "Select the change idea this cycle tests",
    "title": "Enter a short name for the cycle",
    "plan": "Enter what you plan to do and how",
    "started_on-day": "Enter a real date, for example 1 11 2026",
    "ended_on-day": "Enter a real date on or after the start, for example 29 11 2026",
}


@blueprint.get(PLAN + "/cycles")
@requires_sign_in(*READERS)
def cycles(plan_id):
    plan = _plan(plan_id)
    return form_page("plan/cycles.html", plan=plan, activities=_activities(plan), acts=presenters.CYCLE_ACTS)


def _activities(plan: dict) -> dict[str, str]:
    return {d["id"]: d["title"] for d in plan["drivers"] if d["kind"] == "activity"}


@blueprint.get(PLAN + "/cycles/add")
@requires_sign_in(*WRITERS)
def cycle_add(plan_id):
    return _cycle_page(_plan(plan_id), None, {"activity_id": request.args.get("activity", "")})


@blueprint.get(PLAN + "/cycles/<uuid:item_id>")
@requires_sign_in(*WRITERS)
def cycle_change(plan_id, item_id):
    plan = _plan(plan_id)
    item = _item(plan, "cycles", item_id)
    values = {name: item.get(name) or "" for name in CYCLE_TEXTS}
    values.update(_date_fields("started_on", item.get("started_on")))
    values.update(_date_fields("ended_on", item.get("ended_on")))
    return _cycle_page(plan, item, values)


@blueprint.post(PLAN + "/cycles/add")
@requires_sign_in(*WRITERS)
def cycle_add_submitted(plan_id):
    return _cycle_submitted(plan_id, None)


@blueprint.post(PLAN + "/cycles/<uuid:item_id>")
@requires_sign_in(*WRITERS)
def cycle_change_submitted(plan_id, item_id):
    return _cycle_submitted(plan_id, item_id)


def _cycle_submitted(plan_id, item_id):
    values = _form(*CYCLE_TEXTS)
    values.update(_date_values("started_on"))
    values.update(_date_values("ended_on"))
    body = {name: _or_none(values[name]) for name in CYCLE_TEXTS}
    body.update(
        title=values["title"],
        plan=values["plan"],
        started_on=_date_of(values, "started_on"),
        ended_on=_date_of(values, "ended_on"),
    )
    errors = [] if values["activity_id"] else [FieldError("activity_id", CYCLE_MESSAGES["activity_id"])]
    if not errors:
        answer = _save_item(plan_id, "cycles", item_id, body)
        if answer.ok:
            flash(f"The PDSA cycle {answer.body['title']} is saved.")
            return redirect(url_for("plan.cycles", plan_id=plan_id))
        errors = plan_field_errors(answer.field_errors, CYCLE_FIELDS, CYCLE_MESSAGES, answer.detail)
    plan = _plan(plan_id)
    return _cycle_page(plan, _item(plan, "cycles", item_id) if item_id else None, values, errors)


def _cycle_page(plan, item, values, errors=()):
    return form_page(
        "plan/cycle.html",
        plan=plan,
        item=item,
        values=values,
        errors=errors,
        activities=_activities(plan),
        acts=presenters.CYCLE_ACTS,
    )
