"""Hints to the databases' planners, written as SQL: where a sampled statistic makes one take the wrong index."""

from __future__ import annotations

from sqlalchemy import Boolean
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import UnaryExpression

from webapp.extensions import db


def unindexed(*terms) -> list:
    """`terms` as SQLite's planner takes no index of (unary +, SQLite's own way to say so), each as one term; as
    they are on PostgreSQL. With its sampled statistics (ANALYZE of 1,000 rows an index) SQLite takes a term's
    index for a few thousand rows where a status or a document type is asked — and read 830,000 «Исполнено» to find
    a school's assignments, or every protocol to count the few awaiting a signature; the statement's rows are read
    through the index that finds them (a body's, a controller's, a state's) instead."""
    if db.engine.dialect.name != "sqlite":
        return list(terms)
    return [UnaryExpression(term.self_group(), operator=operators.custom_op("+"), type_=Boolean) for term in terms]
