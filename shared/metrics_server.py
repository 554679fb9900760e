"""The worker's /metrics: a small HTTP server on a thread of its own, beside the relay and the consumer.

A worker has no web server of its own, and one process, so it needs neither gunicorn nor the multiprocess
directory: prometheus_client's threaded WSGI server serves the worker's registry as it is.
"""

from __future__ import annotations

import logging
from wsgiref.simple_server import WSGIServer

from prometheus_client import CollectorRegistry, start_http_server

log = logging.getLogger(__name__)


def serve_metrics(registry: CollectorRegistry, host: str, port: int) -> WSGIServer | None:
    """Serve the registry at http://host:port/metrics until `stop_serving`; None when switched off (port 0)
    or when the port is taken. The worker's work goes on either way: its metrics are not worth stopping
    the relay and the consumer for, and a Prometheus that cannot scrape it raises the alert."""
    if port == 0:
        return None
    try:
        server, _thread = start_http_server(port, addr=host, registry=registry)
    except OSError as error:
        log.error(
            "worker metrics not served: the port could not be bound",
            extra={"host": host, "port": port, "error": str(error)},
        )
        return None
    log.info("worker metrics served", extra={"url": f"http://{host}:{port}/metrics"})
    return server


def stop_serving(server: WSGIServer | None) -> None:
    if server is not None:
        server.shutdown()
        server.server_close()
