"""Signing in and out, setting a password from an invitation or reset link, and the home page of each role."""

from __future__ import annotations

import jwt
from flask import Blueprint, abort, redirect, render_template, request, session, url_for

from services.portal.backend import Call, get
from services.portal.pages.support import backend, form_page, requires_sign_in, safe_next
from services.portal.presenters import FieldError, field_errors
from services.portal.session import sign_in as remember_sign_in
from services.portal.session import sign_out as forget_sign_in

blueprint = Blueprint("account", __name__)

SIGN_IN_FAILED = "Enter the email address and password of your account. One of them is not right."


@blueprint.get("/sign-in")
def sign_in():
    notice = session.pop("notice", None)
    return form_page(
        "account/sign-in.html",
        notice=notice,
        next=safe_next(request.args.get("next")),
        values={"email": session.pop("sign_in_email", "")},
    )


@blueprint.post("/sign-in")
def sign_in_submitted():
    email = request.form.get("email", "").strip()
    password = request.form.get("password", "")
    target = safe_next(request.form.get("next"))
    errors = []
    if not email:
        errors.append(FieldError("email", "Enter your email address"))
    if not password:
        errors.append(FieldError("password", "Enter your password"))
    if errors:
        return form_page("account/sign-in.html", errors=errors, values={"email": email}, next=target)

    answer = backend().call(Call("identity", "POST", "/auth/token", body={"email": email, "password": password}))
    if answer.status == 429:
        minutes = max(1, round(int(answer.headers.get("Retry-After", "900") or 900) / 60))
        errors = [
            FieldError(
                "email",
                f"There have been too many attempts to sign in to this account. "
                f"Wait {minutes} minutes, then try again.",
            )
        ]
        return form_page("account/sign-in.html", errors=errors, values={"email": email}, next=target, http_status=429)
    if not answer.ok:
        return form_page(
            "account/sign-in.html",
            errors=[FieldError("email", SIGN_IN_FAILED)],
            values={"email": email},
            next=target,
            http_status=401 if answer.status == 401 else 422,
        )

    token = answer.body["access_token"]
    # Straight from identity over our own connection: its claims are read here, and checked by every
    # service the token is sent to.
    claims = jwt.decode(token, options={"verify_signature": False})
    me_call = get("identity", "/users/me")
    trust_call = get("identity", f"/trusts/{claims['trust_id']}") if claims.get("trust_id") else None
    answers = backend().call_all([c for c in (me_call, trust_call) if c], token)
    me = answers[0].body if answers[0].ok else {}
    trust = answers[1].body if trust_call and answers[1].ok else {}
    remember_sign_in(token, claims, me.get("name") or email, trust.get("name"))
    return redirect(target)


@blueprint.post("/sign-out")
def sign_out():
    forget_sign_in()
    session["notice"] = "You have signed out."
    return redirect(url_for("account.sign_in"))


@blueprint.get("/")
@requires_sign_in()
def home():
    return render_template("account/home.html")


# --- Setting a password: from an invitation or a reset link, without signing in ---------------------------

LINK_PROBLEMS = {
    "used": (
        "This link has already been used",
        "Each link works once. If you set your password with it, sign in with that password.",
    ),
    "expired": ("This link has expired", "Links stop working after a while, to keep accounts safe."),
    "unknown": ("This link does not work", "It may have been copied wrongly, or a newer link replaced it."),
}


@blueprint.get("/set-password/<token>")
def set_password(token):
    link = backend().call(get("identity", f"/auth/links/{token}"))
    if not link.ok:
        return _link_not_usable(link)
    return form_page("account/set-password.html", link=link.body, token=token)


@blueprint.post("/set-password/<token>")
def set_password_submitted(token):
    password = request.form.get("password", "")
    confirm = request.form.get("confirm_password", "")
    errors = []
    if not password:
        errors.append(FieldError("password", "Enter a password"))
    elif password != confirm:
        errors.append(FieldError("confirm_password", "The passwords do not match. Type the same password twice"))
    if not errors:
        answer = backend().call(Call("identity", "POST", f"/auth/links/{token}", body={"password": password}))
        if answer.ok:
            forget_sign_in()  # whoever was signed in on this browser, the next sign-in is the link's owner
            session["notice"] = f"Your password has been set. Sign in with {answer.body['email']}"
            session["sign_in_email"] = answer.body["email"]
            return redirect(url_for("account.sign_in"))
        if answer.status in (404, 410):
            return _link_not_usable(answer)
        errors = field_errors(
            answer.field_errors, {"password": "password"}, {}, answer.detail or "Choose a different password"
        )
    link = backend().call(get("identity", f"/auth/links/{token}"))
    if not link.ok:
        return _link_not_usable(link)
    # Passwords are never written back into the page: the person types them again.
    return form_page("account/set-password.html", errors=errors, link=link.body, token=token)


def _link_not_usable(answer):
    """An unknown, expired or used link, said in words, with the way to a new one."""
    if answer.status >= 500 or answer.status not in (404, 410):
        abort(answer.status if 400 <= answer.status < 500 else 503)
    detail = answer.detail.lower()
    kind = "unknown" if answer.status == 404 else "used" if "used" in detail else "expired"
    heading, reason = LINK_PROBLEMS[kind]
    return form_page("account/link-not-usable.html", heading=heading, reason=reason, http_status=answer.status)


@blueprint.get("/forgotten-password")
def forgotten_password():
    return form_page("account/forgotten-password.html")


@blueprint.post("/forgotten-password")
def forgotten_password_submitted():
    email = request.form.get("email", "").strip()
    error = None
    if not email:
        error = "Enter your email address"
    elif "@" not in email or len(email) > 254:
        error = "Enter an email address in the right format, like name@example.nhs.uk"
    if error:
        return form_page(
            "account/forgotten-password.html", errors=[FieldError("email", error)], values={"email": email}
        )
    # The answer is the same whether or not the account exists, so the page is too.
    backend().call(Call("identity", "POST", "/auth/password-reset", body={"email": email}))
    return redirect(url_for("account.reset_link_sent"))


@blueprint.get("/forgotten-password/sent")
def reset_link_sent():
    return form_page("account/reset-link-sent.html")
