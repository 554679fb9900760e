"""Leavers: when a person left (user.deactivated), and people known by id before their name arrives.

Revision ID: planning_0003
Revises: planning_0002
Create Date: 2026-11-30
"""
import sqlalchemy as sa
from alembic import op

from shared.db import UTCDateTime

revision = "planning_0003"
down_revision = "planning_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("staff") as staff:
        staff.alter_column("name", existing_type=sa.String(length=200), nullable=True)
        staff.alter_column("as_of", existing_type=UTCDateTime(), nullable=True)
        staff.add_column(sa.Column("left_at", UTCDateTime(), nullable=True))
        staff.add_column(sa.Column("active_at", UTCDateTime(), nullable=True))
    # Everyone known so far was known from an active profile.
    op.execute("UPDATE staff SET active_at = as_of")


def downgrade() -> None:
    op.execute("DELETE FROM staff WHERE name IS NULL OR as_of IS NULL")
    with op.batch_alter_table("staff") as staff:
        staff.drop_column("active_at")
        staff.drop_column("left_at")
        staff.alter_column("as_of", existing_type=UTCDateTime(), nullable=False)
        staff.alter_column("name", existing_type=sa.String(length=200), nullable=False)
