"""The metrics service's tables.

Revision ID: metrics_0001
Revises:
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

from shared.db import UTCDateTime

revision = "metrics_0001"
down_revision = None
branch_labels = ("metrics",)
depends_on = None


def upgrade() -> None:
    op.create_table('applied_events',
    sa.Column('sequence', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('event_id', sa.Uuid(), nullable=False),
    sa.Column('event_type', sa.String(length=100), nullable=False),
    sa.Column('trust_id', sa.Uuid(), nullable=True),
    sa.Column('envelope', sa.JSON(), nullable=False),
    sa.Column('applied_at', UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('sequence'),
    sa.UniqueConstraint('event_id')
    )
    op.create_table('certificate_states',
    sa.Column('certificate_id', sa.Uuid(), nullable=False),
    sa.Column('trust_id', sa.Uuid(), nullable=False),
    sa.Column('staff_id', sa.Uuid(), nullable=False),
    sa.Column('passport_type', sa.String(length=32), nullable=False),
    sa.Column('passport_id', sa.Uuid(), nullable=False),
    sa.Column('issued_at', UTCDateTime(), nullable=True),
    sa.Column('expires_at', UTCDateTime(), nullable=True),
    sa.Column('ended_at', UTCDateTime(), nullable=True),
    sa.Column('end_reason', sa.String(length=20), nullable=True),
    sa.Column('superseded', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('certificate_id')
    )
    op.create_index('ix_certificate_states_holder', 'certificate_states', ['trust_id', 'staff_id', 'passport_type'], unique=False)
    op.create_table('cohorts',
    sa.Column('plan_id', sa.Uuid(), nullable=False),
    sa.Column('role', sa.String(length=32), nullable=False),
    sa.Column('trust_id', sa.Uuid(), nullable=False),
    sa.Column('identified', sa.Integer(), nullable=False),
    sa.Column('counted', sa.Integer(), nullable=False),
    sa.Column('updated_at', UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('plan_id', 'role')
    )
    op.create_table('current_counts',
    sa.Column('trust_id', sa.Uuid(), nullable=False),
    sa.Column('passport_type', sa.String(length=32), nullable=False),
    sa.Column('started', sa.Integer(), nullable=False),
    sa.Column('in_progress', sa.Integer(), nullable=False),
    sa.Column('completed', sa.Integer(), nullable=False),
    sa.Column('withdrawn', sa.Integer(), nullable=False),
    sa.Column('certified', sa.Integer(), nullable=False),
    sa.Column('certificates_issued', sa.Integer(), nullable=False),
    sa.Column('certificates_revoked', sa.Integer(), nullable=False),
    sa.Column('certificates_expired', sa.Integer(), nullable=False),
    sa.Column('skills_self_assessed', sa.Integer(), nullable=False),
    sa.Column('skills_signed_off', sa.Integer(), nullable=False),
    sa.Column('learning_planned', sa.Integer(), nullable=False),
    sa.Column('learning_attended', sa.Integer(), nullable=False),
    sa.Column('learning_completed', sa.Integer(), nullable=False),
    sa.Column('rostered', sa.Integer(), nullable=False),
    sa.Column('cohort_identified', sa.Integer(), nullable=False),
    sa.Column('first_day', sa.Date(), nullable=True),
    sa.Column('updated_at', UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('trust_id', 'passport_type')
    )
    op.create_table('daily_counts',
    sa.Column('trust_id', sa.Uuid(), nullable=False),
    sa.Column('passport_type', sa.String(length=32), nullable=False),
    sa.Column('metric', sa.String(length=40), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('delta', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('trust_id', 'passport_type', 'metric', 'day')
    )
    op.create_table('holders',
    sa.Column('trust_id', sa.Uuid(), nullable=False),
    sa.Column('staff_id', sa.Uuid(), nullable=False),
    sa.Column('passport_type', sa.String(length=32), nullable=False),
    sa.Column('valid_certificates', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('trust_id', 'staff_id', 'passport_type')
    )
    op.create_table('learning_states',
    sa.Column('learning_id', sa.Uuid(), nullable=False),
    sa.Column('passport_id', sa.Uuid(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=True),
    sa.PrimaryKeyConstraint('learning_id')
    )
    op.create_table('measure_definitions',
    sa.Column('measure_id', sa.Uuid(), nullable=False),
    sa.Column('plan_id', sa.Uuid(), nullable=False),
    sa.Column('trust_id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('metric', sa.String(length=40), nullable=True),
    sa.Column('passport_type', sa.String(length=32), nullable=True),
    sa.Column('target', sa.Float(), nullable=True),
    sa.Column('frequency', sa.String(length=100), nullable=True),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.Column('defined_at', UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('measure_id')
    )
    op.create_index(op.f('ix_measure_definitions_trust_id'), 'measure_definitions', ['trust_id'], unique=False)
    op.create_table('passport_states',
    sa.Column('passport_id', sa.Uuid(), nullable=False),
    sa.Column('trust_id', sa.Uuid(), nullable=False),
    sa.Column('staff_id', sa.Uuid(), nullable=False),
    sa.Column('passport_type', sa.String(length=32), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=True),
    sa.Column('status_at', UTCDateTime(), nullable=True),
    sa.Column('started_at', UTCDateTime(), nullable=True),
    sa.Column('last_activity_at', UTCDateTime(), nullable=True),
    sa.Column('skills_total', sa.Integer(), nullable=True),
    sa.Column('skills_self_assessed', sa.Integer(), nullable=False),
    sa.Column('skills_signed_off', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('passport_id')
    )
    op.create_index(op.f('ix_passport_states_trust_id'), 'passport_states', ['trust_id'], unique=False)
    op.create_table('people',
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('trust_id', sa.Uuid(), nullable=True),
    sa.Column('staff_number', sa.String(length=64), nullable=True),
    sa.Column('professional_group', sa.String(length=100), nullable=True),
    sa.Column('as_of', UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('user_id')
    )
    op.create_table('plan_aims',
    sa.Column('plan_id', sa.Uuid(), nullable=False),
    sa.Column('trust_id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('statement', sa.Text(), nullable=True),
    sa.Column('target_passport_types', sa.JSON(), nullable=False),
    sa.Column('target_percentage', sa.Float(), nullable=True),
    sa.Column('target_cohort_size', sa.Integer(), nullable=True),
    sa.Column('target_deadline', sa.Date(), nullable=True),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.Column('updated_at', UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('plan_id')
    )
    op.create_index(op.f('ix_plan_aims_trust_id'), 'plan_aims', ['trust_id'], unique=False)
    op.create_table('roster_states',
    sa.Column('trust_id', sa.Uuid(), nullable=False),
    sa.Column('staff_id', sa.Uuid(), nullable=False),
    sa.Column('role', sa.String(length=32), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=True),
    sa.Column('since', UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('trust_id', 'staff_id', 'role')
    )
    op.create_table('skill_signoffs',
    sa.Column('signoff_id', sa.Uuid(), nullable=False),
    sa.Column('passport_id', sa.Uuid(), nullable=False),
    sa.Column('skill_code', sa.String(length=64), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=True),
    sa.Column('decided_at', UTCDateTime(), nullable=True),
    sa.Column('revoked_at', UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('signoff_id')
    )
    op.create_index('ix_skill_signoffs_passport_skill', 'skill_signoffs', ['passport_id', 'skill_code'], unique=False)
    op.create_table('skill_states',
    sa.Column('passport_id', sa.Uuid(), nullable=False),
    sa.Column('skill_code', sa.String(length=64), nullable=False),
    sa.Column('signed_off_at', UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('passport_id', 'skill_code')
    )


def downgrade() -> None:
    op.drop_table('skill_states')
    op.drop_index('ix_skill_signoffs_passport_skill', table_name='skill_signoffs')
    op.drop_table('skill_signoffs')
    op.drop_table('roster_states')
    op.drop_index(op.f('ix_plan_aims_trust_id'), table_name='plan_aims')
    op.drop_table('plan_aims')
    op.drop_table('people')
    op.drop_index(op.f('ix_passport_states_trust_id'), table_name='passport_states')
    op.drop_table('passport_states')
    op.drop_index(op.f('ix_measure_definitions_trust_id'), table_name='measure_definitions')
    op.drop_table('measure_definitions')
    op.drop_table('learning_states')
    op.drop_table('holders')
    op.drop_table('daily_counts')
    op.drop_table('current_counts')
    op.drop_table('cohorts')
    op.drop_index('ix_certificate_states_holder', table_name='certificate_states')
    op.drop_table('certificate_states')
    op.drop_table('applied_events')
