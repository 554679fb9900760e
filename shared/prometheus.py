"""Every metric the processes expose, in one place: what each is called, its labels and buckets, and the
collectors that read a value when Prometheus scrapes (the outbox, the broker's queues).

A web process counts its requests in `HTTP_REGISTRY` (under gunicorn, each worker writes its values to
PROMETHEUS_MULTIPROC_DIR and /metrics adds them up: shared/metrics_http.py). A worker process serves
`worker_registry(...)` (shared/metrics_server.py). A service's own metrics are collectors it names in
ServiceSpec.metrics_collectors (services/certificate/metrics.py). Counters and histograms carry a
`service` label, so that none of them shows a sample before its service has counted something: in
multiprocess mode a metric without labels would write zeros to the web's files merely by being imported.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable

import sqlalchemy as sa
from amqp.exceptions import NotFound
from kombu import Connection
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, ProcessCollector
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from shared.broker import dead_letter_queue_name, queue_name
from shared.db import Database, utcnow
from shared.outbox import INTERNAL_UNSENT, PUBLIC_UNSENT, OutboxMessage

log = logging.getLogger(__name__)

# --- Web processes -----------------------------------------------------------------------------------

HTTP_REGISTRY = CollectorRegistry(auto_describe=True)
HTTP_REQUESTS = Counter(
    "skillpass_http_requests_total",
    "HTTP requests answered, by route template (not the raw path) and status.",
    ["service", "method", "route", "status"],
    registry=HTTP_REGISTRY,
)
HTTP_REQUEST_DURATION = Histogram(
    "skillpass_http_request_duration_seconds",
    "Time from a request's arrival to its response, by route template.",
    ["service", "method", "route"],
    registry=HTTP_REGISTRY,
)
# Methods counted by name; any other (a client may send any word) is counted as "other", which keeps the
# number of series bounded whatever arrives.
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# The route of a request that matched none (404, or 405 for a method the route does not take).
UNMATCHED_ROUTE = "unmatched"


def count_request(service: str, method: str, route: str | None, status: int, seconds: float | None) -> None:
    method = method if method in KNOWN_METHODS else "other"
    route = route or UNMATCHED_ROUTE
    HTTP_REQUESTS.labels(service, method, route, str(status)).inc()
    if seconds is not None:
        HTTP_REQUEST_DURATION.labels(service, method, route).observe(seconds)


# --- Worker processes --------------------------------------------------------------------------------

# Registered in each worker registry (worker_registry below), not in a global one.
EVENTS_APPLIED = Counter(
    "skillpass_events_applied_total",
    "Events the consumer applied (duplicates it had applied before not counted).",
    ["service", "type"],
    registry=None,
)
EVENTS_FAILED = Counter(
    "skillpass_events_failed_total",
    "Deliveries the consumer could not apply: requeued to be tried again, or dead-lettered.",
    ["service", "type"],
    registry=None,
)
# A confirmed publish takes about a millisecond on a healthy broker; the top buckets are for one in trouble
# (PUBLISH_CONFIRM_TIMEOUT is 5 s by default).
RELAY_CONFIRM_SECONDS = Histogram(
    "skillpass_relay_confirm_seconds",
    "Time from the relay publishing a message to the broker confirming it.",
    ["service"],
    registry=None,
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
)
WORKER_HEARTBEAT = Gauge(
    "skillpass_worker_heartbeat_timestamp_seconds",
    "When the worker's main loop last saw all its threads alive (Unix time).",
    ["service"],
    registry=None,
)
WORKER_METRICS = (EVENTS_APPLIED, EVENTS_FAILED, RELAY_CONFIRM_SECONDS, WORKER_HEARTBEAT)
# A label value for a message the consumer could not read at all, whatever type it claims.
UNREADABLE_EVENT = "unreadable"


class OutboxCollector(Collector):
    """How many outbox rows wait for the relay, and for how long the oldest has: read at scrape time from
    the partial indexes the relay itself reads."""

    def __init__(self, service: str, database: Database):
        self.service = service
        self.database = database

    def collect(self) -> Iterable[GaugeMetricFamily]:

        database_up = GaugeMetricFamily(
            "skillpass_database_up", "Whether the scrape could read the database.", labels=["service"]
        )
        try:
            with self.database.session() as session:
                pending, oldest = 0, None
                for unsent in (INTERNAL_UNSENT, PUBLIC_UNSENT):
                    count, created = session.execute(
                        sa.select(sa.func.count(), sa.func.min(OutboxMessage.created_at)).where(unsent)
                    ).one()
                    pending += count
                    oldest = created if oldest is None or (created is not None and created < oldest) else oldest
        except Exception as error:  # a scrape must answer while the database is away
            log.warning("metrics could not read the outbox", extra={"error": str(error)[:200]})
            database_up.add_metric([self.service], 0)
            yield database_up
            return
        database_up.add_metric([self.service], 1)
        yield database_up
        rows = GaugeMetricFamily(
            "skillpass_outbox_pending_rows", "Outbox rows not yet confirmed by the broker.", labels=["service"]
        )
        rows.add_metric([self.service], pending)
        yield rows
        age = GaugeMetricFamily(
            "skillpass_outbox_oldest_pending_age_seconds",
            "Age of the oldest outbox row not yet confirmed by the broker (0 when none).",
            labels=["service"],
        )
        age.add_metric([self.service], max(0.0, (utcnow() - oldest).total_seconds()) if oldest else 0.0)
        yield age


class BrokerQueuesCollector(Collector):
    """Messages ready in the service's queue (its consumer's lag) and in its dead-letter queue, read with a
    passive declare at scrape time. An unreachable broker is reported, never raised."""

    def __init__(self, service: str, amqp_url: str, consumes: bool, timeout: float = 2.0):
        self.service = service
        self.amqp_url = amqp_url
        self.consumes = consumes
        self.timeout = timeout

    def collect(self) -> Iterable[GaugeMetricFamily]:
        up = GaugeMetricFamily("skillpass_broker_up", "Whether the scrape could reach the broker.", labels=["service"])
        ready = GaugeMetricFamily(
            "skillpass_consumer_queue_messages",
            "Messages ready in the service's queue, not yet taken by its consumer.",
            labels=["service", "queue"],
        )
        dead = GaugeMetricFamily(
            "skillpass_dead_letter_queue_messages",
            "Messages in the service's dead-letter queue, waiting for an operator.",
            labels=["service", "queue"],
        )
        try:
            with Connection(self.amqp_url, connect_timeout=self.timeout) as connection:
                connection.ensure_connection(max_retries=0, timeout=self.timeout)
                if self.consumes:
                    queues = ((ready, queue_name(self.service)), (dead, dead_letter_queue_name(self.service)))
                    for family, name in queues:
                        count = _ready_messages(connection, name)
                        if count is not None:
                            family.add_metric([self.service, name], count)
        except Exception as error:  # kombu and py-amqp raise many kinds; all mean "not reachable now"
            log.warning("metrics could not reach the broker", extra={"error": str(error)[:200] or type(error).__name__})
            up.add_metric([self.service], 0)
            yield up
            return
        up.add_metric([self.service], 1)
        yield up
        if self.consumes:
            yield ready
            yield dead


def _ready_messages(connection: Connection, queue: str) -> int | None:
    """The queue's ready messages; None when the queue has not been declared yet (the consumer declares it)."""
    channel = connection.channel()
    try:
        _, count, _ = channel.queue_declare(queue=queue, passive=True)
        return count
    except NotFound:  # the broker closes the channel with it
        return None
    finally:
        try:
            channel.close()
        except Exception:  # already closed by the broker
            pass


def worker_registry(
    service: str, database: Database, amqp_url: str, *, consumes: bool, extra: Iterable[Collector] = ()
) -> CollectorRegistry:
    """What a worker's /metrics serves: the counters its threads keep, and the values read at scrape time."""
    # No auto-describe: it would run the scrape-time collectors (a query, a broker connection) right here.
    registry = CollectorRegistry(auto_describe=False)
    for metric in WORKER_METRICS:
        registry.register(metric)
    ProcessCollector(registry=registry)  # the process's memory, CPU and open files
    registry.register(OutboxCollector(service, database))
    registry.register(BrokerQueuesCollector(service, amqp_url, consumes))
    for collector in extra:
        registry.register(_Answering(collector))
    return registry


class _Answering(Collector):
    """A service's own collector, kept from failing the whole scrape when it cannot read (its database
    away): its metrics are left out of that scrape, and skillpass_database_up says why."""

    def __init__(self, collector: Collector):
        self.collector = collector

    def collect(self):
        try:
            return list(self.collector.collect())
        except Exception as error:
            log.warning(
                "a metric could not be read",
                extra={"collector": type(self.collector).__name__, "error": str(error)[:200]},
            )
            return []


def beat(service: str, at: float | None = None) -> None:
    WORKER_HEARTBEAT.labels(service).set(time.time() if at is None else at)
