"""the data's version: a token every commit that changes assignments, documents, points, bodies or extensions
replaces, so a process may keep the overseers' figures counted under it (issue 14)

Revision ID: 0040
Revises: 0039
Create Date: 2026-11-28 02:15:00

The overview of assignment control over the whole organisation reads every assignment in force (1.5-3.6 s at
1,000,000). `webapp.services.versions` replaces `data_version.token` in each transaction that changes what the
overview counts, as that transaction's last statement; the dashboard reads the token before counting and keeps
what it counted under it. A random token, not a counter: copies of one database (a backup restored, the tests'
template copies) go on with different tokens, never with the same number for different data.
"""
import uuid

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0040'
down_revision = '0039'
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table("data_version", sa.Column("id", sa.Integer(), nullable=False),
                            sa.Column("token", sa.String(length=32), nullable=False),
                            sa.PrimaryKeyConstraint("id", name=op.f("pk_data_version")))
    op.bulk_insert(table, [{"id": 1, "token": uuid.uuid4().hex}])


def downgrade():
    op.drop_table("data_version")
