"""Which way is better for each measure: increase (what every measure so far meant) or decrease.

Revision ID: planning_0004
Revises: planning_0003
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

revision = "planning_0004"
down_revision = "planning_0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("measures") as measures:
        measures.add_column(sa.Column("improvement_direction", sa.String(length=10), nullable=False,
                                      server_default="increase"))


def downgrade() -> None:
    with op.batch_alter_table("measures") as measures:
        measures.drop_column("improvement_direction")
