"""Identity's events: it publishes these four and consumes none."""

from __future__ import annotations

from services.identity.models import Trust, User
from shared.events.payloads import facts_of

PUBLISHES = ("trust.created", "user.registered", "user.updated", "user.deactivated")


def _profile(user: User) -> dict:
    return {
        **facts_of(user, "trust_id", "email", "name", "staff_number", "professional_group", "department", user_id="id"),
        "roles": list(user.roles),
        "active": user.active,
    }


def trust_created(trust: Trust) -> dict:
    return {"trust_id": trust.id, "name": trust.name, "ods_code": trust.ods_code, "created_at": trust.created_at}


def user_registered(user: User) -> dict:
    return {**_profile(user), "registered_at": user.created_at}


def user_updated(user: User, changed: list[str]) -> dict:
    return {**_profile(user), "changed": changed, "updated_at": user.updated_at}


def user_deactivated(user: User) -> dict:
    return {"user_id": user.id, "trust_id": user.trust_id, "deactivated_at": user.updated_at}
