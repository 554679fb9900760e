"""Base schema for request bodies and query strings."""
from __future__ import annotations

from collections.abc import Mapping

from marshmallow import Schema, ValidationError, pre_load

MAX_DEPTH = 32


def _unstorable_strings(data) -> dict[str, list[str]]:
    """Strings no database stores (NUL characters, lone surrogates), by field path; and absurd nesting."""
    problems: dict[str, list[str]] = {}
    stack = [(data, "", 0)]
    while stack:
        value, path, depth = stack.pop()
        if depth > MAX_DEPTH:
            problems.setdefault(path or "body", []).append("Nested too deeply.")
            continue
        if isinstance(value, str):
            if "\x00" in value:
                problems.setdefault(path or "body", []).append("NUL characters are not allowed.")
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                problems.setdefault(path or "body", []).append("Not valid Unicode text.")
        elif isinstance(value, Mapping):
            for key, item in value.items():
                key_path = f"{path}.{key}" if path else str(key)
                stack.append((key, key_path, depth + 1))
                stack.append((item, key_path, depth + 1))
        elif isinstance(value, list):
            stack.extend((item, f"{path}.{index}" if path else str(index), depth + 1) for index, item in enumerate(value))
    return problems


class RequestSchema(Schema):
    """Refuses what no database can store, naming the field, before any other validation."""

    @pre_load
    def _refuse_unstorable_text(self, data, **kwargs):
        problems = _unstorable_strings(data)
        if problems:
            raise ValidationError(problems)
        return data
