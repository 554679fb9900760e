"""The planning service's HTTP API: thin views over the handlers."""

from __future__ import annotations

import csv
import io

from flask import current_app
from flask.views import MethodView

from services.planning import domain, example, handlers, schemas
from services.planning.models import Aim, Cycle, Driver, Launch, Measure, ProcessMap, Stakeholder
from shared.app import as_caller, unit_of_work
from shared.auth import Blueprint, current_caller
from shared.csv_safety import formula_safe
from shared.pagination import paginate

plans = Blueprint("plans", __name__, description="Implementation plans (PDSA) and their parts")
roster = Blueprint("roster", __name__, description="Who is eligible to be rostered in each role, fed by certificates")

PLAN = "/plans/<uuid:plan_id>"
WRITERS, READERS = domain.WRITERS, domain.READERS


@plans.route("/plans")
class Plans(MethodView):
    @plans.auth(*READERS)
    @plans.response(200, schemas.PlanSummary(many=True))
    @plans.paginate()
    def get(self, pagination_parameters):
        """The plans of your Trust (leads, trust_admins, workforce, educators)."""
        with unit_of_work() as uow:
            return paginate(uow.session, handlers.list_plans(current_caller()), pagination_parameters)

    @plans.auth(*WRITERS)
    @plans.arguments(schemas.PlanCreate)
    @plans.response(201, schemas.PlanSummary)
    @plans.errors(422)
    def post(self, body):
        """Start a plan for your Trust (lead, trust_admin)."""
        return as_caller(handlers.create_plan, body)


@plans.route("/plans/example")
class WorkedExample(MethodView):
    @plans.auth(*WRITERS)
    @plans.response(201, schemas.PlanDetail)
    def post(self):
        """Load the toolkit's adult critical care example into your Trust as a new plan, whole."""
        caller = current_caller()
        with unit_of_work() as uow:
            plan = example.load_example(uow, caller.trust_id, caller.user_id)
            uow.commit()
            return handlers.plan_detail(uow, caller, plan.id)


@plans.route(PLAN)
class PlanById(MethodView):
    @plans.auth(*READERS)
    @plans.response(200, schemas.PlanDetail)
    @plans.errors(404)
    def get(self, plan_id):
        """The plan whole: aim, stakeholders, drivers, process map, launch, measures, cycles, workforce."""
        return as_caller(handlers.plan_detail, plan_id)

    @plans.auth(*WRITERS)
    @plans.arguments(schemas.PlanCreate)
    @plans.response(200, schemas.PlanSummary)
    @plans.errors(404, 422)
    def patch(self, body, plan_id):
        """Rename the plan."""
        return as_caller(handlers.rename_plan, plan_id, body)

    @plans.auth(*WRITERS)
    @plans.response(204)
    @plans.errors(404)
    def delete(self, plan_id):
        """Delete the plan and every part of it."""
        with unit_of_work() as uow:
            handlers.delete_plan(uow, current_caller(), plan_id)


def _single_part(path: str, model, schema_in, schema_out, what: str) -> None:
    """A part a plan has at most one of: PUT creates or replaces it, GET reads it, DELETE removes it."""

    class SinglePart(MethodView):
        @plans.auth(*READERS)
        @plans.response(200, schema_out)
        @plans.errors(404)
        def get(self, plan_id):
            return as_caller(handlers.get_part, plan_id, model)

        @plans.auth(*WRITERS)
        @plans.arguments(schema_in)
        @plans.response(200, schema_out)
        @plans.errors(404, 422)
        def put(self, body, plan_id):
            return as_caller(handlers.put_part, plan_id, model, body)

        @plans.auth(*WRITERS)
        @plans.response(204)
        @plans.errors(404)
        def delete(self, plan_id):
            with unit_of_work() as uow:
                handlers.delete_part(uow, current_caller(), plan_id, model)

    SinglePart.get.__doc__ = f"The plan's {what}."
    SinglePart.put.__doc__ = f"Set the plan's {what} (lead, trust_admin)."
    SinglePart.delete.__doc__ = f"Remove the plan's {what} (lead, trust_admin)."
    SinglePart.__name__ = f"{model.__name__}Part"
    plans.route(f"{PLAN}/{path}")(SinglePart)


def _many_parts(path: str, model, schema_in, schema_out, what: str, rules: str = "") -> None:
    """A part a plan has many of: a collection (GET, POST) and its items (GET, PUT, DELETE)."""

    class Collection(MethodView):
        @plans.auth(*READERS)
        @plans.response(200, schema_out(many=True))
        @plans.errors(404)
        def get(self, plan_id):
            return as_caller(handlers.list_items, plan_id, model)

        @plans.auth(*WRITERS)
        @plans.arguments(schema_in)
        @plans.response(201, schema_out)
        @plans.errors(404, 422)
        def post(self, body, plan_id):
            return as_caller(handlers.create_item, plan_id, model, body)

    class Item(MethodView):
        @plans.auth(*READERS)
        @plans.response(200, schema_out)
        @plans.errors(404)
        def get(self, plan_id, item_id):
            return as_caller(handlers.get_item, plan_id, model, item_id)

        @plans.auth(*WRITERS)
        @plans.arguments(schema_in)
        @plans.response(200, schema_out)
        @plans.errors(404, 422)
        def put(self, body, plan_id, item_id):
            return as_caller(handlers.replace_item, plan_id, model, item_id, body)

        @plans.auth(*WRITERS)
        @plans.response(204)
        @plans.errors(404, 409)
        def delete(self, plan_id, item_id):
            with unit_of_work() as uow:
                handlers.delete_item(uow, current_caller(), plan_id, model, item_id)

    Collection.get.__doc__ = f"The plan's {what}s."
    Collection.post.__doc__ = f"Add a {what} (lead, trust_admin). {rules}"
    Item.get.__doc__ = f"One {what}."
    Item.put.__doc__ = f"Replace a {what} (lead, trust_admin). {rules}"
    Item.delete.__doc__ = f"Remove a {what} (lead, trust_admin)."
    Collection.__name__, Item.__name__ = f"{model.__name__}s", f"{model.__name__}ById"
    plans.route(f"{PLAN}/{path}")(Collection)
    plans.route(f"{PLAN}/{path}/<uuid:item_id>")(Item)


_single_part("aim", Aim, schemas.AimIn, schemas.Aim, "aim: why, how, what, the statement and the target")
_single_part(
    "process-map",
    ProcessMap,
    schemas.ProcessMapIn,
    schemas.ProcessMap,
    "future-state process map: lanes, stages, shaped steps and links",
)
_single_part("launch", Launch, schemas.LaunchIn, schemas.Launch, "launch plan")
_many_parts(
    "stakeholders",
    Stakeholder,
    schemas.StakeholderIn,
    schemas.Stakeholder,
    "stakeholder",
    "The quadrant follows from power and impact.",
)
_many_parts(
    "drivers",
    Driver,
    schemas.DriverIn,
    schemas.Driver,
    "driver",
    "Primary drivers have no parent, secondary drivers link to a primary, activities to a driver; "
    "a link that would break the tree is refused (422).",
)
_many_parts(
    "measures",
    Measure,
    schemas.MeasureIn,
    schemas.Measure,
    "measure",
    f"At most {domain.MAX_MEASURES} per plan; the next is refused (422).",
)
_many_parts(
    "cycles", Cycle, schemas.CycleIn, schemas.Cycle, "PDSA cycle", "It tests an activity of this plan's driver diagram."
)


def _picture(path: str, name: str, draw, summary: str) -> None:
    """A part of the plan drawn as an SVG picture, for those who read the plan."""

    class Picture(MethodView):
        @plans.auth(*READERS)
        @plans.response(200, {"type": "string"}, content_type="image/svg+xml")
        @plans.errors(404)
        def get(self, plan_id):
            with unit_of_work() as uow:
                picture = draw(uow, current_caller(), plan_id)
            return current_app.response_class(picture, mimetype="image/svg+xml")

    Picture.get.__doc__ = summary
    Picture.__name__ = name
    plans.route(f"{PLAN}/{path}")(Picture)


_picture(
    "process-map.svg",
    "ProcessMapPicture",
    handlers.process_map_picture,
    "The process map as an SVG picture: lanes as rows, stages as columns, shaped steps, arrows.",
)
_picture(
    "drivers.svg",
    "DriverDiagramPicture",
    handlers.driver_diagram_picture,
    "The driver diagram as an SVG picture, left to right: the aim, primary drivers, secondary drivers, "
    "activities with their status and priority.",
)
_picture(
    "stakeholders.svg",
    "StakeholderGridPicture",
    handlers.stakeholder_grid_picture,
    "The stakeholders as an SVG picture: the power/impact grid, each stakeholder in its quadrant (Manage, "
    "Satisfy, Inform, Monitor).",
)


@plans.route(f"{PLAN}/workforce")
class Workforce(MethodView):
    @plans.auth(*READERS)
    @plans.response(200, schemas.Workforce)
    @plans.errors(404)
    def get(self, plan_id):
        """Staff the surge model needs per role, and the rotation cohort identified per role."""
        return as_caller(handlers.get_workforce, plan_id)

    @plans.auth(*WRITERS)
    @plans.arguments(schemas.WorkforceIn)
    @plans.response(200, schemas.Workforce)
    @plans.errors(404, 422)
    def put(self, body, plan_id):
        """Replace the workforce model (lead, trust_admin); cohort.updated is published for each role whose
        cohort changed."""
        return as_caller(handlers.put_workforce, plan_id, body)


@roster.route("/roster")
class Roster(MethodView):
    @roster.auth()
    @roster.arguments(schemas.RosterQuery, location="query")
    @roster.response(200, schemas.RosterEntry(many=True))
    @roster.paginate()
    def get(self, filters, pagination_parameters):
        """Who may be rostered in each role, since when and on which certificate: the Trust's for leads,
        workforce and trust_admins, your own entries for anyone else."""
        with unit_of_work() as uow:
            return paginate(uow.session, handlers.list_roster(current_caller(), filters), pagination_parameters)


CSV_COLUMNS = ("staff_id", "staff_number", "staff_name", "role", "status", "certificate_id", "since", "reason")


@roster.route("/roster.csv")
class RosterCsv(MethodView):
    @roster.auth()
    @roster.arguments(schemas.RosterQuery, location="query")
    @roster.response(200, {"type": "string"}, content_type="text/csv")
    def get(self, filters):
        """The same entries as CSV for e-rostering imports: staff_id, staff_number, staff_name, role, status,
        certificate_id, since, reason. Text that a spreadsheet would run as a formula is quoted with a
        leading apostrophe."""
        with unit_of_work() as uow:
            entries = uow.session.scalars(handlers.list_roster(current_caller(), filters)).all()
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(CSV_COLUMNS)
        for entry in entries:
            writer.writerow(
                [
                    formula_safe(str(value)) if value is not None else ""
                    for value in (
                        entry.staff_id,
                        entry.staff_number,
                        entry.staff_name,
                        entry.role,
                        entry.status,
                        entry.certificate_id,
                        entry.since.isoformat(),
                        entry.reason,
                    )
                ]
            )
        response = current_app.response_class(out.getvalue(), mimetype="text/csv")
        response.headers["Content-Disposition"] = 'attachment; filename="roster.csv"'
        return response


@roster.route("/roster/history")
class RosterHistory(MethodView):
    @roster.auth()
    @roster.arguments(schemas.RosterHistoryQuery, location="query")
    @roster.response(200, schemas.RosterChange(many=True))
    def get(self, query):
        """Every change of one person's standing in one role, oldest first."""
        return as_caller(handlers.roster_history, query["staff_id"], query["role"])


BLUEPRINTS = [plans, roster]
