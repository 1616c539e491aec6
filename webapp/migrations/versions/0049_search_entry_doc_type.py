"""search: the entries of one document type in result order, so that a search filtered by a type reads those
entries, not every entry of the walk's order (issue 14)

Revision ID: 0049
Revises: 0048
Create Date: 2026-11-30 06:10:00

At 1,000,000 assignments a department secretary's «обеспечить» among regulations (one entry in twenty) took
200 ms on PostgreSQL, 130 ms on SQLite: no index held the entries by type, so the count walked the published
documents newest first and tested each one's type (27,600 read for 1,001 hits). `ix_search_entry_doc_type`
holds each type's entries newest first (the probe and the walks read that range, as 0046's do a status's);
on SQLite, `ix_search_entry_published_type` the published documents' alone (their predicate written as 0029's),
read by a user whose own objects are read apart: an order's entries are five of its assignments' to one of its own
(a school executor's «обеспечить» among orders 34 → 60 ms through the type's index alone, 38 with this one).
Written per engine as 0046's; on a SQLite database analysed before, the new indexes are analysed too.
"""
from alembic import op

from webapp.services.routines import analyze_indexes

# revision identifiers, used by Alembic.
revision = '0049'
down_revision = '0048'
branch_labels = None
depends_on = None

SQLITE_PUBLISHED = "kind || '' = 'document' AND state = 'published'"  # as 0029's
INDEXES = ("ix_search_entry_doc_type", "ix_search_entry_published_type")


def upgrade():
    bind = op.get_bind()
    postgresql = bind.dialect.name == 'postgresql'
    order = f"(doc_type, sort_date DESC{' NULLS LAST' if postgresql else ''}, id DESC)"
    op.execute(f"CREATE INDEX ix_search_entry_doc_type ON search_entry {order}")
    if postgresql:  # the type's index serves; with this one beside it, PostgreSQL ANDed it with the whole title
        return  # index for a word no published order's title holds (167,000 titles, 0.5 s at 1M)
    op.execute(f"CREATE INDEX ix_search_entry_published_type ON search_entry {order} WHERE {SQLITE_PUBLISHED}")
    analyze_indexes(bind, INDEXES)  # as 0045's


def downgrade():
    for name in INDEXES:
        op.execute(f"DROP INDEX IF EXISTS {name}")
