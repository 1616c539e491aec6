"""search: the index of every entry by its body holds the entry's kind, state, status, document type and deadline
too, so that a search filtered by a body tests them there (issue 14)

Revision ID: 0051
Revises: 0050
Create Date: 2026-11-30 08:10:00

`ix_search_entry_body` (migration 0045) holds every entry by its body in result order; a search filtered by a body
reads the body's (and those below it) entries through it. A department secretary's «обеспечить» in her department
reads its published documents only (her own objects are read apart): 1,980 of the 51 bodies' 11,921 entries, each
read from the table to test its kind and state (34 ms of 83 on SQLite at 1,000,000 assignments; 13 ms on
PostgreSQL). With them after the order's columns, both engines test them in the index, as 0050 does for her
bodies' assignments. Made again under the same name; on a SQLite database analysed before, analysed again.
"""
from alembic import op

from webapp.services.routines import analyze_indexes

# revision identifiers, used by Alembic.
revision = '0051'
down_revision = '0050'
branch_labels = None
depends_on = None

NAME = "ix_search_entry_body"


def _make(columns: str) -> None:
    bind = op.get_bind()
    nulls = " NULLS LAST" if bind.dialect.name == 'postgresql' else ""
    op.execute(f"DROP INDEX IF EXISTS {NAME}")
    op.execute(f"CREATE INDEX {NAME} ON search_entry (body_id, sort_date DESC{nulls}, id DESC{columns})")
    analyze_indexes(bind, (NAME,))


def upgrade():
    _make(", kind, state, status, doc_type, deadline")


def downgrade():
    _make("")
