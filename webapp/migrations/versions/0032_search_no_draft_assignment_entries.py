"""the search index keeps no entries of draft documents' assignments (issue 14)

Revision ID: 0032
Revises: 0031
Create Date: 2026-11-27 14:00:00

A draft's assignments have no page until the document is published, so they were never hits (the search skipped
them entry by entry); the draft's own entry holds their words. But their entries lay among the newest, since
drafts are the newest documents, and every read in date order passed them: at 1,000,000 assignments the 19,705
newest entries but 4,000 were draft assignments', most of the auditor's walk to the first title hit of
«обеспечить». The service no longer writes them (search._entries); this deletes those already there (on SQLite
the full-text tables follow through their triggers). Publishing a document rebuilds its entries, its assignments'
among them, in the same transaction.
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0032'
down_revision = '0031'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("DELETE FROM search_entry WHERE kind = 'assignment' AND status = 'draft'")


def downgrade():
    # nothing to put back: the code before this revision skipped these entries in every read, and `docflow search
    # reindex` under it writes them again if wanted
    pass
