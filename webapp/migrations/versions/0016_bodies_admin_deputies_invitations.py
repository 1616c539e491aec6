"""administration: closed bodies and their heads, positions per membership, deputies, invitations, «A за B» events

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-26 22:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('body', schema=None) as batch_op:
        batch_op.add_column(sa.Column('head_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key('fk_body_head_id_user_account', 'user_account', ['head_id'], ['id'],
                                    ondelete='SET NULL')
    with op.batch_alter_table('membership', schema=None) as batch_op:
        batch_op.add_column(sa.Column('position', sa.String(length=300), nullable=True))
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('acting_for_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_audit_event_acting_for_id_user_account', 'user_account', ['acting_for_id'],
                                    ['id'], ondelete='SET NULL')
    op.create_table(
        'deputy',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('deputy_id', sa.Integer(), nullable=False),
        sa.Column('principal_id', sa.Integer(), nullable=False),
        sa.Column('starts_on', sa.Date(), nullable=False),
        sa.Column('ends_on', sa.Date(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['deputy_id'], ['user_account.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['principal_id'], ['user_account.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_deputy_deputy_id', 'deputy', ['deputy_id'])
    op.create_index('ix_deputy_principal_id', 'deputy', ['principal_id'])
    op.create_table(
        'invitation',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('token_hash'),
    )
    op.create_index('ix_invitation_user_id', 'invitation', ['user_id'])


def downgrade():
    op.drop_index('ix_invitation_user_id', table_name='invitation')
    op.drop_table('invitation')
    op.drop_index('ix_deputy_principal_id', table_name='deputy')
    op.drop_index('ix_deputy_deputy_id', table_name='deputy')
    op.drop_table('deputy')
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_constraint('fk_audit_event_acting_for_id_user_account', type_='foreignkey')
        batch_op.drop_column('acting_for_id')
    with op.batch_alter_table('membership', schema=None) as batch_op:
        batch_op.drop_column('position')
    with op.batch_alter_table('body', schema=None) as batch_op:
        batch_op.drop_constraint('fk_body_head_id_user_account', type_='foreignkey')
        batch_op.drop_column('closed_at')
        batch_op.drop_column('head_id')
