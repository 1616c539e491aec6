"""Files attached to documents (приложения), with their text for search

Revision ID: 0020
Revises: 0019
Create Date: 2026-11-26 23:10:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'document_file',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('document_id', sa.Integer(), nullable=False),
        sa.Column('file_id', sa.Integer(), nullable=False),
        sa.Column('filename', sa.String(length=255), nullable=False),
        sa.Column('text', sa.Text(), nullable=True),
        sa.Column('added_by_id', sa.Integer(), nullable=True),
        sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['document_id'], ['document.id'], name=op.f('fk_document_file_document_id_document'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['file_id'], ['stored_file.id'], name=op.f('fk_document_file_file_id_stored_file'),
                                ondelete='RESTRICT'),
        sa.ForeignKeyConstraint(['added_by_id'], ['user_account.id'],
                                name=op.f('fk_document_file_added_by_id_user_account'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_document_file')),
    )
    with op.batch_alter_table('document_file', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_document_file_document_id'), ['document_id'], unique=False)


def downgrade():
    with op.batch_alter_table('document_file', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_document_file_document_id'))
    op.drop_table('document_file')
