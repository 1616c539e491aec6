"""the emblem or coat of arms a body prints on its letterhead (a stored file)

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-26 22:40:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('body', schema=None) as batch_op:
        batch_op.add_column(sa.Column('emblem_file_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_body_emblem_file_id_stored_file', 'stored_file', ['emblem_file_id'], ['id'],
                                    ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('body', schema=None) as batch_op:
        batch_op.drop_constraint('fk_body_emblem_file_id_stored_file', type_='foreignkey')
        batch_op.drop_column('emblem_file_id')
