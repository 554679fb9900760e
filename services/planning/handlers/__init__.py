"""The planning service's commands and the effects of the events it consumes, one module per concern: plans
(plans.py) and the roster with the read models identity's events feed (roster.py); the consumer's table is here."""

from __future__ import annotations

from services.planning import domain
from services.planning.handlers.plans import (
    ADDERS,
    PART_NAMES,
    add_cycle,
    add_driver,
    add_measure,
    add_stakeholder,
    create_item,
    create_plan,
    delete_item,
    delete_part,
    delete_plan,
    driver_diagram_picture,
    get_item,
    get_part,
    get_workforce,
    list_items,
    list_plans,
    new_plan,
    plan_detail,
    plan_of_caller,
    process_map_picture,
    put_part,
    put_workforce,
    rename_plan,
    replace_item,
    set_part,
    set_workforce,
    stakeholder_grid_picture,
)
from services.planning.handlers.roster import (
    apply_certificate_event,
    apply_leaver,
    apply_staff,
    apply_trust,
    list_roster,
    roster_history,
)

__all__ = [
    "ADDERS",
    "PART_NAMES",
    "add_cycle",
    "add_driver",
    "add_measure",
    "add_stakeholder",
    "apply_certificate_event",
    "apply_leaver",
    "apply_staff",
    "apply_trust",
    "create_item",
    "create_plan",
    "delete_item",
    "delete_part",
    "delete_plan",
    "driver_diagram_picture",
    "get_item",
    "get_part",
    "get_workforce",
    "list_items",
    "list_plans",
    "list_roster",
    "new_plan",
    "plan_detail",
    "plan_of_caller",
    "process_map_picture",
    "put_part",
    "put_workforce",
    "rename_plan",
    "replace_item",
    "roster_history",
    "set_part",
    "set_workforce",
    "stakeholder_grid_picture",
]


# --- The events this service consumes: the consumer's table ---------------------------------------


def on_trust_created(uow, event, payload):
    apply_trust(uow, payload)


def on_user_registered(uow, event, payload):
    apply_staff(uow, event, payload, payload["registered_at"])


def on_user_updated(uow, event, payload):
    apply_staff(uow, event, payload, payload["updated_at"])


def on_user_deactivated(uow, event, payload):
    apply_leaver(uow, event, payload)


def on_certificate_issued(uow, event, payload):
    apply_certificate_event(uow, event, payload, issued_at=payload["issued_at"])


def on_certificate_revoked(uow, event, payload):
    apply_certificate_event(uow, event, payload, ended_at=payload["revoked_at"], end_reason=domain.REVOKED)


def on_certificate_expired(uow, event, payload):
    apply_certificate_event(uow, event, payload, ended_at=payload["expired_at"], end_reason=domain.EXPIRED)


HANDLERS = {
    "trust.created": on_trust_created,
    "user.registered": on_user_registered,
    "user.updated": on_user_updated,
    "user.deactivated": on_user_deactivated,
    "certificate.issued": on_certificate_issued,
    "certificate.revoked": on_certificate_revoked,
    "certificate.expired": on_certificate_expired,
}
