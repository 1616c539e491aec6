"""body requisites for letterheads (higher bodies, second language, place, address, formulas); user phone

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-26 19:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('body', schema=None) as batch_op:
        batch_op.add_column(sa.Column('letterhead_above', sa.JSON(), nullable=False, server_default='[]'))
        batch_op.add_column(sa.Column('name_alt', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('letterhead_above_alt', sa.JSON(), nullable=False, server_default='[]'))
        batch_op.add_column(sa.Column('place', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('address', sa.JSON(), nullable=False, server_default='[]'))
        batch_op.add_column(sa.Column('formulas', sa.JSON(), nullable=False, server_default='{}'))
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('phone', sa.String(length=60), nullable=True))


def downgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('phone')
    with op.batch_alter_table('body', schema=None) as batch_op:
        for column in ('formulas', 'address', 'place', 'letterhead_above_alt', 'name_alt', 'letterhead_above'):
            batch_op.drop_column(column)
