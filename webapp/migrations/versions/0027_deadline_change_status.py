"""deadline-extension requests by status: «Запросы на перенос срока» of every user's inbox and menu counter find the
pending ones without reading every request ever made (issue 14)

Revision ID: 0027
Revises: 0026
Create Date: 2026-11-27 05:35:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0027'
down_revision = '0026'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_deadline_change_status', 'deadline_change', ['status'])


def downgrade():
    op.drop_index('ix_deadline_change_status', table_name='deadline_change')
