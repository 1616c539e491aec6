"""audit chain: HMAC-SHA256 under the audit key instead of plain SHA-256

Re-hashes every audit event (and the head) with the key from AUDIT_KEY or instance/audit_key, made here when
neither exists yet. Rows that did not verify before keep their stored hash, so `docflow audit verify` still
reports them. Run it with the same instance folder or AUDIT_KEY as the service.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23 12:00:00

"""
import logging

from alembic import context, op
import sqlalchemy as sa

from webapp.services.audit import audit_key, audit_key_source, rehash_chain


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

logger = logging.getLogger('alembic.runtime.migration')


def _has_events(bind):
    return bind.execute(sa.text('SELECT 1 FROM audit_event LIMIT 1')).first() is not None


def _report(rehashed, what):
    logger.info('audit chain: %d events re-hashed %s', rehashed.events, what)
    if rehashed.broken:
        shown = ', '.join(map(str, rehashed.broken[:10])) + (' ...' if len(rehashed.broken) > 10 else '')
        logger.warning('audit chain: %d events did not verify before re-hashing and were left as they were '
                       '(docflow audit verify reports them): %s', len(rehashed.broken), shown)


def upgrade():
    if context.is_offline_mode():
        raise RuntimeError('0007 re-hashes the audit trail with a key: it cannot run as offline SQL')
    bind = op.get_bind()
    if not _has_events(bind):
        return  # nothing to re-hash: the first event will make the key
    rehashed = rehash_chain(bind, old_key=None, new_key=audit_key(create=True))
    _report(rehashed, f'with HMAC-SHA256 under the key in {audit_key_source()}')


def downgrade():
    if context.is_offline_mode():
        raise RuntimeError('0007 re-hashes the audit trail with a key: it cannot run as offline SQL')
    bind = op.get_bind()
    if not _has_events(bind):
        return
    rehashed = rehash_chain(bind, old_key=audit_key(), new_key=None)
    _report(rehashed, 'back to plain SHA-256')
