"""«Поручения» by status, and the register by number and by type, read from indexes in the page's order instead of
sorting every row (issue 14)

Revision ID: 0038
Revises: 0036
Create Date: 2026-11-27 20:15:00

The list by status (`?sort=status`, either way) is in groups: the statuses in their rank, each status's assignments
by id. The page's statement reads the statuses one at a time in that order (`assignments._by_status`), each a range
of `ix_assignment_status_id` already in id order, to its first rows after the cursor; before it, every assignment
the auditor may read was sorted for each page: at 1,000,000 assignments 0.7 s on SQLite, 2 s on PostgreSQL.
The same index on both engines (SQLite's index of (status) alone would hold the rowid too, PostgreSQL's not).

The register by number reads the numbered documents through `ix_document_number_id` (either way) and then the
unnumbered; by type, each type's documents by id through `ix_document_doc_type_id` (`documents._by_number`,
`_by_type`): at 200,000 documents 0.4-1.1 s on SQLite, 0.15-0.4 s on PostgreSQL before.

On SQLite the new indexes get their statistics here (as the nightly `routines.analyze` samples them): without any,
SQLite's planner guesses an index's equality ten rows, and took the status index for «status IN (open ones)» in
the menu's counter of a member's assignments, reading 110,000 assignments to find a body's (0.75 s on every page at
1M).
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0038'
down_revision = '0036'
branch_labels = None
depends_on = None

INDEXES = ("ix_assignment_status_id", "ix_document_number_id", "ix_document_doc_type_id")


def upgrade():
    op.create_index('ix_assignment_status_id', 'assignment', ['status', 'id'])
    op.create_index('ix_document_number_id', 'document', ['number', 'id'])
    op.create_index('ix_document_doc_type_id', 'document', ['doc_type', 'id'])
    if op.get_bind().dialect.name == 'sqlite':
        op.execute("PRAGMA analysis_limit=1000")  # webapp.services.routines.ANALYSIS_LIMIT
        for index in INDEXES:
            op.execute(f"ANALYZE {index}")


def downgrade():
    op.drop_index('ix_document_doc_type_id', table_name='document')
    op.drop_index('ix_document_number_id', table_name='document')
    op.drop_index('ix_assignment_status_id', table_name='assignment')
