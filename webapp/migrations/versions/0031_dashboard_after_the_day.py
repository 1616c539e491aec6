"""the dashboard's look-ups of what happened after its day: approved extensions by decision time, and assignments'
cancellations by action and time (issue 14)

Revision ID: 0031
Revises: 0030
Create Date: 2026-11-27 11:20:00

The dashboard «на дату» asks which extensions were approved after the day (the deadline in force then) and which
assignments were cancelled after it (still open then); the trend asks both for the first of its twelve month ends.
Without these, every statement of the page read all extension requests (25–40 ms a statement at 1,000,000
assignments) and the trend read every audit event of the last year twice (170 ms each).
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0031'
down_revision = '0030'
branch_labels = None
depends_on = None


def upgrade():
    # the status index of 0027 becomes this one's leading column
    op.create_index('ix_deadline_change_status_decided', 'deadline_change', ['status', 'decided_at'])
    op.drop_index('ix_deadline_change_status', table_name='deadline_change')
    op.create_index('ix_audit_event_action_at', 'audit_event', ['action', 'at'])


def downgrade():
    op.drop_index('ix_audit_event_action_at', table_name='audit_event')
    op.create_index('ix_deadline_change_status', 'deadline_change', ['status'])
    op.drop_index('ix_deadline_change_status_decided', table_name='deadline_change')
