"""The sign-off service's HTTP API: thin views over the handlers."""

from __future__ import annotations

from flask.views import MethodView

from services.signoff import domain, handlers, schemas
from shared.app import as_caller, unit_of_work
from shared.auth import Blueprint, current_caller
from shared.pagination import paginate

signoffs = Blueprint("signoffs", __name__, description="Sign-off decisions on skills, their revocation and audit trail")
requests = Blueprint("signoff-requests", __name__, description="Holders asking for sign-off of their skills")


@signoffs.route("/signoffs")
class Signoffs(MethodView):
    @signoffs.auth()
    @signoffs.arguments(schemas.SignoffQuery, location="query")
    @signoffs.response(200, schemas.Signoff(many=True))
    @signoffs.paginate()
    def get(self, filters, pagination_parameters):
        """Every decision, revoked or not, oldest first: the Trust's for supervisors, educators, leads,
        workforce and trust_admins, the caller's own for anyone else."""
        with unit_of_work() as uow:
            return paginate(uow.session, handlers.list_signoffs(current_caller(), filters), pagination_parameters)

    @signoffs.auth(*domain.SIGNERS)
    @signoffs.arguments(schemas.SignoffCreate)
    @signoffs.response(201, schemas.Signoff)
    @signoffs.errors(404, 409, 422)
    def post(self, body):
        """Sign off a self-assessed skill of a passport of your Trust (supervisor, educator; never your own):
        `proficient`, or `not_yet` with an action plan. No request is needed first."""
        return as_caller(handlers.record_signoff, body)


@signoffs.route("/signoffs/bulk")
class BulkSignoffs(MethodView):
    @signoffs.auth(*domain.SIGNERS)
    @signoffs.arguments(schemas.BulkSignoffCreate)
    @signoffs.response(201, schemas.Signoff(many=True))
    @signoffs.errors(404, 409, 422)
    def post(self, body):
        """Sign off several skills of one passport at once: all are recorded, or none is."""
        return as_caller(handlers.record_bulk, body)


@signoffs.route("/signoffs/<uuid:signoff_id>")
class SignoffById(MethodView):
    @signoffs.auth()
    @signoffs.response(200, schemas.Signoff)
    @signoffs.errors(404)
    def get(self, signoff_id):
        """One decision, with its revocation if it was revoked."""
        return as_caller(handlers.get_signoff, signoff_id)


@signoffs.route("/signoffs/<uuid:signoff_id>/revoke")
class Revoke(MethodView):
    @signoffs.auth(*domain.REVOKERS)
    @signoffs.arguments(schemas.RevocationCreate)
    @signoffs.response(200, schemas.Signoff)
    @signoffs.errors(404, 409)
    def post(self, body, signoff_id):
        """Revoke a decision, with the reason (supervisor, lead, trust_admin of its Trust). The decision
        stays in the audit trail with its revocation beside it."""
        return as_caller(handlers.revoke, signoff_id, body["reason"])


@requests.route("/signoff-requests")
class SignoffRequests(MethodView):
    @requests.auth()
    @requests.arguments(schemas.SignoffRequestQuery, location="query")
    @requests.response(200, schemas.SignoffRequest(many=True))
    @requests.paginate()
    def get(self, filters, pagination_parameters):
        """Requests for sign-off, oldest first (`status=open` for the pending ones): the Trust's for
        supervisors, educators, leads, workforce and trust_admins, the caller's own for anyone else."""
        with unit_of_work() as uow:
            return paginate(uow.session, handlers.list_requests(current_caller(), filters), pagination_parameters)

    @requests.auth()
    @requests.arguments(schemas.SignoffRequestCreate)
    @requests.response(201, schemas.SignoffRequest)
    @requests.errors(404, 409, 422)
    def post(self, body):
        """Ask for sign-off of self-assessed skills of your own passport; each decision answers its skill."""
        return as_caller(handlers.request_signoff, body)


BLUEPRINTS = [signoffs, requests]
