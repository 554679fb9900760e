"""The planning service's tables.

Revision ID: planning_0001
Revises:
Create Date: 2026-11-27
"""
import sqlalchemy as sa
from alembic import op

from shared.db import UTCDateTime

revision = "planning_0001"
down_revision = None
branch_labels = ("planning",)
depends_on = None


def upgrade() -> None:
    op.create_table('plans',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('trust_id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('created_by', sa.Uuid(), nullable=True),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('updated_at', UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_plans_trust_id'), 'plans', ['trust_id'], unique=False)
    op.create_table('roster_certificates',
    sa.Column('certificate_id', sa.Uuid(), nullable=False),
    sa.Column('trust_id', sa.Uuid(), nullable=False),
    sa.Column('staff_id', sa.Uuid(), nullable=False),
    sa.Column('role', sa.String(length=32), nullable=False),
    sa.Column('issued_at', UTCDateTime(), nullable=True),
    sa.Column('ended_at', UTCDateTime(), nullable=True),
    sa.Column('end_reason', sa.String(length=20), nullable=True),
    sa.PrimaryKeyConstraint('certificate_id')
    )
    op.create_index('ix_roster_certificates_person_role', 'roster_certificates', ['trust_id', 'staff_id', 'role'], unique=False)
    op.create_table('roster_entries',
    sa.Column('trust_id', sa.Uuid(), nullable=False),
    sa.Column('staff_id', sa.Uuid(), nullable=False),
    sa.Column('role', sa.String(length=32), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=True),
    sa.Column('certificate_id', sa.Uuid(), nullable=True),
    sa.Column('since', UTCDateTime(), nullable=True),
    sa.Column('reason', sa.String(length=20), nullable=True),
    sa.Column('updated_at', UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('trust_id', 'staff_id', 'role')
    )
    op.create_index(op.f('ix_roster_entries_staff_id'), 'roster_entries', ['staff_id'], unique=False)
    op.create_table('roster_history',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('trust_id', sa.Uuid(), nullable=False),
    sa.Column('staff_id', sa.Uuid(), nullable=False),
    sa.Column('role', sa.String(length=32), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('certificate_id', sa.Uuid(), nullable=True),
    sa.Column('since', UTCDateTime(), nullable=False),
    sa.Column('reason', sa.String(length=20), nullable=False),
    sa.Column('recorded_at', UTCDateTime(), nullable=False),
    sa.Column('event_id', sa.Uuid(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_roster_history_person_role', 'roster_history', ['trust_id', 'staff_id', 'role'], unique=False)
    op.create_table('aims',
    sa.Column('plan_id', sa.Uuid(), nullable=False),
    sa.Column('why', sa.Text(), nullable=True),
    sa.Column('how', sa.Text(), nullable=True),
    sa.Column('what', sa.Text(), nullable=True),
    sa.Column('statement', sa.Text(), nullable=False),
    sa.Column('target_passport_types', sa.JSON(), nullable=False),
    sa.Column('target_percentage', sa.Float(), nullable=True),
    sa.Column('target_cohort_size', sa.Integer(), nullable=True),
    sa.Column('target_deadline', sa.Date(), nullable=True),
    sa.Column('updated_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('plan_id')
    )
    op.create_table('drivers',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('plan_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('parent_id', sa.Uuid(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=True),
    sa.Column('priority', sa.String(length=10), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['parent_id'], ['drivers.id'], ),
    sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_drivers_parent_id'), 'drivers', ['parent_id'], unique=False)
    op.create_index(op.f('ix_drivers_plan_id'), 'drivers', ['plan_id'], unique=False)
    op.create_table('launches',
    sa.Column('plan_id', sa.Uuid(), nullable=False),
    sa.Column('ambition', sa.Text(), nullable=True),
    sa.Column('audiences', sa.JSON(), nullable=False),
    sa.Column('stakeholders_involved', sa.JSON(), nullable=False),
    sa.Column('timeline', sa.JSON(), nullable=False),
    sa.Column('forums_and_formats', sa.JSON(), nullable=False),
    sa.Column('locations', sa.JSON(), nullable=False),
    sa.Column('benefits', sa.JSON(), nullable=False),
    sa.Column('updated_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('plan_id')
    )
    op.create_table('measures',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('plan_id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('what', sa.Text(), nullable=True),
    sa.Column('already_measured', sa.Boolean(), nullable=True),
    sa.Column('already_measured_how', sa.Text(), nullable=True),
    sa.Column('frequency', sa.String(length=100), nullable=True),
    sa.Column('method', sa.String(length=20), nullable=True),
    sa.Column('owner', sa.String(length=200), nullable=True),
    sa.Column('shared_where', sa.Text(), nullable=True),
    sa.Column('metric', sa.String(length=40), nullable=True),
    sa.Column('passport_type', sa.String(length=32), nullable=True),
    sa.Column('target', sa.Float(), nullable=True),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('updated_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_measures_plan_id'), 'measures', ['plan_id'], unique=False)
    op.create_table('process_maps',
    sa.Column('plan_id', sa.Uuid(), nullable=False),
    sa.Column('lanes', sa.JSON(), nullable=False),
    sa.Column('stages', sa.JSON(), nullable=False),
    sa.Column('steps', sa.JSON(), nullable=False),
    sa.Column('links', sa.JSON(), nullable=False),
    sa.Column('updated_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('plan_id')
    )
    op.create_table('stakeholders',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('plan_id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('role', sa.Text(), nullable=True),
    sa.Column('power', sa.String(length=10), nullable=False),
    sa.Column('impact', sa.String(length=10), nullable=False),
    sa.Column('engage_when', sa.Text(), nullable=True),
    sa.Column('engage_how', sa.Text(), nullable=True),
    sa.Column('benefits', sa.JSON(), nullable=False),
    sa.Column('enablers', sa.JSON(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_stakeholders_plan_id'), 'stakeholders', ['plan_id'], unique=False)
    op.create_table('workforce_roles',
    sa.Column('plan_id', sa.Uuid(), nullable=False),
    sa.Column('role', sa.String(length=32), nullable=False),
    sa.Column('needed', sa.Integer(), nullable=False),
    sa.Column('prospective', sa.Integer(), nullable=False),
    sa.Column('retrospective', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('plan_id', 'role')
    )
    op.create_table('cycles',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('plan_id', sa.Uuid(), nullable=False),
    sa.Column('activity_id', sa.Uuid(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('plan', sa.Text(), nullable=False),
    sa.Column('prediction', sa.Text(), nullable=True),
    sa.Column('do', sa.Text(), nullable=True),
    sa.Column('study', sa.Text(), nullable=True),
    sa.Column('act', sa.String(length=10), nullable=True),
    sa.Column('act_notes', sa.Text(), nullable=True),
    sa.Column('started_on', sa.Date(), nullable=True),
    sa.Column('ended_on', sa.Date(), nullable=True),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('updated_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['activity_id'], ['drivers.id'], ),
    sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_cycles_activity_id'), 'cycles', ['activity_id'], unique=False)
    op.create_index(op.f('ix_cycles_plan_id'), 'cycles', ['plan_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_cycles_plan_id'), table_name='cycles')
    op.drop_index(op.f('ix_cycles_activity_id'), table_name='cycles')
    op.drop_table('cycles')
    op.drop_table('workforce_roles')
    op.drop_index(op.f('ix_stakeholders_plan_id'), table_name='stakeholders')
    op.drop_table('stakeholders')
    op.drop_table('process_maps')
    op.drop_index(op.f('ix_measures_plan_id'), table_name='measures')
    op.drop_table('measures')
    op.drop_table('launches')
    op.drop_index(op.f('ix_drivers_plan_id'), table_name='drivers')
    op.drop_index(op.f('ix_drivers_parent_id'), table_name='drivers')
    op.drop_table('drivers')
    op.drop_table('aims')
    op.drop_index('ix_roster_history_person_role', table_name='roster_history')
    op.drop_table('roster_history')
    op.drop_index(op.f('ix_roster_entries_staff_id'), table_name='roster_entries')
    op.drop_table('roster_entries')
    op.drop_index('ix_roster_certificates_person_role', table_name='roster_certificates')
    op.drop_table('roster_certificates')
    op.drop_index(op.f('ix_plans_trust_id'), table_name='plans')
    op.drop_table('plans')
