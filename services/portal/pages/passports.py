"""A member of staff's own passports: start one, self-assess, record learning, ask for sign-off."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, flash, redirect, request, url_for

from services.portal import presenters
from services.portal.backend import Call, get
from services.portal.pages.support import call, calls, every_page, form_page, found, passport_types, requires_sign_in
from services.portal.presenters import FieldError, field_errors
from services.portal.session import signed_in

blueprint = Blueprint("passports", __name__)

PASSPORT = "/passports/<uuid:passport_id>"
SKILL = PASSPORT + "/skills/<skill_code>"
BEING_UPDATED = "Your passport is being updated. Try again in a moment."


def passport_and_decisions(passport_id) -> tuple[dict, list[dict]]:
    """The passport (passport service) and every sign-off decision on it (sign-off service), fetched together."""
    passport_answer, decisions_answer = calls(
        [
            get("passport", f"/passports/{passport_id}"),
            get("signoff", "/signoffs", passport_id=str(passport_id), page_size=100),
        ]
    )
    passport = found(passport_answer)
    decisions = list(found(decisions_answer))
    if len(decisions) == 100:  # a long history: the rest of it, page by page
        decisions = every_page(get("signoff", "/signoffs", passport_id=str(passport_id)))
    return passport, decisions


@blueprint.get("/passports")
@requires_sign_in()
def my_passports():
    passports = found(call(get("passport", "/passports", staff_id=signed_in().user_id, page_size=100)))
    return form_page(
        "passports/list.html",
        passports=passports,
        progress_text=presenters.progress_text,
        statuses=presenters.PASSPORT_STATUSES,
    )


@blueprint.get("/passports/start")
@requires_sign_in()
def start():
    return start_page()


@blueprint.post("/passports/start")
@requires_sign_in()
def start_submitted():
    code = request.form.get("passport_type", "")
    if not code:
        return start_page(errors=[FieldError("passport_type", "Select the passport you want to start")])
    answer = call(Call("passport", "POST", "/passports", body={"passport_type": code}))
    if answer.status == 409:
        errors = [
            FieldError(
                "passport_type",
                "You already have this passport in progress. Carry on with that one from your passports.",
            )
        ]
        return start_page(errors=errors, values={"passport_type": code})
    if not answer.ok:
        errors = field_errors(
            answer.field_errors,
            {"passport_type": "passport_type"},
            {"passport_type": "Select one of the passports listed"},
            answer.detail,
        )
        return start_page(errors=errors, values={"passport_type": code})
    flash(f"You started the {answer.body['title']} passport.")
    return redirect(url_for("passports.overview", passport_id=answer.body["id"]))


def start_page(**context):
    return form_page("passports/start.html", types=passport_types(), care_settings=presenters.CARE_SETTINGS, **context)


@blueprint.get(PASSPORT)
@requires_sign_in()
def overview(passport_id):
    passport, decisions = passport_and_decisions(passport_id)
    rows = presenters.passport_rows(passport, decisions)
    user = signed_in()
    return form_page(
        "passports/overview.html",
        passport=passport,
        domains=rows,
        signed_off=presenters.signed_off_count(rows),
        total=sum(len(domain.skills) for domain in rows),
        is_holder=passport["staff_id"] == user.user_id,
        can_request=any(skill.awaits_decision for domain in rows for skill in domain.skills),
    )


@blueprint.get(SKILL)
@requires_sign_in()
def skill(passport_id, skill_code):
    skill_answer, passport_answer, decisions_answer = calls(
        [
            get("passport", f"/passports/{passport_id}/skills/{skill_code}"),
            get("passport", "/passports", id=str(passport_id)),
            get("signoff", "/signoffs", passport_id=str(passport_id), skill_code=skill_code, page_size=100),
        ]
    )
    detail = found(skill_answer)
    passport = (found(passport_answer) or [{}])[0]
    decisions = found(decisions_answer)
    standing = presenters.standing_decisions(decisions).get(skill_code)
    status = presenters.skill_status(detail, standing, any(d.get("revocation") for d in decisions))
    return form_page(
        "passports/skill.html",
        passport_id=passport_id,
        passport=passport,
        skill=detail,
        status=status,
        is_holder=passport.get("staff_id") == signed_in().user_id,
        decisions=decisions,
        standing=standing,
        history=_history(detail, decisions),
        kinds=presenters.LEARNING_KINDS,
        learning_statuses=presenters.LEARNING_STATUSES,
    )


def _history(detail: dict, decisions: list[dict]) -> list[tuple[str, str]]:
    """Everything that happened to the skill, newest first, in words."""
    events = []
    for assessment in detail.get("self_assessment_history") or []:
        events.append((assessment["assessed_at"], f"Self-assessed: {presenters.LEVELS.get(assessment['level'])}"))
    for record in detail.get("learning") or []:
        events.append(
            (
                record["recorded_at"],
                f"{presenters.LEARNING_KINDS.get(record['kind'])} recorded as "
                f"{presenters.LEARNING_STATUSES.get(record['status'], '').lower()}",
            )
        )
    for decision in decisions:
        outcome = "Signed off as proficient" if decision["outcome"] == "proficient" else "Not yet: action plan set"
        events.append((decision["decided_at"], outcome))
        if decision.get("revocation"):
            events.append(
                (decision["revocation"]["revoked_at"], f"Sign-off revoked: {decision['revocation']['reason']}")
            )
    return sorted(events, reverse=True)


# --- Self-assessment ---------------------------------------------------------------------------------


@blueprint.get(SKILL + "/self-assessment")
@requires_sign_in()
def self_assessment(passport_id, skill_code):
    detail = found(call(get("passport", f"/passports/{passport_id}/skills/{skill_code}")))
    current = detail.get("self_assessment") or {}
    return form_page(
        "passports/self-assessment.html",
        passport_id=passport_id,
        skill=detail,
        values={"level": current.get("level", ""), "note": current.get("note") or ""},
        hints=presenters.LEVEL_HINTS,
    )


@blueprint.post(SKILL + "/self-assessment")
@requires_sign_in()
def self_assessment_submitted(passport_id, skill_code):
    values = {"level": request.form.get("level", ""), "note": request.form.get("note", "")}
    body = {"level": values["level"], "note": values["note"].strip() or None}
    errors = [] if values["level"] else [FieldError("level", "Select how well you can do this skill")]
    answer = (
        None
        if errors
        else call(Call("passport", "PUT", f"/passports/{passport_id}/skills/{skill_code}/self-assessment", body=body))
    )
    if answer is not None and answer.status == 404:
        found(answer)
    if answer is not None and not answer.ok:
        errors = field_errors(
            answer.field_errors,
            {"level": "level", "note": "note"},
            {"level": "Select one of the four levels"},
            answer.detail,
        )
    if errors:
        detail = found(call(get("passport", f"/passports/{passport_id}/skills/{skill_code}")))
        return form_page(
            "passports/self-assessment.html",
            passport_id=passport_id,
            skill=detail,
            values=values,
            errors=errors,
            hints=presenters.LEVEL_HINTS,
        )
    passport = found(call(get("passport", f"/passports/{passport_id}")))
    flash("Your self-assessment is saved.")
    following = _next_to_assess(passport, skill_code)
    if following:
        return redirect(url_for("passports.self_assessment", passport_id=passport_id, skill_code=following))
    return redirect(url_for("passports.overview", passport_id=passport_id))


def _next_to_assess(passport: dict, after: str) -> str | None:
    """The next skill in the passport's order not yet self-assessed, so that a nurse can work straight through."""
    skills = presenters.skills_of(passport)
    start = next((index + 1 for index, skill in enumerate(skills) if skill["code"] == after), 0)
    # the skills after this one first, then any left earlier in the passport
    for skill in skills[start:] + skills[:start]:
        if not skill.get("self_assessment"):
            return skill["code"]
    return None


# --- Learning ----------------------------------------------------------------------------------------

LEARNING_FIELDS = {"kind": "kind", "status": "status", "date": "date-day", "hours": "hours", "note": "note"}


@blueprint.get(SKILL + "/learning")
@requires_sign_in()
def learning(passport_id, skill_code):
    detail = found(call(get("passport", f"/passports/{passport_id}/skills/{skill_code}")))
    return form_page(
        "passports/learning.html",
        passport_id=passport_id,
        skill=detail,
        kinds=presenters.LEARNING_KINDS,
        learning_statuses=presenters.LEARNING_STATUSES,
    )


@blueprint.post(SKILL + "/learning")
@requires_sign_in()
def learning_submitted(passport_id, skill_code):
    form = request.form
    values = {name: form.get(name, "").strip() for name in ("kind", "status", "hours", "note")}
    values.update({f"date-{part}": form.get(f"date[{part}]", "").strip() for part in ("day", "month", "year")})
    errors, body = _learning_body(values)
    if not errors:
        answer = call(Call("passport", "POST", f"/passports/{passport_id}/skills/{skill_code}/learning", body=body))
        if answer.status == 404:
            found(answer)
        if answer.ok:
            flash("Your learning is recorded.")
            return redirect(url_for("passports.skill", passport_id=passport_id, skill_code=skill_code))
        errors = field_errors(answer.field_errors, LEARNING_FIELDS, {}, answer.detail)
    detail = found(call(get("passport", f"/passports/{passport_id}/skills/{skill_code}")))
    return form_page(
        "passports/learning.html",
        passport_id=passport_id,
        skill=detail,
        values=values,
        errors=errors,
        kinds=presenters.LEARNING_KINDS,
        learning_statuses=presenters.LEARNING_STATUSES,
    )


def _learning_body(values: dict) -> tuple[list[FieldError], dict]:
    errors = []
    if values["kind"] not in presenters.LEARNING_KINDS:
        errors.append(FieldError("kind", "Select whether it was e-learning or face to face"))
    if values["status"] not in presenters.LEARNING_STATUSES:
        errors.append(FieldError("status", "Select whether it is planned, attended or completed"))
    day, month, year = values["date-day"], values["date-month"], values["date-year"]
    when = None
    if day or month or year:
        try:
            when = date(int(year), int(month), int(day))
        except ValueError:
            errors.append(FieldError("date-day", "Enter a real date, for example 28 11 2026"))
    hours = None
    if values["hours"]:
        try:
            hours = float(values["hours"])
            if not 0 <= hours <= 1000:
                raise ValueError
        except ValueError:
            errors.append(FieldError("hours", "Enter the hours as a number, for example 1.5"))
    body = {
        "kind": values["kind"],
        "status": values["status"],
        "date": when.isoformat() if when else None,
        "hours": hours,
        "note": values["note"] or None,
    }
    return errors, body


# --- Asking for sign-off -----------------------------------------------------------------------------


@blueprint.get(PASSPORT + "/request-sign-off")
@requires_sign_in()
def request_signoff(passport_id):
    return _request_page(passport_id)


@blueprint.post(PASSPORT + "/request-sign-off")
@requires_sign_in()
def request_signoff_submitted(passport_id):
    chosen = request.form.getlist("skills")
    if not chosen:
        return _request_page(passport_id, errors=[FieldError("skills", "Select the skills you want signed off")])
    answer = call(
        Call("signoff", "POST", "/signoff-requests", body={"passport_id": str(passport_id), "skill_codes": chosen})
    )
    if answer.status in (404, 409):  # the sign-off service has not heard of the passport or a self-assessment yet
        return _request_page(passport_id, errors=[FieldError("", BEING_UPDATED)], chosen=chosen, http_status=409)
    if not answer.ok:
        return _request_page(
            passport_id,
            errors=field_errors(answer.field_errors, {"skill_codes": "skills"}, {}, answer.detail),
            chosen=chosen,
        )
    flash(
        f"You asked for sign-off of {len(chosen)} skill{'s' if len(chosen) != 1 else ''}. "
        f"A supervisor will see your request."
    )
    return redirect(url_for("passports.overview", passport_id=passport_id))


def _request_page(passport_id, errors=(), chosen=None, http_status=None):
    passport, decisions = passport_and_decisions(passport_id)
    rows = presenters.passport_rows(passport, decisions)
    askable = [skill for domain in rows for skill in domain.skills if skill.awaits_decision]
    values = {"skills": chosen if chosen is not None else [skill.code for skill in askable]}
    return form_page(
        "passports/request-sign-off.html",
        passport=passport,
        askable=askable,
        errors=errors,
        values=values,
        http_status=http_status,
    )
