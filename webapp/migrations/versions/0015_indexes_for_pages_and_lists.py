"""indexes for pages and lists: followed foreign keys, the controller, status/deadline composites, audit objects

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-26 20:05:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

SINGLE = [
    ('body', 'parent_id'), ('membership', 'body_id'), ('document', 'parent_id'), ('document', 'amends_id'),
    ('document', 'issuing_body_id'), ('document', 'author_id'), ('participant', 'body_id'), ('signatory', 'user_id'),
    ('point_responsible', 'body_id'), ('approval_step', 'user_id'), ('acknowledgment', 'user_id'),
    ('notification', 'document_id'), ('assignment', 'controller_id'), ('reminder_log', 'assignment_id'),
]
COMPOSITE = [
    ('ix_assignment_status_deadline', 'assignment', ['status', 'deadline']),
    ('ix_assignment_lead_body_status_deadline', 'assignment', ['lead_body_id', 'status', 'deadline']),
    ('ix_audit_event_object', 'audit_event', ['object_type', 'object_id']),
]


def upgrade():
    for table, column in SINGLE:
        op.create_index(f'ix_{table}_{column}', table, [column])
    for name, table, columns in COMPOSITE:
        op.create_index(name, table, columns)


def downgrade():
    for name, table, _columns in reversed(COMPOSITE):
        op.drop_index(name, table_name=table)
    for table, column in reversed(SINGLE):
        op.drop_index(f'ix_{table}_{column}', table_name=table)
