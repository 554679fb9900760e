"""People's names and staff numbers, for the public roster.updated (DESIGN §9).

Revision ID: planning_0002
Revises: planning_0001
Create Date: 2026-11-29
"""
import sqlalchemy as sa
from alembic import op

from shared.db import UTCDateTime

revision = "planning_0002"
down_revision = "planning_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "staff",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("staff_number", sa.String(length=50), nullable=True),
        sa.Column("as_of", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    op.drop_table("staff")
