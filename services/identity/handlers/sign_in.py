"""Signing in: a token for an email and password, with failed attempts throttled."""

from __future__ import annotations

import hashlib

import sqlalchemy as sa

from services.identity import domain
from services.identity.models import LoginThrottle, User
from services.identity.passwords import Passwords
from shared.db import insert_if_missing, utcnow
from shared.domain import TooManyRequests, Unauthorized
from shared.uow import UnitOfWork

WRONG_CREDENTIALS = "The email or password is incorrect."


def issue_token(
    uow: UnitOfWork,
    email: str,
    password: str,
    *,
    client: str,
    passwords: Passwords,
    sign,
    policy: domain.ThrottlePolicy,
    issuer: str,
    audience: str,
    ttl_seconds: int,
) -> dict:
    email = domain.normalise_email(email)
    # Per email and client address: failures from elsewhere cannot lock the account's owner out.
    key = hashlib.sha256(f"{email}|{client}".encode()).hexdigest()
    now = utcnow()
    throttle = uow.session.get(LoginThrottle, key)
    wait = domain.locked_for(_throttle_state(throttle), now)
    if wait:
        raise TooManyRequests("Too many failed sign-ins; try again later.", retry_after=wait)

    user = uow.session.scalar(sa.select(User).where(User.email == email))
    if not passwords.verify(user.password_hash if user else None, password) or not user.active:
        insert_if_missing(uow.session, LoginThrottle, {"key": key, "failures": 0, "window_started_at": now})
        throttle = uow.session.get(LoginThrottle, key, with_for_update=True, populate_existing=True)
        state = domain.record_failure(_throttle_state(throttle), now, policy)
        throttle.failures, throttle.window_started_at, throttle.locked_until = (
            state.failures,
            state.window_started_at,
            state.locked_until,
        )
        uow.commit()
        raise Unauthorized(WRONG_CREDENTIALS)

    if passwords.hasher.check_needs_rehash(user.password_hash):
        user.password_hash = passwords.hash(password)
    if throttle is not None:
        uow.session.delete(throttle)
    uow.commit()
    claims = domain.token_claims(
        user_id=user.id,
        trust_id=user.trust_id,
        roles=user.roles,
        name=user.name,
        issuer=issuer,
        audience=audience,
        now=now,
        ttl_seconds=ttl_seconds,
    )
    return {"access_token": sign(claims), "token_type": "Bearer", "expires_in": ttl_seconds}


def _throttle_state(row: LoginThrottle | None) -> domain.ThrottleState | None:
    return domain.ThrottleState(row.failures, row.window_started_at, row.locked_until) if row else None
