"""The Chief Nurse and leads: the Trust's dashboard and the roster, with its CSV."""
from __future__ import annotations

from flask import Blueprint

from services.metrics.domain import READERS
from services.portal.pages.support import requires_sign_in

blueprint = Blueprint("dashboard", __name__)


@blueprint.get("/dashboard")
@requires_sign_in(*READERS)
def show():
    raise NotImplementedError
