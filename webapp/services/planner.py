"""Hints to the databases' planners, written as SQL: where a sampled statistic makes one take the wrong index."""

from __future__ import annotations

from sqlalchemy import Boolean, Integer, literal_column, true
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import UnaryExpression

from webapp.extensions import db
from webapp.services.paging import Sort


def written(value, type_):
    """A value the service's own code gives (a state, a status, a type's name, the calendar's day) written into the
    statement itself, not bound as a parameter: PostgreSQL plans a constant it can see from its statistics, also in
    the generic plan it keeps for a prepared statement (with a parameter it knows neither a status nor a date range:
    it planned the menu's counter anew on every page, and took the calendar's year of deadlines for a few hundred
    rows), and an expanding parameter is written into the text anew on every execution. Never for what a user
    typed."""
    return literal_column("'" + str(value).replace("'", "''") + "'", type_)


def unindexed(*terms, everywhere: bool = False) -> list:
    """`terms` as SQLite's planner takes no index of (unary +, SQLite's own way to say so), each as one term; as
    they are on PostgreSQL. With its sampled statistics (ANALYZE of 1,000 rows an index) SQLite takes a term's
    index for a few thousand rows where a status or a document type is asked — and read 830,000 «Исполнено» to find
    a school's assignments, or every protocol to count the few awaiting a signature; the statement's rows are read
    through the index that finds them (a body's, a controller's, a state's) instead.

    `everywhere`: on PostgreSQL too, as `(term) IS true`, which no index serves (the same rows pass): a walk in
    date order that tests each entry's deadline, which PostgreSQL read instead through the deadline index, the
    whole range at once, and sorted (search._count_and_read)."""
    if db.engine.dialect.name != "sqlite":
        return [term.self_group().is_(true()) for term in terms] if everywhere else list(terms)
    return [UnaryExpression(term.self_group(), operator=operators.custom_op("+"), type_=Boolean) for term in terms]


def unordered(sort: Sort) -> Sort:
    """`sort` by a key of the same values, in the same order, that no index gives (an id or a date plus nothing,
    SQLite's unary + on a date, a text joined to nothing): the rows of a part ordered by it are found through the
    index that finds them and sorted — never by walking the order's own index and dropping the rows of everyone
    else, which both planners do when they expect the part's rows to come soon in that order. For a part whose
    rows are few (a user's co-executed assignments, one body's newest) and sparse in the order (spread over the
    whole organisation's years)."""
    key = sort.key
    if db.engine.dialect.name == "sqlite" and sort.kind != "int":
        key = UnaryExpression(key.self_group(), operator=operators.custom_op("+"), type_=key.type)
    elif sort.kind == "str":
        key = key.concat(literal_column("''"))
    else:
        key = key + literal_column("0", Integer)
    return Sort(key, sort.kind, sort.descending)
