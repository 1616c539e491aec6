"""search: the published documents' entries indexed apart, so that a user who does not oversee everything finds
them without walking the assignments' entries (issue 14)

Revision ID: 0029
Revises: 0028
Create Date: 2026-11-27 11:00:00

Such a user's own assignments (and the few documents not published she may read) are read through their ids;
the rest of her hits are published documents, read through these partial indexes (`WHERE kind = 'document' AND
state = 'published'`, on SQLite `kind || ''`, written inline in the service's statements so that both planners
match them): in result
order (`sort_date`), and on PostgreSQL their titles' and texts' full-text indexes (GIN: the title's expression of
`ix_search_entry_title_tsv`; the text's as the expression the generated `tsv` column holds, not the column, so
that the planner cannot take the whole `ix_search_entry_tsv` instead: it did, ANDed with a bitmap of the date
index, 4 s where the partial index took 1 ms). SQLite keeps its FTS5 tables over every entry (an FTS5
table cannot be partial). Built from the rows already there: no reindex is needed. At 1,000,000 assignments on
PostgreSQL (200,000 documents of 1,200,000 entries) the three took 2.1, 8.6 and 24.6 s to build on the loaded
2-core machine (load average 6-10), the table locked against writes meanwhile.
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0029'
down_revision = '0028'
branch_labels = None
depends_on = None

PUBLISHED = "kind = 'document' AND state = 'published'"  # as webapp.services.search writes it
SQLITE_PUBLISHED = "kind || '' = 'document' AND state = 'published'"
TITLE_TSVECTOR = "to_tsvector('simple', title_lexemes)"
TEXT_TSVECTOR = "to_tsvector('simple', lexemes)"  # the generated tsv's expression: only this index matches it


def upgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("CREATE INDEX ix_search_entry_published_date ON search_entry "
                   f"(sort_date DESC NULLS LAST, id DESC) WHERE {PUBLISHED}")
        op.execute(f"CREATE INDEX ix_search_entry_published_title ON search_entry USING gin ({TITLE_TSVECTOR}) "
                   f"WHERE {PUBLISHED}")
        op.execute(f"CREATE INDEX ix_search_entry_published_text ON search_entry USING gin ({TEXT_TSVECTOR}) "
                   f"WHERE {PUBLISHED}")
        return
    # NULL sorts first in SQLite, so last in a descending order: the order of the results without NULLS LAST;
    # kind || '' as the service writes it on SQLite (so that the (kind, object_id) index does not serve it instead)
    op.execute(f"CREATE INDEX ix_search_entry_published_date ON search_entry (sort_date DESC, id DESC) "
               f"WHERE {SQLITE_PUBLISHED}")


def downgrade():
    op.execute("DROP INDEX IF EXISTS ix_search_entry_published_date")
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP INDEX IF EXISTS ix_search_entry_published_text")
        op.execute("DROP INDEX IF EXISTS ix_search_entry_published_title")
