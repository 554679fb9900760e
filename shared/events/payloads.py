"""What the services' payload builders (their events.py) share: most of a payload's fields are facts of one row
under the row's own names, so a builder names each once."""

from __future__ import annotations


def facts_of(row: object, *names: str, **renamed: str) -> dict:
    """`row`'s attributes as payload fields: those renamed (field="attribute", the ids among them) first, then
    each of `names` under its own name."""
    return {
        **{field: getattr(row, attribute) for field, attribute in renamed.items()},
        **{name: getattr(row, name) for name in names},
    }
