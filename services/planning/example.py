"""The toolkit's worked example (adult critical care), loaded into a Trust as a plan in one transaction.

The data file goes through the same request schemas and handlers as the API, so that the example can
never hold what a client could not have written."""

from __future__ import annotations

import json
import uuid
from functools import cache
from pathlib import Path

from services.planning import domain, handlers, schemas
from services.planning.models import Aim, Launch, Plan, ProcessMap
from shared.uow import UnitOfWork

EXAMPLE_FILE = Path(__file__).resolve().parent / "examples" / "adult_critical_care.json"


@cache
def _example() -> dict:
    return json.loads(EXAMPLE_FILE.read_text(encoding="utf-8"))


def load_example(uow: UnitOfWork, trust_id: uuid.UUID, created_by: uuid.UUID | None) -> Plan:
    """A new plan holding the whole example; the caller commits."""
    example = _example()
    plan = handlers.new_plan(uow, trust_id, schemas.PlanCreate().load({"name": example["name"]})["name"], created_by)
    handlers.set_part(uow, plan, Aim, schemas.AimIn().load(example["aim"]))
    for stakeholder in example["stakeholders"]:
        handlers.add_stakeholder(uow, plan, schemas.StakeholderIn().load(stakeholder))
    activities = _add_driver_tree(uow, plan, example["drivers"])
    handlers.set_part(uow, plan, ProcessMap, schemas.ProcessMapIn().load(example["process_map"]))
    handlers.set_part(uow, plan, Launch, schemas.LaunchIn().load(example["launch"]))
    for measure in example["measures"]:
        handlers.add_measure(uow, plan, schemas.MeasureIn().load(measure))
    for cycle in example["cycles"]:
        body = {key: value for key, value in cycle.items() if key != "activity"}
        handlers.add_cycle(
            uow, plan, schemas.CycleIn().load({**body, "activity_id": str(activities[cycle["activity"]])})
        )
    handlers.set_workforce(uow, plan, schemas.WorkforceIn().load(example["workforce"]))
    return plan


def _add_driver_tree(uow: UnitOfWork, plan: Plan, primaries: list[dict]) -> dict[str, uuid.UUID]:
    """The nested tree of the data file as drivers; the activities' ids by title."""
    activities = {}
    driver = schemas.DriverIn()
    for primary in primaries:
        primary_id = handlers.add_driver(uow, plan, driver.load({"kind": domain.PRIMARY, "title": primary["title"]})).id
        for secondary in primary["secondary"]:
            secondary_id = handlers.add_driver(
                uow,
                plan,
                driver.load({"kind": domain.SECONDARY, "title": secondary["title"], "parent_id": str(primary_id)}),
            ).id
            for activity in secondary["activities"]:
                activities[activity["title"]] = handlers.add_driver(
                    uow, plan, driver.load({"kind": domain.ACTIVITY, "parent_id": str(secondary_id), **activity})
                ).id
    return activities


def load_example_command(runtime, args: list[str]) -> int:
    """skillpass planning load-example TRUST_ID"""
    if len(args) != 1:
        print("usage: skillpass planning load-example TRUST_ID")
        return 2
    try:
        trust_id = uuid.UUID(args[0])
    except ValueError:
        print(f"not a Trust id (a UUID): {args[0]}")
        return 2
    with runtime.unit_of_work() as uow:
        plan = load_example(uow, trust_id, created_by=None)
        uow.commit()
    print(f"plan {plan.id} loaded into Trust {trust_id}")
    return 0
