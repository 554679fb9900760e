"""Supervisors and educators: the Trust's queue of sign-off requests, decisions one by one or in bulk,
revocation, and a passport's audit trail."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, flash, redirect, request, url_for

from services.portal import presenters
from services.portal.backend import Call, get
from services.portal.pages.passports import BEING_UPDATED, PASSPORT, SKILL, passport_and_decisions
from services.portal.pages.support import call, calls, every_page, form_page, found, requires_sign_in
from services.portal.presenters import FieldError, field_errors
from shared.language import SIGNOFF_READERS as READERS
from shared.language import SIGNOFF_REVOKERS as REVOKERS
from shared.language import SIGNOFF_SIGNERS as SIGNERS

blueprint = Blueprint("supervision", __name__)

DECISION_FIELDS = {"outcome": "outcome", "comment": "comment", "action_plan": "action_plan", "evidence": "evidence"}


@blueprint.get("/sign-off-requests")
@requires_sign_in(*READERS)
def queue():
    requests = every_page(get("signoff", "/signoff-requests", status="open"))
    passports = _passports_by_id({request["passport_id"] for request in requests})
    now = datetime.now(UTC)
    rows = [
        {
            "request": item,
            "passport": passports.get(item["passport_id"], {}),
            "ago": presenters.time_ago(item["requested_at"], now),
        }
        for item in sorted(requests, key=lambda r: r["requested_at"])
    ]
    return form_page("supervision/queue.html", rows=rows)


def _passports_by_id(ids: set[str]) -> dict[str, dict]:
    """The passports behind the requests, with their holders' names, in one call per hundred."""
    ordered = sorted(ids)
    chunks = [ordered[start : start + 100] for start in range(0, len(ordered), 100)]
    answers = calls([get("passport", "/passports", id=chunk, page_size=100) for chunk in chunks])
    return {passport["id"]: passport for answer in answers for passport in found(answer)}


@blueprint.get(PASSPORT + "/sign-off")
@requires_sign_in(*READERS)
def passport_signoff(passport_id):
    return _signoff_page(passport_id)


@blueprint.post(PASSPORT + "/sign-off")
@requires_sign_in(*SIGNERS)
def bulk_submitted(passport_id):
    chosen = request.form.getlist("skills")
    comment = request.form.get("comment", "").strip()
    values = {"skills": chosen, "comment": comment}
    errors = []
    if not chosen:
        errors.append(FieldError("skills", "Select the skills you observed as proficient"))
    if not comment:
        errors.append(FieldError("comment", "Enter what you observed"))
    if not errors:
        body = {
            "passport_id": str(passport_id),
            "signoffs": [{"skill_code": code, "outcome": "proficient", "comment": comment} for code in chosen],
        }
        answer = call(Call("signoff", "POST", "/signoffs/bulk", body=body))
        if answer.ok:
            flash(f"{len(chosen)} skill{'s' if len(chosen) != 1 else ''} signed off as proficient.")
            return redirect(url_for("supervision.passport_signoff", passport_id=passport_id))
        errors = _decision_errors(answer, {"skill_code": "skills", "comment": "comment"})
    return _signoff_page(passport_id, errors=errors, values=values)


def _signoff_page(passport_id, errors=(), values=None):
    passport, decisions = passport_and_decisions(passport_id)
    rows = presenters.passport_rows(passport, decisions)
    waiting = [skill for domain in rows for skill in domain.skills if skill.awaits_decision]
    return form_page(
        "supervision/passport.html",
        passport=passport,
        domains=rows,
        waiting=waiting,
        errors=errors,
        values=values or {"skills": []},
        signed_off=presenters.signed_off_count(rows),
        total=sum(len(domain.skills) for domain in rows),
        kinds=presenters.LEARNING_KINDS,
        learning_statuses=presenters.LEARNING_STATUSES,
    )


def _decision_errors(answer, fields: dict[str, str]) -> list[FieldError]:
    if answer.status in (404, 409) and not answer.field_errors:
        if answer.status == 404:
            return [FieldError("", BEING_UPDATED.replace("Your passport", "This passport"))]
        return [FieldError("", answer.detail or BEING_UPDATED)]
    return field_errors(answer.field_errors, fields, {}, answer.detail)


@blueprint.get(SKILL + "/decision")
@requires_sign_in(*SIGNERS)
def decision(passport_id, skill_code):
    return _decision_page(passport_id, skill_code)


@blueprint.post(SKILL + "/decision")
@requires_sign_in(*SIGNERS)
def decision_submitted(passport_id, skill_code):
    values = {name: request.form.get(name, "").strip() for name in ("outcome", "comment", "action_plan")}
    errors = []
    if values["outcome"] not in ("proficient", "not_yet"):
        errors.append(FieldError("outcome", "Select proficient or not yet"))
    if not values["comment"]:
        errors.append(FieldError("comment", "Enter what you observed"))
    if values["outcome"] == "not_yet" and not values["action_plan"]:
        errors.append(FieldError("action_plan", "Enter the action plan: what happens next before it can be signed off"))
    if not errors:
        body = {
            "passport_id": str(passport_id),
            "skill_code": skill_code,
            "outcome": values["outcome"],
            "comment": values["comment"],
            "action_plan": values["action_plan"] or None,
        }
        answer = call(Call("signoff", "POST", "/signoffs", body=body))
        if answer.ok:
            word = "proficient" if values["outcome"] == "proficient" else "not yet, with an action plan"
            flash(f"{skill_code} marked as {word}.")
            return redirect(url_for("supervision.passport_signoff", passport_id=passport_id))
        errors = _decision_errors(answer, DECISION_FIELDS)
    return _decision_page(passport_id, skill_code, errors=errors, values=values)


def _decision_page(passport_id, skill_code, errors=(), values=None):
    skill_answer, passport_answer = calls(
        [
            get("passport", f"/passports/{passport_id}/skills/{skill_code}"),
            get("passport", "/passports", id=str(passport_id)),
        ]
    )
    skill = found(skill_answer)
    passport = (found(passport_answer) or [None])[0] or found(call(get("passport", f"/passports/{passport_id}")))
    return form_page(
        "supervision/decision.html",
        passport=passport,
        skill=skill,
        errors=errors,
        values=values or {},
        kinds=presenters.LEARNING_KINDS,
        learning_statuses=presenters.LEARNING_STATUSES,
    )


@blueprint.get(PASSPORT + "/audit-trail")
@requires_sign_in(*READERS)
def audit_trail(passport_id):
    passport, decisions = passport_and_decisions(passport_id)
    people = (
        {item["id"]: item for item in every_page(get("passport", "/staff", id=sorted(_people_of(decisions))))}
        if decisions
        else {}
    )
    entries = []
    for item in decisions:
        entries.append(
            {
                "when": item["decided_at"],
                "skill_code": item["skill_code"],
                "decision": item,
                "who": people.get(item["supervisor_id"], {}).get("name"),
                "revocation": False,
            }
        )
        if item.get("revocation"):
            revocation = item["revocation"]
            entries.append(
                {
                    "when": revocation["revoked_at"],
                    "skill_code": item["skill_code"],
                    "decision": item,
                    "who": people.get(revocation["revoked_by"], {}).get("name"),
                    "revocation": True,
                }
            )
    entries.sort(key=lambda entry: entry["when"], reverse=True)
    return form_page("supervision/audit-trail.html", passport=passport, entries=entries)


def _people_of(decisions: list[dict]) -> set[str]:
    ids = {item["supervisor_id"] for item in decisions}
    ids |= {item["revocation"]["revoked_by"] for item in decisions if item.get("revocation")}
    return ids


@blueprint.get("/sign-offs/<uuid:signoff_id>/revoke")
@requires_sign_in(*REVOKERS)
def revoke(signoff_id):
    return _revoke_page(signoff_id)


@blueprint.post("/sign-offs/<uuid:signoff_id>/revoke")
@requires_sign_in(*REVOKERS)
def revoke_submitted(signoff_id):
    reason = request.form.get("reason", "").strip()
    if not reason:
        return _revoke_page(signoff_id, errors=[FieldError("reason", "Enter why you are revoking this sign-off")])
    answer = call(Call("signoff", "POST", f"/signoffs/{signoff_id}/revoke", body={"reason": reason}))
    if answer.status == 404:
        found(answer)
    if not answer.ok:
        errors = field_errors(
            answer.field_errors, {"reason": "reason"}, {}, answer.detail or "This sign-off cannot be revoked."
        )
        return _revoke_page(signoff_id, errors=errors, values={"reason": reason})
    flash(f"The sign-off of {answer.body['skill_code']} is revoked.")
    return redirect(url_for("supervision.audit_trail", passport_id=answer.body["passport_id"]))


def _revoke_page(signoff_id, errors=(), values=None):
    decision = found(call(get("signoff", f"/signoffs/{signoff_id}")))
    return form_page("supervision/revoke.html", decision=decision, errors=errors, values=values or {})
