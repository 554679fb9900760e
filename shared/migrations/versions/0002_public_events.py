"""Public events (DESIGN §9): the outbox row's public envelope and routing key, and the Trusts' ODS codes.

Revision ID: messaging_0002
Revises: messaging_0001
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

from shared.db import UTCDateTime

revision = "messaging_0002"
down_revision = "messaging_0001"
branch_labels = None
depends_on = None

PUBLIC_UNSENT = "public_sent_at IS NULL AND public_routing_key IS NOT NULL"
PUBLIC_HELD = "public_routing_key IS NULL AND public_envelope IS NOT NULL"


def upgrade() -> None:
    with op.batch_alter_table("outbox") as outbox:
        outbox.add_column(sa.Column("trust_id", sa.Uuid(), nullable=True))
        outbox.add_column(sa.Column("public_envelope", sa.Text(), nullable=True))
        outbox.add_column(sa.Column("public_routing_key", sa.String(255), nullable=True))
        outbox.add_column(sa.Column("public_sent_at", UTCDateTime(), nullable=True))
    op.create_index(
        "ix_outbox_public_unsent",
        "outbox",
        ["id"],
        postgresql_where=sa.text(PUBLIC_UNSENT),
        sqlite_where=sa.text(PUBLIC_UNSENT),
    )
    op.create_index(
        "ix_outbox_public_held",
        "outbox",
        ["trust_id"],
        postgresql_where=sa.text(PUBLIC_HELD),
        sqlite_where=sa.text(PUBLIC_HELD),
    )
    op.create_table(
        "public_trusts",
        sa.Column("trust_id", sa.Uuid(), primary_key=True),
        sa.Column("ods_code", sa.String(16), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("public_trusts")
    op.drop_index("ix_outbox_public_held", table_name="outbox")
    op.drop_index("ix_outbox_public_unsent", table_name="outbox")
    with op.batch_alter_table("outbox") as outbox:
        outbox.drop_column("public_sent_at")
        outbox.drop_column("public_routing_key")
        outbox.drop_column("public_envelope")
        outbox.drop_column("trust_id")
