"""Each service serves Swagger UI to its own /docs page, so that the page works where a Trust's network
keeps browsers from reaching a CDN.

The files are vendored under shared/static/swagger-ui by `make swagger-ui-assets` (which pins the release):
the ones flask-smorest's page asks for under OPENAPI_SWAGGER_UI_URL, with their licences. They have a
route of their own because Flask's /static belongs to the service, and the route is a plain Flask one so
that it stays out of the OpenAPI document: the files are not part of the API.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, send_from_directory

from shared.config import LOCAL_SWAGGER_UI_URL

ASSETS = Path(__file__).resolve().parent / "static" / "swagger-ui"
# The addresses stay the same from one release to the next (flask-smorest's page names the files under one
# base URL), so browsers may keep a copy for a day and no longer: a day after an upgrade they ask again,
# and the ETag makes asking cheap while nothing has changed.
CACHE_SECONDS = 24 * 60 * 60
# Not left to Python's guess, which for .js changed between releases (application/javascript before 3.12).
CONTENT_TYPES = {".js": "text/javascript", ".css": "text/css"}


def swagger_ui_blueprint() -> Blueprint:
    blueprint = Blueprint("swagger_ui_assets", __name__)

    # One file name, never a path: the vendored folder has no subfolders, and nothing outside it is reachable.
    @blueprint.get(LOCAL_SWAGGER_UI_URL + "<asset>")
    def swagger_ui_asset(asset: str) -> Response:
        content_type = CONTENT_TYPES.get(Path(asset).suffix, "text/plain")
        return send_from_directory(ASSETS, asset, mimetype=content_type, max_age=CACHE_SECONDS)

    return blueprint
