"""The baseline every read benchmark is compared with: a single-row flask-smorest GET, with the same
app factory, token check and gunicorn settings as the services, on the same database."""
from __future__ import annotations

import os

from flask.views import MethodView
from marshmallow import Schema, fields

from shared.app import create_app, unit_of_work
from shared.auth import Blueprint
from shared.errors import NotFound
from shared.service import ServiceSpec

blp = Blueprint("baseline", __name__)


class Row(Schema):
    id = fields.UUID()
    status = fields.String()


def baseline_app(service: str, model_path: str):
    """gunicorn entry point: `bench.baseline:baseline_app('passport', 'services.passport.models:Passport')`."""
    module_name, model_name = model_path.split(":")
    model = getattr(__import__(module_name, fromlist=[model_name]), model_name)

    @blp.route("/baseline/<uuid:row_id>")
    class One(MethodView):
        @blp.auth()
        @blp.response(200, Row)
        def get(self, row_id):
            with unit_of_work() as uow:
                row = uow.session.get(model, row_id)
                if row is None:
                    raise NotFound("No such row.")
                return {"id": row.id, "status": getattr(row, "status", "")}

    os.environ.setdefault("LOG_LEVEL", "WARNING")
    return create_app(ServiceSpec(name=service, title="baseline", description="baseline", blueprints=[blp]))
