"""the controller's open assignments by deadline: an index for the calendar feed of a controller (issue 14)

Revision ID: 0022
Revises: 0021
Create Date: 2026-11-27 02:20:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_assignment_controller_status_deadline', 'assignment', ['controller_id', 'status', 'deadline'])


def downgrade():
    op.drop_index('ix_assignment_controller_status_deadline', table_name='assignment')
