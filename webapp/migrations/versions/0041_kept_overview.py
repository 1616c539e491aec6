"""overviews of assignment control counted under a version of the data, shared by every process and host on
PostgreSQL (issue 14)

Revision ID: 0041
Revises: 0040
Create Date: 2026-11-28 03:10:00

The whole organisation's overview is counted again after each change that moves a figure (1.4-3.6 s at
1,000,000): kept only in each process, every worker of every host counted it once more. `kept_overview` holds
the latest count of each set of filters and day under the token it was counted for; any process reads it while
the token is current.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0041'
down_revision = '0040'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table("kept_overview", sa.Column("key", sa.String(length=64), nullable=False),
                    sa.Column("token", sa.String(length=32), nullable=False),
                    sa.Column("payload", sa.Text(), nullable=False),
                    sa.Column("counted_at", sa.DateTime(timezone=True), nullable=False),
                    sa.PrimaryKeyConstraint("key", name=op.f("pk_kept_overview")))


def downgrade():
    op.drop_table("kept_overview")
