"""documents not yet published by state: the inbox's and the menu counter's groups that wait for a signature, a
review or an approval find the few documents in such a state (issue 14)

Revision ID: 0030
Revises: 0029
Create Date: 2026-11-27 11:10:00

Without it a head's counter read every document of her scope to find the ones on signing (2,021 documents, 18 ms
at 1,000,000 assignments, on every page she opened), and a generic plan of it read them all. Partial: nearly every
document is published, and a query on its states says `state <> 'published'` or a state PostgreSQL proves is not.
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0030'
down_revision = '0029'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("CREATE INDEX ix_document_unpublished_state ON document (state) WHERE state <> 'published'")


def downgrade():
    op.execute("DROP INDEX ix_document_unpublished_state")
