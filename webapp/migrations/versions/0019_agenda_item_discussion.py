"""«ВЫСТУПИЛИ» of a protocol's agenda item: speakers in the discussion and what they said

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-26 22:50:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('agenda_item', schema=None) as batch_op:
        batch_op.add_column(sa.Column('discussion', sa.JSON(), nullable=False, server_default='[]'))


def downgrade():
    with op.batch_alter_table('agenda_item', schema=None) as batch_op:
        batch_op.drop_column('discussion')
