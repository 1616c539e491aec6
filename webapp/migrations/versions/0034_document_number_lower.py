"""a registration number typed into search finds its document through an index, in any case (issue 14)

Revision ID: 0034
Revises: 0033
Create Date: 2026-11-27 14:45:00

A query that looks like a registration number («339», «01-29/5», and so any year: «2026») first opens the documents
numbered so (`search.documents_numbered`: `lower(number) = lower(query)`). Without an index on that expression
every document was read, on every such query: at 1,000,000 assignments (200,000 documents) 0.7 s on SQLite and
59 ms on PostgreSQL. The same expression on both engines (SQLite uses an index on an expression when the query
repeats it).
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0034'
down_revision = '0033'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("CREATE INDEX ix_document_number_lower ON document (lower(number))")


def downgrade():
    op.execute("DROP INDEX IF EXISTS ix_document_number_lower")
