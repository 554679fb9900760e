"""Pagination of SQLAlchemy queries in flask-smorest's way (metadata in X-Pagination)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session


def paginate(session: Session, query: sa.Select, pagination_parameters) -> list:
    total = session.scalar(sa.select(sa.func.count()).select_from(query.order_by(None).subquery()))
    pagination_parameters.item_count = total
    page, size = pagination_parameters.page, pagination_parameters.page_size
    if (page - 1) * size >= total:
        return []  # past the end; also keeps absurd page numbers away from the database
    return list(session.scalars(query.limit(size).offset((page - 1) * size)))
