"""The metrics every process serves, in process: a web app's /metrics (and gunicorn's multiprocess
directory), and a worker's registry against a real database and the real broker."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import urllib.request
import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa
from kombu import Connection
from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families

from services.portal.app import create_app as create_portal_app
from services.portal.settings import BACKENDS, PortalSettings
from shared import gunicorn_conf
from shared.broker import dead_letter_queue_name, declare_topology, queue_name
from shared.consumer import EventConsumer, Unprocessable
from shared.db import utcnow
from shared.metrics_server import serve_metrics, stop_serving
from shared.outbox import OutboxMessage
from shared.prometheus import BrokerQueuesCollector, worker_registry
from shared.relay import Relay
from shared.service import load_spec
from tests.shared.messaging_support import migrated_database, running, settings_for, stage_trust_created
from tests.shared.test_consumer import envelope_bytes
from tests.support.bus import publish_raw
from tests.support.service_app import ServiceUnderTest
from tests.support.stack import eventually

CLOSED_BROKER = "amqp://guest:guest@127.0.0.1:1//"
REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def samples(text: str) -> dict[tuple[str, frozenset], float]:
    """Every sample of a scrape, by name and labels."""
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(scrape: dict, name: str, **labels) -> float:
    return scrape.get((name, frozenset(labels.items())), 0.0)


def scrape_app(client) -> dict:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    return samples(response.get_data(as_text=True))


@pytest.fixture
def passport(sqlite_url):
    return ServiceUnderTest(load_spec("passport"), sqlite_url)


# --- Web --------------------------------------------------------------------------------------------


def test_requests_are_counted_by_route_template_and_status(passport):
    client = passport.client
    route = "/passports/<uuid:passport_id>"
    before = scrape_app(client)

    assert client.get("/healthz").status_code == 200
    assert client.get("/healthz").status_code == 200
    for _ in range(3):  # three different ids, one route
        assert client.get(f"/passports/{uuid.uuid4()}").status_code == 401
    assert client.get("/no/such/page").status_code == 404

    after = scrape_app(client)

    def grew(name, **labels):
        return value(after, name, **labels) - value(before, name, **labels)

    assert grew("skillpass_http_requests_total", service="passport", method="GET", route="/healthz", status="200") == 2
    assert grew("skillpass_http_requests_total", service="passport", method="GET", route=route, status="401") == 3
    assert grew("skillpass_http_requests_total", service="passport", method="GET", route="unmatched", status="404") == 1
    assert grew("skillpass_http_request_duration_seconds_count", service="passport", method="GET", route=route) == 3
    assert (
        grew("skillpass_http_request_duration_seconds_bucket", service="passport", method="GET", route=route, le="+Inf")
        == 3
    )
    # The raw paths never become label values, only the app's route templates: the number of series stays bounded.
    templates = {rule.rule for rule in client.application.url_map.iter_rules()} | {"unmatched"}
    routes = {dict(labels).get("route") for _, labels in after if dict(labels).get("service") == "passport"} - {None}
    assert route in routes and routes <= templates, routes - templates


def test_a_method_nobody_uses_is_counted_as_other(passport):
    before = scrape_app(passport.client)
    passport.client.open("/healthz", method="BREW")
    after = scrape_app(passport.client)
    labels = dict(
        name="skillpass_http_requests_total", service="passport", method="other", route="unmatched", status="405"
    )
    assert value(after, **labels) - value(before, **labels) == 1


def test_metrics_are_not_part_of_the_api_document(passport):
    paths = passport.client.get("/openapi.json").get_json()["paths"]
    assert "/healthz" in paths  # the document is the API's: the probes are in it
    assert "/metrics" not in paths


def test_the_portal_counts_its_pages_too():
    settings = PortalSettings(
        backend_urls={name: "http://127.0.0.1:1" for name in BACKENDS}, secret_key=b"k" * 32, api_timeout_seconds=1.0
    )
    client = create_portal_app(settings, log_to_stdout=False).test_client()
    before = scrape_app(client)
    assert client.get("/sign-in").status_code == 200
    assert client.post("/sign-in", data={}).status_code == 400  # no CSRF token: refused by an earlier hook
    after = scrape_app(client)
    for status, method in (("200", "GET"), ("400", "POST")):
        labels = dict(
            name="skillpass_http_requests_total", service="portal", method=method, route="/sign-in", status=status
        )
        assert value(after, **labels) - value(before, **labels) == 1, labels
    # Timed as well: the metrics' hook runs before the CSRF check that refused it.
    timed = dict(
        name="skillpass_http_request_duration_seconds_count", service="portal", method="POST", route="/sign-in"
    )
    assert value(after, **timed) - value(before, **timed) == 1


COUNT_ONE_REQUEST = (
    "from shared.prometheus import count_request\ncount_request('passport', 'GET', '/healthz', 200, 0.01)\n"
)


def test_metrics_add_up_what_every_gunicorn_worker_counted(sqlite_url, tmp_path):
    """Each process writes its counts to the directory; /metrics of any one of them sums them all."""
    directory = tmp_path / "multiproc"
    directory.mkdir()
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(directory), "PYTHONPATH": REPO_ROOT}
    for _ in range(2):  # two workers, one request each
        subprocess.run([sys.executable, "-c", COUNT_ONE_REQUEST], env=env, check=True, timeout=60)
    assert len(list(directory.glob("counter_*.db"))) == 2  # a file of counts per process

    service = ServiceUnderTest(load_spec("passport"), sqlite_url, PROMETHEUS_MULTIPROC_DIR=str(directory))
    scrape = scrape_app(service.client)
    assert (
        value(scrape, "skillpass_http_requests_total", service="passport", method="GET", route="/healthz", status="200")
        == 2
    )


def test_gunicorn_empties_the_given_directory_when_it_starts(tmp_path, monkeypatch):
    directory = tmp_path / "multiproc"
    directory.mkdir()
    (directory / "counter_123.db").write_bytes(b"stale counts of an earlier run")
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(directory))
    gunicorn_conf.on_starting(server=None)
    assert list(directory.iterdir()) == []


def test_gunicorn_makes_a_directory_of_its_own_when_none_is_given(monkeypatch):
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    monkeypatch.setenv("SKILLPASS_SERVICE", "passport")
    gunicorn_conf.on_starting(server=None)
    made = os.environ["PROMETHEUS_MULTIPROC_DIR"]
    assert os.path.isdir(made) and os.listdir(made) == []
    # Another master on the same machine (a process of its own, without the variable) gets another.
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR")
    gunicorn_conf.on_starting(server=None)
    other = os.environ["PROMETHEUS_MULTIPROC_DIR"]
    assert other != made
    gunicorn_conf.on_exit(server=None)
    assert not os.path.exists(made) and not os.path.exists(other)


def test_a_worker_that_exits_has_its_live_gauges_removed(tmp_path, monkeypatch):
    directory = tmp_path / "multiproc"
    directory.mkdir()
    (directory / "gauge_livesum_4242.db").write_bytes(b"")
    (directory / "counter_4242.db").write_bytes(b"")
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(directory))

    class Exited:
        pid = 4242

    gunicorn_conf.child_exit(server=None, worker=Exited())
    # Its counts stay (they were answered requests); its live gauges go.
    assert sorted(path.name for path in directory.iterdir()) == ["counter_4242.db"]


# --- Worker -----------------------------------------------------------------------------------------


def scrape_registry(registry) -> dict:
    return samples(generate_latest(registry).decode())


def test_outbox_pending_rows_and_the_age_of_the_oldest(database_url, tmp_path):
    database = migrated_database(database_url, tmp_path)
    registry = worker_registry("identity", database, CLOSED_BROKER, consumes=False)
    empty = scrape_registry(registry)
    assert value(empty, "skillpass_outbox_pending_rows", service="identity") == 0
    assert value(empty, "skillpass_outbox_oldest_pending_age_seconds", service="identity") == 0
    assert value(empty, "skillpass_database_up", service="identity") == 1

    stage_trust_created(database)
    stage_trust_created(database)
    with database.session() as session, session.begin():
        oldest = session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)).first()
        oldest.created_at = utcnow() - timedelta(seconds=120)
    waiting = scrape_registry(registry)
    assert value(waiting, "skillpass_outbox_pending_rows", service="identity") == 2
    assert 120 <= value(waiting, "skillpass_outbox_oldest_pending_age_seconds", service="identity") < 600

    with database.session() as session, session.begin():
        session.execute(sa.update(OutboxMessage).values(sent_at=utcnow()))
    sent = scrape_registry(registry)
    assert value(sent, "skillpass_outbox_pending_rows", service="identity") == 0
    assert value(sent, "skillpass_outbox_oldest_pending_age_seconds", service="identity") == 0


def test_a_scrape_answers_while_the_broker_is_unreachable(sqlite_url, tmp_path):
    database = migrated_database(sqlite_url, tmp_path)
    scrape = scrape_registry(worker_registry("passport", database, CLOSED_BROKER, consumes=True))
    assert value(scrape, "skillpass_broker_up", service="passport") == 0
    assert value(scrape, "skillpass_outbox_pending_rows", service="passport") == 0  # the rest is still there


def test_a_scrape_answers_while_the_database_is_unreachable(tmp_path):
    from shared.db import Database

    database = Database(f"sqlite:///{tmp_path / 'missing' / 'no.db'}")  # a folder that does not exist
    scrape = scrape_registry(worker_registry("passport", database, CLOSED_BROKER, consumes=True))
    assert value(scrape, "skillpass_database_up", service="passport") == 0
    assert ("skillpass_outbox_pending_rows", frozenset({("service", "passport")})) not in scrape


def test_queue_depths_are_read_from_the_broker(amqp_url):
    service = f"test{uuid.uuid4().hex[:8]}"
    collector = BrokerQueuesCollector(service, amqp_url, consumes=True)
    before = scrape_registry(_registry_of(collector))
    assert value(before, "skillpass_broker_up", service=service) == 1
    # Not declared yet (its consumer has not started): no value rather than a made-up zero.
    assert not [key for key in before if key[0] == "skillpass_consumer_queue_messages"]

    with Connection(amqp_url) as connection:
        declare_topology(connection.channel(), service, ["trust.created"])
    for _ in range(3):
        publish_raw(amqp_url, "trust.created", envelope_bytes()[1])
    queue, dead = queue_name(service), f"{queue_name(service)}.dlq"
    scrape = eventually(
        lambda: scrape_registry(_registry_of(collector)),
        lambda s: value(s, "skillpass_consumer_queue_messages", service=service, queue=queue) == 3,
    )
    assert value(scrape, "skillpass_dead_letter_queue_messages", service=service, queue=dead) == 0
    assert ("skillpass_dead_letter_queue_messages", frozenset({("service", service), ("queue", dead)})) in scrape


def _registry_of(collector):
    from prometheus_client import CollectorRegistry

    registry = CollectorRegistry(auto_describe=False)
    registry.register(collector)
    return registry


def test_events_applied_and_failed_are_counted_per_type(database_url, amqp_url, tmp_path):
    service = f"test{uuid.uuid4().hex[:8]}"
    database = migrated_database(database_url, tmp_path)
    registry = worker_registry(service, database, amqp_url, consumes=True)
    settings = settings_for(service, database.url, amqp_url)
    # One that can never be applied: dead-lettered after one try, whether it came alone or in a batch.
    troubled_subject, troubled = envelope_bytes()

    def handler(uow, event, payload):
        if event.subject == troubled_subject:
            raise Unprocessable("this one can never be applied")

    def consumer(stop):
        return EventConsumer(
            service=service, settings=settings, database=database, handlers={"trust.created": handler}, stop=stop
        )

    with Connection(amqp_url) as connection:  # bound before anything is published, as the consumer binds it
        declare_topology(connection.channel(), service, ["trust.created"])
    with running(consumer):
        publish_raw(amqp_url, "trust.created", troubled)
        publish_raw(amqp_url, "trust.created", envelope_bytes()[1])
        publish_raw(amqp_url, "trust.created", b"not an event at all")
        scrape = eventually(
            lambda: scrape_registry(registry),
            lambda s: (
                value(s, "skillpass_events_applied_total", service=service, type="trust.created") == 1
                and value(s, "skillpass_events_failed_total", service=service, type="unreadable") == 1
                and value(s, "skillpass_events_failed_total", service=service, type="trust.created") == 1
                and value(
                    s, "skillpass_dead_letter_queue_messages", service=service, queue=dead_letter_queue_name(service)
                )
                == 2
            ),
        )
    assert value(scrape, "skillpass_consumer_queue_messages", service=service, queue=queue_name(service)) == 0


def test_relay_confirms_are_timed(database_url, amqp_url, tmp_path):
    database = migrated_database(database_url, tmp_path)
    service = f"test{uuid.uuid4().hex[:8]}"
    registry = worker_registry(service, database, amqp_url, consumes=False)
    stage_trust_created(database)
    stage_trust_created(database)
    settings = settings_for(service, database.url, amqp_url)
    with running(lambda stop: Relay(database, settings, stop)):
        scrape = eventually(
            lambda: scrape_registry(registry),
            lambda s: value(s, "skillpass_relay_confirm_seconds_count", service=service) == 2,
        )
    assert value(scrape, "skillpass_relay_confirm_seconds_bucket", service=service, le="+Inf") == 2
    assert value(scrape, "skillpass_relay_confirm_seconds_sum", service=service) > 0
    assert value(scrape, "skillpass_outbox_pending_rows", service=service) == 0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_the_worker_serves_its_registry_over_http(sqlite_url, tmp_path):
    database = migrated_database(sqlite_url, tmp_path)
    port = _free_port()
    server = serve_metrics(worker_registry("identity", database, CLOSED_BROKER, consumes=False), "127.0.0.1", port)
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as response:
            scrape = samples(response.read().decode())
    finally:
        stop_serving(server)
    assert value(scrape, "skillpass_outbox_pending_rows", service="identity") == 0
    assert value(scrape, "skillpass_broker_up", service="identity") == 0


def test_port_zero_serves_nothing_and_a_taken_port_does_not_stop_the_worker(sqlite_url, tmp_path):
    database = migrated_database(sqlite_url, tmp_path)
    registry = worker_registry("identity", database, CLOSED_BROKER, consumes=False)
    assert serve_metrics(registry, "127.0.0.1", 0) is None
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        assert serve_metrics(registry, "127.0.0.1", taken.getsockname()[1]) is None
