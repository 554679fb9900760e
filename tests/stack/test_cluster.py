"""The platform on a three-node RabbitMQ cluster (tests/support/cluster.py), the services given every node in
AMQP_URL: its queues are quorum queues with a member on each node, and when the node that leads the most of
them stops in the middle of the journeys, nothing is lost and nothing applied twice: every journey ends in one
completed passport, one certificate, one roster entry and one count on the dashboard."""

from __future__ import annotations

import shutil
from concurrent.futures import ThreadPoolExecutor

import pytest

from shared.broker import broker_reachable
from tests.support.cluster import RabbitCluster
from tests.support.journey import Trust, complete, settled, start_platform
from tests.support.stack import Stack

pytestmark = pytest.mark.stack

BEFORE, AFTER = 4, 4  # journeys before the node stops, and while and after it does


@pytest.fixture(scope="module")
def cluster():
    if not shutil.which("rabbitmq-server") or not shutil.which("rabbitmqctl"):
        pytest.skip("needs RabbitMQ's rabbitmq-server and rabbitmqctl (Debian's rabbitmq-server package)")
    running = RabbitCluster(3)
    try:
        running.start()
        yield running
    finally:
        running.stop()


def test_journeys_lose_nothing_when_the_node_leading_the_queues_stops(cluster, database_server, tmp_path):
    stack = Stack(cluster.url, database_server, tmp_path)
    try:
        start_platform(stack)
        trust = Trust(stack, "Cluster Trust")
        queues = cluster.queues()
        service_queues = {name: q for name, q in queues.items() if name.endswith(".events")}
        assert len(service_queues) == 5, sorted(queues)  # every service that consumes has its queue
        everywhere = {node.name for node in cluster.nodes}
        assert all(q["type"] == "quorum" and q["members"] == everywhere for q in service_queues.values()), queues

        with ThreadPoolExecutor(max_workers=4) as pool:
            first = [pool.submit(complete, trust) for _ in range(BEFORE)]
            [journey.result() for journey in first]
            lost = cluster.busiest_leader()
            # Processes are connected to it, and will have to carry on through the others.
            assert cluster.connections_to(lost) > 0
            rest = [pool.submit(complete, trust) for _ in range(AFTER)]
            cluster.stop_node(lost)
            journeys = [*first, *(journey.result() for journey in rest)]
        assert len(journeys) == BEFORE + AFTER

        # The queues elected leaders on the nodes left; the cluster still answers at the same AMQP_URL.
        assert all(q["leader"] != lost.name for name, q in cluster.queues().items() if name in service_queues)
        assert broker_reachable(cluster.url) == (True, "ok")

        expected = BEFORE + AFTER
        seen = settled(trust, expected, roster_filter="&status=eligible", timeout=240)
        completed, certificates, roster, counted = seen.completed, seen.certificates, seen.roster, seen.counted
        # Exactly as many, not more: no event was applied twice across the failover.
        assert completed == len(certificates) == len(roster) == expected
        assert len({c["staff_id"] for c in certificates}) == expected
        assert (counted["completed"], counted["certified"], counted["certificates_issued"], counted["rostered"]) == (
            (expected,) * 4
        )
        assert counted["skills_signed_off"] == expected * 44
    finally:
        stack.stop()
