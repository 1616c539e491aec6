"""bodies: a sort key that orders names by their numbers' values, so that the directory lists «№ 2» before
«№ 10» in keyset pages (issue 14)

Revision ID: 0039
Revises: 0037
Create Date: 2026-11-27 19:50:00

The administration's directory of bodies was sorted by name character by character: at 5,000 bodies «Район № 10»
came before «Район № 2» and «школа № 1000» before «школа № 200». `body.sort_key` holds the name as
`webapp.ru.collation.sort_text` writes it (case-folded, «ё» as «е», numbers padded with zeros to twelve digits),
set by the model with the name; it is compared byte by byte on both engines (PostgreSQL's "C" collation), and
`ix_body_sort_key` gives the directory's pages in that order. The existing names are keyed here with the function
as it is today (copied, so that this migration does not change when the function does).
"""
import re

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0039'
down_revision = '0037'
branch_labels = None
depends_on = None

_NUMBER = re.compile(r"(\d+)")


def _sort_text(text):
    folded = (text or "").casefold().replace("ё", "е")
    return _NUMBER.sub(lambda m: m.group(1).lstrip("0").rjust(12, "0"), folded)


def upgrade():
    op.add_column("body", sa.Column("sort_key", sa.String(600).with_variant(sa.String(600, collation="C"),
                                                                           "postgresql"), nullable=True))
    bind = op.get_bind()
    body = sa.table("body", sa.column("id", sa.Integer), sa.column("name", sa.String),
                    sa.column("sort_key", sa.String))
    rows = bind.execute(sa.select(body.c.id, body.c.name)).all()
    if rows:
        bind.execute(body.update().where(body.c.id == sa.bindparam("body_id")).values(sort_key=sa.bindparam("key")),
                     [{"body_id": row.id, "key": _sort_text(row.name)} for row in rows])
    op.create_index("ix_body_sort_key", "body", ["sort_key", "id"])


def downgrade():
    op.drop_index("ix_body_sort_key", table_name="body")
    op.execute("ALTER TABLE body DROP COLUMN sort_key")  # both engines (SQLite 3.35+), no copy of the table
