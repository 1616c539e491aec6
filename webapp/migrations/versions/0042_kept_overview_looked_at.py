"""when the overview kept under each set of filters was last looked at (issue 14)

Revision ID: 0042
Revises: 0041
Create Date: 2026-11-28 09:00:00

The worker counts again, after a change, the slow overviews of today that somebody looked at lately
(dashboard.keep_fresh), so that a look finds a count a minute or two old instead of counting on the page for
seconds; the pages of every host note here when they looked.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0042'
down_revision = '0041'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("kept_overview") as batch_op:
        batch_op.add_column(sa.Column("looked_at", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table("kept_overview") as batch_op:
        batch_op.drop_column("looked_at")
