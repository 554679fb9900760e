"""Scale-out: two replicas of every web process, relay and consumer at once, as a Trust would run them to
grow past one machine."""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.stack.test_whole_stack import assert_counts_agree
from tests.support.journey import Trust, complete, start_platform

pytestmark = pytest.mark.stack


@pytest.fixture
def stack_amqp_url(broker):
    """A vhost of this test's own: its replicas share their queues with no other test's services."""
    with broker.fresh_vhost_url() as url:
        yield url


def test_two_replicas_of_everything_count_each_journey_once(stack, tap):
    start_platform(stack, replicas=2, WEB_WORKERS="1")
    trust = Trust(stack, "Scaled Out Trust")
    # Twenty at four at a time keep both replicas of every part busy at once; the fault test's fifty would
    # add nothing here but time, with twice the processes on two cores.
    journeys = 20
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(lambda _: complete(trust), range(journeys)))

    assert_counts_agree(trust, journeys, tap)
    # No broker fault here, so not even a resend: every event went out exactly once from two relays.
    sent = Counter(message.envelope["id"] for message in tap.received)
    assert sent and max(sent.values()) == 1
    workers = [p for p in stack.processes if "-worker-" in p.name]
    assert len(workers) == 12 and all(p.popen.poll() is None for p in workers)
