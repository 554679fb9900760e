"""Trust admins: the Trust's staff — find, add, import, invite, set roles, deactivate a leaver."""
from __future__ import annotations

from flask import Blueprint

from services.portal.pages.support import requires_sign_in

blueprint = Blueprint("staff_admin", __name__)


@blueprint.get("/staff")
@requires_sign_in("trust_admin")
def staff_list():
    raise NotImplementedError
