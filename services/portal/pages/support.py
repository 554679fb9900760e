"""What every page needs: the signed-in user, their calls to the services, forms shown again with errors."""

from __future__ import annotations

import functools
import json
from urllib.parse import urlsplit

from flask import (
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    session,
    stream_with_context,
    url_for,
)

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
    return every_page_of_each([first])[0]


def every_page_of_each(firsts: list[Call]) -> list[list]:
    """Every item of several paginated lists: their first pages at once, then all their other pages at once."""
    firsts = [Call(c.service, c.method, c.path, {**(c.query or {}), "page_size": MAX_PAGE_SIZE}) for c in firsts]
    answers = calls(firsts)
    lists = [list(found(answer)) for answer in answers]
    rest = [
        (index, Call(first.service, first.method, first.path, {**first.query, "page": page}))
        for index, (first, answer) in enumerate(zip(firsts, answers, strict=True))
        for page in range(2, total_pages(answer) + 1)
    ]
    for (index, _), answer in zip(rest, calls([more for _, more in rest]), strict=True):
        lists[index].extend(found(answer))
    return lists


def total_pages(answer: Answer, most: int | None = None) -> int:
    """The pages of a paginated list as its first page's X-Pagination header tells (at most `most`)."""
    try:
        pages = int(json.loads(answer.headers.get("X-Pagination") or "{}").get("total_pages", 1))
    except (ValueError, AttributeError):
        pages = 1
    return min(pages, most) if most else pages


def passed_through(upstream_call: Call, mimetype: str, **headers) -> Response:
    """A service's file (a CSV, a chart) streamed from this site's own address with the user's token, which
    never leaves the server; the pages' policy allows images of this site alone."""
    upstream = backend().open(upstream_call, token(), accept=mimetype)
    if upstream.status != 200:
        upstream.release_conn()
        if upstream.status == 401:
            raise SessionEnded()
        abort(404 if upstream.status in (403, 404) else upstream.status)

    def body():
        try:
            yield from upstream.stream(64 * 1024)
        finally:
            upstream.release_conn()

    return Response(stream_with_context(body()), mimetype=mimetype, headers=headers)


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


def form_page(
    template: str,
    *,
    errors: list[presenters.FieldError] = (),
    values: dict | None = None,
    http_status: int | None = None,
    **context,
):
    """A form, blank or shown again with what the user typed and the error summary linked to each field."""
    by_field = {error.field: error.message for error in errors if error.field}
    body = render_template(
        template, errors=list(errors), error_for=by_field, values=FormValues(values or {}), **context
    )
    return body, http_status or (422 if errors else 200)
