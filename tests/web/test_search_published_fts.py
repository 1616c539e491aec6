"""SQLite's full-text tables of the published documents alone (migration 0033, issue 14): the twin of migration
0029's partial GIN indexes, kept by triggers that fire for a published document's entry only. A user who does not
oversee everything has the published documents' title hits read through them (through `search_title_fts`, every
entry's title hit was tested: 250,000 for «обеспечить» at 1M)."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from tests.web.test_api import as_user, publish_order  # noqa: F401 (a fixture)
from tests.web.test_query_plans import plan
from tests.web.test_search import DEMO_PASSWORD, _hits
from tests.web.test_search_bounded import QUERIES, _expected
from webapp.extensions import db
from webapp.models import SearchEntry
from webapp.services import search

TABLES = ("search_published_fts", "search_published_title_fts")


@pytest.fixture
def sqlite_only(demo_app):
    with demo_app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("PostgreSQL has migration 0029's partial indexes instead (tests/web/test_search_own.py)")


def _held(app) -> dict[str, set[int]]:
    """The entries each table indexes (its docsize rows: an external-content table read whole reads its content)."""
    with app.app_context():
        return {table: set(db.session.scalars(text(f"SELECT id FROM {table}_docsize")))  # noqa: S608 (our names)
                for table in TABLES}


def _published(app) -> set[int]:
    with app.app_context():
        return set(db.session.scalars(select(SearchEntry.id).where(*search._published_documents())))


def test_they_hold_the_published_documents_entries_alone(demo_app, as_user, runner, sqlite_only):  # noqa: F811
    published = _published(demo_app)
    with demo_app.app_context():
        assert db.session.scalar(select(text("count(*)")).select_from(SearchEntry)) > len(published) > 0
    assert _held(demo_app) == dict.fromkeys(TABLES, published)
    publish_order(as_user)  # its entries rebuilt at each step: a draft's, then the published document's
    assert len(_published(demo_app)) == len(published) + 1
    assert _held(demo_app) == dict.fromkeys(TABLES, _published(demo_app))
    assert runner.invoke(args=["search", "reindex"]).exit_code == 0
    assert _held(demo_app) == dict.fromkeys(TABLES, _published(demo_app))


def test_migration_0033_fills_them_from_the_entries_there(demo_app, client, auth, monkeypatch, sqlite_only):
    """Upgraded from 0032 with entries already written: the tables hold the published documents' entries, and the
    executor's hits read through them (every read through the full-text indexes) are every hit in order."""
    from flask_migrate import downgrade, upgrade

    with demo_app.app_context():
        downgrade(revision="0032")
        upgrade()
    assert _held(demo_app) == dict.fromkeys(TABLES, _published(demo_app))
    monkeypatch.setattr(search, "PROBE", 10**9)  # every read through the full-text indexes
    monkeypatch.setattr(search, "PAGE_SIZE", 4)
    auth.login("executor", DEMO_PASSWORD)
    for query in QUERIES:
        assert _hits(client, query) == _expected(demo_app, "executor", query), query


def test_a_title_read_of_the_published_documents_goes_through_their_table(demo_app, sqlite_only):
    with demo_app.app_context():
        found = plan(select(SearchEntry.id).where(search._fts(search._TITLES["published"], ["обеспеч"]),
                                                  *search._published_documents()))
    assert "search_published_title_fts" in found and "search_title_fts" not in found, found
