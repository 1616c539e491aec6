"""the register of one type newest first read from an index (issue 14)

Revision ID: 0048
Revises: 0047
Create Date: 2026-11-30 04:40:00

The register filtered by a type (`/documents?type=protocol`) in its default order, newest first: SQLite read every
document of the type through `ix_document_doc_type_id` (doc_type, id) and sorted them by date, 140-170 ms for
every user at 200,000 documents (its sampled statistics guess 1,001 documents a type, where a protocol is one in
three). `ix_document_type_register_date` holds each type's documents in the register's order (migration 0026's
expression after the type), so the first page is the first rows of one range. Written per engine as 0026's; on a
SQLite database analysed before, the new index is analysed too (as 0045's).
"""
from alembic import op

from webapp.services.routines import analyze_indexes

# revision identifiers, used by Alembic.
revision = '0048'
down_revision = '0047'
branch_labels = None
depends_on = None

REGISTER_DATE = "coalesce(reg_date, event_date)"  # as 0026's


def upgrade():
    bind = op.get_bind()
    nulls_last = " NULLS LAST" if bind.dialect.name == 'postgresql' else ""
    op.execute("CREATE INDEX ix_document_type_register_date ON document "
               f"(doc_type, {REGISTER_DATE} DESC{nulls_last}, id DESC)")
    analyze_indexes(bind, ["ix_document_type_register_date"])  # as 0045's


def downgrade():
    op.execute("DROP INDEX IF EXISTS ix_document_type_register_date")
