"""The RabbitMQ topology: the services' topic exchange, a quorum queue per consuming service and its DLQ,
and the public topic exchange outside systems read (DESIGN §9)."""

from __future__ import annotations

from kombu import Connection, Exchange, Queue, binding

from shared.config import DEAD_LETTER_EXCHANGE, EVENTS_EXCHANGE, PUBLIC_EXCHANGE

# Queue arguments cannot change once a queue exists: these are fixed for every deployment.
DELIVERY_LIMIT = 5

events_exchange = Exchange(EVENTS_EXCHANGE, type="topic", durable=True)
dead_letter_exchange = Exchange(DEAD_LETTER_EXCHANGE, type="direct", durable=True)
# Routing key `<ODS code>.<event type>`; outside systems bind their own queues to it (shared/subscribers.py).
public_exchange = Exchange(PUBLIC_EXCHANGE, type="topic", durable=True)


def queue_name(service: str) -> str:
    return f"{service}.events"


def dead_letter_queue_name(service: str) -> str:
    return f"{service}.events.dlq"


def service_queue(service: str, routing_keys: list[str]) -> Queue:
    return Queue(
        queue_name(service),
        bindings=[binding(events_exchange, routing_key=key) for key in sorted(routing_keys)],
        durable=True,
        queue_arguments={
            "x-queue-type": "quorum",
            "x-delivery-limit": DELIVERY_LIMIT,
            "x-dead-letter-exchange": DEAD_LETTER_EXCHANGE,
            "x-dead-letter-routing-key": queue_name(service),
        },
    )


def dead_letter_queue(service: str) -> Queue:
    return Queue(
        dead_letter_queue_name(service),
        exchange=dead_letter_exchange,
        routing_key=queue_name(service),
        durable=True,
        queue_arguments={"x-queue-type": "quorum"},
    )


def declare_topology(channel, service: str | None = None, routing_keys: list[str] | None = None) -> None:
    """Declare the exchanges, and for a consuming service its queue and dead-letter queue."""
    events_exchange(channel).declare()
    dead_letter_exchange(channel).declare()
    public_exchange(channel).declare()
    if service and routing_keys:
        dead_letter_queue(service)(channel).declare()
        service_queue(service, routing_keys)(channel).declare()


def broker_urls(url: str) -> list[str]:
    """AMQP_URL names one broker, or the nodes of a cluster separated by `;` (kombu fails over between them,
    in turn, whenever a connection is lost)."""
    return [part.strip() for part in url.split(";") if part.strip()]


def broker_reachable(url: str, timeout: float = 2.0) -> tuple[bool, str]:
    """Whether the broker answers: one attempt at each node named, without waiting between them (a readiness
    probe answers now, and its caller retries); a cluster is reachable while any of its nodes is."""
    try:
        with Connection(url, connect_timeout=timeout) as connection:
            attempts = len(broker_urls(url))
            connection.ensure_connection(max_retries=attempts - 1, interval_start=0, interval_step=0, timeout=timeout)
        return True, "ok"
    except Exception as error:  # kombu raises many kinds; all mean "not reachable"
        return False, str(error) or type(error).__name__


def without_password(url: str) -> str:
    """The URL (or each node's of a cluster) as logs and messages may show it."""
    return ";".join(_one_without_password(part) for part in broker_urls(url)) or url


def _one_without_password(url: str) -> str:
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        credentials, host = rest.rsplit("@", 1)
        return f"{scheme}://{credentials.split(':')[0]}:***@{host}"
    return url
