"""search: the index of her bodies' assignment entries holds their status, document type and deadline too, so that
a filtered search reads only the entries that pass the filters (issue 14)

Revision ID: 0050
Revises: 0049
Create Date: 2026-11-30 08:20:00

`ix_search_entry_assignment_body` (migration 0036) holds the assignments' entries by their lead body in result
order. A department's search with a filter read each of her 51 bodies' 9,900 entries from the table to test the
filter and the words: «обеспечить» in work (391 of them in work) took 121 ms on SQLite at 1,000,000 assignments, two
statements of 30-38 ms each. With the status, the type and the deadline after its order's columns, SQLite tests
them in the index before it reads an entry's row (42 -> 4 ms a statement), and PostgreSQL checks them in the index
scan (its heap read 3,682 pages for 127 regulations of her bodies, 40 ms; 195 pages, 3 ms). The order is the
same, so one body's entries are still walked newest first. Made again under the same name, per engine as 0036's;
on a SQLite database analysed before, analysed again.
"""
from alembic import op

from webapp.services.routines import analyze_indexes

# revision identifiers, used by Alembic.
revision = '0050'
down_revision = '0049'
branch_labels = None
depends_on = None

NAME = "ix_search_entry_assignment_body"
ASSIGNMENTS = "kind = 'assignment'"  # as 0036's
SQLITE_ASSIGNMENTS = "kind || '' = 'assignment'"


def _make(columns: str) -> None:
    bind = op.get_bind()
    postgresql = bind.dialect.name == 'postgresql'
    op.execute(f"DROP INDEX IF EXISTS {NAME}")
    op.execute(f"CREATE INDEX {NAME} ON search_entry (body_id, sort_date DESC{' NULLS LAST' if postgresql else ''}, "
               f"id DESC{columns}) WHERE {ASSIGNMENTS if postgresql else SQLITE_ASSIGNMENTS}")
    analyze_indexes(bind, (NAME,))


def upgrade():
    _make(", status, doc_type, deadline")


def downgrade():
    _make("")
