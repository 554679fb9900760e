import pytest

from tests.support.bus import BusTap
from tests.support.journey import start_platform
from tests.support.stack import Stack

pytestmark = pytest.mark.stack


@pytest.fixture
def stack_amqp_url(amqp_url):
    """The broker the stack and the tap use: the run's vhost, unless a module needs one of its own."""
    return amqp_url


@pytest.fixture
def stack(stack_amqp_url, database_server, tmp_path):
    running = Stack(stack_amqp_url, database_server, tmp_path)
    yield running
    running.stop()


@pytest.fixture
def tap(stack_amqp_url):
    listener = BusTap(stack_amqp_url, "#")
    yield listener
    listener.close()


@pytest.fixture(scope="module")
def platform(request, stack_amqp_url, database_server, tmp_path_factory):
    """Every service, once for a module's tests (each with a Trust of its own to count in). A module using
    it gives itself a vhost: a module-scoped `stack_amqp_url`, so its queues are shared with no other's; and
    may give the services settings of its own in PLATFORM_SETTINGS."""
    running = Stack(stack_amqp_url, database_server, tmp_path_factory.mktemp("platform"))
    start_platform(running, **getattr(request.module, "PLATFORM_SETTINGS", {}))
    yield running
    running.stop()
