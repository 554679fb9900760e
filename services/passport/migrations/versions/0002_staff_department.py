"""Each person's department, from identity's user events, to find staff by department when assigning
passports (DESIGN §8).

Revision ID: passport_0002
Revises: passport_0001
Create Date: 2026-11-30
"""
import sqlalchemy as sa
from alembic import op

revision = "passport_0002"
down_revision = "passport_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("staff") as staff:
        staff.add_column(sa.Column("department", sa.String(length=100), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("staff") as staff:
        staff.drop_column("department")
