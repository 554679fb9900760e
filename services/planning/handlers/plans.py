"""The planning service's commands on plans: the plan itself, the parts it has one of (aim, process map,
launch), the parts it has many of (stakeholders, drivers, measures, PDSA cycles) and the workforce model.

The caller-facing functions check the Trust, lock the plan (so that concurrent edits, the measure limit
and the driver tree cannot race), change it, stage its events and commit. The plain functions they call
(new_plan, set_part, add_driver...) change an already checked plan and are shared with the worked example."""

import uuid
from typing import TypeVar

import sqlalchemy as sa

from services.planning import domain, events, pictures, svg
from services.planning.models import (
    Aim,
    Cycle,
    Driver,
    Launch,
    Measure,
    Plan,
    ProcessMap,
    Stakeholder,
    WorkforceRole,
)
from shared.db import utcnow
from shared.domain import Caller, Conflict, Invalid, NotFound
from shared.uow import UnitOfWork

Part = TypeVar("Part", Aim, ProcessMap, Launch)
Item = TypeVar("Item", Stakeholder, Driver, Measure, Cycle)

PART_NAMES = {
    Aim: "aim",
    ProcessMap: "process map",
    Launch: "launch plan",
    Stakeholder: "stakeholder",
    Driver: "driver",
    Measure: "measure",
    Cycle: "PDSA cycle",
}


# --- Plans -------------------------------------------------------------------------------------------


def plan_of_caller(uow: UnitOfWork, caller: Caller, plan_id: uuid.UUID, *, for_change: bool = False) -> Plan:
    """The plan, when it is of the caller's Trust; locked when it is about to change."""
    plan = uow.session.get(Plan, plan_id, with_for_update=for_change)
    domain.check_plan_in_trust(caller, plan_id, plan.trust_id if plan else None)
    return plan


def new_plan(uow: UnitOfWork, trust_id: uuid.UUID, name: str, created_by: uuid.UUID | None) -> Plan:
    now = utcnow()
    plan = Plan(
        id=uuid.uuid4(), trust_id=trust_id, name=name, created_by=created_by, created_at=now, updated_at=now, aim=None
    )
    uow.session.add(plan)
    _plan_changed(uow, plan)
    return plan


def create_plan(uow: UnitOfWork, caller: Caller, body: dict) -> Plan:
    plan = new_plan(uow, caller.trust_id, body["name"], caller.user_id)
    uow.commit()
    return plan


def list_plans(caller: Caller) -> sa.Select:
    return sa.select(Plan).where(Plan.trust_id == caller.trust_id).order_by(Plan.created_at, Plan.id)


def rename_plan(uow: UnitOfWork, caller: Caller, plan_id: uuid.UUID, body: dict) -> Plan:
    plan = plan_of_caller(uow, caller, plan_id, for_change=True)
    plan.name = body["name"]
    _plan_changed(uow, plan)
    uow.commit()
    return plan


def delete_plan(uow: UnitOfWork, caller: Caller, plan_id: uuid.UUID) -> None:
    """A plan goes with all its parts; the metrics service hears that it and its measures are gone."""
    plan = plan_of_caller(uow, caller, plan_id, for_change=True)
    now = utcnow()
    for measure in _items(uow, Measure, plan.id):
        uow.publish(
            "measure.defined",
            subject=measure.id,
            trust_id=plan.trust_id,
            data=events.measure_defined(measure, plan.trust_id, now, deleted=True),
        )
    plan.updated_at = now
    uow.publish("plan.updated", subject=plan.id, trust_id=plan.trust_id, data=events.plan_updated(plan, deleted=True))
    # Cycles and drivers first: they refer to drivers, which the database would otherwise refuse to drop.
    for model in (Cycle, Driver, Stakeholder, Measure, WorkforceRole, Aim, ProcessMap, Launch):
        uow.session.execute(sa.delete(model).where(model.plan_id == plan.id))
    uow.session.execute(sa.delete(Plan).where(Plan.id == plan.id))
    uow.commit()


def plan_detail(uow: UnitOfWork, caller: Caller, plan_id: uuid.UUID) -> dict:
    """The plan whole: every part, as its own GET route gives it."""
    plan = plan_of_caller(uow, caller, plan_id)
    return {
        "id": plan.id,
        "trust_id": plan.trust_id,
        "name": plan.name,
        "created_by": plan.created_by,
        "created_at": plan.created_at,
        "updated_at": plan.updated_at,
        "aim": plan.aim,
        "stakeholders": _items(uow, Stakeholder, plan.id),
        "drivers": _items(uow, Driver, plan.id),
        "process_map": uow.session.get(ProcessMap, plan.id),
        "launch": uow.session.get(Launch, plan.id),
        "measures": _items(uow, Measure, plan.id),
        "cycles": _items(uow, Cycle, plan.id),
        "workforce": _workforce_view(uow, plan.id),
    }


def _plan_changed(uow: UnitOfWork, plan: Plan) -> None:
    plan.updated_at = utcnow()
    uow.session.flush()
    uow.publish("plan.updated", subject=plan.id, trust_id=plan.trust_id, data=events.plan_updated(plan))


# --- Parts a plan has one of: aim, process map, launch -----------------------------------------------


def get_part(uow: UnitOfWork, caller: Caller, plan_id: uuid.UUID, model: type[Part]) -> Part:
    plan = plan_of_caller(uow, caller, plan_id)
    part = uow.session.get(model, plan.id)
    if part is None:
        raise NotFound(f"This plan has no {PART_NAMES[model]} yet.")
    return part


def set_part(uow: UnitOfWork, plan: Plan, model: type[Part], body: dict) -> Part:
    part = uow.session.get(model, plan.id)
    if part is None:
        part = model(plan_id=plan.id)
        uow.session.add(part)
    for name, value in body.items():
        setattr(part, name, value)
    part.updated_at = utcnow()
    if model is Aim:
        plan.aim = part
        _plan_changed(uow, plan)
    return part


def put_part(uow: UnitOfWork, caller: Caller, plan_id: uuid.UUID, model: type[Part], body: dict) -> Part:
    part = set_part(uow, plan_of_caller(uow, caller, plan_id, for_change=True), model, body)
    uow.commit()
    return part


def delete_part(uow: UnitOfWork, caller: Caller, plan_id: uuid.UUID, model: type[Part]) -> None:
    plan = plan_of_caller(uow, caller, plan_id, for_change=True)
    part = uow.session.get(model, plan.id)
    if part is None:
        raise NotFound(f"This plan has no {PART_NAMES[model]}.")
    uow.session.delete(part)
    if model is Aim:
        plan.aim = None
        _plan_changed(uow, plan)
    uow.commit()


def process_map_picture(uow: UnitOfWork, caller: Caller, plan_id: uuid.UUID) -> str:
    process_map = get_part(uow, caller, plan_id, ProcessMap)
    plan = uow.session.get(Plan, plan_id)
    return svg.render(
        process_map.lanes,
        process_map.stages,
        process_map.steps,
        process_map.links,
        title=f"{plan.name}: future-state process map",
    )


# --- Parts a plan has many of: stakeholders, drivers, measures, cycles -------------------------------


def _items(uow: UnitOfWork, model: type[Item], plan_id: uuid.UUID) -> list[Item]:
    order = (model.position,) if model in (Stakeholder, Driver) else (model.created_at, model.id)
    return list(uow.session.scalars(sa.select(model).where(model.plan_id == plan_id).order_by(*order)))


def list_items(uow: UnitOfWork, caller: Caller, plan_id: uuid.UUID, model: type[Item]) -> list[Item]:
    return _items(uow, model, plan_of_caller(uow, caller, plan_id).id)


def get_item(
    uow: UnitOfWork,
    caller: Caller,
    plan_id: uuid.UUID,
    model: type[Item],
    item_id: uuid.UUID,
    *,
    for_change: bool = False,
) -> Item:
    plan = plan_of_caller(uow, caller, plan_id, for_change=for_change)
    item = uow.session.get(model, item_id)
    if item is None or item.plan_id != plan.id:
        raise NotFound(f"No {PART_NAMES[model]} {item_id} in this plan.")
    return item


def _next_position(uow: UnitOfWork, model: type[Item], plan_id: uuid.UUID) -> int:
    return (uow.session.scalar(sa.select(sa.func.max(model.position)).where(model.plan_id == plan_id)) or 0) + 1


def add_stakeholder(uow: UnitOfWork, plan: Plan, body: dict) -> Stakeholder:
    stakeholder = Stakeholder(
        id=uuid.uuid4(), plan_id=plan.id, position=_next_position(uow, Stakeholder, plan.id), **body
    )
    uow.session.add(stakeholder)
    return stakeholder


def add_driver(uow: UnitOfWork, plan: Plan, body: dict) -> Driver:
    driver_id = uuid.uuid4()
    _check_tree(uow, plan.id, driver_id, body)
    driver = Driver(id=driver_id, plan_id=plan.id, position=_next_position(uow, Driver, plan.id), **body)
    uow.session.add(driver)
    uow.session.flush()  # the next driver of the same call may hang from this one
    return driver


def _check_tree(uow: UnitOfWork, plan_id: uuid.UUID, driver_id: uuid.UUID, body: dict) -> None:
    plan_drivers = {
        driver.id: domain.DriverNode(driver.id, driver.kind, driver.parent_id)
        for driver in _items(uow, Driver, plan_id)
    }
    problems = domain.tree_problems(domain.DriverNode(driver_id, body["kind"], body["parent_id"]), plan_drivers)
    if problems:
        raise Invalid.fields(problems)


def add_measure(uow: UnitOfWork, plan: Plan, body: dict) -> Measure:
    domain.check_measure_limit(
        uow.session.scalar(sa.select(sa.func.count()).select_from(Measure).where(Measure.plan_id == plan.id))
    )
    now = utcnow()
    measure = Measure(id=uuid.uuid4(), plan_id=plan.id, created_at=now, updated_at=now, **body)
    uow.session.add(measure)
    uow.publish(
        "measure.defined",
        subject=measure.id,
        trust_id=plan.trust_id,
        data=events.measure_defined(measure, plan.trust_id, now),
    )
    return measure


def add_cycle(uow: UnitOfWork, plan: Plan, body: dict) -> Cycle:
    _check_activity(uow, plan.id, body["activity_id"])
    now = utcnow()
    cycle = Cycle(id=uuid.uuid4(), plan_id=plan.id, created_at=now, updated_at=now, **body)
    uow.session.add(cycle)
    return cycle


def _check_activity(uow: UnitOfWork, plan_id: uuid.UUID, activity_id: uuid.UUID) -> None:
    driver = uow.session.get(Driver, activity_id)
    if driver is None or driver.plan_id != plan_id or driver.kind != domain.ACTIVITY:
        raise Invalid("activity_id", f"No activity {activity_id} in this plan's driver diagram.")


ADDERS = {Stakeholder: add_stakeholder, Driver: add_driver, Measure: add_measure, Cycle: add_cycle}


def create_item(uow: UnitOfWork, caller: Caller, plan_id: uuid.UUID, model: type[Item], body: dict) -> Item:
    item = ADDERS[model](uow, plan_of_caller(uow, caller, plan_id, for_change=True), body)
    uow.commit()
    return item


def replace_item(
    uow: UnitOfWork, caller: Caller, plan_id: uuid.UUID, model: type[Item], item_id: uuid.UUID, body: dict
) -> Item:
    item = get_item(uow, caller, plan_id, model, item_id, for_change=True)
    if model is Driver:
        _check_tree(uow, plan_id, item.id, body)
    if model is Cycle:
        _check_activity(uow, plan_id, body["activity_id"])
    for name, value in body.items():
        setattr(item, name, value)
    if model in (Measure, Cycle):
        item.updated_at = utcnow()
    if model is Measure:
        uow.publish(
            "measure.defined",
            subject=item.id,
            trust_id=caller.trust_id,
            data=events.measure_defined(item, caller.trust_id, item.updated_at),
        )
    uow.commit()
    return item


def delete_item(uow: UnitOfWork, caller: Caller, plan_id: uuid.UUID, model: type[Item], item_id: uuid.UUID) -> None:
    item = get_item(uow, caller, plan_id, model, item_id, for_change=True)
    if model is Driver:
        _check_nothing_hangs_from(uow, item)
    if model is Measure:
        uow.publish(
            "measure.defined",
            subject=item.id,
            trust_id=caller.trust_id,
            data=events.measure_defined(item, caller.trust_id, utcnow(), deleted=True),
        )
    uow.session.delete(item)
    uow.commit()


def _check_nothing_hangs_from(uow: UnitOfWork, driver: Driver) -> None:
    children = uow.session.scalars(sa.select(Driver.id).where(Driver.parent_id == driver.id)).all()
    if children:
        raise Conflict(f"{len(children)} driver(s) or activities link to this driver: delete or move them first.")
    cycles = uow.session.scalars(sa.select(Cycle.id).where(Cycle.activity_id == driver.id)).all()
    if cycles:
        raise Conflict(f"{len(cycles)} PDSA cycle(s) test this activity: delete them first.")


def driver_diagram_picture(uow: UnitOfWork, caller: Caller, plan_id: uuid.UUID) -> str:
    """The aim (the plan's name until it has one), its drivers and their activities, as a picture."""
    plan = plan_of_caller(uow, caller, plan_id)
    drivers = [
        {
            "id": driver.id,
            "kind": driver.kind,
            "title": driver.title,
            "parent_id": driver.parent_id,
            "status": driver.status,
            "priority": driver.priority,
        }
        for driver in _items(uow, Driver, plan.id)
    ]
    return pictures.driver_diagram(
        plan.aim.statement if plan.aim else plan.name, drivers, title=f"{plan.name}: driver diagram"
    )


def stakeholder_grid_picture(uow: UnitOfWork, caller: Caller, plan_id: uuid.UUID) -> str:
    """The plan's stakeholders on the power/impact grid, as a picture."""
    plan = plan_of_caller(uow, caller, plan_id)
    stakeholders = [
        {
            "id": stakeholder.id,
            "name": stakeholder.name,
            "role": stakeholder.role,
            "power": stakeholder.power,
            "impact": stakeholder.impact,
        }
        for stakeholder in _items(uow, Stakeholder, plan.id)
    ]
    return pictures.stakeholder_grid(stakeholders, title=f"{plan.name}: stakeholders by power and impact")


# --- Workforce ---------------------------------------------------------------------------------------


def _workforce_roles(uow: UnitOfWork, plan_id: uuid.UUID) -> list[WorkforceRole]:
    return list(
        uow.session.scalars(
            sa.select(WorkforceRole).where(WorkforceRole.plan_id == plan_id).order_by(WorkforceRole.role)
        )
    )


def _workforce_view(uow: UnitOfWork, plan_id: uuid.UUID) -> dict:
    return {"plan_id": plan_id, "roles": _workforce_roles(uow, plan_id)}


def get_workforce(uow: UnitOfWork, caller: Caller, plan_id: uuid.UUID) -> dict:
    return _workforce_view(uow, plan_of_caller(uow, caller, plan_id).id)


def set_workforce(uow: UnitOfWork, plan: Plan, body: dict) -> dict:
    """Replace the workforce model; each role whose cohort changed (a role left out drops to none) is
    published as cohort.updated."""
    existing = {role.role: role for role in _workforce_roles(uow, plan.id)}
    given = {item["role"] for item in body["roles"]}
    now = utcnow()
    changed: list[WorkforceRole] = []
    for item in body["roles"]:
        role = existing.get(item["role"])
        if role is None:
            role = WorkforceRole(plan_id=plan.id, role=item["role"], prospective=0, retrospective=0)
            uow.session.add(role)
            changed.append(role)
        elif (role.prospective, role.retrospective) != (item["prospective"], item["retrospective"]):
            changed.append(role)
        role.needed, role.prospective, role.retrospective = item["needed"], item["prospective"], item["retrospective"]
    for name, role in existing.items():
        if name not in given:
            uow.session.delete(role)
            changed.append(WorkforceRole(plan_id=plan.id, role=name, needed=0, prospective=0, retrospective=0))
    for role in changed:
        uow.publish(
            "cohort.updated", subject=plan.id, trust_id=plan.trust_id, data=events.cohort_updated(plan, role, now)
        )
    uow.session.flush()
    return _workforce_view(uow, plan.id)


def put_workforce(uow: UnitOfWork, caller: Caller, plan_id: uuid.UUID, body: dict) -> dict:
    workforce = set_workforce(uow, plan_of_caller(uow, caller, plan_id, for_change=True), body)
    uow.commit()
    return workforce
