"""Identity's rules, as pure functions: who may manage whom, roles, sign-in throttling."""
from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from shared.auth import Caller
from shared.errors import Forbidden, Invalid, NotFound

ROLES = ("staff", "supervisor", "educator", "lead", "workforce", "trust_admin", "platform_admin")
# Fields a user may change on their own account; the rest need an administrator.
SELF_SERVICE_FIELDS = frozenset({"name", "password", "current_password"})
# Changed on one's own account these could lock the last administrator out: another admin must.
NOT_ON_ONESELF_FIELDS = frozenset({"roles", "active", "trust_id"})
PLATFORM_ONLY_FIELDS = frozenset({"trust_id"})


def normalise_email(email: str) -> str:
    return email.strip().lower()


def check_roles(roles: list[str], trust_id: uuid.UUID | None) -> list[str]:
    """A user has at least one role; everyone but a platform admin belongs to a Trust."""
    unique = sorted(set(roles), key=ROLES.index)
    if not unique:
        raise Invalid("roles", "At least one role is required.")
    if trust_id is None and unique != ["platform_admin"]:
        raise Invalid("trust_id", "Every user but a platform admin belongs to a Trust.")
    return unique


def can_manage_trust_users(caller: Caller, trust_id: uuid.UUID | None) -> bool:
    if caller.is_platform_admin:
        return True
    return "trust_admin" in caller.roles and trust_id is not None and caller.trust_id == trust_id


def check_can_create_user(caller: Caller, trust_id: uuid.UUID | None, roles: list[str]) -> None:
    if not can_manage_trust_users(caller, trust_id):
        raise Forbidden("A trust_admin may create users in their own Trust only.")
    if "platform_admin" in roles and not caller.is_platform_admin:
        raise Forbidden("Only a platform admin may grant the platform_admin role.")


def check_can_read_user(caller: Caller, user_id: uuid.UUID, user_trust_id: uuid.UUID | None) -> None:
    """Everyone reads themselves; administrators read their Trust's users; another Trust is 404."""
    if caller.user_id == user_id or can_manage_trust_users(caller, user_trust_id):
        return
    if caller.trust_id is None or caller.trust_id != user_trust_id:
        raise NotFound("No such user.")
    raise Forbidden("Only a trust_admin may read other users of the Trust.")


def check_can_update_user(
    caller: Caller,
    user_id: uuid.UUID,
    user_trust_id: uuid.UUID | None,
    user_roles: list[str],
    changes: dict,
) -> None:
    check_can_read_user(caller, user_id, user_trust_id)
    fields = set(changes)
    if not fields:
        raise Invalid("body", "Give at least one field to change.")
    if caller.user_id == user_id and fields & NOT_ON_ONESELF_FIELDS:
        names = ", ".join(sorted(fields & NOT_ON_ONESELF_FIELDS))
        raise Forbidden(f"Another administrator must change your own {names}.")
    if caller.user_id == user_id and "password" in fields and "current_password" not in fields:
        raise Invalid("current_password", "Give your current password to set a new one.")
    is_admin = can_manage_trust_users(caller, user_trust_id)
    if not is_admin:
        if not fields <= SELF_SERVICE_FIELDS:
            names = ", ".join(sorted(fields - SELF_SERVICE_FIELDS))
            raise Forbidden(f"Only an administrator may change: {names}.")
        return
    if not caller.is_platform_admin:
        if "platform_admin" in user_roles:
            raise Forbidden("Only a platform admin may change a platform admin.")
        if "platform_admin" in (changes.get("roles") or []):
            raise Forbidden("Only a platform admin may grant the platform_admin role.")
        if fields & PLATFORM_ONLY_FIELDS:
            raise Forbidden("Only a platform admin may move a user to another Trust.")


def check_can_read_trust(caller: Caller, trust_id: uuid.UUID) -> None:
    if not caller.is_platform_admin and caller.trust_id != trust_id:
        raise NotFound("No such Trust.")


@dataclass(frozen=True)
class ThrottlePolicy:
    max_failures: int = 5
    window: timedelta = timedelta(minutes=15)
    lockout: timedelta = timedelta(minutes=15)


@dataclass(frozen=True)
class ThrottleState:
    failures: int
    window_started_at: datetime
    locked_until: datetime | None = None


def locked_for(state: ThrottleState | None, now: datetime) -> int:
    """Seconds until sign-in is allowed again (0 when it is allowed now)."""
    if state is None or state.locked_until is None or state.locked_until <= now:
        return 0
    return max(1, int((state.locked_until - now).total_seconds() + 0.999))


def record_failure(state: ThrottleState | None, now: datetime, policy: ThrottlePolicy) -> ThrottleState:
    if state is None or now - state.window_started_at > policy.window:
        state = ThrottleState(failures=0, window_started_at=now)
    state = replace(state, failures=state.failures + 1)
    if state.failures >= policy.max_failures:
        state = replace(state, locked_until=now + policy.lockout, failures=0, window_started_at=now)
    return state


def token_claims(
    *, user_id: uuid.UUID, trust_id: uuid.UUID | None, roles: list[str], name: str,
    issuer: str, audience: str, now: datetime, ttl_seconds: int,
) -> dict:
    issued = int(now.timestamp())
    return {
        "sub": str(user_id),
        "trust_id": str(trust_id) if trust_id else None,
        "roles": list(roles),
        "name": name,
        "iss": issuer,
        "aud": audience,
        "iat": issued,
        "exp": issued + ttl_seconds,
        "jti": str(uuid.uuid4()),
    }
