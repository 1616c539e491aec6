"""indexes on the links that deletes and visibility look up: point.parent_id, .agenda_item_id, .stage_id,
assignment.point_id, assignment_coexecutor.body_id

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-26 17:00:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

INDEXES = [
    ('point', 'agenda_item_id'), ('point', 'stage_id'), ('point', 'parent_id'),
    ('assignment', 'point_id'), ('assignment_coexecutor', 'body_id'),
]


def upgrade():
    for table, column in INDEXES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(batch_op.f(f'ix_{table}_{column}'), [column], unique=False)


def downgrade():
    for table, column in reversed(INDEXES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f'ix_{table}_{column}'))
