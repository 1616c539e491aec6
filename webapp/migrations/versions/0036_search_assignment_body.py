"""search: the entries of the assignments a body leads, newest first, so that a member's search reads its first
hits and stops instead of looking up each of the body's assignments (issue 14)

Revision ID: 0036
Revises: 0034
Create Date: 2026-11-27 17:00:00

A user who does not oversee everything has her own assignments' hits read apart from the published documents'
(`search._own_hits`). They were read through their ids: the policy's ids of her assignments, then each one's
entry through `(kind, object_id)` — 5,000 index descents for a school of 5,000 assignments at 1,000,000, whatever
the page (20-40 ms on PostgreSQL, most of a search). `ix_search_entry_assignment_body` holds the assignments'
entries by their lead body (the entry's `body_id`) in result order, so those of the assignments her bodies lead
are one range per body, walked newest first until the page has its hits (`search._Lead`).

The entry's `body_id` is the assignment's lead body when the entry is written; the service rewrites a document's
entries on every change made through it, but a merge of bodies moves assignments to another lead body in bulk
(`bodies.merge_bodies`), and so could any SQL. The trigger `search_entry_assignment_body` keeps the entry's
`body_id` equal to its assignment's lead body whatever writes it, on both engines, and the service still checks
each hit against the policy's own clause on the assignment. Built from the rows already there: no reindex is
needed (an entry written before with another body, if any, is set right here).

Written per engine as the service writes `kind` (`kind || ''` on SQLite, so that the (kind, object_id) index does
not serve it instead, as in 0029).
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0036'
down_revision = '0034'
branch_labels = None
depends_on = None

ASSIGNMENTS = "kind = 'assignment'"  # as webapp.services.search writes it
SQLITE_ASSIGNMENTS = "kind || '' = 'assignment'"
SET_BODY = ("UPDATE search_entry SET body_id = NEW.lead_body_id "
            "WHERE kind = 'assignment' AND object_id = NEW.id")  # through the (kind, object_id) index
STALE = ("UPDATE search_entry SET body_id = (SELECT lead_body_id FROM assignment WHERE assignment.id = "
         "search_entry.object_id) WHERE kind = 'assignment' AND body_id IS DISTINCT FROM (SELECT lead_body_id "
         "FROM assignment WHERE assignment.id = search_entry.object_id)")


def upgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(STALE)
        op.execute("CREATE INDEX ix_search_entry_assignment_body ON search_entry "
                   f"(body_id, sort_date DESC NULLS LAST, id DESC) WHERE {ASSIGNMENTS}")
        op.execute("CREATE FUNCTION search_entry_assignment_body() RETURNS trigger LANGUAGE plpgsql AS $$ "
                   f"BEGIN {SET_BODY}; RETURN NULL; END $$")
        op.execute("CREATE TRIGGER search_entry_assignment_body AFTER UPDATE OF lead_body_id ON assignment "
                   "FOR EACH ROW WHEN (OLD.lead_body_id IS DISTINCT FROM NEW.lead_body_id) "
                   "EXECUTE FUNCTION search_entry_assignment_body()")
        return
    op.execute(STALE.replace("IS DISTINCT FROM", "IS NOT"))
    # NULL sorts first in SQLite, so last in a descending order: the order of the results without NULLS LAST
    op.execute("CREATE INDEX ix_search_entry_assignment_body ON search_entry (body_id, sort_date DESC, id DESC) "
               f"WHERE {SQLITE_ASSIGNMENTS}")
    op.execute("CREATE TRIGGER search_entry_assignment_body AFTER UPDATE OF lead_body_id ON assignment "
               f"WHEN OLD.lead_body_id IS NOT NEW.lead_body_id BEGIN {SET_BODY}; END")


def downgrade():
    op.execute("DROP TRIGGER IF EXISTS search_entry_assignment_body" +
               (" ON assignment" if op.get_bind().dialect.name == 'postgresql' else ""))
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP FUNCTION IF EXISTS search_entry_assignment_body()")
    op.execute("DROP INDEX IF EXISTS ix_search_entry_assignment_body")
