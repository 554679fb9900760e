"""AMQP_URL naming several nodes of a cluster (`;` between them): reachable while any node answers, and shown
in logs without any node's password."""

from __future__ import annotations

from shared.broker import broker_reachable, broker_urls, without_password
from tests.support.stack import free_port

NOBODY = "amqp://guest:guest@127.0.0.1:{port}//"


def test_a_single_url_and_a_list_of_nodes():
    assert broker_urls("amqp://a//") == ["amqp://a//"]
    assert broker_urls("amqp://a//; amqp://b//;") == ["amqp://a//", "amqp://b//"]


def test_the_broker_is_reachable_while_any_node_answers(amqp_url):
    down = NOBODY.format(port=free_port())
    assert broker_reachable(f"{down};{amqp_url}") == (True, "ok")
    assert broker_reachable(f"{amqp_url};{down}") == (True, "ok")
    reachable, detail = broker_reachable(f"{down};{NOBODY.format(port=free_port())}")
    assert not reachable and detail


def test_no_nodes_password_is_shown():
    shown = without_password("amqp://app:s3cret@node-1:5672/;amqp://app:s3cret@node-2:5672/")
    assert shown == "amqp://app:***@node-1:5672/;amqp://app:***@node-2:5672/"
    assert without_password("amqp://app:s3cret@node-1:5672/") == "amqp://app:***@node-1:5672/"
