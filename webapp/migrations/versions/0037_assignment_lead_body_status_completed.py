"""the dashboard's year of a department reads its rows that can be open at the first month end, not every one of
its assignments (issue 14)

Revision ID: 0037
Revises: 0038
Create Date: 2026-11-27 20:50:00

The dashboard «на дату» of a department (its figures and its 12-month trend, one statement: `dashboard._year_rows`)
needs the department's assignments not closed at the first month end: the open or cancelled ones, and those
accepted after that day (`dashboard._open_at`). With `ix_assignment_lead_body_status_deadline` alone the second
part read each done assignment of the department: 10,102 rows read at 1,000,000 assignments for 1,974 kept.
`(lead_body_id, status, completed_on)` holds both parts as ranges on both engines (the status a bound parameter;
a partial index on `status = 'done'` would need the value written into the statement, and SQLite did not choose
it). After 0038 (written after it, numbered before it: the numbers were handed out before the order was known).

On SQLite the index gets its statistics here, as 0038's do (the nightly `routines.analyze` samples it later).
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0037'
down_revision = '0038'
branch_labels = None
depends_on = None

INDEX = "ix_assignment_lead_body_status_completed"


def upgrade():
    op.create_index(INDEX, 'assignment', ['lead_body_id', 'status', 'completed_on'])
    if op.get_bind().dialect.name == 'sqlite':
        op.execute("PRAGMA analysis_limit=1000")  # webapp.services.routines.ANALYSIS_LIMIT
        op.execute(f"ANALYZE {INDEX}")


def downgrade():
    op.drop_index(INDEX, table_name='assignment')
