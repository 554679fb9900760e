"""Base schema for request bodies and query strings."""
from __future__ import annotations

from collections.abc import Mapping

from marshmallow import Schema, ValidationError, pre_load


def _paths_with_nul(value, path: str) -> list[str]:
    if isinstance(value, str):
        return [path or "body"] if "\x00" in value else []
    if isinstance(value, Mapping):
        return [p for key, item in value.items() for p in _paths_with_nul(item, f"{path}.{key}" if path else str(key))]
    if isinstance(value, list):
        return [p for index, item in enumerate(value) for p in _paths_with_nul(item, f"{path}.{index}" if path else str(index))]
    return []


class RequestSchema(Schema):
    """Refuses NUL characters anywhere: no database stores them, and PostgreSQL errors on them."""

    @pre_load
    def _refuse_nul_characters(self, data, **kwargs):
        paths = _paths_with_nul(data, "")
        if paths:
            raise ValidationError({path: ["NUL characters are not allowed."] for path in paths})
        return data
