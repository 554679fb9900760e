"""The whole platform as real processes (six services and the portal, RabbitMQ, PostgreSQL) driven in a
real browser: Debian's chromium through Playwright, as a person would use it."""

from __future__ import annotations

import email
import email.policy
import shutil
import threading
import time
import uuid

import pytest

from tests.support.journey import SERVICES, Trust, start_portal
from tests.support.stack import Stack, free_port

pytestmark = pytest.mark.browser

PASSWORD = "a long password for the ward"


class Inbox:
    """A real SMTP server on a free local port that keeps every email it is sent, to be read by the tests."""

    def __init__(self):
        self.port = free_port()
        self.url = f"smtp://127.0.0.1:{self.port}"
        self.messages: list[email.message.EmailMessage] = []
        self._arrived = threading.Condition()

    async def handle_DATA(self, server, session, envelope):  # the name aiosmtpd calls
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self._arrived:
            self.messages.append(message)
            self._arrived.notify_all()
        return "250 Message accepted for delivery"

    def wait_for(self, address: str, since: int = 0, timeout: float = 30.0) -> email.message.EmailMessage:
        """The first email to `address` among those after the first `since`, waiting for it to arrive."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while True:
                for message in self.messages[since:]:
                    if address.lower() in (message["To"] or "").lower():
                        return message
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    sent_to = [message["To"] for message in self.messages]
                    raise AssertionError(f"no email to {address} within {timeout}s; emails went to {sent_to}")
                self._arrived.wait(remaining)


@pytest.fixture(scope="package")
def smtp_server():
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=inbox.port)
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()


@pytest.fixture(scope="package")
def platform(amqp_url, database_server, tmp_path_factory, smtp_server):
    """One platform for the browser tests: identity (sending its emails to the test SMTP server), passport,
    signoff, certificate, planning, metrics, then the portal."""
    stack = Stack(amqp_url, database_server, tmp_path_factory.mktemp("browser-stack"))
    stack.ports["portal"] = free_port()
    public = {"SKILLPASS_PUBLIC_BASE_URL": stack.url("portal")}
    try:
        for service in SERVICES:
            mail = {"SMTP_URL": smtp_server.url} if service == "identity" else {}
            stack.start_service(service, **public, **mail)
        start_portal(stack)
        yield stack
    finally:
        stack.stop()


@pytest.fixture(scope="package")
def browser():
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    assert executable, "the browser tests need Debian's chromium package (apt-get install chromium)"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        yield launched
        launched.close()


@pytest.fixture
def trust(platform) -> Trust:
    return Trust(platform, name=f"Leeds Teaching Hospitals {uuid.uuid4().hex[:6]}")


def add_person(trust: Trust, name: str, *roles: str) -> dict:
    """Someone of the Trust with a name of their own and a password they sign in with."""
    body = {
        "email": f"{uuid.uuid4().hex[:10]}@example.nhs.uk",
        "name": name,
        "password": PASSWORD,
        "trust_id": trust.id,
        "roles": list(roles),
        "staff_number": uuid.uuid4().hex[:8].upper(),
    }
    response = trust.platform_admin.post("/users", body)
    assert response.status_code == 201, response.text
    return {**response.json(), "password": PASSWORD}
