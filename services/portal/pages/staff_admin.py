"""Trust admins: the Trust's staff — find, add, import, invite, set roles, deactivate a leaver."""

from __future__ import annotations

import json

from flask import Blueprint, abort, flash, redirect, request, url_for

from services.portal import presenters
from services.portal.backend import Answer, Call, get
from services.portal.pages.support import call, calls, every_page, form_page, found, passed_through, requires_sign_in
from services.portal.presenters import ROLE_HINTS, ROLE_NAMES, FieldError, field_errors
from services.portal.session import signed_in

blueprint = Blueprint("staff_admin", __name__)

ADMIN = "trust_admin"
PERSON = "/staff/<uuid:user_id>"
PAGE_SIZE = 50
IMPORT_LIMIT_BYTES = 5 * 1024 * 1024
IMPORT_LIMIT_WORDS = "5 MB"
CSV_HEADER = "staff_number,name,email,professional_group,roles,department"
INVITATIONS_PER_CALL = 100
IMPORT_TIMEOUT_SECONDS = 25.0  # a whole Trust's file takes a while; still inside the web server's 30 s
PERSON_FIELDS = ("name", "email", "staff_number", "professional_group", "department")
NOT_YOURSELF = "You cannot change your own roles or deactivate yourself. Ask another Trust admin."


# --- The list ---------------------------------------------------------------------------------------


@blueprint.get("/staff")
@requires_sign_in(ADMIN)
def staff_list():
    filters = {
        "q": request.args.get("q", "").strip(),
        "role": request.args.get("role", "") if request.args.get("role") in ROLE_NAMES else "",
        "department": request.args.get("department", "").strip(),
    }
    page = _positive(request.args.get("page"))
    answer = call(
        get(
            "identity",
            "/users",
            **{k: v or None for k, v in filters.items()},
            sort="name",
            page=page,
            page_size=PAGE_SIZE,
        )
    )
    people = found(answer)
    if not people and page > 1:  # past the end (the list got shorter): its last page instead
        return redirect(url_for("staff_admin.staff_list", **_given(filters)))
    paging = _pagination(answer)
    total_pages = paging.get("total_pages") or 1
    links = [
        {
            "number": number,
            "href": url_for("staff_admin.staff_list", **_given(filters), page=number),
            "current": number == page,
        }
        if number
        else {"ellipsis": True}
        for number in presenters.page_numbers(page, total_pages)
    ]
    return form_page(
        "staff_admin/list.html",
        people=people,
        values=filters,
        filtered=any(filters.values()),
        total=paging.get("total", len(people)),
        page=page,
        total_pages=total_pages,
        page_links=links,
        previous_url=url_for("staff_admin.staff_list", **_given(filters), page=page - 1) if page > 1 else None,
        next_url=url_for("staff_admin.staff_list", **_given(filters), page=page + 1) if page < total_pages else None,
        roles=ROLE_NAMES,
        status=presenters.staff_status,
        roles_text=presenters.roles_text,
    )


def _positive(value: str | None) -> int:
    try:
        return max(1, int(value or 1))
    except ValueError:
        return 1


def _given(filters: dict) -> dict:
    return {name: value for name, value in filters.items() if value}


def _pagination(answer: Answer) -> dict:
    try:
        return json.loads(answer.headers.get("X-Pagination") or "{}")
    except ValueError:
        return {}


@blueprint.get("/staff/passport-usage.csv")
@requires_sign_in(ADMIN)
def usage_export():
    """The metrics service's usage export, streamed through with the admin's own token."""
    if not signed_in().exports_usage:
        abort(404)
    return passed_through(
        get("metrics", "/exports/passport-usage.csv"),
        "text/csv",
        **{"Content-Disposition": 'attachment; filename="passport-usage.csv"'},
    )


# --- One person -------------------------------------------------------------------------------------


@blueprint.get("/staff/add")
@requires_sign_in(ADMIN)
def add():
    return form_page("staff_admin/add.html", values={"roles": ["staff"]}, roles=ROLE_NAMES, role_hints=ROLE_HINTS)


@blueprint.post("/staff/add")
@requires_sign_in(ADMIN)
def add_submitted():
    values = {name: request.form.get(name, "").strip() for name in PERSON_FIELDS}
    values["roles"] = [role for role in request.form.getlist("roles") if role in ROLE_NAMES]
    errors = []
    if not values["name"]:
        errors.append(FieldError("name", "Enter their full name"))
    if not values["email"]:
        errors.append(FieldError("email", "Enter their email address"))
    elif "@" not in values["email"]:
        errors.append(FieldError("email", "Enter an email address in the right format, like name@example.nhs.uk"))
    if not values["roles"]:
        errors.append(FieldError("roles", "Select at least one role"))
    if not errors:
        body = {"email": values["email"], "name": values["name"], "roles": values["roles"]}
        body.update(
            {name: values[name] for name in ("staff_number", "professional_group", "department") if values[name]}
        )
        answer = call(Call("identity", "POST", "/users", body=body))
        if answer.ok:
            flash(
                f"{answer.body['name']} has been added. Send them an invitation so that they can set a password "
                f"and sign in."
            )
            return redirect(url_for("staff_admin.person", user_id=answer.body["id"]))
        errors = _person_errors(answer)
    return form_page("staff_admin/add.html", errors=errors, values=values, roles=ROLE_NAMES, role_hints=ROLE_HINTS)


def _person_errors(answer: Answer) -> list[FieldError]:
    if answer.status == 409 and not answer.field_errors:
        detail = answer.detail.lower()
        if "staff number" in detail or "staff_number" in detail:
            return [FieldError("staff_number", "Someone in your Trust already has this staff number")]
        return [FieldError("email", "Someone already has an account with this email address")]
    fields = {name: name for name in (*PERSON_FIELDS, "roles")}
    return field_errors(answer.field_errors, fields, {}, answer.detail or "The details could not be saved.")


@blueprint.get(PERSON)
@requires_sign_in(ADMIN)
def person(user_id):
    return _person_page(user_id)


def _person_page(user_id, errors=(), values=None, http_status=None):
    someone = found(call(get("identity", f"/users/{user_id}")))
    return form_page(
        "staff_admin/person.html",
        someone=someone,
        errors=errors,
        values=values or {"roles": someone.get("roles") or []},
        http_status=http_status,
        roles=ROLE_NAMES,
        role_hints=ROLE_HINTS,
        status=presenters.staff_status(someone),
        roles_text=presenters.roles_text,
        is_you=str(someone["id"]) == signed_in().user_id,
    )


@blueprint.post(PERSON + "/roles")
@requires_sign_in(ADMIN)
def roles_submitted(user_id):
    chosen = [role for role in request.form.getlist("roles") if role in ROLE_NAMES]
    if not chosen:
        return _person_page(user_id, errors=[FieldError("roles", "Select at least one role")], values={"roles": chosen})
    answer = call(Call("identity", "PATCH", f"/users/{user_id}", body={"roles": chosen}))
    if answer.status == 404:
        found(answer)
    if not answer.ok:
        if answer.status == 403:
            errors = [FieldError("roles", answer.detail or NOT_YOURSELF)]
        else:
            errors = field_errors(
                answer.field_errors, {"roles": "roles"}, {}, answer.detail or "The roles could not be saved."
            )
        return _person_page(user_id, errors=errors, values={"roles": chosen})
    flash(f"Roles saved: {answer.body['name']} is now {presenters.roles_text(answer.body['roles'])}.")
    return redirect(url_for("staff_admin.person", user_id=user_id))


@blueprint.post(PERSON + "/invitation")
@requires_sign_in(ADMIN)
def invite(user_id):
    answer = call(Call("identity", "POST", f"/users/{user_id}/invitation"))
    if answer.status == 404:
        found(answer)
    if answer.status == 409:
        return _person_page(
            user_id,
            errors=[
                FieldError("", answer.detail or "This person cannot be invited: their account has been deactivated.")
            ],
            http_status=409,
        )
    invitation = found(answer)
    # Shown here and never kept: a link that is not emailed exists only on this page.
    return form_page("staff_admin/invitations-sent.html", invitations=[invitation], person_id=str(user_id))


@blueprint.get(PERSON + "/deactivate")
@requires_sign_in(ADMIN)
def deactivate(user_id):
    someone = found(call(get("identity", f"/users/{user_id}")))
    if not someone.get("active", True):
        flash(f"{someone['name']} has already been deactivated.")
        return redirect(url_for("staff_admin.person", user_id=user_id))
    return form_page("staff_admin/deactivate.html", someone=someone)


@blueprint.post(PERSON + "/deactivate")
@requires_sign_in(ADMIN)
def deactivate_submitted(user_id):
    answer = call(Call("identity", "POST", f"/users/{user_id}/deactivate"))
    if answer.status == 404:
        found(answer)
    if not answer.ok:
        someone = found(call(get("identity", f"/users/{user_id}")))
        message = answer.detail or (NOT_YOURSELF if answer.status == 403 else "This person could not be deactivated.")
        return form_page(
            "staff_admin/deactivate.html", someone=someone, errors=[FieldError("", message)], http_status=answer.status
        )
    flash(f"{answer.body['name']} has been deactivated. They can no longer sign in and will be taken off the roster.")
    return redirect(url_for("staff_admin.staff_list"))


# --- Many people: import and invitations ---------------------------------------------------------------


@blueprint.get("/staff/import")
@requires_sign_in(ADMIN)
def import_form():
    return _import_page()


def _import_page(errors=(), http_status=None):
    return form_page(
        "staff_admin/import.html",
        errors=errors,
        http_status=http_status,
        header=CSV_HEADER,
        limit=IMPORT_LIMIT_WORDS,
        roles=ROLE_NAMES,
    )


@blueprint.post("/staff/import")
@requires_sign_in(ADMIN)
def import_submitted():
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _import_page([FieldError("file", "Select a CSV file of your staff")])
    content = upload.read(IMPORT_LIMIT_BYTES + 1)
    if not content:
        return _import_page([FieldError("file", "The selected file is empty")])
    if len(content) > IMPORT_LIMIT_BYTES:
        return _import_page([FieldError("file", f"The selected file must be smaller than {IMPORT_LIMIT_WORDS}")], 413)
    answer = call(
        Call(
            "identity",
            "POST",
            "/users/import",
            body=content,
            content_type="text/csv; charset=utf-8",
            read_timeout=IMPORT_TIMEOUT_SECONDS,
        )
    )
    if answer.ok:
        report = answer.body
        waiting = _awaiting_invitation() if report.get("created") else []
        return form_page(
            "staff_admin/import-report.html",
            report=report,
            summary=presenters.import_summary(report),
            rejected=presenters.rejected_rows(report),
            waiting=waiting,
            filename=upload.filename,
        )
    return _import_page(_file_errors(answer), answer.status)


def _file_errors(answer: Answer) -> list[FieldError]:
    """What is wrong with the file as a whole, in words, on the file field."""
    if answer.status == 413:
        message = f"The selected file must be smaller than {IMPORT_LIMIT_WORDS}"
    elif answer.status == 415 or answer.status == 400:
        message = "The selected file must be a CSV file saved as UTF-8 (in Excel: Save as, then CSV UTF-8)"
    elif answer.field_errors:
        texts = [text for messages in answer.field_errors.values() for text in messages]
        message = "The file cannot be imported: " + " ".join(texts)
    else:
        message = answer.detail or "The file cannot be imported"
    return [FieldError("file", message)]


def _awaiting_invitation() -> list[dict]:
    """Everyone in the Trust not yet invited and without a password: the people to invite."""
    people = every_page(get("identity", "/users", password_set="false", active="true", sort="name"))
    return [someone for someone in people if presenters.awaits_invitation(someone)]


@blueprint.get("/staff/invitations")
@requires_sign_in(ADMIN)
def invite_everyone():
    return form_page("staff_admin/invite-everyone.html", waiting=_awaiting_invitation())


@blueprint.post("/staff/invitations")
@requires_sign_in(ADMIN)
def invite_everyone_submitted():
    waiting = _awaiting_invitation()
    if not waiting:
        flash("Everyone has been invited already.")
        return redirect(url_for("staff_admin.staff_list"))
    ids = [someone["id"] for someone in waiting]
    chunks = [ids[start : start + INVITATIONS_PER_CALL] for start in range(0, len(ids), INVITATIONS_PER_CALL)]
    answers = calls([Call("identity", "POST", "/users/invitations", body={"user_ids": chunk}) for chunk in chunks])
    invitations = [invitation for answer in answers for invitation in found(answer)["invitations"]]
    return form_page("staff_admin/invitations-sent.html", invitations=invitations, person_id=None)
