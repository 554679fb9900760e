"""A web process's /metrics: its requests counted by route template and status, in the Prometheus text format.

gunicorn runs several worker processes behind one port, and a scrape reaches any one of them: each worker
writes its values to PROMETHEUS_MULTIPROC_DIR (the directory shared/gunicorn_conf.py prepares), and
/metrics adds up every worker's there. Without the directory (the tests' in-process apps) it serves the
process's own values.

The route is a plain Flask one, so that it stays out of the OpenAPI document: it is for Prometheus, not for
the API's clients, and the reverse proxy does not route it.
"""

from __future__ import annotations

import time

from flask import Flask, Response, g, request
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4
from prometheus_client.multiprocess import MultiProcessCollector

from shared.prometheus import HTTP_REGISTRY, count_request

METRICS_PATH = "/metrics"


def install_http_metrics(app: Flask, service: str, multiproc_dir: str = "") -> None:
    """Count every request the app answers, and serve /metrics. Install it before the app's other
    before_request hooks, so that a request one of them answers is timed too."""

    @app.before_request
    def _start_clock():
        g.metrics_started = time.perf_counter()

    @app.after_request
    def _count(response):
        started = g.get("metrics_started")
        # A hook registered before ours may have answered before the clock started: counted, not timed.
        seconds = time.perf_counter() - started if started is not None else None
        rule = request.url_rule.rule if request.url_rule is not None else None
        count_request(service, request.method, rule, response.status_code, seconds)
        return response

    def metrics() -> Response:
        return Response(generate_latest(_registry(multiproc_dir)), mimetype=None, content_type=CONTENT_TYPE_PLAIN_0_0_4)

    app.add_url_rule(METRICS_PATH, "prometheus_metrics", metrics, methods=["GET"])


def _registry(multiproc_dir: str):
    if not multiproc_dir:
        return HTTP_REGISTRY
    registry = CollectorRegistry()  # a fresh one per scrape, as the multiprocess collector expects
    MultiProcessCollector(registry, path=multiproc_dir)
    return registry
