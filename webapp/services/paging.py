"""Keyset pages of a list in a chosen order: a page is the rows after the cursor, which holds the last row's sort key
and id, so a page stays put when rows are added before it and page 500 costs what page 1 does."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import (
    Column,
    Integer,
    and_,
    bindparam,
    cast,
    false,
    literal_column,
    null,
    or_,
    select,
    union,
    union_all,
)

from webapp.extensions import db
from webapp.services.errors import Invalid

PAGE_SIZES = (25, 50, 100)
DEFAULT_SIZE = 50
PARSERS: dict[str, Callable[[str], Any]] = {"date": date.fromisoformat, "int": int, "str": str}


@dataclass(frozen=True)
class Sort:
    """One order of a list: a SQL expression (NULLs always last) and how its cursor text reads back."""

    key: Any
    kind: str = "int"  #: date, int or str
    descending: bool = False

    def reversed(self) -> Sort:
        return Sort(self.key, self.kind, not self.descending)


@dataclass(frozen=True)
class Sorted:
    """A branch (prepared_keyset's `branches`) whose rows are read in an order of their own, `sort`: the page's order
    as no index gives it (planner.unordered), so that its few rows are found through the index that finds them and
    sorted."""

    where: Any
    sort: Sort


def newest(id_column) -> Sort:
    """Newest first: the order of journals (notifications, the audit), whose ids grow with time."""
    return Sort(id_column, "int", descending=True)


@dataclass
class Page:
    rows: list
    after: str | None  #: the next page's cursor; None on the last page


def page_size(size: int | None) -> int:
    """A size the user may choose (25, 50 or 100); anything else is the default."""
    return size if size in PAGE_SIZES else DEFAULT_SIZE


def choose(sorts: dict[str, Sort], name: str | None, default: str) -> tuple[str, Sort]:
    """The sort a URL names: «deadline» in its own direction, «-deadline» the other way; unknown: the default."""
    name = name or default
    base = name.removeprefix("-")
    if base not in sorts:
        name, base = default, default.removeprefix("-")
    sort = sorts[base]
    return name, sort.reversed() if name.startswith("-") else sort


def _encode(value: Any, identity: int) -> str:
    if value is None:
        return f"n_{identity}"
    return f"v{value.isoformat() if isinstance(value, date) else value}_{identity}"


def _decode(cursor: str, kind: str, message: str) -> tuple[Any, int]:
    try:
        text, _, identity = cursor.rpartition("_")
        identity = int(identity)
        if text == "n":
            return None, identity
        if not text.startswith("v"):
            raise ValueError(cursor)
        return PARSERS[kind](text[1:]), identity
    except ValueError as error:
        raise Invalid(message) from error


#: The named parameters of a prepared page's cursor (prepared_keyset): the last row's sort key and id
AFTER_KEY, AFTER_ID = "after_key", "after_id"
MESSAGE = "Неверная ссылка на страницу списка: откройте список заново."


def keyset_query(query, sort: Sort, id_column, *, after: str | None, size: int, message: str = MESSAGE):
    """The select of one keyset page (and one row more, which tells whether there is a next page)."""
    return _keyset(query, sort, id_column, _decode(after, sort.kind, message) if after else None, size)


def _keyset(query, sort: Sort, id_column, position: tuple | None, size: int):
    """keyset_query after `position` (the last row's sort key and id: values or parameters), None: the first."""
    key, descending = sort.key, sort.descending
    by_id = key is id_column  # a journal newest first: ordered and continued by its primary key alone
    if position:
        value, identity = position
        next_id = id_column < identity if descending else id_column > identity
        if by_id:
            query = query.where(next_id)
        elif value is None:
            query = query.where(key.is_(None), next_id)
        else:
            beyond = key < value if descending else key > value
            query = query.where(or_(beyond, and_(key == value, next_id), key.is_(None)))
    if by_id:  # no NULLS LAST: with it neither database reads the primary key's index backwards, both sort
        order = [id_column.desc() if descending else id_column.asc()]
    else:
        order = [key.desc().nulls_last() if descending else key.asc().nulls_last(),
                 id_column.desc() if descending else id_column.asc()]
    return query.add_columns(key).order_by(*order).limit(page_size(size) + 1)


def keyset(query, sort: Sort, id_column, *, after: str | None, size: int, message: str = MESSAGE) -> Page:
    """One page of `query` (a select of one entity) in `sort`'s order, ties broken by id; Invalid with `message`
    for a cursor that was not made here."""
    return page_of(keyset_query(query, sort, id_column, after=after, size=size, message=message), size)


def page_of(statement, size: int, values: dict | None = None, items: Callable[[list], list] | None = None) -> Page:
    """The page a keyset_query or prepared_keyset statement reads, its parameters given `values`; `items` makes
    the page's items (each with an `id`) of its rows, whose last column is the sort key (by default each row's
    first column, an entity)."""
    size = page_size(size)
    rows = db.session.execute(statement, values or {}).all()
    more = len(rows) > size
    rows = rows[:size]
    shown = items(rows) if items else [row[0] for row in rows]
    cursor = _encode(rows[-1][-1], shown[-1].id) if more else None
    return Page(shown, cursor)


def cursor_of(after: str | None, sort: Sort, message: str = MESSAGE) -> tuple[str | None, dict]:
    """What a prepared_keyset statement needs of a page's cursor: its kind (None: the first page; «null»: after a
    row without the sort key; «value») and the values of its parameters. Invalid with `message` for a cursor that
    was not made here."""
    if not after:
        return None, {}
    value, identity = _decode(after, sort.kind, message)
    return ("null", {AFTER_ID: identity}) if value is None else ("value", {AFTER_KEY: value, AFTER_ID: identity})


def prepared_keyset(query, sort: Sort, id_column, *, cursor: str | None, size: int, branches: list | None = None,
                    rows=None, parts: Callable[[tuple | None], list] | None = None, rows_sort: Sort | None = None,
                    ranged: bool = True):
    """keyset_query (of the rows where any of `branches` holds, found one branch at a time: _firsts; or of the rows
    `parts` finds) whose cursor is the named parameters AFTER_KEY and AFTER_ID, for a cursor of the kind cursor_of
    names: a statement that SQLAlchemy builds, keys and compiles once, run with each page's values (page_of).
    `parts`: given the cursor's position (parameters, or None on the first page), selects of (id, key) each of which
    is the first size + 1 rows after it of a part of the rows in the page's order (first_rows), read as the caller
    knows how (an order an index walks group by group): the page's rows are the first of their union (merged).
    `ranged`: each branch's rows with a key and without one read apart (_ranged_firsts) — not for a branch whose
    own index must find its rows (SQLite, given a range of the key, reads it instead)."""
    position = None
    if cursor:
        identity = bindparam(AFTER_ID, type_=id_column.type)
        position = (None if cursor == "null" else bindparam(AFTER_KEY, type_=sort.key.type), identity)
    if parts is not None:
        query = merged(query, parts(position), sort, id_column, size)
    elif branches is not None:
        query = _firsts(query, branches, sort, id_column, position, size, rows, rows_sort, ranged)
    return _keyset(query, sort, id_column, position, size)


def first_rows(rows, sort: Sort, id_column, position: tuple | None, size: int):
    """The first size + 1 rows of `rows` (a select) after `position` in `sort`'s order, as a select of (id, key):
    a part of a page that merged() puts together."""
    return _keyset(rows, sort, id_column, position, size).with_only_columns(id_column.label("id"),
                                                                            sort.key.label("key"))


def merged(query, parts: list, sort: Sort, id_column, size: int):
    """`query` narrowed to the first size + 1 (in `sort`'s order) of the rows that `parts` select, each a select of
    (id, key) of the first size + 1 rows of a part after the cursor (first_rows): a row of two parts once (the union
    is by id and key). _keyset() of the result joins and orders only those."""
    if not parts:
        return query.where(false())
    subqueries = [part.subquery() for part in parts]
    union_ = union(*(select(part.c.id, part.c.key) for part in subqueries)).subquery()
    key, identity = (union_.c.key.desc(), union_.c.id.desc()) if sort.descending \
        else (union_.c.key.asc(), union_.c.id.asc())
    return query.where(id_column.in_(select(union_.c.id).order_by(key.nulls_last(), identity)
                                     .limit(page_size(size) + 1)))


def ranked(groups: list[tuple[int, Any]], rows: Callable[[Any], Any], id_column, *, descending: bool,
           from_rank: int | None, position: tuple | None, size: int) -> list:
    """Parts of a page (merged) in an order of groups whose ranks are known before any row is read (a status's, a
    document type's), each group's rows by id: for each (rank, group) of `groups` in the page's direction, the first
    size + 1 rows of `rows(group)` (a select with the group's condition) by id, as (id, key) with the rank as key —
    the groups ranked before the cursor's (`from_rank`, a number: the statement differs with it) left out, the
    cursor's own read after its id (`position`'s). The rank is never NULL: a cursor after a NULL finds nothing."""
    if position is not None and from_rank is None:
        return []
    limit = page_size(size) + 1
    identity = id_column.desc() if descending else id_column.asc()
    parts = []
    for rank, group in sorted(groups, key=lambda item: item[0], reverse=descending):
        if from_rank is not None and (rank > from_rank if descending else rank < from_rank):
            continue
        part = rows(group)
        if position is not None and rank == from_rank:
            part = part.where(id_column < position[1] if descending else id_column > position[1])
        parts.append(part.with_only_columns(id_column.label("id"), literal_column(str(rank), Integer).label("key"))
                     .order_by(identity).limit(limit))
    return parts


def keyed_apart(rows, sort: Sort, id_column, position: tuple | None, size: int, order=None,
                ties_apart: bool = False) -> list:
    """The first size + 1 rows of `rows` after `position` in `sort`'s order (NULLS LAST), as two parts (merged puts
    them together): those with a key — after a cursor with a key, a range of the key's index from it (`key >=
    value`, then the ties' ids) — in `order` (the key's direction written as its index reads it; by default plain
    ascending or descending), then those without one by id (after a cursor without a key, only those). As one
    order, «NULLS LAST» one way is no index's, and the cursor's «after it, or no key» is one OR no index range
    starts at. `ties_apart` (a key of a few values, each shared by many rows, with an index of (key, id)): after a
    cursor, the rows of its key after its id and those of the keys beyond are two parts, each one range of that
    index — from `key >= value` the rows of the cursor's key before it were read and dropped."""
    key = sort.key
    order = (key.desc() if sort.descending else key.asc()) if order is None else order
    identity = id_column.desc() if sort.descending else id_column.asc()
    limit = page_size(size) + 1
    parts = []
    if position is None or position[0] is not None:
        keyed = rows.where(key.is_not(None)).with_only_columns(id_column.label("id"), key.label("key"))
        if position is not None:
            value, after = position
            if ties_apart:
                parts.append(keyed.where(key == value, id_column < after if sort.descending else id_column > after)
                             .order_by(identity).limit(limit))
                keyed = keyed.where(key < value if sort.descending else key > value)
            else:
                keyed = keyed.where(key <= value, or_(key < value, id_column < after)) if sort.descending \
                    else keyed.where(key >= value, or_(key > value, id_column > after))
        parts.append(keyed.order_by(order, identity).limit(limit))
    keyless = rows.where(key.is_(None))
    if position is not None and position[0] is None:
        keyless = keyless.where(id_column < position[1] if sort.descending else id_column > position[1])
    # ordered by the (NULL) key too: so that PostgreSQL reads them from the key's index in id order where it can (by
    # id alone it walked the primary key and dropped the rows with a key first)
    parts.append(keyless.with_only_columns(id_column.label("id"), cast(null(), key.type).label("key"))
                 .order_by(order, identity).limit(limit))
    return parts


def _ranged_firsts(rows, sort: Sort, id_column, position: tuple | None, size: int):
    """first_rows of `rows` where its sort key is a column, read as keyed_apart's two parts (one union): after a
    row with a key, those with a key after it are a range of the key's index; newest first, those with a key are
    its index read backwards (DESC NULLS LAST is no index's order: PostgreSQL sorted every row the auditor may read,
    0.3-1 s at 1M). The one OR of _keyset has no range an index can start at: PostgreSQL walked the key's index
    from its first entry to the cursor — at 1M the auditor's «Поручения» after a cursor in January 2026 read every
    row before it (open ones 1.4 s, every status 380 ms)."""
    key = sort.key
    if key is id_column or not isinstance(getattr(key, "expression", None), Column) \
            or (position is None and not sort.descending) or (position is not None and position[0] is None):
        return first_rows(rows, sort, id_column, position, size)
    parts = [part.subquery() for part in keyed_apart(rows, sort, id_column, position, size)]
    return union_all(*(select(part.c.id, part.c.key) for part in parts))


def _firsts(query, branches: list, sort: Sort, id_column, position: tuple | None, size: int, rows=None,
            rows_sort: Sort | None = None, ranged: bool = True):
    """`query` narrowed to the rows of its next keyset page where any of `branches` (WHERE clauses) holds, found
    one branch at a time: an OR of clauses served by different indexes has no index to walk in the page's order
    (PostgreSQL walks the sort column's and drops every row of the others), while each branch alone is one index
    range read to its first size + 1 rows after the cursor. The first size + 1 of their union are the page's
    (merged). `rows`: the select each branch narrows when it is not `query` itself (the page's conditions without
    the joins that only bring the page's columns); `rows_sort`: `sort` as `rows` compute its key, when they do it
    otherwise than `query` (a look-up by key where `query` joins); a branch given as Sorted, in its own order."""
    rows = query if rows is None else rows
    firsts = _ranged_firsts if ranged else first_rows
    return merged(query, [first_rows(rows.where(branch.where), branch.sort, id_column, position, size)
                          if isinstance(branch, Sorted) else
                          firsts(rows.where(branch), rows_sort or sort, id_column, position, size)
                          for branch in branches], sort, id_column, size)


def after_id(query, key, id_column, *, after: int | None, size: int,
             message: str = "Неверная ссылка на страницу списка: откройте список заново.") -> tuple[list, int | None]:
    """One page of `query` (a select of one entity) in the order of `key`, a column that is never NULL (a name),
    ties broken by id, whose cursor is the id of the last row shown — a number, for programs that carry it in a
    header: (the rows, the next page's cursor or None). Invalid with `message` for an id that names no row."""
    if after is not None:
        value = db.session.scalar(select(key).where(id_column == after))
        if value is None:
            raise Invalid(message)
        query = query.where(or_(key > value, and_(key == value, id_column > after)))
    rows = list(db.session.scalars(query.order_by(key, id_column).limit(size + 1)))
    return rows[:size], rows[size - 1].id if len(rows) > size else None
