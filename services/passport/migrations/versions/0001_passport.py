"""The passport service's tables.

Revision ID: passport_0001
Revises:
Create Date: 2026-11-25
"""
import sqlalchemy as sa
from alembic import op

from shared.db import UTCDateTime

revision = "passport_0001"
down_revision = None
branch_labels = ("passport",)
depends_on = None


def upgrade() -> None:
    op.create_table('passport_types',
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('care_setting', sa.String(length=20), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('sample', sa.Boolean(), nullable=False),
    sa.Column('notice', sa.Text(), nullable=True),
    sa.Column('domains', sa.JSON(), nullable=False),
    sa.Column('skill_count', sa.Integer(), nullable=False),
    sa.Column('current', sa.Boolean(), nullable=False),
    sa.Column('imported_at', UTCDateTime(), nullable=False),
    sa.Column('imported_by', sa.Uuid(), nullable=True),
    sa.PrimaryKeyConstraint('code', 'version')
    )
    op.create_table('passports',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('staff_id', sa.Uuid(), nullable=False),
    sa.Column('trust_id', sa.Uuid(), nullable=False),
    sa.Column('passport_type', sa.String(length=32), nullable=False),
    sa.Column('type_version', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('retrospective', sa.Boolean(), nullable=False),
    sa.Column('surge_started_on', sa.Date(), nullable=True),
    sa.Column('surge_ended_on', sa.Date(), nullable=True),
    sa.Column('retrospective_evidence', sa.Text(), nullable=True),
    sa.Column('assigned_by', sa.Uuid(), nullable=True),
    sa.Column('started_at', UTCDateTime(), nullable=False),
    sa.Column('completed_at', UTCDateTime(), nullable=True),
    sa.Column('withdrawn_at', UTCDateTime(), nullable=True),
    sa.Column('withdrawal_reason', sa.Text(), nullable=True),
    sa.Column('last_activity_at', UTCDateTime(), nullable=False),
    sa.Column('skills_total', sa.Integer(), nullable=False),
    sa.Column('skills_self_assessed', sa.Integer(), nullable=False),
    sa.Column('skills_signed_off', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_passports_staff_id'), 'passports', ['staff_id'], unique=False)
    op.create_index(op.f('ix_passports_trust_id'), 'passports', ['trust_id'], unique=False)
    op.create_index('uq_passports_one_in_progress', 'passports', ['staff_id', 'passport_type'], unique=True, postgresql_where=sa.text("status = 'in_progress'"), sqlite_where=sa.text("status = 'in_progress'"))
    op.create_table('staff',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('trust_id', sa.Uuid(), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('staff_number', sa.String(length=50), nullable=True),
    sa.Column('professional_group', sa.String(length=100), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('as_of', UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_staff_trust_id'), 'staff', ['trust_id'], unique=False)
    op.create_table('learning_records',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('passport_id', sa.Uuid(), nullable=False),
    sa.Column('skill_code', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('date', sa.Date(), nullable=True),
    sa.Column('hours', sa.Float(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('recorded_at', UTCDateTime(), nullable=False),
    sa.Column('recorded_by', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['passport_id'], ['passports.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_learning_records_passport_id'), 'learning_records', ['passport_id'], unique=False)
    op.create_table('self_assessments',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('passport_id', sa.Uuid(), nullable=False),
    sa.Column('skill_code', sa.String(length=40), nullable=False),
    sa.Column('level', sa.String(length=20), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('assessed_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['passport_id'], ['passports.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_self_assessments_passport_id'), 'self_assessments', ['passport_id'], unique=False)
    op.create_table('signoff_decisions',
    sa.Column('signoff_id', sa.Uuid(), nullable=False),
    sa.Column('passport_id', sa.Uuid(), nullable=False),
    sa.Column('skill_code', sa.String(length=40), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=True),
    sa.Column('supervisor_id', sa.Uuid(), nullable=True),
    sa.Column('decided_at', UTCDateTime(), nullable=True),
    sa.Column('revoked', sa.Boolean(), nullable=False),
    sa.Column('revoked_at', UTCDateTime(), nullable=True),
    sa.Column('revoke_reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['passport_id'], ['passports.id'], ),
    sa.PrimaryKeyConstraint('signoff_id')
    )
    op.create_index(op.f('ix_signoff_decisions_passport_id'), 'signoff_decisions', ['passport_id'], unique=False)
    op.create_table('skill_states',
    sa.Column('passport_id', sa.Uuid(), nullable=False),
    sa.Column('skill_code', sa.String(length=40), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('level', sa.String(length=20), nullable=True),
    sa.Column('level_note', sa.Text(), nullable=True),
    sa.Column('self_assessed_at', UTCDateTime(), nullable=True),
    sa.Column('signoff_id', sa.Uuid(), nullable=True),
    sa.Column('signoff_outcome', sa.String(length=20), nullable=True),
    sa.Column('signed_off_at', UTCDateTime(), nullable=True),
    sa.Column('signed_off_by', sa.Uuid(), nullable=True),
    sa.Column('learning', sa.JSON(), nullable=False),
    sa.Column('view', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['passport_id'], ['passports.id'], ),
    sa.PrimaryKeyConstraint('passport_id', 'skill_code')
    )


def downgrade() -> None:
    op.drop_table('skill_states')
    op.drop_index(op.f('ix_signoff_decisions_passport_id'), table_name='signoff_decisions')
    op.drop_table('signoff_decisions')
    op.drop_index(op.f('ix_self_assessments_passport_id'), table_name='self_assessments')
    op.drop_table('self_assessments')
    op.drop_index(op.f('ix_learning_records_passport_id'), table_name='learning_records')
    op.drop_table('learning_records')
    op.drop_index(op.f('ix_staff_trust_id'), table_name='staff')
    op.drop_table('staff')
    op.drop_index('uq_passports_one_in_progress', table_name='passports', postgresql_where=sa.text("status = 'in_progress'"), sqlite_where=sa.text("status = 'in_progress'"))
    op.drop_index(op.f('ix_passports_trust_id'), table_name='passports')
    op.drop_index(op.f('ix_passports_staff_id'), table_name='passports')
    op.drop_table('passports')
    op.drop_table('passport_types')
