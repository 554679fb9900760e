"""What every page needs: the signed-in user, their calls to the services, forms shown again with errors."""
from __future__ import annotations

import functools
import json
from urllib.parse import urlsplit

from flask import abort, current_app, redirect, render_template, request, session, url_for

from services.portal import presenters
from services.portal.backend import Answer, Backend, Call, get
from services.portal.session import sign_out, signed_in, token

MAX_PAGE_SIZE = 100


class SessionEnded(Exception):
    """The user's token was refused (expired, or their account changed): sign in again."""


def backend() -> Backend:
    return current_app.extensions["portal"]


def call(one: Call) -> Answer:
    return calls([one])[0]


def calls(many: list[Call]) -> list[Answer]:
    """The calls at once with the user's own token; a refused token ends the session."""
    answers = backend().call_all(many, token())
    if any(answer.status == 401 for answer in answers):
        raise SessionEnded()
    return answers


def found(answer: Answer):
    """The body of an answer the page cannot do without: 404 (missing, or another Trust's) is the not-found page."""
    if answer.status in (403, 404):
        abort(404)
    if not answer.ok:
        abort(answer.status if 400 <= answer.status < 500 else 503)
    return answer.body


def passport_types() -> list[dict]:
    """The passport types as the passport service offers them (code, title, care setting…): no page keeps
    its own list."""
    return found(call(get("passport", "/passport-types")))


def passport_type_titles() -> dict[str, str]:
    return {kind["code"]: kind["title"] for kind in passport_types()}


def every_page(first: Call) -> list:
    """Every item of a paginated list: the first page, then the rest at once."""
    query = {**(first.query or {}), "page_size": MAX_PAGE_SIZE}
    answer = call(Call(first.service, first.method, first.path, query))
    items = list(found(answer))
    total_pages = _total_pages(answer)
    if total_pages > 1:
        rest = calls([Call(first.service, first.method, first.path, {**query, "page": page})
                      for page in range(2, total_pages + 1)])
        for more in rest:
            items.extend(found(more))
    return items


def _total_pages(answer: Answer) -> int:
    header = answer.headers.get("X-Pagination")
    try:
        return int(json.loads(header).get("total_pages", 1)) if header else 1
    except (ValueError, AttributeError):
        return 1


def requires_sign_in(*roles: str):
    """The page is for signed-in users (with one of `roles`, when given); others go to sign-in first and
    come back here after."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            user = signed_in()
            if user is None or user.expired:
                if user is not None:
                    sign_out()
                    session["notice"] = "Your session has ended. Sign in again to carry on."
                return redirect(url_for("account.sign_in", next=here()))
            if roles and not user.has_any(*roles):
                abort(404)  # as if it did not exist, like the APIs
            return view(*args, **kwargs)

        return wrapper

    return decorator


def here() -> str:
    return request.full_path.rstrip("?") if request.method == "GET" else request.path


def safe_next(target: str | None) -> str:
    """Only a path of this site: never an open redirect to somewhere else."""
    if not target:
        return url_for("account.home")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return url_for("account.home")
    return target


class FormValues(dict):
    """What the user typed; a field not given reads as empty, never as "None" in a text box."""

    def get(self, key, default=""):
        value = super().get(key, default)
        return default if value is None else value


def form_page(template: str, *, errors: list[presenters.FieldError] = (), values: dict | None = None,
              http_status: int | None = None, **context):
    """A form, blank or shown again with what the user typed and the error summary linked to each field."""
    by_field = {error.field: error.message for error in errors if error.field}
    body = render_template(template, errors=list(errors), error_for=by_field, values=FormValues(values or {}), **context)
    return body, http_status or (422 if errors else 200)
