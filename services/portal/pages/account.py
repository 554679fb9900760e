"""Signing in and out, and the home page of each role."""
from __future__ import annotations

import jwt
from flask import Blueprint, redirect, render_template, request, session, url_for

from services.portal.backend import Call, get
from services.portal.pages.support import backend, form_page, requires_sign_in, safe_next
from services.portal.presenters import FieldError
from services.portal.session import sign_in as remember_sign_in
from services.portal.session import sign_out as forget_sign_in

blueprint = Blueprint("account", __name__)

SIGN_IN_FAILED = "Enter the email address and password of your account. One of them is not right."


@blueprint.get("/sign-in")
def sign_in():
    notice = session.pop("notice", None)
    return form_page("account/sign-in.html", notice=notice, next=safe_next(request.args.get("next")))


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
        errors = [FieldError("email", f"There have been too many attempts to sign in to this account. "
                                      f"Wait {minutes} minutes, then try again.")]
        return form_page("account/sign-in.html", errors=errors, values={"email": email}, next=target, http_status=429)
    if not answer.ok:
        return form_page("account/sign-in.html", errors=[FieldError("email", SIGN_IN_FAILED)],
                         values={"email": email}, next=target, http_status=401 if answer.status == 401 else 422)

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
