"""Each service's migrations build exactly the tables its models describe, on both databases."""

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from shared.db import Base as SharedBase
from shared.migrations import upgrade
from shared.service import installed_services, load_spec


@pytest.mark.parametrize("service", installed_services())
def test_migrations_match_the_models(service, database_url):
    spec = load_spec(service)
    upgrade(database_url, spec.migrations)
    upgrade(database_url, spec.migrations)  # running init again changes nothing
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            for metadata in (SharedBase.metadata, spec.metadata):
                differences = [d for d in compare_metadata(context, metadata) if not _is_other_metadata(d, metadata)]
                assert differences == [], f"{service}: migrations and models differ: {differences}"
    finally:
        engine.dispose()


def _is_other_metadata(difference, metadata) -> bool:
    """compare_metadata reports the other metadata's tables (and alembic's own) as removed: not a drift."""
    if difference[0] == "remove_table":
        return difference[1].name not in metadata.tables
    if difference[0] == "remove_index":
        return difference[1].table.name not in metadata.tables
    return False
