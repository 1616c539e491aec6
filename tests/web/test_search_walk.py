"""Search's reads in date order test each entry's own stored lexemes (issue 14), and the index holds no entries of
a draft's assignments.

A walk (the sort_date index read newest first, each entry tested until the page is full) used to ask the full-text
index for every match first (SQLite: `id IN (SELECT rowid FROM search_fts WHERE … MATCH …)`, 400,000 rowids put
into a temporary index per statement for «обеспечить» at 1M), or computed each title's tsvector (PostgreSQL). Now
it tests « term» in the entry's space-separated lexemes: the same answer as the index (a term matches a lexeme's
start, never its middle), which these tests check through the pages on both databases."""

from __future__ import annotations

import pytest
from sqlalchemy import event, select, text

from tests.web.test_api import _ok, as_user, publish_order  # noqa: F401 (a fixture)
from tests.web.test_search import DEMO_PASSWORD, _hits
from tests.web.test_search_bounded import _expected, mode  # noqa: F401 (a fixture)
from webapp.extensions import db
from webapp.models import Assignment, SearchEntry
from webapp.ru.search_terms import matches_all, query_terms
from webapp.services import search

# stems that other lexemes hold in their middle («разработк», «инфраструктур», «переподготовк», «администрац»):
# a test of a substring anywhere would find those too; «приказ» begins documents' titles (their first lexeme)
INSIDE = ["работа", "структура", "подготовка", "министр"]
FIRST = ["приказ"]


def _entries(app) -> list[SearchEntry]:
    with app.app_context():
        entries = db.session.scalars(select(SearchEntry)).all()
        db.session.expunge_all()
        return entries


@pytest.mark.parametrize("login", ["auditor", "executor"])
def test_a_term_matches_a_lexemes_start_only(demo_app, client, auth, monkeypatch, mode, login):  # noqa: F811
    entries = _entries(demo_app)
    for query in INSIDE:  # each is somewhere inside a lexeme of an entry it must not find
        term, = query_terms(query)
        assert any(term in word[1:] for e in entries if not matches_all(e.lexemes, [term])
                   for word in e.lexemes.split()), query
    for query in FIRST:  # and a title whose first lexeme it is
        assert any(e.title_lexemes.startswith(query_terms(query)[0]) for e in entries), query
    monkeypatch.setattr(search, "PAGE_SIZE", 4)  # pages that split the title hits from the others
    auth.login(login, DEMO_PASSWORD)
    for query in INSIDE + FIRST:
        expected = _expected(demo_app, login, query)
        assert expected, query
        assert _hits(client, query) == expected, query


def test_a_walk_reads_no_full_text_index(demo_app, client, auth, monkeypatch):
    """Every read in date order (the probe, the count, both tiers, the executor's own objects): no statement reads
    the FTS5 tables or computes a tsvector; the hits are still every hit in order."""
    monkeypatch.setattr(search, "PROBE", 3)
    monkeypatch.setattr(search, "DENSE", 0)
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_args):
        statements.append(statement)

    for login in ("auditor", "executor"):
        auth.login(login, DEMO_PASSWORD)
        with demo_app.app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute", seen)
        try:
            hits = _hits(client, "обеспечить")
        finally:
            event.remove(engine, "before_cursor_execute", seen)
        assert hits == _expected(demo_app, login, "обеспечить") and hits
        searched = [s for s in statements if "search_entry" in s]
        assert searched
        assert not [s for s in searched if "search_fts" in s or "search_title_fts" in s or "to_tsvector" in s]
        statements.clear()
        auth.logout()


def test_a_drafts_assignments_have_no_entries_until_it_is_published(demo_app, as_user, runner):  # noqa: F811
    """The demo's draft has assignments, without entries; `docflow search reindex` writes none either; an order
    published through the API gets its assignment's entry, which the executor finds."""
    def draft_entries() -> tuple[list[int], list]:
        with demo_app.app_context():
            drafts = db.session.scalars(select(Assignment.id).where(Assignment.status == "draft")).all()
            return drafts, db.session.scalars(select(SearchEntry.object_id).where(
                SearchEntry.kind == "assignment", SearchEntry.object_id.in_(drafts))).all()

    drafts, entries = draft_entries()
    assert drafts and entries == []
    assert runner.invoke(args=["search", "reindex"]).exit_code == 0
    assert draft_entries() == (drafts, [])
    published = publish_order(as_user)
    found = _ok(as_user("executor").get("/search?q=Разработать план методической работы"))["hits"]
    assert published["assignment"] in [hit["assignment_id"] for hit in found]


def test_migration_0032_deletes_the_draft_assignments_entries(demo_app, client, auth):
    """An index written before 0032 held a draft's assignments' entries: the upgrade deletes them (on SQLite its
    full-text tables follow) and leaves every other entry."""
    from flask_migrate import downgrade, upgrade

    with demo_app.app_context():
        downgrade(revision="0031")
        draft = db.session.scalars(select(Assignment).where(Assignment.status == "draft")).first()
        kept = db.session.scalar(select(text("count(*)")).select_from(SearchEntry))
        db.session.execute(text(
            "INSERT INTO search_entry (kind, object_id, document_id, doc_type, state, status, title, text, "
            "title_lexemes, lexemes) VALUES ('assignment', :id, :document, 'order', 'draft', 'draft', "
            "'Черновое', 'Черновое', 'чернов', 'чернов')"), {"id": draft.id, "document": draft.document_id})
        db.session.commit()
        assert _indexed(db.session, "чернов") == 1
        db.session.rollback()  # (its read snapshot)
        upgrade()
        assert _indexed(db.session, "чернов") == 0
        assert db.session.scalar(select(text("count(*)")).select_from(SearchEntry)) == kept
    auth.login("auditor", DEMO_PASSWORD)
    assert _hits(client, "обеспечить") == _expected(demo_app, "auditor", "обеспечить")


def _indexed(session, word: str) -> int:
    """The entries the engine's own full-text index finds for a word."""
    if session.get_bind().dialect.name == "sqlite":
        return session.scalar(text("SELECT count(*) FROM search_fts WHERE search_fts MATCH :w"), {"w": f'"{word}"*'})
    return session.scalar(text("SELECT count(*) FROM search_entry WHERE tsv @@ to_tsquery('simple', :w)"),
                          {"w": f"{word}:*"})


def test_a_walked_count_reads_newest_first(demo_app, client, auth, monkeypatch):
    """The count of a common word's hits walks the sort_date index newest first, where the probe found the words:
    in no order both engines read the table from its oldest rows (SQLite: «2026» at 1M, 1.9 s to its 1,001st
    hit). The count is the same either way; this checks the statement and, on SQLite, its plan."""
    monkeypatch.setattr(search, "PROBE", 3)
    monkeypatch.setattr(search, "DENSE", 0)
    counts: list[tuple[str, object]] = []

    def seen(_conn, _cursor, statement, parameters, *_args):
        if statement.startswith("SELECT count(*)") and "search_entry" in statement:
            counts.append((statement, parameters))

    auth.login("auditor", DEMO_PASSWORD)
    with demo_app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", seen)
    try:
        assert _hits(client, "обеспечить") == _expected(demo_app, "auditor", "обеспечить")
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    (statement, parameters), = [(s, p) for s, p in counts if "LIMIT" in s]  # the count to WINDOW + 1
    assert "ORDER BY search_entry.sort_date DESC" in statement, statement
    if engine.dialect.name == "sqlite":
        with engine.connect() as connection:
            found = " | ".join(row[-1] for row in connection.exec_driver_sql(
                f"EXPLAIN QUERY PLAN {statement}", parameters))
        assert "ix_search_entry_sort_date" in found and "TEMP B-TREE" not in found, found


def test_a_number_is_looked_up_through_its_index(demo_app):
    """A query that looks like a registration number opens the documents numbered so through migration 0034's index
    of lower(number) (every document was read: 0.7 s on SQLite at 1M), in any case (tests/web/test_search.py opens
    it through HTTP)."""
    from tests.web.test_query_plans import plan
    from webapp.models import Document, User

    with demo_app.app_context():
        numbered = db.session.scalars(select(Document).where(Document.number.is_not(None))).first()
        auditor = db.session.scalar(select(User).where(User.login == "auditor"))
        found = plan(search._numbered(auditor, numbered.number.upper()))
        assert [d.id for d in search.documents_numbered(auditor, numbered.number.upper())] == [numbered.id]
    assert "ix_document_number_lower" in found, found
