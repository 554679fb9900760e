"""Every service's /docs page loads Swagger UI from the service itself, so that it works inside a Trust's
closed network; a CDN is used only when SWAGGER_UI_URL names one.

The files are vendored under shared/static/swagger-ui by `make swagger-ui-assets`."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import flask_smorest
import pytest

from shared.config import LOCAL_SWAGGER_UI_URL, Settings
from shared.service import installed_services, load_spec
from shared.swagger_ui import ASSETS
from tests.support.service_app import ServiceWithTestTokens

REPO_ROOT = Path(__file__).resolve().parents[2]
CDN = "https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/"
# What a file's suffix says it must be served as.
CONTENT_TYPES = {".js": "text/javascript", ".css": "text/css"}
# flask-smorest's page names each file it loads as `{{swagger_ui_url}}<file>`.
TEMPLATE = Path(flask_smorest.__file__).parent / "spec" / "templates" / "swagger_ui.html"
TEMPLATE_FILE = re.compile(r"{{\s*swagger_ui_url\s*}}([\w.-]+)")


class _LoadedFiles(HTMLParser):
    """The addresses a page makes the browser fetch: its scripts' src and its links' href."""

    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        wanted = {"script": "src", "link": "href"}.get(tag)
        value = dict(attrs).get(wanted) if wanted else None
        if value:
            self.urls.append(value)


def loaded_files(html: str) -> list[str]:
    parser = _LoadedFiles()
    parser.feed(html)
    return parser.urls


def docs_page(client) -> str:
    response = client.get("/docs")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    return response.get_data(as_text=True)


@pytest.mark.parametrize("service", installed_services())
def test_the_docs_page_loads_swagger_ui_from_the_service_itself(service, sqlite_url):
    client = ServiceWithTestTokens(load_spec(service), sqlite_url).client
    page = docs_page(client)
    urls = loaded_files(page)
    assert {url.rsplit("/", 1)[-1] for url in urls} >= {"swagger-ui-bundle.js", "swagger-ui.css"}, urls
    for url in urls:
        # No other host, spelled out or scheme-relative: a closed network may reach nothing but the service.
        assert url.startswith("/") and not url.startswith("//"), f"{service}: /docs loads {url} from elsewhere"
        response = client.get(url)
        body = response.get_data()
        response.close()
        assert response.status_code == 200, f"{service}: {url} answers {response.status_code}"
        assert response.mimetype == CONTENT_TYPES[Path(url).suffix], f"{service}: {url} is {response.mimetype}"
        assert len(body) > 10_000, f"{service}: {url} looks truncated ({len(body)} bytes)"
        assert response.cache_control.max_age, f"{service}: {url} is not cacheable"
    # Nor does Swagger UI reach out for its validator badge.
    assert '"validatorUrl": null' in page


@pytest.mark.parametrize("service", installed_services())
def test_a_swagger_ui_url_that_names_a_cdn_is_where_the_page_loads_from(service, sqlite_url):
    client = ServiceWithTestTokens(load_spec(service), sqlite_url, SWAGGER_UI_URL=CDN).client
    urls = loaded_files(docs_page(client))
    assert urls and all(url.startswith(CDN) for url in urls), urls


def test_the_local_copy_is_the_default_and_the_variable_overrides_it():
    assert Settings.from_env("identity", {}).swagger_ui_url == LOCAL_SWAGGER_UI_URL
    assert Settings.from_env("identity", {"SWAGGER_UI_URL": CDN}).swagger_ui_url == CDN


def test_files_that_are_not_vendored_are_not_found(sqlite_url):
    client = ServiceWithTestTokens(load_spec("identity"), sqlite_url).client
    for path in ("swagger-ui-bundle.js.map", "nothing.js", "..%2Fconfig.py", "..%2F..%2Fpyproject.toml"):
        response = client.get(LOCAL_SWAGGER_UI_URL + path)
        assert response.status_code == 404, path
        assert response.mimetype == "application/problem+json"


def test_the_files_are_not_part_of_the_api_document(sqlite_url):
    client = ServiceWithTestTokens(load_spec("identity"), sqlite_url).client
    paths = client.get("/openapi.json").get_json()["paths"]
    assert not [path for path in paths if path.startswith(LOCAL_SWAGGER_UI_URL.rstrip("/"))]


def test_every_file_flask_smorest_asks_for_is_vendored_without_its_source_map():
    asked = TEMPLATE_FILE.findall(TEMPLATE.read_text(encoding="utf-8"))
    assert asked, "flask-smorest's swagger_ui.html names no file under swagger_ui_url: has its format changed?"
    for name in asked:
        path = ASSETS / name
        assert path.is_file(), f"{name} is not vendored: run `make swagger-ui-assets`"
        assert "sourceMappingURL" not in path.read_text(encoding="utf-8"), f"{name} points at a source map"
    assert not list(ASSETS.glob("*.map"))


def test_the_vendored_release_is_the_makefile_pin():
    vendored = (ASSETS / "VERSION").read_text().strip()
    pinned = re.search(r"^SWAGGER_UI_VERSION\s*\?=\s*(\S+)", (REPO_ROOT / "Makefile").read_text(), re.MULTILINE)
    assert pinned and pinned.group(1) == vendored, (
        f"Swagger UI {vendored} is vendored but the Makefile pins {pinned and pinned.group(1)}: make swagger-ui-assets"
    )
    # flask-smorest's page is written for Swagger UI 5 (SwaggerUIBundle and its standalone preset).
    assert vendored.split(".")[0] == "5"


def test_licence_is_vendored():
    licence = (ASSETS / "LICENSE").read_text()
    assert "Apache License" in licence and "Version 2.0" in licence
    assert (ASSETS / "NOTICE").is_file()
