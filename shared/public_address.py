"""A service as the public reaches it: behind a reverse proxy that terminates TLS and serves each API under a
path of its own (docker/caddy/Caddyfile: identity at /api/identity, ...).

With PROXY_HOPS set, the proxy's X-Forwarded-Proto, -Host and -Prefix are trusted (werkzeug's ProxyFix), so that
URLs the service builds name the public scheme, host and path. The /docs page and the OpenAPI document are the
two places where that shows: Swagger UI's files and the requests "Try it out" sends must go through the proxy's
path, not the site's root, which belongs to the portal.
"""

from __future__ import annotations

import flask
from werkzeug.middleware.proxy_fix import ProxyFix

from shared.config import LOCAL_SWAGGER_UI_URL
from shared.errors import Api


def trust_proxy(app: flask.Flask, hops: int) -> None:
    """Trust `hops` proxies in front of the app for the client's address, scheme, host and path prefix."""
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_prefix=hops)


class PublicApi(Api):
    """The API's document and /docs page with the addresses the public uses."""

    def _openapi_json(self):
        document = self.spec.to_dict()
        if flask.request.script_root:  # under a proxy's path: without `servers`, clients would call the site's root
            document = {**document, "servers": [{"url": flask.request.url_root.rstrip("/")}]}
        return flask.current_app.response_class(
            flask.json.dumps(document, indent=2, sort_keys=False), mimetype="application/json"
        )

    def _openapi_swagger_ui(self):
        # The service's own copy of Swagger UI lives under the service's path, wherever the proxy puts it; a CDN's
        # address is used as it is.
        assets = self._swagger_ui_url
        if assets == LOCAL_SWAGGER_UI_URL:
            assets = flask.request.script_root + assets
        return flask.render_template(
            "swagger_ui.html",
            title=self.spec.title,
            spec_url=flask.url_for(f"{self._make_doc_blueprint_name()}.openapi_json"),
            swagger_ui_url=assets,
            swagger_ui_config=self.config.get("OPENAPI_SWAGGER_UI_CONFIG", {}),
        )
