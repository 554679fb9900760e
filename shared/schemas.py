"""Base schema for request bodies and query strings, and the validators of the words every service's bodies share."""

from __future__ import annotations

from collections.abc import Mapping

from apispec.ext.marshmallow import MarshmallowPlugin, OpenAPIConverter
from apispec.ext.marshmallow.common import resolve_schema_cls
from marshmallow import Schema, ValidationError, pre_load, validate

from shared.language import code_pattern

MAX_DEPTH = 32

# A passport type's code (a roster's role) is at most 32 characters, a skill's at most 40: the columns every service keeps them in.
_CODE_RULE = "Codes are upper-case letters, digits, '-' and '.'."
TYPE_CODE = validate.Regexp(code_pattern(max_length=32), error=_CODE_RULE)
SKILL_CODE = validate.Regexp(code_pattern(max_length=40), error=_CODE_RULE)


def not_blank(text: str) -> None:
    """A required text must say something: white space alone is refused."""
    if not text.strip():
        raise ValidationError("Must not be blank.")


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
            stack.extend(
                (item, f"{path}.{index}" if path else str(index), depth + 1) for index, item in enumerate(value)
            )
    return problems


class RequestSchema(Schema):
    """Refuses what no database can store, naming the field, before any other validation.

    A body that changes a resource sets MIN_PROPERTIES = 1: an empty change is refused (422), and the
    OpenAPI document says so (`minProperties`), so that clients and fuzzers know `{}` is not valid.
    """

    MIN_PROPERTIES: int | None = None

    @pre_load
    def _refuse_unstorable_text(self, data, **kwargs):
        problems = _unstorable_strings(data)
        if problems:
            raise ValidationError(problems)
        return data


class _Converter(OpenAPIConverter):
    def schema2jsonschema(self, schema):
        jsonschema = super().schema2jsonschema(schema)
        minimum = getattr(resolve_schema_cls(schema), "MIN_PROPERTIES", None)
        if minimum:
            jsonschema["minProperties"] = minimum
        return jsonschema


class SchemaPlugin(MarshmallowPlugin):
    """flask-smorest's marshmallow plugin, documenting what RequestSchema adds."""

    Converter = _Converter
