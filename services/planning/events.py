"""The planning service's events: the payloads it publishes (handlers.py holds the table of those it consumes).

roster.updated is also public (DESIGN §9): republished to skillpass.public as `<ODS code>.roster.updated`
with the person's staff number and name, which is why planning keeps Trusts' ODS codes (trust.created)
and people's names and staff numbers (user.registered, user.updated); the roster lists carry them too.
user.deactivated (a leaver) makes each entry the person is eligible in `ineligible` with reason `left`."""

from __future__ import annotations

from datetime import datetime

from services.planning.models import Measure, Plan, RosterEntry, WorkforceRole
from shared.events.payloads import facts_of

PUBLISHES = ("plan.updated", "measure.defined", "cohort.updated", "roster.updated")


def plan_updated(plan: Plan, *, deleted: bool = False) -> dict:
    aim = plan.aim
    return {
        "plan_id": plan.id,
        "trust_id": plan.trust_id,
        "name": plan.name,
        "aim_statement": aim.statement if aim else None,
        "target_passport_types": list(aim.target_passport_types) if aim else [],
        "target_percentage": aim.target_percentage if aim else None,
        "target_cohort_size": aim.target_cohort_size if aim else None,
        "target_deadline": aim.target_deadline if aim else None,
        "deleted": deleted,
        "updated_at": plan.updated_at,
    }


def measure_defined(measure: Measure, trust_id, at: datetime, *, deleted: bool = False) -> dict:
    return {
        "measure_id": measure.id,
        "plan_id": measure.plan_id,
        "trust_id": trust_id,
        "name": measure.name,
        "kind": measure.kind,
        "metric": measure.metric,
        "passport_type": measure.passport_type,
        "target": measure.target,
        "frequency": measure.frequency,
        "improvement_direction": measure.improvement_direction,
        "deleted": deleted,
        "defined_at": at,
    }


def cohort_updated(plan: Plan, role: WorkforceRole, at: datetime) -> dict:
    return {
        **facts_of(plan, "trust_id", plan_id="id"),
        "role": role.role,
        "identified": role.prospective + role.retrospective,
        **facts_of(role, "prospective", "retrospective"),
        "updated_at": at,
    }


def roster_updated(entry: RosterEntry) -> dict:
    return facts_of(entry, "staff_id", "trust_id", "role", "status", "certificate_id", "since", "reason")
