"""The metrics service's HTTP API: thin views over the reads in handlers."""
from __future__ import annotations

import csv
import io

from flask import current_app
from flask.views import MethodView

from services.metrics import domain, handlers, page, schemas
from shared.app import unit_of_work
from shared.auth import Blueprint, current_caller
from shared.db import utcnow

dashboards = Blueprint("dashboards", __name__, description="A Trust's progress against its aims, per passport type")
measures = Blueprint("measures", __name__, description="Measures' values over time, as run and SPC charts")
exports = Blueprint("exports", __name__, description="Usage data for a Trust's own analysis")

READERS = domain.READERS
SVG, HTML, CSV = "image/svg+xml", "text/html", "text/csv"


@dashboards.route("/trusts/<uuid:trust_id>/dashboard")
class TrustDashboard(MethodView):
    @dashboards.auth(*READERS)
    @dashboards.response(200, schemas.Dashboard)
    @dashboards.errors(404)
    def get(self, trust_id):
        """Per passport type the counts (certified: people holding a valid certificate now; certificates_issued:
        every one ever issued), each aim's progress and each measure's value against its target (lead,
        workforce, trust_admin of the Trust). Zeros before any event."""
        with unit_of_work() as uow:
            return handlers.dashboard(uow, current_caller(), trust_id, utcnow())


@dashboards.route("/trusts/<uuid:trust_id>/dashboard.html")
class TrustDashboardPage(MethodView):
    @dashboards.auth(*READERS)
    @dashboards.response(200, {"type": "string"}, content_type=HTML)
    @dashboards.errors(404)
    def get(self, trust_id):
        """The same dashboard as a page: progress bars against each target and each measure's SPC chart. Like
        every route it needs the bearer token in the Authorization header."""
        today = utcnow()
        with unit_of_work() as uow:
            dashboard = handlers.dashboard(uow, current_caller(), trust_id, today)
            charts = {m["measure_id"]: handlers.chart(uow, uow.session.get(handlers.MeasureDefinition, m["measure_id"]),
                                                      "spc", None, None, today.date())
                      for m in dashboard["measures"]}
        body = page.render(dashboard, charts, domain.RATIO_METRICS)
        return current_app.response_class(body, mimetype=HTML)


@measures.route("/measures/<uuid:measure_id>/series")
class MeasureSeries(MethodView):
    @measures.auth(*READERS)
    @measures.arguments(schemas.SeriesQuery, location="query")
    @measures.response(200, schemas.Series)
    @measures.errors(404, 422)
    def get(self, query, measure_id):
        """The measure's value at the end of each day or week (the last 90 days or 26 weeks): its metric's
        running total, or the ratio (completion_rate, learning_attended_vs_planned) as a percentage."""
        with unit_of_work() as uow:
            measure = handlers.measure_of_caller(uow, current_caller(), measure_id)
            return handlers.series(uow, measure, query["frequency"], utcnow().date())


@measures.route("/measures/<uuid:measure_id>/chart.svg")
class MeasureChart(MethodView):
    @measures.auth(*READERS)
    @measures.arguments(schemas.ChartQuery, location="query")
    @measures.response(200, {"type": "string"}, content_type=SVG)
    @measures.errors(404, 422)
    def get(self, query, measure_id):
        """The series as an XmR chart (kind=spc, the default: mean, process limits at mean ± 2.66 × mean moving
        range, optionally fixed on the first `baseline` points) or a run chart (kind=run: median, shifts,
        trends, runs, astronomical points), with the target line and the signals marked: blue improvement,
        orange concern, grey common cause."""
        with unit_of_work() as uow:
            measure = handlers.measure_of_caller(uow, current_caller(), measure_id)
            picture = handlers.chart(uow, measure, query["kind"], query["frequency"], query["baseline"],
                                     utcnow().date())
        return current_app.response_class(picture, mimetype=SVG)


EXPORT_COLUMNS = (
    ("staff_number", "Staff number"), ("staff_name", "Staff name"), ("professional_group", "Professional group"),
    ("passport_type", "Passport type"),
    ("started", "Started"), ("last_activity", "Last activity"), ("skills_self_assessed", "Skills self-assessed"),
    ("skills_signed_off", "Skills signed off"), ("skills_total", "Skills in total"), ("status", "Status"),
    ("certificate_status", "Certificate status"), ("certificate_expires", "Certificate expiry"),
    ("staff_id", "Staff ID"), ("passport_id", "Passport ID"),
)


@exports.route("/exports/passport-usage.csv")
class PassportUsage(MethodView):
    @exports.auth(*domain.EXPORTERS)
    @exports.response(200, {"type": "string"}, content_type=CSV)
    def get(self):
        """One row per passport of your Trust (trust_admin): staff number, name, professional group, type, started,
        last activity, skills self-assessed, signed off and in total, status, certificate status and expiry.
        UTF-8 with a byte order mark and CRLF line ends, as spreadsheets expect; dates as YYYY-MM-DD."""
        with unit_of_work() as uow:
            rows = handlers.export_rows(uow, current_caller())
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow([title for _, title in EXPORT_COLUMNS])
        for row in rows:
            writer.writerow([domain.spreadsheet_cell(row[key]) for key, _ in EXPORT_COLUMNS])
        response = current_app.response_class("\ufeff" + out.getvalue(), mimetype=CSV)
        response.headers["Content-Disposition"] = 'attachment; filename="passport-usage.csv"'
        return response


BLUEPRINTS = [dashboards, measures, exports]
