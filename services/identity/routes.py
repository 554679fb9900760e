"""Identity's HTTP API: thin views over the handlers."""
from __future__ import annotations

from flask import request
from flask.views import MethodView

from services.identity import handlers, schemas
from services.identity.components import keyring, passwords, throttle_policy
from shared.app import runtime, unit_of_work
from shared.auth import Blueprint, current_caller
from shared.config import TOKEN_AUDIENCE
from shared.pagination import paginate

auth = Blueprint("auth", __name__, description="Tokens and the public keys that verify them")
trusts = Blueprint("trusts", __name__, description="NHS Trusts on the platform")
users = Blueprint("users", __name__, description="User accounts and their roles")

ADMINS = ("platform_admin", "trust_admin")


@auth.route("/auth/token")
class Token(MethodView):
    @auth.arguments(schemas.TokenRequest)
    @auth.response(200, schemas.TokenResponse)
    @auth.errors(401, 429)
    def post(self, body):
        """Exchange an email and password for a bearer token (RS256 JWT)."""
        current = runtime()
        with unit_of_work() as uow:
            return handlers.issue_token(
                uow,
                body["email"],
                body["password"],
                client=request.remote_addr or "unknown",
                passwords=passwords(current),
                sign=keyring(current).sign,
                policy=throttle_policy(current),
                issuer=current.settings.identity_issuer,
                audience=TOKEN_AUDIENCE,
                ttl_seconds=current.settings.token_ttl_seconds,
            )


@auth.route("/.well-known/jwks.json")
class Jwks(MethodView):
    @auth.response(200, schemas.JwksResponse)
    def get(self):
        """The public keys that verify identity's tokens."""
        return keyring(runtime()).jwks()


@trusts.route("/trusts")
class Trusts(MethodView):
    @trusts.auth()
    @trusts.arguments(schemas.TrustQuery, location="query")
    @trusts.response(200, schemas.Trust(many=True))
    @trusts.paginate()
    def get(self, filters, pagination_parameters):
        """Trusts: all of them for a platform admin, otherwise the caller's own."""
        with unit_of_work() as uow:
            query = handlers.list_trusts(uow, current_caller(), filters)
            return paginate(uow.session, query, pagination_parameters)

    @trusts.auth("platform_admin")
    @trusts.arguments(schemas.TrustCreate)
    @trusts.response(201, schemas.Trust)
    @trusts.errors(409, 422)
    def post(self, body):
        """Register a Trust (platform admin)."""
        with unit_of_work() as uow:
            return handlers.create_trust(uow, body)


@trusts.route("/trusts/<uuid:trust_id>")
class TrustById(MethodView):
    @trusts.auth()
    @trusts.response(200, schemas.Trust)
    @trusts.errors(404)
    def get(self, trust_id):
        """One Trust: a platform admin reads any, others their own."""
        with unit_of_work() as uow:
            return handlers.get_trust(uow, current_caller(), trust_id)


@users.route("/users")
class Users(MethodView):
    @users.auth(*ADMINS)
    @users.arguments(schemas.UserQuery, location="query")
    @users.response(200, schemas.User(many=True))
    @users.paginate()
    def get(self, filters, pagination_parameters):
        """Users: a trust_admin sees their Trust's, a platform admin everyone."""
        with unit_of_work() as uow:
            query = handlers.list_users(uow, current_caller(), filters)
            return paginate(uow.session, query, pagination_parameters)

    @users.auth(*ADMINS)
    @users.arguments(schemas.UserCreate)
    @users.response(201, schemas.User)
    @users.errors(409, 422)
    def post(self, body):
        """Create a user: a trust_admin in their own Trust, a platform admin anywhere."""
        with unit_of_work() as uow:
            return handlers.create_user(uow, current_caller(), body, passwords(runtime()))


@users.route("/users/me")
class Me(MethodView):
    @users.auth()
    @users.response(200, schemas.User)
    @users.errors(404)
    def get(self):
        """The caller's own account."""
        caller = current_caller()
        with unit_of_work() as uow:
            return handlers.get_user(uow, caller, caller.user_id)


@users.route("/users/<uuid:user_id>")
class UserById(MethodView):
    @users.auth()
    @users.response(200, schemas.User)
    @users.errors(404)
    def get(self, user_id):
        """One user: yourself, or a user of the Trust you administer."""
        with unit_of_work() as uow:
            return handlers.get_user(uow, current_caller(), user_id)

    @users.auth()
    @users.arguments(schemas.UserUpdate)
    @users.response(200, schemas.User)
    @users.errors(404, 409, 422)
    def patch(self, body, user_id):
        """Change a user. Yourself: name and password. Administrators: everything, `active` included."""
        with unit_of_work() as uow:
            return handlers.update_user(uow, current_caller(), user_id, body, passwords(runtime()))


@users.route("/users/<uuid:user_id>/deactivate")
class Deactivate(MethodView):
    @users.auth(*ADMINS)
    @users.response(200, schemas.User)
    @users.errors(404)
    def post(self, user_id):
        """Deactivate a user: they can no longer get a token."""
        with unit_of_work() as uow:
            return handlers.update_user(uow, current_caller(), user_id, {"active": False}, passwords(runtime()))


BLUEPRINTS = [auth, trusts, users]
