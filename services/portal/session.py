"""The session cookie: encrypted and authenticated (Fernet), HttpOnly, SameSite=Lax, Secure over HTTPS.

It holds the user's API token, so that the token never reaches the page: not in the HTML, not readable
by script, not readable even by someone who copies the cookie. The session ends when the token does.
"""

from __future__ import annotations

import base64
import hmac
import json
import secrets
import time
from dataclasses import dataclass

from cryptography.fernet import Fernet, InvalidToken
from flask import Flask, Request, Response, session
from flask.sessions import SecureCookieSession, SessionInterface

# Each service owns who may do what with its data; the portal only decides what to offer.
from shared.language import (
    DASHBOARD_READERS,
    PASSPORT_ASSIGNERS,
    PLAN_READERS,
    PLAN_WRITERS,
    ROSTER_READERS,
    SIGNOFF_READERS,
    SIGNOFF_REVOKERS,
    SIGNOFF_SIGNERS,
    USAGE_EXPORTERS,
    VALUE_ENTERERS,
)

COOKIE_NAME = "skillpass_session"
CSRF_FIELD = "csrf_token"


class EncryptedCookieSessionInterface(SessionInterface):
    def __init__(self, key: bytes, max_age_seconds: int):
        self.fernet = Fernet(base64.urlsafe_b64encode(key))
        self.max_age_seconds = max_age_seconds

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession:
        value = request.cookies.get(COOKIE_NAME)
        if not value:
            return SecureCookieSession()
        try:
            data = json.loads(self.fernet.decrypt(value.encode(), ttl=self.max_age_seconds))
        except (InvalidToken, ValueError):
            return SecureCookieSession()  # tampered, too old, or from another key: start again
        return SecureCookieSession(data if isinstance(data, dict) else {})

    def save_session(self, app: Flask, session: SecureCookieSession, response: Response) -> None:
        from flask import request

        if not session:
            if session.modified:
                response.delete_cookie(COOKIE_NAME, path="/")
            return
        response.vary.add("Cookie")
        if not session.modified:  # unchanged: the cookie the browser holds is still right
            return
        token = self.fernet.encrypt(json.dumps(session, separators=(",", ":")).encode()).decode()
        response.set_cookie(
            COOKIE_NAME,
            token,
            max_age=self.max_age_seconds,
            path="/",
            httponly=True,
            secure=request.is_secure,
            samesite="Lax",
        )


def csrf_token() -> str:
    """The session's CSRF token, made on first use; every form carries it in a hidden field."""
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


def csrf_is_valid(given: str | None) -> bool:
    expected = session.get("csrf")
    return bool(expected and given) and hmac.compare_digest(expected, given)


@dataclass(frozen=True)
class SignedIn:
    """Who is signed in, as the session remembers them (the token stays inside the session)."""

    user_id: str
    name: str
    trust_id: str | None
    trust_name: str | None
    roles: tuple[str, ...]
    expires_at: float

    def has_any(self, *roles: str) -> bool:
        return bool(set(roles) & set(self.roles))

    # What the pages offer; the services decide, and refuse whatever a page should not have offered.
    @property
    def reads_trust(self) -> bool:
        """Sees the Trust's passports and sign-off requests."""
        return self.has_any(*SIGNOFF_READERS)

    @property
    def signs_off(self) -> bool:
        return self.has_any(*SIGNOFF_SIGNERS)

    @property
    def revokes(self) -> bool:
        return self.has_any(*SIGNOFF_REVOKERS)

    @property
    def administers_staff(self) -> bool:
        """Adds, imports, invites and deactivates the Trust's staff."""
        return self.has_any("trust_admin") and self.trust_id is not None

    @property
    def exports_usage(self) -> bool:
        return self.has_any(*USAGE_EXPORTERS)

    @property
    def assigns_passports(self) -> bool:
        """Assigns passports to staff in bulk and follows the cohort."""
        return self.has_any(*PASSPORT_ASSIGNERS)

    @property
    def reads_plan(self) -> bool:
        return self.has_any(*PLAN_READERS)

    @property
    def edits_plan(self) -> bool:
        return self.has_any(*PLAN_WRITERS)

    @property
    def reads_dashboard(self) -> bool:
        return self.has_any(*DASHBOARD_READERS)

    @property
    def enters_measure_values(self) -> bool:
        """Enters the values of the measures bound to no metric, period by period."""
        return self.has_any(*VALUE_ENTERERS)

    @property
    def reads_roster(self) -> bool:
        return self.has_any(*ROSTER_READERS)

    @property
    def holds_passports(self) -> bool:
        """Staff, and anyone whose only part is their own passports."""
        return self.has_any("staff") or not (self.reads_trust or self.has_any("platform_admin"))

    @property
    def expired(self) -> bool:
        return time.time() >= self.expires_at


def sign_in(token: str, claims: dict, name: str, trust_name: str | None) -> None:
    session.clear()
    session.update(
        {
            "token": token,
            "user": {
                "user_id": claims["sub"],
                "name": name,
                "trust_id": claims.get("trust_id"),
                "trust_name": trust_name,
                "roles": list(claims.get("roles") or []),
                "expires_at": claims["exp"],
            },
            "csrf": secrets.token_urlsafe(32),  # a new one at sign-in: a token planted before it is worthless
        }
    )


def signed_in() -> SignedIn | None:
    user = session.get("user")
    if not user or "token" not in session:
        return None
    return SignedIn(
        user["user_id"],
        user["name"],
        user.get("trust_id"),
        user.get("trust_name"),
        tuple(user.get("roles") or ()),
        float(user["expires_at"]),
    )


def token() -> str | None:
    return session.get("token")


def sign_out() -> None:
    session.clear()
