"""search: a full-text index of the entries' titles and an index in result order, so a page of hits is read
without sorting every hit (issue 14)

Revision ID: 0025
Revises: 0024
Create Date: 2026-11-27 05:00:00

Title hits rank first: they are found through their own index (SQLite: the FTS5 table `search_title_fts` over
`title_lexemes`, kept by triggers like `search_fts`; PostgreSQL: a GIN index on the expression
`to_tsvector('simple', title_lexemes)`, which the service writes the same way). Within a rank the hits are read
newest first through `ix_search_entry_sort_date` with a LIMIT. The upgrade fills the new FTS5 table from the
entries already there (`rebuild`); PostgreSQL builds its indexes from the rows: no reindex is needed.
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None

TITLE_TSVECTOR = "to_tsvector('simple', title_lexemes)"  # as webapp.services.search writes it


def upgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(f"CREATE INDEX ix_search_entry_title_tsv ON search_entry USING gin ({TITLE_TSVECTOR})")
        op.execute("CREATE INDEX ix_search_entry_sort_date ON search_entry (sort_date DESC NULLS LAST, id DESC)")
        return
    op.execute("CREATE VIRTUAL TABLE search_title_fts USING fts5(title_lexemes, content='search_entry', "
               "content_rowid='id', tokenize='unicode61 remove_diacritics 0')")
    op.execute("CREATE TRIGGER search_entry_title_ai AFTER INSERT ON search_entry BEGIN "
               "INSERT INTO search_title_fts(rowid, title_lexemes) VALUES (new.id, new.title_lexemes); END")
    op.execute("CREATE TRIGGER search_entry_title_ad AFTER DELETE ON search_entry BEGIN "
               "INSERT INTO search_title_fts(search_title_fts, rowid, title_lexemes) "
               "VALUES ('delete', old.id, old.title_lexemes); END")
    op.execute("CREATE TRIGGER search_entry_title_au AFTER UPDATE ON search_entry BEGIN "
               "INSERT INTO search_title_fts(search_title_fts, rowid, title_lexemes) "
               "VALUES ('delete', old.id, old.title_lexemes); "
               "INSERT INTO search_title_fts(rowid, title_lexemes) VALUES (new.id, new.title_lexemes); END")
    op.execute("INSERT INTO search_title_fts(search_title_fts) VALUES ('rebuild')")
    # NULL sorts first in SQLite, so last in a descending order: the order of the results without NULLS LAST
    op.execute("CREATE INDEX ix_search_entry_sort_date ON search_entry (sort_date DESC, id DESC)")


def downgrade():
    op.execute("DROP INDEX IF EXISTS ix_search_entry_sort_date")
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP INDEX IF EXISTS ix_search_entry_title_tsv")
        return
    op.execute("DROP TRIGGER IF EXISTS search_entry_title_au")
    op.execute("DROP TRIGGER IF EXISTS search_entry_title_ad")
    op.execute("DROP TRIGGER IF EXISTS search_entry_title_ai")
    op.execute("DROP TABLE IF EXISTS search_title_fts")
