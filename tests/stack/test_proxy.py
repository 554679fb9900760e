"""docker/caddy/Caddyfile in front of the real platform: Caddy itself, the repository's file with only the
upstreams (compose's container names) and the ports changed, and every service as real processes trusting
one proxy (PROXY_HOPS=1), as docker-compose.yml runs them.

What the public sees at one address: HTTP redirected to HTTPS, the portal at /, each API under /api/<service>
with its OpenAPI `servers`, its /docs page and Swagger UI's files at that path; no process's /metrics; a
nurse's journey through the proxy to a certificate whose verify address is the public one and opens there;
the portal's session cookie marked Secure.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from pypdf import PdfReader

from shared.config import SERVICE_PORTS, WEB_PORTS
from tests.support.journey import SERVICES, Trust, prepare, sign_off, start_portal
from tests.support.stack import ADMIN_EMAIL, ADMIN_PASSWORD, Process, Stack, eventually, free_port

pytestmark = pytest.mark.stack

CADDYFILE = Path(__file__).resolve().parents[2] / "docker" / "caddy" / "Caddyfile"
HOSTNAME = "localhost"  # resolves here without help; Caddy's `tls internal` makes its certificate


def local_caddyfile(text: str, upstreams: dict[str, int], http_port: int, https_port: int, admin_port: int) -> str:
    """The repository's Caddyfile with the compose containers' addresses replaced by this run's ports."""
    global_options = "admin localhost:2019"
    assert text.count(global_options) == 1, "the global options changed: update this test's edit"
    text = text.replace(
        global_options,
        f"admin localhost:{admin_port}\n\thttp_port {http_port}\n\thttps_port {https_port}\n\tskip_install_trust",
    )
    for name, port in upstreams.items():
        container = f"{name}-web:{WEB_PORTS[name]}"
        assert text.count(f"reverse_proxy {container}") == 1, f"no single upstream {container} in the Caddyfile"
        text = text.replace(f"reverse_proxy {container}", f"reverse_proxy 127.0.0.1:{port}")
    return text


class ThroughTheProxy:
    """The platform as a client outside sees it: each service's API under the proxy's path for it."""

    def __init__(self, stack: Stack, base_url: str):
        self.stack, self.base_url = stack, base_url

    def urls(self, service: str) -> list[str]:
        return [f"{self.base_url}/api/{service}"]


@pytest.fixture(scope="module")
def stack_amqp_url(broker):
    """A vhost of this module's own: the platform's queues are shared with no other test's services."""
    with broker.fresh_vhost_url() as url:
        yield url


@pytest.fixture(scope="module")
def proxy(stack_amqp_url, database_server, tmp_path_factory):
    caddy = shutil.which("caddy")
    if not caddy:
        pytest.skip("needs Caddy (Debian's caddy package, which .ci/run installs)")
    folder = tmp_path_factory.mktemp("proxy")
    http_port, https_port = free_port(), free_port()
    public = f"https://{HOSTNAME}:{https_port}"
    stack = Stack(stack_amqp_url, database_server, folder)
    stack.ports["portal"] = free_port()
    behind = {"PROXY_HOPS": "1", "SKILLPASS_PUBLIC_BASE_URL": public}
    try:
        for service in SERVICES:
            stack.start_service(service, **behind)
        start_portal(stack, PORTAL_PROXY_HOPS="1")
        config = folder / "Caddyfile"
        config.write_text(local_caddyfile(CADDYFILE.read_text(), {**stack.ports}, http_port, https_port, free_port()))
        environment = {
            **os.environ,
            "SKILLPASS_HOSTNAME": HOSTNAME,
            "XDG_DATA_HOME": str(folder / "data"),
            "XDG_CONFIG_HOME": str(folder / "config"),
        }
        environment.pop("SKILLPASS_TLS", None)  # the default: Caddy's own authority
        stack.processes.append(
            Process("caddy", [caddy, "run", "--config", str(config), "--adapter", "caddyfile"], environment, folder)
        )
        root = folder / "data" / "caddy" / "pki" / "authorities" / "local" / "root.crt"
        eventually(lambda: _served(public, root), bool, timeout=60, interval=0.2)
        yield {"stack": stack, "public": public, "http": f"http://{HOSTNAME}:{http_port}", "root": str(root)}
    finally:
        stack.stop()


def _served(public: str, root: Path) -> bool:
    if not root.exists():
        return False
    try:
        return requests.get(f"{public}/healthz", verify=str(root), timeout=5).status_code == 200
    except requests.RequestException:
        return False


@pytest.fixture
def https(proxy, monkeypatch):
    """requests trusting Caddy's local authority, as a Trust's browsers trust the Trust's certificate."""
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", proxy["root"])
    session = requests.Session()
    session.verify = proxy["root"]
    return session


def test_http_is_redirected_to_https_at_the_same_address(proxy):
    response = requests.get(f"{proxy['http']}/certificates/abc/verify?x=1", allow_redirects=False, timeout=10)
    assert response.status_code in (301, 308)
    location = urlsplit(response.headers["Location"])
    assert (location.scheme, location.hostname, location.path, location.query) == (
        "https",
        HOSTNAME,
        "/certificates/abc/verify",
        "x=1",
    )
    # A deployment listens on 443, where the redirect goes when it names no port (Caddy names this run's
    # port only in some releases).
    assert location.port in (None, urlsplit(proxy["public"]).port)


def test_each_api_is_under_its_path_and_names_the_public_address(proxy, https):
    public, stack = proxy["public"], proxy["stack"]
    for service in SERVICE_PORTS:
        base = f"{public}/api/{service}"
        ready = https.get(f"{base}/readyz", timeout=10)
        assert ready.status_code == 200 and ready.json()["status"] == "ok", (service, ready.text)
        assert ready.headers["Strict-Transport-Security"].startswith("max-age=")

        document = https.get(f"{base}/openapi.json", timeout=10).json()
        assert document["servers"] == [{"url": base}], service
        # Reached directly (inside the network, no proxy headers) the document names no address of its own.
        assert "servers" not in requests.get(f"{stack.url(service)}/openapi.json", timeout=10).json()

        docs = https.get(f"{base}/docs", timeout=10)
        assert docs.status_code == 200
        assert f'"/api/{service}/openapi.json"' in docs.text or f"'/api/{service}/openapi.json'" in docs.text
        assets = re.findall(r'(?:src|href)="([^"]+\.(?:js|css))"', docs.text)
        assert assets and all(asset.startswith(f"/api/{service}/docs/assets/") for asset in assets), assets
        for asset in assets:
            fetched = https.get(f"{public}{asset}", timeout=10)
            assert fetched.status_code == 200 and len(fetched.content) > 1000, asset


def test_no_process_metrics_are_public(proxy, https):
    public = proxy["public"]
    for path in ["/metrics", *(f"/api/{service}/metrics" for service in SERVICE_PORTS)]:
        assert https.get(f"{public}{path}", timeout=10).status_code == 404, path


def test_the_portal_is_at_the_root_and_its_session_cookie_is_secure(proxy, https):
    public = proxy["public"]
    page = https.get(f"{public}/sign-in", timeout=10)
    assert page.status_code == 200 and "Sign in" in page.text
    assert "Secure" in page.headers["Set-Cookie"]
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)[1]
    signed_in = https.post(
        f"{public}/sign-in",
        data={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD, "csrf_token": token},
        allow_redirects=False,
        timeout=15,
    )
    assert signed_in.status_code in (302, 303), signed_in.text[:500]
    # Redirects name the public address (or a path on it), never an inside one.
    location = signed_in.headers["Location"]
    assert location.startswith("/") or location.startswith(public), location
    assert "Secure" in signed_in.headers["Set-Cookie"]


def test_a_journey_through_the_proxy_ends_in_a_certificate_that_verifies_at_the_public_address(proxy, https):
    public = proxy["public"]
    trust = Trust(ThroughTheProxy(proxy["stack"], public), "Proxied Trust")
    journey = prepare(trust, signed_off_but=1)
    sign_off(trust, journey, journey.skills[-1])
    [certificate] = eventually(
        lambda: journey.nurse.api("certificate").get("/certificates").json(), lambda rows: len(rows) == 1, timeout=60
    )
    # The address printed on the certificate (and in its QR code) is the public one.
    pdf = journey.nurse.api("certificate").get(f"/certificates/{certificate['id']}/pdf")
    assert pdf.status_code == 200 and pdf.headers["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages).replace("\n", "")
    verify_url = f"{public}/certificates/{certificate['id']}/verify"
    assert verify_url in text

    as_json = https.get(verify_url, headers={"Accept": "application/json"}, timeout=10)
    assert as_json.status_code == 200 and json.loads(as_json.text)["valid"] is True
    page = https.get(verify_url, timeout=10)
    assert page.status_code == 200 and journey.nurse.user["name"] in page.text
    assert "127.0.0.1" not in page.text  # no inside address on the public page
