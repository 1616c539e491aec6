"""the register newest first read from an index; the attachments' index only on attachments (issue 14)

Revision ID: 0026
Revises: 0025
Create Date: 2026-11-27 05:00:00

`ix_document_register_date` is the register's default order (`coalesce(reg_date, event_date)` newest first, then
id): its first page is read from the index instead of sorting every document. The expression is written as
webapp.services.documents.REGISTER_SORTS writes it; NULLs come last (SQLite sorts NULL first, so last in a
descending index: its index needs no NULLS LAST, which SQLite does not accept there).

`ix_document_parent_id` becomes partial (`parent_id IS NOT NULL`): it serves what it is for (a document's
attachments, `parent_id = ?`), while `parent_id IS NULL`, which the register and «Мои задачи» ask of nearly every
document, no longer looks like a selective lookup to SQLite's planner (without statistics it took that index, then
read every document and sorted them).
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0026'
down_revision = '0025'
branch_labels = None
depends_on = None

REGISTER_DATE = "coalesce(reg_date, event_date)"


def upgrade():
    nulls_last = " NULLS LAST" if op.get_bind().dialect.name == 'postgresql' else ""
    op.execute(f"CREATE INDEX ix_document_register_date ON document ({REGISTER_DATE} DESC{nulls_last}, id DESC)")
    op.drop_index('ix_document_parent_id', table_name='document')
    op.execute("CREATE INDEX ix_document_parent_id ON document (parent_id) WHERE parent_id IS NOT NULL")


def downgrade():
    op.drop_index('ix_document_parent_id', table_name='document')
    op.create_index('ix_document_parent_id', 'document', ['parent_id'])
    op.execute("DROP INDEX ix_document_register_date")
