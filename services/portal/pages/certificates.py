"""Certificates: a member of staff's own, their PDF, and the public page anyone reaches from the QR code."""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request, url_for

from services.portal import presenters
from services.portal.backend import get
from services.portal.pages.support import backend, call, calls, found, requires_sign_in
from services.portal.session import signed_in

blueprint = Blueprint("certificates", __name__)


@blueprint.get("/certificates")
@requires_sign_in()
def mine():
    me = signed_in().user_id
    certificates_answer, passports_answer = calls(
        [
            get("certificate", "/certificates", staff_id=me, page_size=100),
            get("passport", "/passports", staff_id=me, status="completed", page_size=100),
        ]
    )
    certificates = found(certificates_answer)
    certified = {certificate["passport_id"] for certificate in certificates}
    # A passport completed a moment ago whose certificate is still on its way.
    pending = [passport for passport in found(passports_answer) if passport["id"] not in certified]
    return render_template(
        "certificates/list.html",
        certificates=certificates,
        pending=pending,
        statuses=presenters.CERTIFICATE_STATUSES,
        verify_url=lambda certificate_id: url_for("certificates.verify", certificate_id=certificate_id, _external=True),
    )


@blueprint.get("/certificates/<uuid:certificate_id>/certificate.pdf")
@requires_sign_in()
def pdf(certificate_id):
    answer = call(get("certificate", f"/certificates/{certificate_id}/pdf"))
    if answer.status != 200:
        found(answer)
    response = Response(answer.raw, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="certificate-{certificate_id}.pdf"'
    return response


@blueprint.get("/certificates/<uuid:certificate_id>/verify")
def verify(certificate_id):
    """The address in the PDF and its QR code: a page for a person, the service's JSON for a program."""
    answer = backend().call(get("certificate", f"/certificates/{certificate_id}/verify"))
    if _wants_json():
        response = Response(
            answer.raw, status=answer.status, mimetype=answer.headers.get("Content-Type", "application/json")
        )
        response.headers["Vary"] = "Accept"
        return response
    if answer.status == 404:
        abort(404)
    found(answer)
    status_text, colour = presenters.CERTIFICATE_STATUSES.get(answer.body["status"], (answer.body["status"], "grey"))
    response = Response(
        render_template("certificates/verify.html", verification=answer.body, status_text=status_text, colour=colour)
    )
    response.headers["Vary"] = "Accept"
    return response


def _wants_json() -> bool:
    accepted = request.accept_mimetypes
    return (
        accepted.best_match(["text/html", "application/json"]) == "application/json"
        and accepted["application/json"] > accepted["text/html"]
    )
