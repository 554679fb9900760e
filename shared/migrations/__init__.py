"""Alembic migrations: the shared messaging tables plus each service's own versions."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from shared.db import ensure_database

SHARED_MIGRATIONS = Path(__file__).resolve().parent


def alembic_config(database_url: str, service_versions: Path) -> Config:
    config = Config()
    config.set_main_option("script_location", str(SHARED_MIGRATIONS))
    config.set_main_option("version_locations", f"{SHARED_MIGRATIONS / 'versions'} {service_versions}")
    config.set_main_option("path_separator", "space")
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(database_url: str, service_versions: Path) -> None:
    """Create the database if needed and bring every branch (shared and the service's) to its head."""
    ensure_database(database_url)
    command.upgrade(alembic_config(database_url, service_versions), "heads")
