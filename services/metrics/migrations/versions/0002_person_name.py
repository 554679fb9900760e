"""People's names (user.* events), for the export.

Names of people heard of before this revision arrive with their next user event, or at once with
`skillpass metrics rebuild`, which replays the user events kept.

Revision ID: metrics_0002
Revises: metrics_0001
Create Date: 2026-11-30
"""
import sqlalchemy as sa
from alembic import op

revision = "metrics_0002"
down_revision = "metrics_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("people") as people:
        people.add_column(sa.Column("name", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("people") as people:
        people.drop_column("name")
