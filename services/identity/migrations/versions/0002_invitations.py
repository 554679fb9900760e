"""People at Trust scale (DESIGN §8): departments, accounts without a password yet, one-time links for
invitations and password resets, and the emails that carry them.

Revision ID: identity_0002
Revises: identity_0001
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

from shared.db import UTCDateTime

revision = "identity_0002"
down_revision = "identity_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as users:
        users.add_column(sa.Column("department", sa.String(length=100), nullable=True))
        users.add_column(sa.Column("invited_at", UTCDateTime(), nullable=True))
        users.alter_column("password_hash", existing_type=sa.String(length=255), nullable=True)
    op.create_table(
        "account_links",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("purpose", sa.String(length=20), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False, unique=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("used_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_account_links_user_id", "account_links", ["user_id"])
    op.create_table(
        "emails",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("to_address", sa.String(length=254), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UTCDateTime(), nullable=False),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_emails_unsent", "emails", ["next_attempt_at"],
        postgresql_where=sa.text("sent_at IS NULL"), sqlite_where=sa.text("sent_at IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_emails_unsent", table_name="emails")
    op.drop_table("emails")
    op.drop_index("ix_account_links_user_id", table_name="account_links")
    op.drop_table("account_links")
    with op.batch_alter_table("users") as users:
        users.alter_column("password_hash", existing_type=sa.String(length=255), nullable=False)
        users.drop_column("invited_at")
        users.drop_column("department")
