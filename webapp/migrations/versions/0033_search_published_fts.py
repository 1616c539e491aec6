"""search on SQLite: the published documents' titles and texts in full-text tables of their own (issue 14)

Revision ID: 0033
Revises: 0032
Create Date: 2026-11-27 14:20:00

The SQLite twin of migration 0029's partial GIN indexes. A user who does not oversee everything has her hits
among the published documents read apart; when the newest of them lack a common word in their titles («обеспечить»
at 1,000,000 assignments: none), their title hits are read through the full-text index, which on SQLite covered
every entry: FTS5 returned 250,000 titles' rowids to be tested one by one (0.75 s of a school's executor's 0.88 s
search). An FTS5 table cannot be partial, but an external-content one may hold some of the content's rows: these
hold the published documents' entries alone, kept by triggers that fire only for them (`WHEN`), and filled here
from the entries already there. PostgreSQL: nothing (0029's indexes).
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0033'
down_revision = '0032'
branch_labels = None
depends_on = None

PUBLISHED = "kind = 'document' AND state = 'published'"
TABLES = (("search_published_title_fts", "title_lexemes"), ("search_published_fts", "lexemes"))


def _rows(table: str, column: str, who: str) -> tuple[str, str]:
    """The statements a trigger runs to add and to remove `who`'s (new or old) row, if it is a published
    document's."""
    where = " AND ".join(f"{who}.{part}" for part in PUBLISHED.split(" AND "))
    return (f"INSERT INTO {table}(rowid, {column}) SELECT {who}.id, {who}.{column} WHERE {where};",
            f"INSERT INTO {table}({table}, rowid, {column}) SELECT 'delete', {who}.id, {who}.{column} WHERE {where};")


def upgrade():
    if op.get_bind().dialect.name == 'postgresql':
        return
    for table, column in TABLES:
        op.execute(f"CREATE VIRTUAL TABLE {table} USING fts5({column}, content='search_entry', content_rowid='id', "
                   "tokenize='unicode61 remove_diacritics 0')")
        op.execute(f"INSERT INTO {table}(rowid, {column}) "  # noqa: S608 (our names)
                   f"SELECT id, {column} FROM search_entry WHERE {PUBLISHED}")
    inserted = " ".join(_rows(table, column, "new")[0] for table, column in TABLES)
    deleted = " ".join(_rows(table, column, "old")[1] for table, column in TABLES)
    op.execute(f"CREATE TRIGGER search_entry_published_ai AFTER INSERT ON search_entry BEGIN {inserted} END")
    op.execute(f"CREATE TRIGGER search_entry_published_ad AFTER DELETE ON search_entry BEGIN {deleted} END")
    op.execute(f"CREATE TRIGGER search_entry_published_au AFTER UPDATE ON search_entry BEGIN {deleted} {inserted} END")


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        return
    for name in ("search_entry_published_au", "search_entry_published_ad", "search_entry_published_ai"):
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    for table, _column in TABLES:
        op.execute(f"DROP TABLE IF EXISTS {table}")
