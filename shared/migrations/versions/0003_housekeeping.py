"""Housekeeping: the indexes by which the oldest sent outbox rows and inbox entries are found and pruned.

On PostgreSQL they are built CONCURRENTLY, outside the migration's transaction: an inbox that has grown
large keeps taking events (and the outbox new rows) while its index is built. A build that failed half
way leaves an invalid index of the same name behind, which is dropped before building it again.

Revision ID: messaging_0003
Revises: messaging_0002
Create Date: 2026-12-02
"""

from alembic import op

revision = "messaging_0003"
down_revision = "messaging_0002"
branch_labels = None
depends_on = None

INDEXES = (("ix_outbox_sent_at", "outbox", "sent_at"), ("ix_inbox_processed_at", "inbox", "processed_at"))


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        for name, table, column in INDEXES:
            op.create_index(name, table, [column])
        return
    with op.get_context().autocommit_block():
        for name, table, column in INDEXES:
            op.drop_index(name, table_name=table, if_exists=True, postgresql_concurrently=True)
            op.create_index(name, table, [column], postgresql_concurrently=True)


def downgrade() -> None:
    for name, table, _ in INDEXES:
        op.drop_index(name, table_name=table)
