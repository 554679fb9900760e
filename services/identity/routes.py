"""Identity's HTTP API: thin views over the handlers."""

from __future__ import annotations

from flask import request
from flask.views import MethodView

from services.identity import domain, handlers, schemas
from services.identity.components import keyring, link_settings, mailer, passwords, throttle_policy
from shared.app import as_caller, runtime, unit_of_work
from shared.auth import Blueprint, current_caller
from shared.config import TOKEN_AUDIENCE
from shared.domain import UnsupportedMediaType
from shared.pagination import paginate

auth = Blueprint("auth", __name__, description="Tokens and the public keys that verify them")
trusts = Blueprint("trusts", __name__, description="NHS Trusts on the platform")
users = Blueprint("users", __name__, description="User accounts and their roles")

ADMINS = ("platform_admin", "trust_admin")
CSV_BODY = {
    "required": True,
    "description": "UTF-8 (with or without a byte order mark), at most 10,000 people and 5 MB. The first line "
    f"is exactly `{domain.IMPORT_HEADER}`; `roles` are separated by `;` (empty: `staff`).",
    "content": {
        "text/csv": {
            "schema": {"type": "string"},
            "example": f"{domain.IMPORT_HEADER}\nN1001,Sam Okafor,sam.okafor@example.nhs.uk,"
            "Nursing,staff;supervisor,Critical care\n",
        }
    },
}


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
        return as_caller(handlers.get_trust, trust_id)


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
        return as_caller(handlers.create_user, body, passwords(runtime()))


@users.route("/users/import")
class Import(MethodView):
    @users.auth(*ADMINS)
    @users.arguments(schemas.ImportQuery, location="query")
    @users.doc(requestBody=CSV_BODY)
    @users.response(200, schemas.ImportResult)
    @users.errors(400, 404, 413, 415, 422)
    def post(self, query):
        """Import the Trust's people from a CSV file.

        Matched by staff number within the Trust, each person is created, updated or left unchanged; rows
        that break a rule are reported by line number (the header is line 1) and the others applied. The
        same file again changes nothing and publishes nothing. Imported people have no password: invite
        them. A trust_admin imports into their own Trust; a platform admin names it with `trust_id`."""
        if request.mimetype != "text/csv":
            raise UnsupportedMediaType("Send the file as text/csv.")
        # Bigger than other bodies: a whole Trust's staff in one file.
        request.max_content_length = domain.IMPORT_MAX_BYTES
        data = request.get_data(cache=False)
        return as_caller(handlers.import_users, query.get("trust_id"), data)


@users.route("/users/invitations")
class BulkInvitations(MethodView):
    @users.auth(*ADMINS)
    @users.arguments(schemas.InvitationsRequest)
    @users.response(200, schemas.Invitations)
    @users.errors(404, 409, 422)
    def post(self, body):
        """Invite people of the Trust you administer, up to 1,000 at once.

        All of them, or, when one cannot be invited (not in your Trust: 404; deactivated: 409), none."""
        current = runtime()
        with unit_of_work() as uow:
            invitations = handlers.invite(
                uow,
                current_caller(),
                body["user_ids"],
                links=link_settings(current),
                send_email=mailer(current) is not None,
            )
        return {"invitations": invitations}


@users.route("/users/<uuid:user_id>/invitation")
class UserInvitation(MethodView):
    @users.auth(*ADMINS)
    @users.response(201, schemas.Invitation)
    @users.errors(404, 409)
    def post(self, user_id):
        """Invite a person to set their password.

        Their earlier unused links stop working. When identity sends email (SMTP_URL) the link is emailed
        and `link` is null; otherwise `link` is given, for the administrator to hand over."""
        current = runtime()
        with unit_of_work() as uow:
            [invitation] = handlers.invite(
                uow, current_caller(), [user_id], links=link_settings(current), send_email=mailer(current) is not None
            )
        return invitation


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
        return as_caller(handlers.get_user, user_id)

    @users.auth()
    @users.arguments(schemas.UserUpdate)
    @users.response(200, schemas.User)
    @users.errors(404, 409, 422)
    def patch(self, body, user_id):
        """Change a user. Yourself: name and password. Administrators: everything, `active` included."""
        return as_caller(handlers.update_user, user_id, body, passwords(runtime()))


@users.route("/users/<uuid:user_id>/deactivate")
class Deactivate(MethodView):
    @users.auth(*ADMINS)
    @users.response(200, schemas.User)
    @users.errors(404)
    def post(self, user_id):
        """Deactivate a user: they can no longer get a token."""
        return as_caller(handlers.update_user, user_id, {"active": False}, passwords(runtime()))


@auth.route("/auth/password-reset")
class PasswordReset(MethodView):
    @auth.arguments(schemas.PasswordResetRequest)
    @auth.response(202, schemas.Accepted)
    @auth.errors(422)
    def post(self, body):
        """Ask for a password reset link by email.

        The answer is the same whether or not the email is known."""
        current = runtime()
        with unit_of_work() as uow:
            handlers.request_password_reset(
                uow, body["email"], links=link_settings(current), send_email=mailer(current) is not None
            )
        return {}


@auth.route("/auth/links/<string:token>")
class Link(MethodView):
    @auth.response(200, schemas.LinkDetails)
    @auth.errors(404, 410)
    def get(self, token):
        """What a one-time link is for (invitation or password reset) and whose it is.

        404 for a link that never existed; 410 once it has been used or has expired."""
        with unit_of_work() as uow:
            return handlers.link_details(uow, token)

    @auth.arguments(schemas.SetPassword)
    @auth.response(200, schemas.PasswordSet)
    @auth.errors(404, 410, 422)
    def post(self, body, token):
        """Set your password with a one-time link.

        The link is used up, and your other links stop working."""
        with unit_of_work() as uow:
            return handlers.set_password_from_link(uow, token, body["password"], passwords(runtime()))


BLUEPRINTS = [auth, trusts, users]
