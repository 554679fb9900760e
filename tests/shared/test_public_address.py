"""A service behind the reverse proxy (docker/caddy/Caddyfile) builds the public addresses: with PROXY_HOPS=1 it
trusts the proxy's X-Forwarded-Proto, -Host and -Prefix, so the /docs page loads Swagger UI and the document
from the service's path and the OpenAPI document names the public server; without it, it trusts no header."""

from __future__ import annotations

from shared.config import Settings
from shared.service import load_spec
from tests.shared.test_swagger_ui import docs_page, loaded_files
from tests.support.service_app import ServiceWithTestTokens

PROXY = {
    "X-Forwarded-Proto": "https",
    "X-Forwarded-Host": "skillpass.example-trust.nhs.uk",
    "X-Forwarded-Prefix": "/api/passport",
    "X-Forwarded-For": "203.0.113.9",
}


class _Forwarded:
    """A test client whose every request arrives through the proxy."""

    def __init__(self, client):
        self.client = client

    def get(self, path, **kwargs):
        return self.client.get(path, headers=PROXY, **kwargs)


def test_behind_the_proxy_the_document_names_the_public_server(sqlite_url):
    client = ServiceWithTestTokens(load_spec("passport"), sqlite_url, PROXY_HOPS="1").client
    document = client.get("/openapi.json", headers=PROXY).get_json()
    assert document["servers"] == [{"url": "https://skillpass.example-trust.nhs.uk/api/passport"}]
    assert "/passports" in document["paths"]  # paths stay relative to the server
    assert "servers" not in client.get("/openapi.json").get_json()  # reached inside the network


def test_behind_the_proxy_the_docs_page_loads_everything_under_the_services_path(sqlite_url):
    client = ServiceWithTestTokens(load_spec("passport"), sqlite_url, PROXY_HOPS="1").client
    page = docs_page(_Forwarded(client))
    assert '"/api/passport/openapi.json"' in page
    urls = loaded_files(page)
    assert urls and all(url.startswith("/api/passport/docs/assets/") for url in urls), urls
    # The proxy strips the prefix before the request reaches the service.
    for url in urls:
        assert client.get(url.removeprefix("/api/passport"), headers=PROXY).status_code == 200, url


def test_without_proxy_hops_forwarded_headers_are_not_believed(sqlite_url):
    client = ServiceWithTestTokens(load_spec("passport"), sqlite_url).client
    assert "servers" not in client.get("/openapi.json", headers=PROXY).get_json()
    assert all(url.startswith("/docs/assets/") for url in loaded_files(docs_page(_Forwarded(client))))


def test_proxy_hops_is_read_as_a_whole_number():
    assert Settings.from_env("passport", {}).proxy_hops == 0
    assert Settings.from_env("passport", {"PROXY_HOPS": "1"}).proxy_hops == 1
    assert Settings.from_env("passport", {"PROXY_HOPS": ""}).proxy_hops == 0
