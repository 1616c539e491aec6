"""jobs retried: a job that failed on something passing (a busy LibreOffice, a lost connection) is queued again
after a pause, a few times, before it fails for its owner (issue 14)

Revision ID: 0028
Revises: 0027
Create Date: 2026-11-27 08:15:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0028'
down_revision = '0027'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('job') as batch:
        batch.add_column(sa.Column('attempts', sa.Integer(), nullable=False, server_default='0'))
        batch.add_column(sa.Column('run_after', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('job') as batch:
        batch.drop_column('run_after')
        batch.drop_column('attempts')
