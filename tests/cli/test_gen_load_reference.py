"""docflow gen-load stays the generator it was: for a seed it writes the very rows recorded from the generator before
its fast SQLite path, with the co-executors added since beside them (counts per table and a digest of every
generated table's values, audit hashes included under a fixed key), on either database; and the load leaves SQLite
as a migrated database is (every index and trigger back, its settings restored)."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime

from sqlalchemy import select, text

from webapp.extensions import db

PASSWORD = "Нагрузка-на-сервис-2026"
KEY = "k" * 64  # a fixed audit key: the chain's hashes are part of what is compared
ARGUMENTS = ["gen-load", "--documents", "60", "--assignments", "700", "--bodies", "40", "--users", "50",
             "--big-protocol", "70", "--busy-body", "80", "--seed", "11"]
TABLES = ("body", "user_account", "user_role", "membership", "document", "agenda_item", "point", "point_responsible",
          "assignment", "assignment_coexecutor", "assignment_report", "deadline_change", "audit_event", "audit_head")
# recorded from the generator with co-executors (the rows per table and the digest of them all); the generator at
# 1b7f62e (before the fast path) wrote the same but for them: recorded from 0a21452 (its equal, before co-executors),
# LEADS is the digest of every other table and of each point's lead body
COUNTS = {"body": 40, "user_account": 50, "user_role": 50, "membership": 50, "document": 60, "agenda_item": 3,
          "point": 700, "point_responsible": 847, "assignment": 700, "assignment_coexecutor": 147,
          "assignment_report": 633, "deadline_change": 26, "audit_event": 636, "audit_head": 1}
DIGEST = "ebff805debb33ce1f3c43cb7b1fe19f997ceb10f2c23e9eafcf4cacaf0486f50"
LEADS = "b5727c3dbbf4260841861b70f1fa6fbff7c10ee4a6fd91d1650add5ecc516830"


def _plain(value):
    """One stored value in a form both databases give alike."""
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    return value


DERIVED = ("password_hash", "sort_key", "doc_sort_date")  # left out of the digest (see fingerprint)


def fingerprint(app, tables: tuple[str, ...] = TABLES) -> tuple[dict[str, int], str]:
    """Rows per generated table, and a SHA-256 over every row's values in key order (password hashes left out:
    each is salted anew; a body's sort key too: made from its name, which is in, and checked by
    tests/web/test_admin_bodies_paging.py; and an assignment's copy of its document's date, which is in, checked by
    test_each_assignment_holds_its_document_s_date)."""
    digest = hashlib.sha256()
    counts = {}
    with app.app_context():
        for name in tables:
            table = db.metadata.tables[name]
            rows = db.session.execute(select(table).order_by(*table.primary_key)).all()
            counts[name] = len(rows)
            for row in rows:
                values = [_plain(v) for k, v in row._mapping.items() if k not in DERIVED]
                digest.update(json.dumps([name, values], ensure_ascii=False, sort_keys=True).encode())
    return counts, digest.hexdigest()


def leads_fingerprint(app) -> str:
    """A SHA-256 over every table the co-executors left as it was (all but point_responsible and
    assignment_coexecutor) and over each point's lead body (its responsible at position 0, without the row's id)."""
    _, digest = fingerprint(app, tuple(name for name in TABLES
                                       if name not in ("point_responsible", "assignment_coexecutor")))
    with app.app_context():
        table = db.metadata.tables["point_responsible"]
        leads = db.session.execute(select(table.c.point_id, table.c.body_id).where(table.c.position == 0)
                                   .order_by(table.c.point_id)).all()
    return hashlib.sha256(json.dumps([digest, [list(row) for row in leads]]).encode()).hexdigest()


def test_the_rows_are_those_recorded(app, runner, monkeypatch):
    monkeypatch.setenv("DOCFLOW_PASSWORD", PASSWORD)
    app.config["AUDIT_KEY"] = KEY
    result = runner.invoke(args=ARGUMENTS)
    assert result.exit_code == 0, result.output
    counts, digest = fingerprint(app)
    assert counts == COUNTS
    assert digest == DIGEST, ("gen-load wrote other rows for the seed than the recorded generator. If that is meant "
                              "(a column added to a generated table, a new kind of row), record COUNTS and DIGEST "
                              "again from the generator before your change and say why in the commit")
    assert leads_fingerprint(app) == LEADS, "the co-executors' draws changed rows that were there before them"


def test_each_assignment_holds_its_document_s_date(app, runner, monkeypatch):
    """gen-load writes each assignment's copy of its document's date (migration 0044's trigger would look it up per
    row) as the trigger would: the registration date, else the event date."""
    monkeypatch.setenv("DOCFLOW_PASSWORD", PASSWORD)
    result = runner.invoke(args=ARGUMENTS)
    assert result.exit_code == 0, result.output
    with app.app_context():
        rows = db.session.execute(text(
            "SELECT assignment.doc_sort_date, document.reg_date, document.event_date FROM assignment "
            "JOIN document ON document.id = assignment.document_id")).all()
    assert len(rows) == COUNTS["assignment"]
    assert {row[0] is None for row in rows} == {False}
    assert [_plain(row[0]) for row in rows] == [_plain(row[1] or row[2]) for row in rows]


def _schema(app) -> list:
    """Every index and trigger with its definition (expression and partial indexes too, which SQLAlchemy's
    reflection skips); on PostgreSQL every constraint too, with whether it is validated."""
    with app.app_context():
        sql = ("SELECT type, name, sql FROM sqlite_master WHERE type IN ('index', 'trigger')"
               if db.engine.dialect.name == "sqlite" else
               "SELECT 'index', indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
               "UNION ALL SELECT 'constraint', conrelid::regclass::text || '.' || conname, "
               "pg_get_constraintdef(oid) || CASE WHEN convalidated THEN '' ELSE ' NOT VALID' END "
               "FROM pg_constraint WHERE connamespace = current_schema()::regnamespace")
        return sorted(db.session.execute(text(sql)).all())


def _settings(app) -> dict:
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            return {}
        with db.engine.connect() as conn:
            return {name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()
                    for name in ("journal_mode", "synchronous", "foreign_keys", "ignore_check_constraints",
                                 "cache_size", "temp_store")}


def _entries(app) -> list[tuple]:
    with app.app_context():
        table = db.metadata.tables["search_entry"]
        columns = [column for column in table.columns if column.name != "id"]
        return [tuple(_plain(v) for v in row)
                for row in db.session.execute(select(*columns).order_by(table.c.kind, table.c.object_id))]


def _found(app, words: str, column: str = "lexemes") -> list[int]:
    """The entries the engine's full-text index finds for a word's prefix (FTS5 on SQLite, the tsvector on
    PostgreSQL), by kind and object."""
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            fts = {"lexemes": "search_fts", "title_lexemes": "search_title_fts"}[column]
            sql = (f"SELECT kind, object_id FROM search_entry WHERE id IN "  # noqa: S608
                   f"(SELECT rowid FROM {fts} WHERE {fts} MATCH :words) ORDER BY 1, 2")
            found = db.session.execute(text(sql), {"words": f'"{words}"*'})
        else:
            found = db.session.execute(text(
                f"SELECT kind, object_id FROM search_entry WHERE to_tsvector('simple', {column}) "  # noqa: S608
                "@@ to_tsquery('simple', :words) ORDER BY 1, 2"), {"words": f"{words}:*"})
        return [tuple(row) for row in found]


def test_the_load_leaves_the_schema_and_settings_as_they_were(app, runner, monkeypatch):
    """The indexes and triggers (and PostgreSQL's foreign keys) the load drops for its speed are all back, defined
    as the migrations made them, and the connection's settings are set back."""
    monkeypatch.setenv("DOCFLOW_PASSWORD", PASSWORD)
    schema, settings = _schema(app), _settings(app)
    with app.app_context():
        sqlite = db.engine.dialect.name == "sqlite"
    named = {(kind, name) for kind, name, _ in schema}
    assert ("trigger", "search_entry_ai") in named if sqlite else (
        ("constraint", "assignment.fk_assignment_document_id_document") in named)
    result = runner.invoke(args=[*ARGUMENTS[:-2], "--seed", "12", "--search"])
    assert result.exit_code == 0, result.output
    assert _schema(app) == schema
    assert _settings(app) == settings


def test_the_search_index_written_with_the_load_is_the_one_reindex_writes(app, runner, monkeypatch):
    """gen-load --search writes the entries `docflow search reindex` would write from the stored rows, and the
    full-text index finds the same entries through them (a protocol of 25 points: one agenda item, so that the
    order of its points is the stored one)."""
    monkeypatch.setenv("DOCFLOW_PASSWORD", PASSWORD)
    arguments = ["gen-load", "--documents", "40", "--assignments", "300", "--bodies", "30", "--users", "30",
                 "--big-protocol", "25", "--busy-body", "40", "--seed", "13"]
    assert runner.invoke(args=[*arguments, "--search"]).exit_code == 0
    written = _entries(app)
    found = {word: _found(app, word) for word in ("обеспеч", "мониторинг", "школ", "перенос")}
    titled = _found(app, "провед", "title_lexemes")
    assert len(written) == 340 and all(found.values()) and titled
    result = runner.invoke(args=["search", "reindex"])
    assert result.exit_code == 0, result.output
    assert _entries(app) == written
    assert {word: _found(app, word) for word in found} == found
    assert _found(app, "провед", "title_lexemes") == titled
