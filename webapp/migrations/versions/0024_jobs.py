"""jobs: the user-visible record of work run outside a request; on PostgreSQL also Procrastinate's queue schema
(issue 14)

Revision ID: 0024
Revises: 0023
Create Date: 2026-11-27 05:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None

#: Procrastinate's tables, types and functions (dropped by the downgrade; its schema.sql creates them)
PROCRASTINATE_TABLES = ("procrastinate_periodic_defers", "procrastinate_events", "procrastinate_jobs",
                        "procrastinate_workers", "procrastinate_version")


def upgrade():
    op.create_table(
        'job',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('owner_id', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=300), nullable=False),
        sa.Column('params', sa.JSON(), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('progress_done', sa.Integer(), nullable=False),
        sa.Column('progress_total', sa.Integer(), nullable=True),
        sa.Column('message', sa.String(length=300), nullable=True),
        sa.Column('error', sa.Text(), nullable=True),
        sa.Column('result_id', sa.Integer(), nullable=True),
        sa.Column('result_name', sa.String(length=300), nullable=True),
        sa.Column('result_type', sa.String(length=200), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("status IN ('queued', 'running', 'done', 'failed')", name=op.f('ck_job_status_valid')),
        sa.ForeignKeyConstraint(['owner_id'], ['user_account.id'], name=op.f('fk_job_owner_id_user_account'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['result_id'], ['stored_file.id'], name=op.f('fk_job_result_id_stored_file'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_job')),
    )
    op.create_index('ix_job_owner', 'job', ['owner_id', 'id'])
    op.create_index('ix_job_status', 'job', ['status', 'id'])
    if op.get_bind().dialect.name == "postgresql":
        from procrastinate.schema import SchemaManager

        # The schema of the Procrastinate version pinned in pyproject.toml; a later version's own SQL migrations
        # (procrastinate/sql/migrations) go into a migration of ours when it is upgraded.
        # through the driver itself: the SQL holds % and : that bound-parameter parsing would misread
        op.get_bind().connection.driver_connection.execute(SchemaManager.get_schema())


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for table in PROCRASTINATE_TABLES:
            op.execute(f"DROP TABLE IF EXISTS {table} CASCADE")
        op.execute("""DO $$ DECLARE r record; BEGIN
            FOR r IN SELECT p.oid::regprocedure AS f FROM pg_proc p
                     WHERE p.proname LIKE 'procrastinate%' AND p.pronamespace = 'public'::regnamespace LOOP
                EXECUTE 'DROP FUNCTION IF EXISTS ' || r.f || ' CASCADE';
            END LOOP;
            FOR r IN SELECT t.typname FROM pg_type t
                     WHERE t.typname LIKE 'procrastinate%' AND t.typnamespace = 'public'::regnamespace
                       AND t.typtype IN ('e', 'c') LOOP
                EXECUTE 'DROP TYPE IF EXISTS ' || quote_ident(r.typname) || ' CASCADE';
            END LOOP; END $$""")
    op.drop_index('ix_job_status', table_name='job')
    op.drop_index('ix_job_owner', table_name='job')
    op.drop_table('job')
