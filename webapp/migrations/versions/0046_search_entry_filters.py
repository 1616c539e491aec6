"""search: the entries by status and by document state in result order, and the assignments' entries by deadline,
so that a search filtered by one of them reads those entries, not every hit of its words (issue 14)

Revision ID: 0046
Revises: 0045
Create Date: 2026-11-30 04:00:00

At 1,000,000 assignments an auditor's «обеспечить» among drafts took 3.0 s on PostgreSQL, with deadlines in two
months 2.6 s, among assignments in work 0.27 s: no index held the entries by these columns, so the probe read the
newest entries of all, found few of the filter's, and sent the read to the full-text index, whose 170,000 title
hits were each tested. `ix_search_entry_status` and `ix_search_entry_state` hold the entries of one status, or
of one state not in force, newest first (the probe and the walks read that range, as 0045's do a body's);
`ix_search_entry_deadline` holds the assignments' entries by deadline with their dates, through which
`search._narrow_hits` reads a narrow range's entries and `search._span` a wider one's range of dates.
Written per engine as 0045's; on a SQLite database analysed before, the new indexes are analysed too.
"""
from alembic import op

from webapp.services.routines import analyze_indexes

# revision identifiers, used by Alembic.
revision = '0046'
down_revision = '0045'
branch_labels = None
depends_on = None

INDEXES = {"ix_search_entry_status": "(status, sort_date DESC{nulls}, id DESC) WHERE status IS NOT NULL",
           # the documents not in force only (4,000 entries of 1,200,000 at 1M): a search among the published walks the
           # date order's own indexes, and SQLite's sampled statistics (analysis_limit) would take this one for them
           "ix_search_entry_state": "(state, sort_date DESC{nulls}, id DESC) WHERE state <> 'published'",
           # with each entry's date: the range of dates a range of deadlines falls on is read from it alone
           "ix_search_entry_deadline": "(deadline, sort_date) WHERE deadline IS NOT NULL"}


def upgrade():
    bind = op.get_bind()
    nulls = " NULLS LAST" if bind.dialect.name == 'postgresql' else ""
    for name, columns in INDEXES.items():
        op.execute(f"CREATE INDEX {name} ON search_entry {columns.format(nulls=nulls)}")
    analyze_indexes(bind, INDEXES)  # as 0045's


def downgrade():
    for name in INDEXES:
        op.execute(f"DROP INDEX IF EXISTS {name}")
