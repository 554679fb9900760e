"""Identity's commands: each takes a unit of work, applies the domain rules and stages its events."""
from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import datetime

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from marshmallow import ValidationError

from services.identity import domain, events, schemas
from services.identity.models import AccountLink, Email, LoginThrottle, Trust, User
from shared.auth import Caller
from shared.db import insert_if_missing, utcnow
from shared.errors import Conflict, Gone, Invalid, NotFound, TooManyRequests, Unauthorized, flatten_messages
from shared.uow import UnitOfWork

WRONG_CREDENTIALS = "The email or password is incorrect."


class Passwords:
    def __init__(self, time_cost: int = 3, memory_kib: int = 65536, common: frozenset[str] = frozenset()):
        self.hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=1)
        # Compared against when the email is unknown, so that both paths take the same time.
        self.dummy_hash = self.hasher.hash(uuid.uuid4().hex)
        self.common = common  # common passwords, lower case: refused as new passwords

    def check(self, password: str, *, email: str | None) -> None:
        """A new password follows the rules (422 naming `password` otherwise)."""
        problem = domain.password_problem(password, email=email, common=self.common)
        if problem:
            raise Invalid("password", problem)

    def hash(self, password: str) -> str:
        return self.hasher.hash(password)

    def verify(self, password_hash: str | None, password: str) -> bool:
        try:
            return self.hasher.verify(password_hash or self.dummy_hash, password) and password_hash is not None
        except (VerificationError, InvalidHashError):
            return False


# --- Trusts -----------------------------------------------------------------------------------------

def create_trust(uow: UnitOfWork, data: dict) -> Trust:
    if uow.session.scalar(sa.select(Trust.id).where(Trust.ods_code == data["ods_code"])):
        raise Conflict(f"A Trust with ODS code {data['ods_code']} already exists.")
    trust = Trust(id=uuid.uuid4(), name=data["name"].strip(), ods_code=data["ods_code"], created_at=utcnow())
    uow.session.add(trust)
    uow.session.flush()
    uow.publish("trust.created", subject=trust.id, data=events.trust_created(trust), trust_id=trust.id)
    uow.commit()
    return trust


def get_trust(uow: UnitOfWork, caller: Caller, trust_id: uuid.UUID) -> Trust:
    domain.check_can_read_trust(caller, trust_id)
    trust = uow.session.get(Trust, trust_id)
    if trust is None:
        raise NotFound("No such Trust.")
    return trust


def list_trusts(uow: UnitOfWork, caller: Caller, filters: dict):
    query = sa.select(Trust).order_by(Trust.name, Trust.id)
    if not caller.is_platform_admin:
        query = query.where(Trust.id == caller.trust_id)
    if filters.get("ods_code"):
        query = query.where(Trust.ods_code == filters["ods_code"])
    return query


# --- Users ------------------------------------------------------------------------------------------

def create_user(uow: UnitOfWork, caller: Caller, data: dict, passwords: Passwords) -> User:
    trust_id = data["trust_id"]
    if trust_id is None and not caller.is_platform_admin:
        trust_id = caller.trust_id  # a trust_admin's new users join their own Trust
    roles = domain.check_roles(data["roles"], trust_id)
    domain.check_can_create_user(caller, trust_id, roles)
    if trust_id is not None and uow.session.get(Trust, trust_id) is None:
        raise Invalid("trust_id", "No such Trust.")
    email = domain.normalise_email(data["email"])
    if data["password"] is not None:
        passwords.check(data["password"], email=email)
    _check_unique(uow, email=email, trust_id=trust_id, staff_number=data["staff_number"])
    return _register(
        uow,
        email=email,
        name=data["name"].strip(),
        password_hash=passwords.hash(data["password"]) if data["password"] is not None else None,
        staff_number=data["staff_number"],
        professional_group=data["professional_group"],
        department=data["department"],
        trust_id=trust_id,
        roles=roles,
    )


def _register(uow: UnitOfWork, **fields) -> User:
    now = utcnow()
    user = User(id=uuid.uuid4(), active=True, created_at=now, updated_at=now, **fields)
    uow.session.add(user)
    uow.session.flush()
    uow.publish("user.registered", subject=user.id, data=events.user_registered(user), trust_id=user.trust_id)
    uow.commit()
    return user


def get_user(uow: UnitOfWork, caller: Caller, user_id: uuid.UUID) -> User:
    user = uow.session.get(User, user_id)
    if user is None:
        raise NotFound("No such user.")
    domain.check_can_read_user(caller, user.id, user.trust_id)
    return user


def list_users(uow: UnitOfWork, caller: Caller, filters: dict):
    if filters.get("sort") == "name":
        query = sa.select(User).order_by(sa.func.lower(User.name), User.id)
    else:
        query = sa.select(User).order_by(User.created_at, User.id)
    if not caller.is_platform_admin:
        query = query.where(User.trust_id == caller.trust_id)
    if "trust_id" in filters:
        query = query.where(User.trust_id == filters["trust_id"])
    if "active" in filters:
        query = query.where(User.active == filters["active"])
    if "email" in filters:
        query = query.where(User.email == domain.normalise_email(filters["email"]))
    if "role" in filters:
        # Roles come from a fixed list, so matching the quoted name in the JSON text is exact.
        query = query.where(sa.cast(User.roles, sa.String).like(f'%"{filters["role"]}"%'))
    if "q" in filters:
        text = filters["q"].strip().lower()
        query = query.where(sa.or_(
            sa.func.lower(User.name).contains(text, autoescape=True),
            sa.func.lower(User.staff_number).startswith(text, autoescape=True),
        ))
    if "department" in filters:
        query = query.where(User.department == filters["department"])
    if "password_set" in filters:
        has_password = User.password_hash.is_not(None)
        query = query.where(has_password if filters["password_set"] else sa.not_(has_password))
    return query


def update_user(uow: UnitOfWork, caller: Caller, user_id: uuid.UUID, changes: dict, passwords: Passwords) -> User:
    user = uow.session.get(User, user_id, with_for_update=True)
    if user is None:
        raise NotFound("No such user.")
    domain.check_can_update_user(caller, user.id, user.trust_id, user.roles, changes)
    if "current_password" in changes and not passwords.verify(user.password_hash, changes["current_password"]):
        raise Invalid("current_password", "The current password is incorrect.")

    trust_id = changes.get("trust_id", user.trust_id)
    if trust_id != user.trust_id and trust_id is not None and uow.session.get(Trust, trust_id) is None:
        raise Invalid("trust_id", "No such Trust.")
    roles = domain.check_roles(changes.get("roles", user.roles), trust_id)
    email = domain.normalise_email(changes["email"]) if "email" in changes else user.email
    staff_number = changes.get("staff_number", user.staff_number)
    if (email, trust_id, staff_number) != (user.email, user.trust_id, user.staff_number):
        _check_unique(uow, email=email, trust_id=trust_id, staff_number=staff_number, except_id=user.id)

    new_values = {
        "email": email,
        "name": changes["name"].strip() if "name" in changes else user.name,
        "trust_id": trust_id,
        "roles": roles,
        "staff_number": staff_number,
        "professional_group": changes.get("professional_group", user.professional_group),
        "department": changes.get("department", user.department),
        "active": changes.get("active", user.active),
    }
    changed = [name for name, value in new_values.items() if getattr(user, name) != value]
    if "password" in changes:
        passwords.check(changes["password"], email=email)
        user.password_hash = passwords.hash(changes["password"])
        changed.append("password")
    if not changed:
        return user
    for name, value in new_values.items():
        setattr(user, name, value)
    user.updated_at = utcnow()
    uow.session.flush()
    if changed == ["active"] and not user.active:
        uow.publish("user.deactivated", subject=user.id, data=events.user_deactivated(user), trust_id=user.trust_id)
    else:
        uow.publish("user.updated", subject=user.id, data=events.user_updated(user, changed), trust_id=user.trust_id)
        if "active" in changed and not user.active:
            uow.publish("user.deactivated", subject=user.id, data=events.user_deactivated(user), trust_id=user.trust_id)
    uow.commit()
    return user


def _check_unique(uow, *, email, trust_id, staff_number, except_id=None) -> None:
    others = sa.select(User.id).where(User.id != except_id) if except_id else sa.select(User.id)
    if uow.session.scalar(others.where(User.email == email)):
        raise Conflict("A user with this email already exists.")
    if staff_number and uow.session.scalar(
        others.where(User.trust_id == trust_id, User.staff_number == staff_number)
    ):
        raise Conflict("A user with this staff number already exists in the Trust.")


# --- Sign-in ----------------------------------------------------------------------------------------

def issue_token(
    uow: UnitOfWork, email: str, password: str, *, client: str, passwords: Passwords, sign,
    policy: domain.ThrottlePolicy, issuer: str, audience: str, ttl_seconds: int,
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
            state.failures, state.window_started_at, state.locked_until,
        )
        uow.commit()
        raise Unauthorized(WRONG_CREDENTIALS)

    if passwords.hasher.check_needs_rehash(user.password_hash):
        user.password_hash = passwords.hash(password)
    if throttle is not None:
        uow.session.delete(throttle)
    uow.commit()
    claims = domain.token_claims(
        user_id=user.id, trust_id=user.trust_id, roles=user.roles, name=user.name,
        issuer=issuer, audience=audience, now=now, ttl_seconds=ttl_seconds,
    )
    return {"access_token": sign(claims), "token_type": "Bearer", "expires_in": ttl_seconds}


def _throttle_state(row: LoginThrottle | None) -> domain.ThrottleState | None:
    return domain.ThrottleState(row.failures, row.window_started_at, row.locked_until) if row else None


def current_caller_of(uow: UnitOfWork, caller: Caller) -> Caller:
    """Identity owns roles and Trusts: it acts on their current values, not the token's copy."""
    user = uow.session.get(User, caller.user_id)
    if user is None or not user.active:
        raise Unauthorized("This account is deactivated.")
    return Caller(user_id=user.id, trust_id=user.trust_id, roles=frozenset(user.roles))


def ensure_platform_admin(uow: UnitOfWork, email: str, password: str, passwords: Passwords, name: str) -> User | None:
    """Create the platform admin unless a user with that email exists. Returns the new user."""
    email = domain.normalise_email(email)
    if uow.session.scalar(sa.select(User.id).where(User.email == email)):
        return None
    return _register(
        uow, email=email, name=name, password_hash=passwords.hash(password),
        staff_number=None, professional_group=None, trust_id=None, roles=["platform_admin"],
    )


# --- Importing a Trust's people ---------------------------------------------------------------------

# Rows applied per transaction: a 10,000-row file never holds one long transaction, and a batch's outbox
# rows commit with its people.
IMPORT_BATCH = 500
_IMPORT_ROW = schemas.ImportRow()


def import_users(uow: UnitOfWork, caller: Caller, trust_id: uuid.UUID | None, data: bytes) -> dict:
    """Create, update or leave as they are the people of a CSV file, matched by staff number in the Trust.
    The rows that break a rule are reported by line and change nothing; the others are applied."""
    trust = _trust_managed_by(uow, caller, trust_id)
    rows = [_read_row(raw) for raw in domain.read_import_file(data)]

    # Everything the rules need, in a few queries rather than a few per row.
    people = {user.staff_number: user for user in uow.session.scalars(
        sa.select(User).where(User.trust_id == trust.id, User.staff_number.is_not(None)))}
    plan = domain.plan_import(
        rows, caller=caller,
        by_staff_number={number: domain.KnownPerson(user.id, tuple(user.roles)) for number, user in people.items()},
        email_owners=_email_owners(uow, {row.values["email"] for row in rows if "email" in row.values}),
    )

    work = sorted([(row, None) for row in plan.creates] + plan.matches, key=lambda item: item[0].line)
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    for start in range(0, len(work), IMPORT_BATCH):
        batch = work[start:start + IMPORT_BATCH]
        # The matched people, locked and read afresh: a change made since they were first read is compared
        # against, not overwritten blindly.
        matched = {user.id: user for user in uow.session.scalars(
            sa.select(User).where(User.id.in_([user_id for _, user_id in batch if user_id]))
            .with_for_update().execution_options(populate_existing=True))}
        now = utcnow()
        for row, user_id in batch:
            if user_id is None:
                _import_new(uow, trust.id, row.values, now)
                counts["created"] += 1
            elif _import_changes(uow, matched[user_id], row.values, now):
                counts["updated"] += 1
            else:
                counts["unchanged"] += 1
        uow.commit()
    rejected = [{"row": row.line, "errors": row.errors} for row in plan.rejected]
    return {**counts, "rejected": rejected}


def _trust_managed_by(uow: UnitOfWork, caller: Caller, trust_id: uuid.UUID | None) -> Trust:
    if trust_id is None:
        if caller.is_platform_admin:
            raise Invalid("trust_id", "Name the Trust to import into: ?trust_id=.")
        trust_id = caller.trust_id
    trust = uow.session.get(Trust, trust_id) if domain.can_manage_trust_users(caller, trust_id) else None
    if trust is None:
        raise NotFound("No such Trust.")
    return trust


def _read_row(raw: domain.RawRow) -> domain.ImportRow:
    if raw.problem:
        return domain.ImportRow(raw.line, {}, {"row": [raw.problem]})
    try:
        return domain.ImportRow(raw.line, _IMPORT_ROW.load(raw.cells))
    except ValidationError as error:
        valid = error.valid_data if isinstance(error.valid_data, dict) else {}
        return domain.ImportRow(raw.line, valid, flatten_messages(error.messages))


def _email_owners(uow: UnitOfWork, emails: set[str]) -> dict[str, uuid.UUID]:
    """Who already has each of these emails, in any Trust."""
    owners: dict[str, uuid.UUID] = {}
    wanted = sorted(emails)
    for start in range(0, len(wanted), 1000):
        chunk = wanted[start:start + 1000]
        owners.update(uow.session.execute(sa.select(User.email, User.id).where(User.email.in_(chunk))).all())
    return owners


def _import_new(uow: UnitOfWork, trust_id: uuid.UUID, values: dict, now: datetime) -> None:
    # No password: the person sets one from an invitation.
    user = User(id=uuid.uuid4(), trust_id=trust_id, password_hash=None, active=True, created_at=now, updated_at=now,
                **{name: values[name] for name in ("staff_number", *domain.IMPORTED_FIELDS)})
    uow.session.add(user)
    uow.publish("user.registered", subject=user.id, data=events.user_registered(user), trust_id=trust_id)


def _import_changes(uow: UnitOfWork, user: User, values: dict, now: datetime) -> bool:
    current = {name: getattr(user, name) for name in domain.IMPORTED_FIELDS}
    changed = domain.changed_fields(current, values)
    if not changed:
        return False
    for name in changed:
        setattr(user, name, values[name])
    user.updated_at = now
    uow.publish("user.updated", subject=user.id, data=events.user_updated(user, changed), trust_id=user.trust_id)
    return True


# --- Invitations, password resets and the one-time links that do them ------------------------------

def invite(
    uow: UnitOfWork, caller: Caller, user_ids: list[uuid.UUID], *, links: domain.LinkSettings, send_email: bool,
) -> list[dict]:
    """A new invitation link for each person (their earlier unused links become void): emailed when
    identity sends email, else handed back for the administrator to pass on. All or nothing."""
    wanted = list(dict.fromkeys(user_ids))
    users = {user.id: user for user in uow.session.scalars(
        sa.select(User).where(User.id.in_(wanted)).with_for_update())}
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
                trust_name=trust_names.get(user.trust_id, "your Trust"), link=links.url(token),
                expires_at=link.expires_at)
            _queue_email(uow, user.email, subject, body, now)
        invitations.append({"user_id": user.id, "name": user.name, "email": user.email,
                            "expires_at": link.expires_at, "emailed": send_email,
                            "link": None if send_email else links.url(token)})
    uow.commit()
    return invitations


def request_password_reset(uow: UnitOfWork, email: str, *, links: domain.LinkSettings, send_email: bool) -> None:
    """Email a reset link to an active person who has a password or was invited. Says nothing either way:
    whether the email is known is never revealed."""
    if not send_email:
        return  # no way to reach the person but through the email address itself
    user = uow.session.scalar(
        sa.select(User).where(User.email == domain.normalise_email(email)).with_for_update())
    if user is None or not user.active or (user.password_hash is None and user.invited_at is None):
        return
    now = utcnow()
    recent = uow.session.scalar(sa.select(AccountLink.id).where(
        AccountLink.user_id == user.id, AccountLink.purpose == domain.PASSWORD_RESET,
        AccountLink.created_at > now - domain.RESET_REPEAT_AFTER).limit(1))
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
    link = AccountLink(id=uuid.uuid4(), user_id=user.id, purpose=purpose, token_hash=domain.token_hash(token),
                       created_at=now, expires_at=now + links.ttl(purpose))
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
    uow.session.add(Email(id=uuid.uuid4(), to_address=to, subject=subject, body=body, created_at=now, attempts=0,
                          next_attempt_at=now))


# --- Sending the queued emails (identity's worker) ---------------------------------------------------

EMAIL_BATCH = 20


def send_due_emails(uow: UnitOfWork, mailer) -> int:
    """Send the emails that are due, a batch at a time, and say how many were tried. Rows are claimed with
    SKIP LOCKED, so that two workers never send the same one. A sent email's body is cleared (it holds a
    link); a failed one is tried again later, never dropped."""
    due = uow.session.scalars(
        sa.select(Email)
        .where(Email.sent_at.is_(None), Email.next_attempt_at <= utcnow())
        .order_by(Email.next_attempt_at, Email.id)
        .limit(EMAIL_BATCH)
        .with_for_update(skip_locked=True)
    ).all()
    if not due:
        return 0
    failures = mailer.send([(row.id, row.to_address, row.subject, row.body or "") for row in due])
    now = utcnow()
    for row in due:
        error = failures.get(row.id)
        if error is None:
            row.sent_at, row.body, row.last_error = now, None, None
        else:
            row.attempts += 1
            row.last_error = error[:500]
            row.next_attempt_at = now + domain.email_retry_delay(row.attempts)
    uow.commit()
    return len(due)
