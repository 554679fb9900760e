"""The certificate service's tables.

Revision ID: certificate_0001
Revises:
Create Date: 2026-11-30
"""
import sqlalchemy as sa
from alembic import op

from shared.db import UTCDateTime

revision = "certificate_0001"
down_revision = None
branch_labels = ("certificate",)
depends_on = None


def upgrade() -> None:
    op.create_table('certificates',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('passport_id', sa.Uuid(), nullable=False),
    sa.Column('completed_at', UTCDateTime(), nullable=False),
    sa.Column('staff_id', sa.Uuid(), nullable=False),
    sa.Column('trust_id', sa.Uuid(), nullable=False),
    sa.Column('passport_type', sa.String(length=32), nullable=False),
    sa.Column('type_version', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('issued_at', UTCDateTime(), nullable=False),
    sa.Column('expires_at', UTCDateTime(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('revoked_at', UTCDateTime(), nullable=True),
    sa.Column('revoked_by', sa.Uuid(), nullable=True),
    sa.Column('revocation_reason', sa.Text(), nullable=True),
    sa.Column('expired_at', UTCDateTime(), nullable=True),
    sa.Column('superseded_by', sa.Uuid(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('passport_id', 'completed_at', name='uq_certificates_completion')
    )
    op.create_index('ix_certificates_holder_role', 'certificates', ['staff_id', 'passport_type'], unique=False)
    op.create_index('ix_certificates_status_expires_at', 'certificates', ['status', 'expires_at'], unique=False)
    op.create_index(op.f('ix_certificates_trust_id'), 'certificates', ['trust_id'], unique=False)
    op.create_table('passport_reopenings',
    sa.Column('passport_id', sa.Uuid(), nullable=False),
    sa.Column('reopened_at', UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('passport_id')
    )
    op.create_table('signing_keys',
    sa.Column('kid', sa.String(length=64), nullable=False),
    sa.Column('private_pem', sa.Text(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('kid')
    )
    op.create_table('staff',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('as_of', UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('trusts',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )


def downgrade() -> None:
    op.drop_table('trusts')
    op.drop_table('staff')
    op.drop_table('signing_keys')
    op.drop_table('passport_reopenings')
    op.drop_index(op.f('ix_certificates_trust_id'), table_name='certificates')
    op.drop_index('ix_certificates_status_expires_at', table_name='certificates')
    op.drop_index('ix_certificates_holder_role', table_name='certificates')
    op.drop_table('certificates')
