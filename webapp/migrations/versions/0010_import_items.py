"""import items: uploaded files read and extracted, waiting for review

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-26 17:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'import_item',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('filename', sa.String(length=300), nullable=False),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('source_text', sa.Text(), nullable=False),
        sa.Column('extraction', sa.JSON(), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('document_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("status IN ('pending', 'saved', 'discarded')", name=op.f('ck_import_item_status_valid')),
        sa.ForeignKeyConstraint(['document_id'], ['document.id'], name=op.f('fk_import_item_document_id_document'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_import_item_user_id_user_account'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_import_item')),
    )
    with op.batch_alter_table('import_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_import_item_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('import_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_import_item_user_id'))
    op.drop_table('import_item')
