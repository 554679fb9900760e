"""People's names and staff numbers (user.* events), and why a sign-off request closed.

Revision ID: signoff_0002
Revises: signoff_0001
Create Date: 2026-11-30
"""
import sqlalchemy as sa
from alembic import op

from shared.db import UTCDateTime

revision = "signoff_0002"
down_revision = "signoff_0001"
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
    with op.batch_alter_table("signoff_requests") as requests:
        requests.add_column(sa.Column("closed_reason", sa.String(length=20), nullable=True))
    # Requests closed before the reason was kept: answered when every skill has a decision, otherwise
    # closed by the passport's withdrawal (the only other way a request closed then).
    op.execute(
        "UPDATE signoff_requests SET closed_reason = 'answered' WHERE closed_at IS NOT NULL AND NOT EXISTS "
        "(SELECT 1 FROM requested_skills WHERE requested_skills.request_id = signoff_requests.id "
        "AND requested_skills.signoff_id IS NULL)"
    )
    op.execute("UPDATE signoff_requests SET closed_reason = 'withdrawn' WHERE closed_at IS NOT NULL "
               "AND closed_reason IS NULL")


def downgrade() -> None:
    with op.batch_alter_table("signoff_requests") as requests:
        requests.drop_column("closed_reason")
    op.drop_table("staff")
