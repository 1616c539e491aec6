"""search index: an entry per document and assignment; FTS5 on SQLite, tsvector + GIN on PostgreSQL

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-26 19:40:00

Entries are filled by the service (`docflow search reindex` for what existed before this revision; `docflow serve`
runs it when the index is empty and documents are not).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'search_entry',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('object_id', sa.Integer(), nullable=False),
        sa.Column('document_id', sa.Integer(), nullable=False),
        sa.Column('doc_type', sa.String(length=20), nullable=False),
        sa.Column('state', sa.String(length=40), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=True),
        sa.Column('body_id', sa.Integer(), nullable=True),
        sa.Column('year', sa.Integer(), nullable=True),
        sa.Column('sort_date', sa.Date(), nullable=True),
        sa.Column('deadline', sa.Date(), nullable=True),
        sa.Column('title', sa.Text(), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('title_lexemes', sa.Text(), nullable=False),
        sa.Column('lexemes', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['document_id'], ['document.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('kind', 'object_id'),
    )
    op.create_index('ix_search_entry_document_id', 'search_entry', ['document_id'])
    if op.get_bind().dialect.name == 'postgresql':
        # 'simple': the lexemes are stemmed by the service already; the configuration only splits and lower-cases
        op.execute("ALTER TABLE search_entry ADD COLUMN tsv tsvector "
                   "GENERATED ALWAYS AS (to_tsvector('simple', lexemes)) STORED")
        op.execute("CREATE INDEX ix_search_entry_tsv ON search_entry USING gin (tsv)")
    else:
        # remove_diacritics 0: «й» stays «й», as PostgreSQL's 'simple' keeps it
        op.execute("CREATE VIRTUAL TABLE search_fts USING fts5(lexemes, content='search_entry', "
                   "content_rowid='id', tokenize='unicode61 remove_diacritics 0')")
        op.execute("CREATE TRIGGER search_entry_ai AFTER INSERT ON search_entry BEGIN "
                   "INSERT INTO search_fts(rowid, lexemes) VALUES (new.id, new.lexemes); END")
        op.execute("CREATE TRIGGER search_entry_ad AFTER DELETE ON search_entry BEGIN "
                   "INSERT INTO search_fts(search_fts, rowid, lexemes) VALUES ('delete', old.id, old.lexemes); END")
        op.execute("CREATE TRIGGER search_entry_au AFTER UPDATE ON search_entry BEGIN "
                   "INSERT INTO search_fts(search_fts, rowid, lexemes) VALUES ('delete', old.id, old.lexemes); "
                   "INSERT INTO search_fts(rowid, lexemes) VALUES (new.id, new.lexemes); END")


def downgrade():
    if op.get_bind().dialect.name != 'postgresql':
        op.execute("DROP TRIGGER IF EXISTS search_entry_au")
        op.execute("DROP TRIGGER IF EXISTS search_entry_ad")
        op.execute("DROP TRIGGER IF EXISTS search_entry_ai")
        op.execute("DROP TABLE IF EXISTS search_fts")
    op.drop_index('ix_search_entry_document_id', table_name='search_entry')
    op.drop_table('search_entry')
