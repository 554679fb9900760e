"""The whole platform as real processes (six services and the portal, RabbitMQ, PostgreSQL) driven in a
real browser: Debian's chromium through Playwright, as a person would use it."""
from __future__ import annotations

import shutil
import uuid

import pytest

from tests.support.journey import SERVICES, Trust
from tests.support.stack import Stack, free_port

pytestmark = pytest.mark.browser

PASSWORD = "a long password for the ward"


@pytest.fixture(scope="package")
def platform(amqp_url, database_server, tmp_path_factory):
    """One platform for the browser tests: identity, passport, signoff, certificate, then the portal."""
    stack = Stack(amqp_url, database_server, tmp_path_factory.mktemp("browser-stack"))
    stack.ports["portal"] = free_port()
    public = {"SKILLPASS_PUBLIC_BASE_URL": stack.url("portal")}
    try:
        for service in SERVICES:
            stack.start_service(service, **public)
        stack.start("portal", "web", **{f"{name.upper()}_URL": stack.url(name) for name in SERVICES},
                    SKILLPASS_DATA_DIR=str(stack.log_dir))
        stack.wait_ready("portal")
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
    body = {"email": f"{uuid.uuid4().hex[:10]}@example.nhs.uk", "name": name, "password": PASSWORD,
            "trust_id": trust.id, "roles": list(roles), "staff_number": uuid.uuid4().hex[:8].upper()}
    response = trust.platform_admin.post("/users", body)
    assert response.status_code == 201, response.text
    return {**response.json(), "password": PASSWORD}
