"""Responses checked against the OpenAPI document the service itself publishes."""

from __future__ import annotations

import jsonschema


def assert_matches_documented_response(client, method: str, path_template: str, status: int, body) -> None:
    spec = client.get("/openapi.json").get_json()
    content = spec["paths"][path_template][method.lower()]["responses"][str(status)]["content"]
    schema = next(iter(content.values()))["schema"]
    # The whole document rides along so that its #/components/... references resolve.
    validator = jsonschema.Draft202012Validator({**spec, **schema}, format_checker=jsonschema.FormatChecker())
    errors = sorted(validator.iter_errors(body), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:10])
