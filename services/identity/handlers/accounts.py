"""Trusts and user accounts: create, read, list, change; the caller as identity knows them now."""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from services.identity import domain, events
from services.identity.models import Trust, User
from services.identity.passwords import Passwords
from shared.db import utcnow
from shared.domain import Caller, Conflict, Invalid, NotFound, Unauthorized
from shared.pagination import named_like
from shared.uow import UnitOfWork

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
        query = named_like(query, filters["q"], name=User.name, staff_number=User.staff_number)
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
    if staff_number and uow.session.scalar(others.where(User.trust_id == trust_id, User.staff_number == staff_number)):
        raise Conflict("A user with this staff number already exists in the Trust.")


# --- Callers and the first administrator ---------------------------------------------------------


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
        uow,
        email=email,
        name=name,
        password_hash=passwords.hash(password),
        staff_number=None,
        professional_group=None,
        trust_id=None,
        roles=["platform_admin"],
    )
