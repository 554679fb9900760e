"""Invitations and password resets: the one-time links that set a password, and the emails that carry them."""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime

import sqlalchemy as sa

from services.identity import domain, events
from services.identity.models import AccountLink, Email, Trust, User
from services.identity.passwords import Passwords
from shared.db import utcnow
from shared.domain import Caller, Conflict, Gone, NotFound
from shared.uow import UnitOfWork

# --- Invitations, password resets and the one-time links that do them ------------------------------


def invite(
    uow: UnitOfWork,
    caller: Caller,
    user_ids: list[uuid.UUID],
    *,
    links: domain.LinkSettings,
    send_email: bool,
) -> list[dict]:
    """A new invitation link for each person (their earlier unused links become void): emailed when
    identity sends email, else handed back for the administrator to pass on. All or nothing."""
    wanted = list(dict.fromkeys(user_ids))
    users = {
        user.id: user for user in uow.session.scalars(sa.select(User).where(User.id.in_(wanted)).with_for_update())
    }
    for user_id in wanted:
        user = users.get(user_id)
        try:
            if user is None:
                raise NotFound("No such user.")
            domain.check_can_invite(caller, user.trust_id, user.roles)
        except NotFound:
            raise NotFound(f"No such user: {user_id}.") from None
        if not user.active:
            raise Conflict(f"{user.name} ({user_id}) is deactivated: reactivate the account before inviting them.")
    now = utcnow()
    _void_links(uow, wanted, now)
    trust_ids = {user.trust_id for user in users.values() if user.trust_id}
    trust_names = dict(uow.session.execute(sa.select(Trust.id, Trust.name).where(Trust.id.in_(trust_ids))).all())
    invitations = []
    for user_id in wanted:
        user = users[user_id]
        token, link = _new_link(uow, user, domain.INVITATION, links, now)
        user.invited_at = now
        if send_email:
            subject, body = domain.invitation_email(
                trust_name=trust_names.get(user.trust_id, "your Trust"),
                link=links.url(token),
                expires_at=link.expires_at,
            )
            _queue_email(uow, user.email, subject, body, now)
        invitations.append(
            {
                "user_id": user.id,
                "name": user.name,
                "email": user.email,
                "expires_at": link.expires_at,
                "emailed": send_email,
                "link": None if send_email else links.url(token),
            }
        )
    uow.commit()
    return invitations


def request_password_reset(uow: UnitOfWork, email: str, *, links: domain.LinkSettings, send_email: bool) -> None:
    """Email a reset link to an active person who has a password or was invited. Says nothing either way:
    whether the email is known is never revealed."""
    if not send_email:
        return  # no way to reach the person but through the email address itself
    user = uow.session.scalar(sa.select(User).where(User.email == domain.normalise_email(email)).with_for_update())
    if user is None or not user.active or (user.password_hash is None and user.invited_at is None):
        return
    now = utcnow()
    recent = uow.session.scalar(
        sa.select(AccountLink.id)
        .where(
            AccountLink.user_id == user.id,
            AccountLink.purpose == domain.PASSWORD_RESET,
            AccountLink.created_at > now - domain.RESET_REPEAT_AFTER,
        )
        .limit(1)
    )
    if recent:
        return
    token, link = _new_link(uow, user, domain.PASSWORD_RESET, links, now)
    subject, body = domain.reset_email(link=links.url(token), expires_at=link.expires_at)
    _queue_email(uow, user.email, subject, body, now)
    uow.commit()


def link_details(uow: UnitOfWork, token: str) -> dict:
    link, user = _usable_link(uow, token, lock=False)
    return {"purpose": link.purpose, "name": user.name, "email": user.email, "expires_at": link.expires_at}


def set_password_from_link(uow: UnitOfWork, token: str, password: str, passwords: Passwords) -> dict:
    """The person sets their password; the link is used, and every other link of theirs void."""
    link, user = _usable_link(uow, token, lock=True)
    passwords.check(password, email=user.email)
    now = utcnow()
    user.password_hash = passwords.hash(password)
    user.updated_at = now
    link.used_at = now
    _void_links(uow, [user.id], now)
    uow.publish("user.updated", subject=user.id, data=events.user_updated(user, ["password"]), trust_id=user.trust_id)
    uow.commit()
    return {"user_id": user.id, "email": user.email}


def _usable_link(uow: UnitOfWork, token: str, *, lock: bool) -> tuple[AccountLink, User]:
    query = sa.select(AccountLink).where(AccountLink.token_hash == domain.token_hash(token))
    link = uow.session.scalar(query.with_for_update() if lock else query)
    if link is None:
        raise NotFound(domain.LINK_UNKNOWN)
    user = uow.session.get(User, link.user_id, with_for_update=lock)
    problem = domain.link_problem(used_at=link.used_at, expires_at=link.expires_at, now=utcnow())
    if problem:
        raise Gone(problem)
    if not user.active:
        raise Gone("This account is deactivated. Ask your Trust's administrator.")
    return link, user


def _new_link(uow: UnitOfWork, user: User, purpose: str, links: domain.LinkSettings, now: datetime):
    token = secrets.token_urlsafe(32)
    link = AccountLink(
        id=uuid.uuid4(),
        user_id=user.id,
        purpose=purpose,
        token_hash=domain.token_hash(token),
        created_at=now,
        expires_at=now + links.ttl(purpose),
    )
    uow.session.add(link)
    return token, link


def _void_links(uow: UnitOfWork, user_ids: list[uuid.UUID], now: datetime) -> None:
    """The people's unused links stop working now (a void link reads as expired)."""
    uow.session.execute(
        sa.update(AccountLink)
        .where(AccountLink.user_id.in_(user_ids), AccountLink.used_at.is_(None), AccountLink.expires_at > now)
        .values(expires_at=now)
        .execution_options(synchronize_session=False)
    )


def _queue_email(uow: UnitOfWork, to: str, subject: str, body: str, now: datetime) -> None:
    uow.session.add(
        Email(
            id=uuid.uuid4(), to_address=to, subject=subject, body=body, created_at=now, attempts=0, next_attempt_at=now
        )
    )
