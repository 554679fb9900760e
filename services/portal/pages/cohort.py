"""Leads and educators: passports assigned in bulk, and the cohort by name with where each person is."""
from __future__ import annotations

from flask import Blueprint

from services.passport.domain import ASSIGNERS
from services.portal.pages.support import requires_sign_in

blueprint = Blueprint("cohort", __name__)


@blueprint.get("/cohort")
@requires_sign_in(*ASSIGNERS)
def overview():
    raise NotImplementedError
