"""Search at scale (issue 14): the order (title hits first, then the newest document, ties by entry id), the bounded
count («более …») and paging, and visibility in the hits and in the count, both when hits are read through the
full-text indexes and when they are read in date order through the sort_date index (the two ways `search` picks
between by how common the query's hits are), on SQLite and PostgreSQL alike."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from sqlalchemy import select

from tests.web.test_api import _ok, as_user  # noqa: F401 (a fixture)
from tests.web.test_search import DEMO_PASSWORD, _hits
from webapp.extensions import db
from webapp.models import Assignment, Document, SearchEntry, User
from webapp.ru.search_terms import matches_all, query_terms
from webapp.services import policy, search

QUERIES = ["обеспечить", "педагог", "методической службы", "2022"]


@pytest.fixture(params=["index", "date order"])
def mode(request, monkeypatch):
    """Hits found through the full-text indexes and sorted, or read newest first through the sort_date index."""
    if request.param == "index":
        monkeypatch.setattr(search, "PROBE", 10**9)  # no entry that far down: too few entries to read in date order
    else:
        monkeypatch.setattr(search, "PROBE", 3)
        monkeypatch.setattr(search, "DENSE", 0)  # every query's hits count as common
    return request.param


def _expected(app, login: str, query: str, bodies: set[int] | None = None, year: int | None = None,
              where: Callable[[SearchEntry], bool] | None = None) -> list[tuple[str, int]]:
    """Every hit the user may read, in the order the page must show: read from the index rows and the policy
    (`bodies`, `year`, `where`: of those bodies, of that year, whose entry passes `where` only, as the filters
    ask)."""
    terms = query_terms(query)
    with app.app_context():
        user = db.session.scalar(select(User).where(User.login == login))
        ranked = []
        for entry in db.session.scalars(select(SearchEntry)):
            if not matches_all(entry.lexemes.split(), terms) or (bodies is not None and entry.body_id not in bodies) \
                    or (year is not None and entry.year != year) or (where is not None and not where(entry)):
                continue
            if entry.kind == "document":
                allowed = policy.can(user, "read_document", db.session.get(Document, entry.object_id))
            else:  # a draft assignment has no page: its document's entry finds its text
                assignment = db.session.get(Assignment, entry.object_id)
                allowed = assignment.status != "draft" and policy.can(user, "read_assignment", assignment)
            if allowed:
                newest = -entry.sort_date.toordinal() if entry.sort_date else 1  # undated last
                ranked.append((not matches_all(entry.title_lexemes.split(), terms), newest, -entry.id,
                               (entry.kind, entry.object_id)))
        return [hit for *_, hit in sorted(ranked)]


def _found(client, query: str, **args) -> str:
    response = client.get("/search", query_string={"q": query, "exact": "0", **args})
    assert response.status_code == 200
    return re.search(r'id="found">Найдено: ([^<]*)<', response.get_data(as_text=True)).group(1)


@pytest.mark.parametrize("login", ["auditor", "executor"])
def test_every_hit_in_order_through_the_pages(demo_app, client, auth, monkeypatch, mode, login):
    monkeypatch.setattr(search, "PAGE_SIZE", 4)  # pages that split the title hits from the others
    auth.login(login, DEMO_PASSWORD)
    for query in QUERIES:
        expected = _expected(demo_app, login, query)
        assert _hits(client, query) == expected, query
    assert any(len(_expected(demo_app, login, q)) > 4 for q in QUERIES)


def test_the_count_stops_at_the_window_and_says_more(demo_app, client, auth, monkeypatch, mode):
    monkeypatch.setattr(search, "PAGE_SIZE", 3)
    auth.login("auditor", DEMO_PASSWORD)
    everything = _expected(demo_app, "auditor", "педагог")
    assert len(everything) > 5
    monkeypatch.setattr(search, "WINDOW", 5)
    assert _found(client, "педагог") == "более 5, страница 1 из 2. Показаны первые 5 по порядку: уточните " \
                                         "запрос или фильтры, чтобы увидеть остальные."
    assert _hits(client, "педагог") == everything[:5]  # the pages reach the first WINDOW hits, in order
    last = client.get("/search", query_string={"q": "педагог", "exact": "0", "page": 99}).get_data(as_text=True)
    assert "страница 2 из 2" in last and 'id="next-page"' not in last
    assert re.findall(r'data-kind="(\w+)" data-id="(\d+)"', last) == [(k, str(n)) for k, n in everything[3:5]]
    monkeypatch.setattr(search, "WINDOW", len(everything))
    assert _found(client, "педагог") == f"{len(everything)}, страница 1 из {-(-len(everything) // 3)}."


def test_the_count_holds_only_what_the_user_may_read(demo_app, client, auth, make_user, monkeypatch, mode):
    """A school's executor: the count is of their hits only, so a window their hits fit in says no «более»,
    while the auditor's more numerous hits overflow it; a body's executor with no assignments counts none."""
    auth.login("executor", DEMO_PASSWORD)
    mine = _expected(demo_app, "executor", "педагог")
    everything = _expected(demo_app, "auditor", "педагог")
    assert 0 < len(mine) < len(everything)
    monkeypatch.setattr(search, "WINDOW", len(mine))
    assert _found(client, "педагог") == f"{len(mine)}."  # one page of 20
    auth.logout()
    auth.login("auditor", DEMO_PASSWORD)
    assert _found(client, "педагог").startswith(f"более {len(mine)}")
    auth.logout()
    from tests.web.test_documents import _body_id

    _body_id(demo_app, "Школа без поручений")
    make_user("stranger", "executor", bodies=["Школа без поручений"])
    auth.login("stranger")
    assert _found(client, "педагог", kind="assignment") == "0."
    assert _hits(client, "педагог", kind="assignment") == []


def test_api_says_when_there_are_more_hits(as_user, monkeypatch):  # noqa: F811 (the fixture)
    everything = _ok(as_user("auditor").get("/search?q=педагог"))
    assert everything["more"] is False and everything["total"] > 5
    monkeypatch.setattr(search, "WINDOW", 5)
    bounded = _ok(as_user("auditor").get("/search?q=педагог"))
    assert bounded["more"] is True and bounded["total"] == 5 and bounded["pages"] == 1
    assert [h["title"] for h in bounded["hits"]] == [h["title"] for h in everything["hits"][:5]]


def test_migration_0025_indexes_the_titles_already_there(demo_app, client, auth):
    """Upgrading an installation whose index was built before 0025: title hits still rank first (SQLite's new
    title table is filled from the entries by the migration, PostgreSQL's indexes from the rows)."""
    from flask_migrate import downgrade, upgrade

    with demo_app.app_context():
        downgrade(revision="0024")
        upgrade()
    auth.login("auditor", DEMO_PASSWORD)
    for query in QUERIES[:3]:
        assert _hits(client, query) == _expected(demo_app, "auditor", query), query


def test_every_hit_opens_its_page(demo_app, client, auth):
    """A draft document's assignments have no page until it is published: its own entry finds their text."""
    auth.login("auditor", DEMO_PASSWORD)
    hits = _hits(client, "Институт развития образования")
    with demo_app.app_context():
        drafts = db.session.scalars(select(Assignment.id).where(Assignment.status == "draft")).all()
    assert drafts and hits and not {("assignment", n) for n in drafts} & set(hits)
    for kind, number in hits:
        assert client.get(f"/{kind}s/{number}").status_code == 200, (kind, number)


@pytest.mark.parametrize("login", ["auditor", "executor"])
def test_a_year_finds_its_hits_in_order_read_as_a_range_of_dates(demo_app, client, auth, monkeypatch, mode, login):
    """The year filter: every hit of that year, in order, whichever way the hits are read; written as the range
    of entry dates it is, so the probe and the walks read the year's newest entries, not the newest of all (a
    school executor's «обеспечить» in 2019: 15 s on PostgreSQL at 1M, read through the full-text index)."""
    from tests.conftest import counted_statements

    monkeypatch.setattr(search, "PAGE_SIZE", 4)
    auth.login(login, DEMO_PASSWORD)
    with demo_app.app_context():
        years = sorted({y for y in db.session.scalars(select(SearchEntry.year)) if y})
    found = 0
    with counted_statements(demo_app) as seen:
        for year in years:
            for query in QUERIES:
                expected = _expected(demo_app, login, query, year=year)
                assert _hits(client, query, year=str(year)) == expected, (query, year)
                found += len(expected)
    assert found and len(years) > 1
    assert not [statement for statement in seen if "search_entry.year =" in statement]
