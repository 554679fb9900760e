"""The certificate service's HTTP API: thin views over the handlers."""

from __future__ import annotations

from flask import current_app
from flask.views import MethodView

from services.certificate import domain, handlers, schemas
from services.certificate.components import certificate_settings, keyring
from shared.app import as_caller, runtime, unit_of_work
from shared.auth import Blueprint, current_caller
from shared.db import utcnow
from shared.pagination import paginate

certificates = Blueprint("certificates", __name__, description="Certificates, their credential and PDF, revocation")
verification = Blueprint("verification", __name__, description="Public verification: no login needed")

PDF_RESPONSE = {
    "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
    "description": "The certificate as an A4 PDF",
}


@certificates.route("/certificates")
class Certificates(MethodView):
    @certificates.auth()
    @certificates.arguments(schemas.CertificateQuery, location="query")
    @certificates.response(200, schemas.Certificate(many=True))
    @certificates.paginate()
    def get(self, filters, pagination_parameters):
        """Certificates, newest first: the Trust's for leads, workforce, trust_admins, supervisors and
        educators, the caller's own for anyone else."""
        with unit_of_work() as uow:
            return paginate(uow.session, handlers.list_certificates(current_caller(), filters), pagination_parameters)


@certificates.route("/certificates/<uuid:certificate_id>")
class CertificateById(MethodView):
    @certificates.auth()
    @certificates.response(200, schemas.Certificate)
    @certificates.errors(404)
    def get(self, certificate_id):
        """One certificate: your own, or one of your Trust's if you read the Trust's."""
        return as_caller(handlers.get_certificate, certificate_id)


@certificates.route("/certificates/<uuid:certificate_id>/credential")
class Credential(MethodView):
    @certificates.auth()
    @certificates.response(200, schemas.SignedCredential)
    @certificates.errors(404)
    def get(self, certificate_id):
        """The certificate as an Open Badges 3.0 AchievementCredential, signed as a VC-JWT."""
        current = runtime()
        with unit_of_work() as uow:
            certificate = handlers.get_certificate(uow, current_caller(), certificate_id)
        # Signed once the transaction is over: the key ring reads keys in a session of its own.
        return handlers.signed_credential(certificate, certificate_settings(current), keyring(current))


@certificates.route("/certificates/<uuid:certificate_id>/pdf")
class Pdf(MethodView):
    @certificates.auth()
    @certificates.doc(responses={200: PDF_RESPONSE})
    @certificates.errors(404)
    def get(self, certificate_id):
        """The printable certificate (A4), with a QR code of its public verification address."""
        with unit_of_work() as uow:
            certificate = handlers.get_certificate(uow, current_caller(), certificate_id)
        body = handlers.render_pdf(certificate, certificate_settings(runtime()), utcnow())
        response = current_app.response_class(body, mimetype="application/pdf")
        response.headers["Content-Disposition"] = f'inline; filename="certificate-{certificate_id}.pdf"'
        return response


@certificates.route("/certificates/<uuid:certificate_id>/revoke")
class Revoke(MethodView):
    @certificates.auth(*domain.REVOKERS)
    @certificates.arguments(schemas.RevocationCreate)
    @certificates.response(200, schemas.Certificate)
    @certificates.errors(404, 409)
    def post(self, body, certificate_id):
        """Revoke a valid certificate of your Trust, with the reason (trust_admin, lead): certificate.revoked."""
        return as_caller(handlers.revoke, certificate_id, body["reason"])


@verification.route("/certificates/<uuid:certificate_id>/verify")
class Verify(MethodView):
    @verification.response(200, schemas.Verification)
    @verification.errors(404)
    def get(self, certificate_id):
        """Anyone may check a certificate: its signature, expiry and revocation, with the holder's name, role,
        Trust and dates and no other personal data. `valid` is true only for a valid certificate."""
        current = runtime()
        with unit_of_work() as uow:
            certificate = handlers.public_certificate(uow, certificate_id)
        # Checked once the transaction is over: the key ring reads keys in a session of its own.
        return handlers.verification(certificate, certificate_settings(current), keyring(current), utcnow())


@verification.route("/.well-known/jwks.json")
class Jwks(MethodView):
    @verification.response(200, schemas.Jwks)
    def get(self):
        """The public keys that verify the certificates' credentials (VC-JWT `kid`)."""
        return keyring(runtime()).jwks()


BLUEPRINTS = [certificates, verification]
