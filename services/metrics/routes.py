"""The metrics service's HTTP API: thin views over the reads (reads.py)."""

from __future__ import annotations

import csv
import io
from datetime import date

from flask import current_app
from flask.views import MethodView

from services.metrics import domain, page, reads, schemas
from services.metrics.models import MeasureDefinition
from shared.app import unit_of_work
from shared.auth import Blueprint, current_caller
from shared.db import utcnow
from shared.domain import Invalid

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
            return reads.dashboard(uow, current_caller(), trust_id, utcnow())


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
            dashboard = reads.dashboard(uow, current_caller(), trust_id, today)
            charts = {
                m["measure_id"]: reads.chart(
                    reads.measure_series(uow, uow.session.get(MeasureDefinition, m["measure_id"]), today.date()), "spc"
                )
                for m in dashboard["measures"]
            }
        body = page.render(dashboard, charts, domain.RATIO_METRICS)
        return current_app.response_class(body, mimetype=HTML)


@measures.route("/measures/<uuid:measure_id>/series")
class MeasureSeries(MethodView):
    @measures.auth(*READERS)
    @measures.arguments(schemas.SeriesQuery, location="query")
    @measures.response(200, schemas.Series)
    @measures.errors(404, 422)
    def get(self, query, measure_id):
        """The measure's value for each day, week or month (the last 90 days, 26 weeks or 24 months; entered
        values: the latest 104): for counts what happened in each period (form=period, the default) or the
        running total (form=cumulative); ratios (completion_rate, learning_attended_vs_planned) as a percentage at
        each period's end; a measure bound to no metric, its entered values. With the XmR chart's mean and
        limits, each point's special cause, and the Making Data Count variation and assurance icons."""
        with unit_of_work() as uow:
            measure = reads.measure_of_caller(uow, current_caller(), measure_id)
            return _series(uow, measure, query).as_response()


@measures.route("/measures/<uuid:measure_id>/chart.svg")
class MeasureChart(MethodView):
    @measures.auth(*READERS)
    @measures.arguments(schemas.ChartQuery, location="query")
    @measures.response(200, {"type": "string"}, content_type=SVG)
    @measures.errors(404, 422)
    def get(self, query, measure_id):
        """The series as an XmR chart (kind=spc, the default: mean, process limits at mean ± 2.66 × mean moving
        range, optionally fixed on the first `baseline` points, recalculated from each `rebase` date) or a run
        chart (kind=run: median, shifts, trends, runs, astronomical points), with the target line and the signals
        marked: blue improvement, orange concern, grey common cause, by the measure's improvement direction."""
        with unit_of_work() as uow:
            measure = reads.measure_of_caller(uow, current_caller(), measure_id)
            picture = reads.chart(_series(uow, measure, query), query["kind"])
        return current_app.response_class(picture, mimetype=SVG)


def _series(uow, measure, query: dict) -> reads.MeasureSeries:
    return reads.measure_series(
        uow,
        measure,
        utcnow().date(),
        frequency=query["frequency"],
        form=query["form"],
        baseline=query["baseline"],
        rebase=query["rebase"],
    )


@measures.route("/measures/<uuid:measure_id>/values")
class MeasureValues(MethodView):
    @measures.auth(*READERS)
    @measures.response(200, schemas.EnteredValueOut(many=True))
    @measures.errors(404)
    def get(self, measure_id):
        """The values entered for a measure bound to no metric, oldest period first."""
        with unit_of_work() as uow:
            return reads.entered_values(uow, current_caller(), measure_id)


@measures.route("/measures/<uuid:measure_id>/values/<string:period_start>")
class MeasureValue(MethodView):
    @measures.auth(*domain.VALUE_ENTERERS)
    @measures.arguments(schemas.EnteredValueIn)
    @measures.response(200, schemas.EnteredValueOut)
    @measures.errors(404, 409, 422)
    def put(self, body, measure_id, period_start):
        """Set the value of one period of a measure bound to no metric (lead or workforce of its Trust):
        `period_start` is the period's first day (YYYY-MM-DD: a Monday for a weekly measure, the 1st for a
        monthly one). Setting it again replaces it. 409 for a measure computed from events."""
        with unit_of_work() as uow:
            entered = reads.enter_value(uow, current_caller(), measure_id, _period_start(period_start), body, utcnow())
            uow.commit()
            return entered

    @measures.auth(*domain.VALUE_ENTERERS)
    @measures.response(204)
    @measures.errors(404, 409, 422)
    def delete(self, measure_id, period_start):
        """Remove the value of one period (lead or workforce of the measure's Trust)."""
        with unit_of_work() as uow:
            reads.remove_value(uow, current_caller(), measure_id, _period_start(period_start))
            uow.commit()


def _period_start(text: str) -> date:
    """The period named in the path: its first day, YYYY-MM-DD."""
    try:
        if len(text) == 10:
            return date.fromisoformat(text)
    except ValueError:
        pass
    raise Invalid("period_start", "Give the period's first day as YYYY-MM-DD.")


EXPORT_COLUMNS = (
    ("staff_number", "Staff number"),
    ("staff_name", "Staff name"),
    ("professional_group", "Professional group"),
    ("passport_type", "Passport type"),
    ("started", "Started"),
    ("last_activity", "Last activity"),
    ("skills_self_assessed", "Skills self-assessed"),
    ("skills_signed_off", "Skills signed off"),
    ("skills_total", "Skills in total"),
    ("status", "Status"),
    ("certificate_status", "Certificate status"),
    ("certificate_expires", "Certificate expiry"),
    ("staff_id", "Staff ID"),
    ("passport_id", "Passport ID"),
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
            rows = reads.export_rows(uow, current_caller())
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow([title for _, title in EXPORT_COLUMNS])
        for row in rows:
            writer.writerow([domain.spreadsheet_cell(row[key]) for key, _ in EXPORT_COLUMNS])
        response = current_app.response_class("\ufeff" + out.getvalue(), mimetype=CSV)
        response.headers["Content-Disposition"] = 'attachment; filename="passport-usage.csv"'
        return response


BLUEPRINTS = [dashboards, measures, exports]
