"""The vendored NHS.UK frontend (services/portal/static/nhsuk, refreshed by `make frontend-assets`) is whole,
and is the release the installed Jinja macros (PyPI `nhsuk-frontend-jinja`) were written for."""

from __future__ import annotations

import json
import re
from importlib import metadata
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
STATIC = REPO_ROOT / "services" / "portal" / "static" / "nhsuk"
CSS = STATIC / "nhsuk-frontend.min.css"
JS = STATIC / "nhsuk-frontend.min.js"

# nhsuk-frontend-jinja release -> the nhsuk-frontend release its macros match (its README's compatibility
# table). A new macros release fails here until its row is added and `make frontend-assets` is run with
# NHSUK_FRONTEND_VERSION set to the matching release.
FRONTEND_FOR_JINJA = {
    "0.10.0": "10.6.0",
    "0.10.2": "10.6.1",
}

URL = re.compile(r"""url\(\s*(['"]?)(.*?)\1\s*\)""")


def test_stylesheet_and_script_are_vendored():
    for path in (CSS, JS):
        assert path.is_file(), f"{path.relative_to(REPO_ROOT)} is missing: run `make frontend-assets`"
        assert path.stat().st_size > 10_000, f"{path.name} looks truncated"
    assert ".nhsuk-header" in CSS.read_text(encoding="utf-8")
    assert "initAll" in JS.read_text(encoding="utf-8")


def test_vendored_release_matches_the_jinja_macros():
    vendored = (STATIC / "VERSION").read_text().strip()
    jinja = metadata.version("nhsuk-frontend-jinja")
    assert jinja in FRONTEND_FOR_JINJA, (
        f"nhsuk-frontend-jinja {jinja} is installed: add its nhsuk-frontend release to FRONTEND_FOR_JINJA"
    )
    assert vendored == FRONTEND_FOR_JINJA[jinja], (
        f"nhsuk-frontend {vendored} is vendored but nhsuk-frontend-jinja {jinja} needs "
        f"{FRONTEND_FOR_JINJA[jinja]}: make frontend-assets NHSUK_FRONTEND_VERSION={FRONTEND_FOR_JINJA[jinja]}"
    )
    makefile = (REPO_ROOT / "Makefile").read_text()
    pinned = re.search(r"^NHSUK_FRONTEND_VERSION\s*\?=\s*(\S+)", makefile, re.MULTILINE)
    assert pinned and pinned.group(1) == vendored, "the Makefile's NHSUK_FRONTEND_VERSION is not the vendored one"


def test_every_local_url_in_the_stylesheet_is_a_vendored_file():
    urls = {match.group(2) for match in URL.finditer(CSS.read_text(encoding="utf-8"))}
    assert urls, "no url() found in the stylesheet: has its format changed?"
    for url in sorted(urls):
        if re.match(r"^(data:|[a-z][a-z0-9+.-]*://|//)", url, re.IGNORECASE):
            continue  # inline, or another site's (the Frutiger fonts on assets.nhs.uk)
        # A root-relative url would be looked up at the site root, not beside the stylesheet in /static/.
        assert not url.startswith("/"), f"url({url}) is root-relative: it would miss /static/nhsuk/"
        target = (STATIC / url.split("#", 1)[0].split("?", 1)[0]).resolve()
        assert target.is_relative_to(STATIC), f"url({url}) points outside the vendored folder"
        assert target.is_file(), f"url({url}) names a file that is not vendored"


def test_web_manifest_icons_are_vendored():
    manifest = STATIC / "assets" / "manifest.json"
    icons = json.loads(manifest.read_text())["icons"]
    assert icons
    for icon in icons:
        assert (manifest.parent / icon["src"]).is_file(), f"manifest icon {icon['src']} is not vendored"
    assert (STATIC / "assets" / "images" / "favicon.ico").is_file()


def test_licence_is_vendored():
    licence = (STATIC / "LICENSE").read_text()
    assert "MIT License" in licence and "Permission is hereby granted" in licence
