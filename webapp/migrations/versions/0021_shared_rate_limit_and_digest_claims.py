"""Scale-out: the API rate limit counted in the database; one digest per person and week even from two hosts

Revision ID: 0021
Revises: 0020
Create Date: 2026-11-27 02:10:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'api_rate_window',
        sa.Column('key', sa.String(length=40), nullable=False),
        sa.Column('window_start', sa.BigInteger(), nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_api_rate_window')),
    )
    # Two runs at once could each have logged the same digest before: keep the first row of each.
    op.execute("DELETE FROM reminder_log WHERE assignment_id IS NULL AND id NOT IN "
               "(SELECT min(id) FROM reminder_log WHERE assignment_id IS NULL GROUP BY user_id, reason, key)")
    op.create_index('uq_reminder_log_without_assignment', 'reminder_log', ['user_id', 'reason', 'key'], unique=True,
                    sqlite_where=sa.text('assignment_id IS NULL'), postgresql_where=sa.text('assignment_id IS NULL'))


def downgrade():
    op.drop_index('uq_reminder_log_without_assignment', table_name='reminder_log')
    op.drop_table('api_rate_window')
