"""notifications by e-mail: the assignment a notification is about, its mail state and claim; users' mail choice

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-26 23:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.add_column(sa.Column('assignment_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('mailed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('mail_claim', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('mail_claimed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('mail_attempts', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('mail_error', sa.Text(), nullable=True))
        batch_op.create_foreign_key('fk_notification_assignment_id_assignment', 'assignment', ['assignment_id'],
                                    ['id'], ondelete='CASCADE')
        batch_op.create_index('ix_notification_assignment_id', ['assignment_id'])
    # Notifications made before mail existed are not mailed now: an upgrade must not flood everyone's inbox.
    op.execute("UPDATE notification SET mailed_at = created_at")
    op.create_table(
        'mail_setting',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('mode', sa.String(length=10), nullable=False),
        sa.Column('digest_on', sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('user_id'),
    )


def downgrade():
    op.drop_table('mail_setting')
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_index('ix_notification_assignment_id')
        batch_op.drop_constraint('fk_notification_assignment_id_assignment', type_='foreignkey')
        batch_op.drop_column('mail_error')
        batch_op.drop_column('mail_attempts')
        batch_op.drop_column('mail_claimed_at')
        batch_op.drop_column('mail_claim')
        batch_op.drop_column('mailed_at')
        batch_op.drop_column('assignment_id')
