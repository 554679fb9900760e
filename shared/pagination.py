"""Lists: pagination of SQLAlchemy queries in flask-smorest's way (metadata in X-Pagination), and the caller's
limits and filters every list query applies."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import sqlalchemy as sa
from sqlalchemy.orm import Session

from shared.domain import Caller


def paginate(session: Session, query: sa.Select, pagination_parameters) -> list:
    total = session.scalar(sa.select(sa.func.count()).select_from(query.order_by(None).subquery()))
    pagination_parameters.item_count = total
    page, size = pagination_parameters.page, pagination_parameters.page_size
    if (page - 1) * size >= total:
        return []  # past the end; also keeps absurd page numbers away from the database
    return list(session.scalars(query.limit(size).offset((page - 1) * size)))


def readable_by(
    query: sa.Select, caller: Caller, readers: Iterable[str], *, trust_id: sa.ColumnElement, holder_id: sa.ColumnElement
) -> sa.Select:
    """A list limited to what the caller may read: rows of their own Trust (another Trust's are as if they did
    not exist), and of those only their own unless they hold one of the `readers` roles."""
    query = query.where(trust_id == caller.trust_id)
    if not caller.has_any(*readers):
        query = query.where(holder_id == caller.user_id)
    return query


def named_like(query: sa.Select, text: str, *, name: sa.ColumnElement, staff_number: sa.ColumnElement) -> sa.Select:
    """People found by what a user types: part of the name, or the start of the staff number, in any case."""
    text = text.strip().lower()
    return query.where(
        sa.or_(
            sa.func.lower(name).contains(text, autoescape=True),
            sa.func.lower(staff_number).startswith(text, autoescape=True),
        )
    )


def filtered_by(query: sa.Select, model, filters: Mapping, names: Iterable[str]) -> sa.Select:
    """Rows whose column equals the value given for it, for each of `names` that `filters` gives."""
    for name in names:
        if name in filters:
            query = query.where(getattr(model, name) == filters[name])
    return query
