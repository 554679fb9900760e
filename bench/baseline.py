"""The baselines every throughput benchmark is compared with: a single-row flask-smorest GET and a
single-row flask-smorest POST, with the same app factory, unit of work, token check and gunicorn settings
as the services, on the same database.

The POST validates a tiny JSON body with a marshmallow schema and INSERTs one row into a table of the
baseline's own (`bench_row`), so that it writes to the service's database without touching its tables.
"""

from __future__ import annotations

import os
import uuid

import sqlalchemy as sa
from flask.views import MethodView
from marshmallow import Schema, fields, validate

from shared.app import create_app, unit_of_work
from shared.auth import Blueprint
from shared.db import Database, UTCDateTime, utcnow
from shared.domain import NotFound
from shared.service import Runtime, ServiceSpec

blp = Blueprint("baseline", __name__)

bench_metadata = sa.MetaData()
bench_rows = sa.Table(
    "bench_row",
    bench_metadata,
    sa.Column("id", sa.Uuid(), primary_key=True),
    sa.Column("status", sa.String(40), nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
)


class Row(Schema):
    id = fields.UUID()
    status = fields.String()


class NewRow(Schema):
    status = fields.String(required=True, validate=validate.Length(min=1, max=40))


@blp.route("/baseline")
class Rows(MethodView):
    @blp.auth()
    @blp.arguments(NewRow)
    @blp.response(201, Row)
    def post(self, body):
        row = {"id": uuid.uuid4(), "status": body["status"], "created_at": utcnow()}
        with unit_of_work() as uow:
            uow.session.execute(bench_rows.insert().values(**row))
            uow.commit()
        return row


def ensure_bench_table(database: Database) -> None:
    """Create `bench_row` unless it exists. Both gunicorn workers start at once: on PostgreSQL a
    transaction-scoped advisory lock makes the second wait for the first instead of failing on a
    duplicate type."""
    with database.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext('bench_row'))"))
        bench_metadata.create_all(connection)


def add_bench_row(database_url: str) -> str:
    """One row for the bare GET to read when it reads the baseline's own table; returns its id."""
    database = Database(database_url)
    try:
        ensure_bench_table(database)
        row_id = uuid.uuid4()
        with database.engine.begin() as connection:
            connection.execute(bench_rows.insert().values(id=row_id, status="bench", created_at=utcnow()))
        return str(row_id)
    finally:
        database.dispose()


def baseline_app(service: str, model_path: str | None = None):
    """gunicorn entry point: `bench.baseline:baseline_app('passport', 'services.passport.models:Passport')`
    reads a row of the service's model; without a model, `/baseline/<id>` reads a row of `bench_row`."""
    if model_path:
        module_name, model_name = model_path.split(":")
        model = getattr(__import__(module_name, fromlist=[model_name]), model_name)

        def read(uow, row_id):
            return uow.session.get(model, row_id)
    else:

        def read(uow, row_id):
            return uow.session.execute(sa.select(bench_rows).where(bench_rows.c.id == row_id)).first()

    @blp.route("/baseline/<uuid:row_id>")
    class One(MethodView):
        @blp.auth()
        @blp.response(200, Row)
        def get(self, row_id):
            with unit_of_work() as uow:
                row = read(uow, row_id)
                if row is None:
                    raise NotFound("No such row.")
                return {"id": row.id, "status": getattr(row, "status", "")}

    os.environ.setdefault("LOG_LEVEL", "WARNING")
    spec = ServiceSpec(name=service, title="baseline", description="baseline", blueprints=[blp])
    runtime = Runtime(spec)
    ensure_bench_table(runtime.database)
    return create_app(spec, runtime)
