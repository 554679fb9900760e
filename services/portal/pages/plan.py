"""Leads: the Trust's PDSA plan, every part edited in forms."""
from __future__ import annotations

from flask import Blueprint

from services.portal.pages.support import requires_sign_in
from services.planning.domain import READERS

blueprint = Blueprint("plan", __name__)


@blueprint.get("/plan")
@requires_sign_in(*READERS)
def overview():
    raise NotImplementedError
