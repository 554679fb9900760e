"""Prometheus's view of the real platform: every web process (gunicorn, two workers each) and every worker
serves /metrics, and a member of staff's journey moves the numbers it should."""

from __future__ import annotations

import time

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from tests.support.journey import SERVICES, Trust, complete, start_portal
from tests.support.stack import Stack, eventually

pytestmark = pytest.mark.stack

# Two gunicorn workers a web process, as deployed (the stack tests' default is one): what a web process
# serves on /metrics must add up what each of its workers counted.
PLATFORM_SETTINGS = {"WEB_WORKERS": "2"}

SELF_ASSESSMENT_ROUTE = "/passports/<uuid:passport_id>/skills/<string:skill_code>/self-assessment"
# What each consuming service's worker applies when a passport is completed and certified.
APPLIED_ON_THE_JOURNEY = {
    "signoff": "passport.started",
    "passport": "signoff.recorded",
    "certificate": "passport.completed",
    "planning": "certificate.issued",
    "metrics": "certificate.issued",
}


@pytest.fixture(scope="module")
def stack_amqp_url(broker):
    """A vhost of this module's own: its queue depths are its platform's alone."""
    with broker.fresh_vhost_url() as url:
        yield url


@pytest.fixture(scope="module")
def monitored(platform: Stack) -> Stack:
    """The platform, with the portal in front of it."""
    start_portal(platform, **PLATFORM_SETTINGS)
    return platform


def scrape(url: str) -> dict[tuple[str, frozenset], float]:
    response = requests.get(url, timeout=10)
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith("text/plain")
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(response.text)
        for s in family.samples
    }


def value(samples: dict, name: str, **labels) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def total(samples: dict, name: str, **labels) -> float:
    """The sum over every series of the metric whose labels include these."""
    wanted = set(labels.items())
    return sum(v for (n, series), v in samples.items() if n == name and wanted <= series)


def web_metrics(stack: Stack, service: str) -> dict:
    return scrape(f"{stack.url(service)}/metrics")


def worker_metrics(stack: Stack, service: str) -> dict:
    [url] = stack.worker_metrics_urls(service)
    return scrape(url)


def test_every_process_serves_its_metrics(monitored):
    for service in (*SERVICES, "portal"):
        requests.get(f"{monitored.url(service)}/healthz", timeout=10)
        samples = eventually(
            lambda: web_metrics(monitored, service),
            lambda s: total(s, "skillpass_http_requests_total", service=service, route="/healthz") >= 1,
        )
        assert total(samples, "skillpass_http_request_duration_seconds_count", service=service) >= 1
    for service in SERVICES:
        samples = eventually(
            lambda: worker_metrics(monitored, service),
            lambda s: value(s, "skillpass_worker_heartbeat_timestamp_seconds", service=service) > 0,
        )
        assert value(samples, "skillpass_broker_up", service=service) == 1
        assert value(samples, "skillpass_database_up", service=service) == 1
        assert time.time() - value(samples, "skillpass_worker_heartbeat_timestamp_seconds", service=service) < 60
        assert ("skillpass_outbox_pending_rows", frozenset({("service", service)})) in samples
        if service in APPLIED_ON_THE_JOURNEY:  # a consuming service: its queue and dead-letter queue are read
            assert (
                "skillpass_consumer_queue_messages",
                frozenset({("service", service), ("queue", f"{service}.events")}),
            ) in samples
            assert (
                value(samples, "skillpass_dead_letter_queue_messages", service=service, queue=f"{service}.events.dlq")
                == 0
            )


def test_a_journey_moves_the_numbers(monitored):
    webs_before = {service: web_metrics(monitored, service) for service in ("passport", "signoff")}
    workers_before = {service: worker_metrics(monitored, service) for service in SERVICES}
    portal_before = web_metrics(monitored, "portal")

    trust = Trust(monitored)
    journey = complete(trust)
    assert requests.get(f"{monitored.url('portal')}/sign-in", timeout=10).status_code == 200

    # Requests, counted by route template, across both gunicorn workers of each web process.
    assessed = dict(service="passport", method="PUT", route=SELF_ASSESSMENT_ROUTE, status="200")
    passport_web = web_metrics(monitored, "passport")
    assert (
        value(passport_web, "skillpass_http_requests_total", **assessed)
        - value(webs_before["passport"], "skillpass_http_requests_total", **assessed)
    ) == len(journey.skills)
    signed = dict(service="signoff", method="POST", route="/signoffs", status="201")
    signoff_web = web_metrics(monitored, "signoff")
    assert (
        value(signoff_web, "skillpass_http_requests_total", **signed)
        - value(webs_before["signoff"], "skillpass_http_requests_total", **signed)
    ) == len(journey.skills)
    sign_in = dict(service="portal", method="GET", route="/sign-in", status="200")
    assert (
        value(web_metrics(monitored, "portal"), "skillpass_http_requests_total", **sign_in)
        - value(portal_before, "skillpass_http_requests_total", **sign_in)
    ) == 1

    # Each consumer applies its part of the journey: the certificate's issue reaches planning and metrics.
    for service, event_type in APPLIED_ON_THE_JOURNEY.items():
        before = value(workers_before[service], "skillpass_events_applied_total", service=service, type=event_type)
        eventually(
            lambda: worker_metrics(monitored, service),
            lambda s: value(s, "skillpass_events_applied_total", service=service, type=event_type) > before,
            timeout=60,
        )

    # The relays had their publishes confirmed, and nothing is left waiting in any outbox.
    for service in ("identity", "passport", "signoff", "certificate"):
        before = value(workers_before[service], "skillpass_relay_confirm_seconds_count", service=service)
        eventually(
            lambda: worker_metrics(monitored, service),
            lambda s: value(s, "skillpass_relay_confirm_seconds_count", service=service) > before,
            timeout=60,
        )
    for service in SERVICES:
        eventually(
            lambda: worker_metrics(monitored, service),
            lambda s: (
                ("skillpass_outbox_pending_rows", frozenset({("service", service)})) in s
                and value(s, "skillpass_outbox_pending_rows", service=service) == 0
            ),
            timeout=60,
        )
    certificate = worker_metrics(monitored, "certificate")
    assert value(certificate, "skillpass_events_failed_total", service="certificate", type="passport.completed") == 0
