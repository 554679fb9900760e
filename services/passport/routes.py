"""The passport service's HTTP API: thin views over the handlers."""

from __future__ import annotations

import json

from flask import current_app
from flask.views import MethodView

from services.passport import domain, handlers, schemas
from services.passport.components import content_cache
from shared.app import as_caller, runtime, unit_of_work
from shared.auth import Blueprint, current_caller
from shared.pagination import paginate

types = Blueprint("passport-types", __name__, description="Passport types and their (versioned) content")
passports = Blueprint("passports", __name__, description="Passports, self-assessment and learning")
staff = Blueprint("staff", __name__, description="The Trust's people as this service knows them: to name and to find")

SKILL_PATH = "/passports/<uuid:passport_id>/skills/<string:skill_code>"


@types.route("/passport-types")
class PassportTypes(MethodView):
    @types.auth()
    @types.response(200, schemas.PassportTypeSummary(many=True))
    def get(self):
        """The passport types, each at the version new passports start on."""
        with unit_of_work() as uow:
            return handlers.current_types(uow)

    @types.auth("platform_admin")
    @types.arguments(schemas.PassportTypeImport)
    @types.response(201, schemas.PassportTypeDetail)
    @types.errors(422)
    def post(self, content):
        """Import a new version of a passport type's content (platform admin). Passports already
        started keep the version they started on."""
        return as_caller(handlers.import_type_version, content)


@types.route("/passport-types/<string:code>")
class PassportTypeByCode(MethodView):
    @types.auth()
    @types.arguments(schemas.PassportTypeQuery, location="query")
    @types.response(200, schemas.PassportTypeDetail)
    @types.errors(404)
    def get(self, query, code):
        """A passport type's domains, skills and learning resources (current version unless `version`)."""
        with unit_of_work() as uow:
            return handlers.get_type(uow, code, query.get("version"))


@passports.route("/passports")
class Passports(MethodView):
    @passports.auth()
    @passports.arguments(schemas.PassportQuery, location="query")
    @passports.response(200, schemas.Passport(many=True))
    @passports.paginate()
    def get(self, filters, pagination_parameters):
        """Passports of the caller's Trust (supervisors, educators, leads, workforce, trust_admins) or
        the caller's own."""
        caller = current_caller()
        with unit_of_work() as uow:
            page = paginate(uow.session, handlers.list_passports(uow, caller, filters), pagination_parameters)
            return handlers.passport_views(uow, content_cache(runtime()), page)

    @passports.auth()
    @passports.arguments(schemas.PassportCreate)
    @passports.response(201, schemas.Passport)
    @passports.errors(404, 409, 422)
    def post(self, body):
        """Start your own passport, or (lead, educator, trust_admin) assign one to `staff_id`."""
        with unit_of_work() as uow:
            passport = handlers.start_passport(uow, current_caller(), body)
            return handlers.passport_views(uow, content_cache(runtime()), [passport])[0]


@passports.route("/passports/bulk")
class BulkAssign(MethodView):
    @passports.auth(*domain.ASSIGNERS)
    @passports.arguments(schemas.BulkAssignment)
    @passports.response(200, schemas.BulkAssignmentResult)
    @passports.errors(409, 422)
    def post(self, body):
        """Assign a passport type to many staff of your Trust at once (lead, educator, trust_admin). Each is
        `created` (with its passport.started), `existing` (they already hold one of the type, in progress or
        completed: nothing changes) or `rejected` (not of your Trust, not known here yet, or left). With
        `all_or_nothing`, any rejection is a 422 naming each and nothing is created."""
        return as_caller(handlers.assign_in_bulk, body)


@passports.route("/passports/<uuid:passport_id>")
class PassportById(MethodView):
    @passports.auth()
    @passports.response(200, schemas.PassportDetail)
    @passports.errors(404)
    def get(self, passport_id):
        """Every domain and skill with its latest self-assessment, learning and sign-off, and progress."""
        with unit_of_work() as uow:
            view, content, skill_states = handlers.passport_detail(
                uow, current_caller(), content_cache(runtime()), passport_id
            )
        # Sixty skills through marshmallow would cost more than everything else in this read together.
        body = content.render(json.dumps(schemas.Passport().dump(view)), skill_states)
        return current_app.response_class(body, mimetype="application/json")

    @passports.auth()
    @passports.arguments(schemas.PassportUpdate)
    @passports.response(200, schemas.Passport)
    @passports.errors(404, 422)
    def patch(self, body, passport_id):
        """Mark a passport retrospective (staff deployed in an earlier surge), with dates and evidence."""
        with unit_of_work() as uow:
            passport = handlers.update_retrospective(uow, current_caller(), passport_id, body)
            return handlers.passport_views(uow, content_cache(runtime()), [passport])[0]


@passports.route("/passports/<uuid:passport_id>/withdraw")
class Withdraw(MethodView):
    @passports.auth()
    @passports.arguments(schemas.Withdrawal)
    @passports.response(200, schemas.Passport)
    @passports.errors(404, 409)
    def post(self, body, passport_id):
        """Withdraw an in-progress passport (the holder, a lead, an educator or a trust_admin)."""
        with unit_of_work() as uow:
            passport = handlers.withdraw(uow, current_caller(), passport_id, body["reason"])
            return handlers.passport_views(uow, content_cache(runtime()), [passport])[0]


@passports.route(SKILL_PATH)
class SkillOnPassport(MethodView):
    @passports.auth()
    @passports.response(200, schemas.SkillDetail)
    @passports.errors(404)
    def get(self, passport_id, skill_code):
        """One skill with its full self-assessment, learning and sign-off history."""
        return as_caller(handlers.skill_detail, content_cache(runtime()), passport_id, skill_code)


@passports.route(f"{SKILL_PATH}/self-assessment")
class SelfAssessment(MethodView):
    @passports.auth()
    @passports.arguments(schemas.SelfAssessmentIn)
    @passports.response(200, schemas.SelfAssessmentOut)
    @passports.errors(404, 409)
    def put(self, body, passport_id, skill_code):
        """Self-assess a skill (the holder only). Earlier self-assessments are kept as history."""
        return as_caller(handlers.self_assess, content_cache(runtime()), passport_id, skill_code, body)


@passports.route(f"{SKILL_PATH}/learning")
class Learning(MethodView):
    @passports.auth()
    @passports.arguments(schemas.LearningIn)
    @passports.response(201, schemas.LearningOut)
    @passports.errors(404, 409)
    def post(self, body, passport_id, skill_code):
        """Record e-learning or face-to-face training for a skill (the holder, an educator, lead or trust_admin)."""
        with unit_of_work() as uow:
            return handlers.record_learning(
                uow, current_caller(), content_cache(runtime()), passport_id, skill_code, body
            )


@staff.route("/staff")
class Staff(MethodView):
    @staff.auth(*domain.STAFF_READERS)
    @staff.arguments(schemas.StaffQuery, location="query")
    @staff.response(200, schemas.StaffMember(many=True))
    @staff.paginate(page_size=schemas.MAX_IDS)  # every id asked for fits on the first page
    def get(self, filters, pagination_parameters):
        """The caller's Trust's people (a platform admin: of any Trust) by name, to find them (`q`,
        `professional_group`, `department`; leavers only with `active=false`) or to name given ones (`id`).
        Ids not known here, or of another Trust, are left out."""
        with unit_of_work() as uow:
            return paginate(uow.session, handlers.list_staff(current_caller(), filters), pagination_parameters)


BLUEPRINTS = [types, passports, staff]
