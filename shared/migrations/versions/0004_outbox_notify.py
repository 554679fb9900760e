"""The outbox wakes its relay itself: on PostgreSQL, a statement that inserts outbox rows notifies the relay's
LISTEN (delivered when, and only if, the transaction commits), so that a transaction staging events spends
no round trip of its own on pg_notify. SQLite has no LISTEN: its relay polls.

Revision ID: messaging_0004
Revises: messaging_0003
Create Date: 2026-12-07
"""

from alembic import op

revision = "messaging_0004"
down_revision = "messaging_0003"
branch_labels = None
depends_on = None

# shared/outbox.py NOTIFY_CHANNEL: a migration keeps the name it was written with.
CHANNEL = "skillpass_outbox"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        f"""
        CREATE FUNCTION outbox_notify_relay() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('{CHANNEL}', '');
            RETURN NULL;
        END
        $$
        """
    )
    # Once a statement, not once a row: PostgreSQL delivers one notification a transaction on a channel anyway.
    op.execute(
        "CREATE TRIGGER outbox_notify_relay AFTER INSERT ON outbox "
        "FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify_relay()"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER outbox_notify_relay ON outbox")
    op.execute("DROP FUNCTION outbox_notify_relay()")
