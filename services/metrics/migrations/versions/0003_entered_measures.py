"""Measures' improvement direction (measure.defined), and the values entered for measures bound to no
metric.

Measures defined before this revision count as higher-is-better, as they did.

Revision ID: metrics_0003
Revises: metrics_0002
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

from shared.db import UTCDateTime

revision = "metrics_0003"
down_revision = "metrics_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("measure_definitions") as measures:
        measures.add_column(sa.Column("improvement_direction", sa.String(length=10), nullable=False,
                                      server_default="increase"))
    op.create_table(
        "entered_values",
        sa.Column("measure_id", sa.Uuid(), primary_key=True),
        sa.Column("period_start", sa.Date(), primary_key=True),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("entered_by", sa.Uuid(), nullable=False),
        sa.Column("entered_at", UTCDateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("entered_values")
    with op.batch_alter_table("measure_definitions") as measures:
        measures.drop_column("improvement_direction")
