"""periodic series by how far their occurrences exist: a partial index for the catch-up the assignment list runs
on every request (issue 14)

Revision ID: 0023
Revises: 0022
Create Date: 2026-11-27 02:30:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None

PREDICATE = sa.text("deadline_kind = 'periodic' AND series_id IS NULL")


def upgrade():
    op.create_index('ix_assignment_series', 'assignment', ['materialised_until'],
                    sqlite_where=PREDICATE, postgresql_where=PREDICATE)


def downgrade():
    op.drop_index('ix_assignment_series', table_name='assignment')
