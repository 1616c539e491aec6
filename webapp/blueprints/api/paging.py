"""Keyset pagination: a page is the rows after the cursor (the last id of the previous page) in id order, so pages
stay stable while rows are added, and a deep page costs what the first does."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from webapp.extensions import db


def keyset_page(query, id_column, args: dict, present: Callable[[Any], dict], newest_first: bool = False) -> dict:
    limit = args["limit"]
    if args.get("after"):
        after = int(args["after"])
        query = query.where(id_column < after if newest_first else id_column > after)
    query = query.order_by(id_column.desc() if newest_first else id_column).limit(limit + 1)
    rows = list(db.session.scalars(query))
    more = len(rows) > limit
    rows = rows[:limit]
    return {"items": [present(row) for row in rows], "next_cursor": str(rows[-1].id) if more else None}
