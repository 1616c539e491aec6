"""periodic assignments: dated occurrences of a series

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('series_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('materialised_until', sa.Date(), nullable=True))
        batch_op.create_index(batch_op.f('ix_assignment_series_id'), ['series_id'], unique=False)
        batch_op.create_unique_constraint(batch_op.f('uq_assignment_series_id'), ['series_id', 'original_deadline'])
        batch_op.create_foreign_key(batch_op.f('fk_assignment_series_id_assignment'), 'assignment',
                                    ['series_id'], ['id'], ondelete='CASCADE')


def downgrade():
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_assignment_series_id_assignment'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_assignment_series_id'), type_='unique')
        batch_op.drop_index(batch_op.f('ix_assignment_series_id'))
        batch_op.drop_column('materialised_until')
        batch_op.drop_column('series_id')
