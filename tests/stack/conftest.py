import pytest

from tests.support.bus import BusTap
from tests.support.stack import Stack

pytestmark = pytest.mark.stack


@pytest.fixture
def stack(amqp_url, database_server, tmp_path):
    running = Stack(amqp_url, database_server, tmp_path)
    yield running
    running.stop()


@pytest.fixture
def tap(amqp_url):
    listener = BusTap(amqp_url, "#")
    yield listener
    listener.close()
