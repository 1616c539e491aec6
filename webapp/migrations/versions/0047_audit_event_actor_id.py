"""audit: an actor's events by id, so that the audit page filtered by who acted reads that actor's newest events
(issue 14)

Revision ID: 0047
Revises: 0046
Create Date: 2026-11-30 04:30:00

The audit page lists events newest first (by id) in keyset pages. Filtered by who acted, PostgreSQL's generic plan
guessed an actor's events at their average (1,135 at 1,000,000 assignments) and walked the primary key backwards
testing each event's actor: for a user with few events or none it read all 1,026,750 (0.24 s). Its index of
`actor_id` alone keeps an actor's events in no particular order, so it could not serve the page's order.
`ix_audit_event_actor_id` now holds (actor_id, id): an actor's page is one range of it, in order. SQLite's index
of one column already ended in the rowid (the id); it is made the same there.
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0047'
down_revision = '0046'
branch_labels = None
depends_on = None


def upgrade():
    op.drop_index("ix_audit_event_actor_id", table_name="audit_event")
    op.create_index("ix_audit_event_actor_id", "audit_event", ["actor_id", "id"])


def downgrade():
    op.drop_index("ix_audit_event_actor_id", table_name="audit_event")
    op.create_index("ix_audit_event_actor_id", "audit_event", ["actor_id"])
