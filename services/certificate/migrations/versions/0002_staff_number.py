"""The holder's staff number, for the public certificate events (DESIGN §9).

Revision ID: certificate_0002
Revises: certificate_0001
Create Date: 2026-11-29
"""
import sqlalchemy as sa
from alembic import op

revision = "certificate_0002"
down_revision = "certificate_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("staff") as staff:
        staff.add_column(sa.Column("staff_number", sa.String(length=50), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("staff") as staff:
        staff.drop_column("staff_number")
