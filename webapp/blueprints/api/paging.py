"""Keyset pagination: a page is the rows after the cursor (the last id of the previous page) in id order, so pages
stay stable while rows are added, and a deep page costs what the first does. Lists whose body stays a plain array
(the overdue summary, the directory's bodies and users) say where the next page is in a `Link` header."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import request, url_for

from webapp.blueprints.api.errors import ApiError
from webapp.extensions import db
from webapp.services import paging
from webapp.services.errors import Invalid

#: The headers of a list whose body is an array, for the OpenAPI document.
NEXT_PAGE_HEADERS = {
    "Link": {"description": 'The next page: `<...&after=CURSOR>; rel="next"` (absent on the last page).',
             "schema": {"type": "string"}},
    "X-Next-Cursor": {"description": "The `after` of the next page (absent on the last page).",
                      "schema": {"type": "string"}}}


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


def next_page_headers(endpoint: str, cursor: str | None) -> dict[str, str]:
    """`Link: <this request's URL with after=cursor>; rel="next"` and `X-Next-Cursor` (none on the last page)."""
    if cursor is None:
        return {}
    link = url_for(endpoint, _external=True, **{k: v for k, v in request.args.items() if k != "after"}, after=cursor)
    return {"Link": f'<{link}>; rel="next"', "X-Next-Cursor": cursor}


def named_list(query, key, id_column, args: dict, present: Callable[[Any], dict], endpoint: str):
    """A page of a list by name (`key`, ties by id) as an array, its cursor the last row's id, the next page in the
    headers; a cursor naming no row is a 422 like a malformed one."""
    try:
        rows, cursor = paging.after_id(query, key, id_column, after=int(args["after"]) if args.get("after") else None,
                                       size=args["limit"])
    except Invalid as error:
        raise ApiError(422, "validation_failed", "Not a cursor returned by this API.",
                       detail={"query": {"after": ["No such row: start again without `after`."]}}) from error
    return [present(row) for row in rows], 200, next_page_headers(endpoint, None if cursor is None else str(cursor))
