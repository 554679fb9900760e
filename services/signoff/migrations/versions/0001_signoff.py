"""The sign-off service's tables.

Revision ID: signoff_0001
Revises:
Create Date: 2026-11-26
"""
import sqlalchemy as sa
from alembic import op

from shared.db import UTCDateTime

revision = "signoff_0001"
down_revision = None
branch_labels = ("signoff",)
depends_on = None


def upgrade() -> None:
    op.create_table('passports',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('holder_id', sa.Uuid(), nullable=False),
    sa.Column('trust_id', sa.Uuid(), nullable=False),
    sa.Column('passport_type', sa.String(length=32), nullable=False),
    sa.Column('type_version', sa.Integer(), nullable=True),
    sa.Column('skill_codes', sa.JSON(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('status_changed_at', UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('self_assessed_skills',
    sa.Column('passport_id', sa.Uuid(), nullable=False),
    sa.Column('skill_code', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['passport_id'], ['passports.id'], ),
    sa.PrimaryKeyConstraint('passport_id', 'skill_code')
    )
    op.create_table('signoff_requests',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('passport_id', sa.Uuid(), nullable=False),
    sa.Column('holder_id', sa.Uuid(), nullable=False),
    sa.Column('trust_id', sa.Uuid(), nullable=False),
    sa.Column('requested_at', UTCDateTime(), nullable=False),
    sa.Column('closed_at', UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['passport_id'], ['passports.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_signoff_requests_holder_id'), 'signoff_requests', ['holder_id'], unique=False)
    op.create_index(op.f('ix_signoff_requests_passport_id'), 'signoff_requests', ['passport_id'], unique=False)
    op.create_index(op.f('ix_signoff_requests_trust_id'), 'signoff_requests', ['trust_id'], unique=False)
    op.create_table('signoffs',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('passport_id', sa.Uuid(), nullable=False),
    sa.Column('skill_code', sa.String(length=40), nullable=False),
    sa.Column('holder_id', sa.Uuid(), nullable=False),
    sa.Column('trust_id', sa.Uuid(), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('evidence', sa.Text(), nullable=True),
    sa.Column('action_plan', sa.Text(), nullable=True),
    sa.Column('assessed_on', sa.Date(), nullable=False),
    sa.Column('supervisor_id', sa.Uuid(), nullable=False),
    sa.Column('decided_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['passport_id'], ['passports.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_signoffs_holder_id'), 'signoffs', ['holder_id'], unique=False)
    op.create_index('ix_signoffs_passport_skill', 'signoffs', ['passport_id', 'skill_code'], unique=False)
    op.create_index(op.f('ix_signoffs_trust_id'), 'signoffs', ['trust_id'], unique=False)
    op.create_table('requested_skills',
    sa.Column('request_id', sa.Uuid(), nullable=False),
    sa.Column('skill_code', sa.String(length=40), nullable=False),
    sa.Column('signoff_id', sa.Uuid(), nullable=True),
    sa.ForeignKeyConstraint(['request_id'], ['signoff_requests.id'], ),
    sa.ForeignKeyConstraint(['signoff_id'], ['signoffs.id'], ),
    sa.PrimaryKeyConstraint('request_id', 'skill_code')
    )
    op.create_table('revocations',
    sa.Column('signoff_id', sa.Uuid(), nullable=False),
    sa.Column('revoked_by', sa.Uuid(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('revoked_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['signoff_id'], ['signoffs.id'], ),
    sa.PrimaryKeyConstraint('signoff_id')
    )


def downgrade() -> None:
    op.drop_table('revocations')
    op.drop_table('requested_skills')
    op.drop_index(op.f('ix_signoffs_trust_id'), table_name='signoffs')
    op.drop_index('ix_signoffs_passport_skill', table_name='signoffs')
    op.drop_index(op.f('ix_signoffs_holder_id'), table_name='signoffs')
    op.drop_table('signoffs')
    op.drop_index(op.f('ix_signoff_requests_trust_id'), table_name='signoff_requests')
    op.drop_index(op.f('ix_signoff_requests_passport_id'), table_name='signoff_requests')
    op.drop_index(op.f('ix_signoff_requests_holder_id'), table_name='signoff_requests')
    op.drop_table('signoff_requests')
    op.drop_table('self_assessed_skills')
    op.drop_table('passports')
