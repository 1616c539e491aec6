"""Search filtered by an assignment's status, a document's state or a range of deadlines (issue 14, migration
0046). At 1,000,000 assignments an auditor's «обеспечить» among drafts took 3 s on PostgreSQL and due in two months
2.6 s: no index held the entries by these columns, so the probe read the newest entries of all, found few of the
filter's and sent the read to the full-text index, whose every hit was then tested. A status and a state not in
force are now ranges of their own indexes in date order (`search._within`), which the probe and the walks read; a
narrow range of deadlines is read through its index with the words tested on each entry (`search._narrow`). Every
hit the user may read that passes the filters, none other, in order through the pages, whichever way it is read."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from tests.web.test_query_plans import _sampled_statistics, plan, sqlite_program
from tests.web.test_search import _hits
from tests.web.test_search_body_filter import reading  # noqa: F401 (a fixture: read narrow, or never)
from tests.web.test_search_bounded import _expected, mode  # noqa: F401 (a fixture)
from tests.web.test_search_own import WORD, world  # noqa: F401 (the fixture this module's world builds on)
from webapp.extensions import db
from webapp.models import Assignment, Document, SearchEntry
from webapp.services import search

STATUSES = ["new", "in_work", "reported", "returned", "done"]
FILTERS = [{"status": "in_work"}, {"status": "done"}, {"state": "draft"}, {"state": "on_approval"},
           {"state": "published"}, {"deadline_from": "2026-03-01", "deadline_to": "2026-06-30"},
           {"deadline_from": "2026-10-01"}, {"deadline_to": "2026-02-15"},
           {"status": "new", "deadline_to": "2026-08-31"}, {"state": "published", "status": "returned"},
           {"doc_type": "regulation"}, {"doc_type": "order", "status": "in_work"}, {"doc_type": "plan"}]


@pytest.fixture
def filtered_world(world):  # noqa: F811
    """The world of test_search_own with its published documents' assignments spread over every status and over
    a year of deadlines, and every third document a regulation (written through the models, so their entries
    follow)."""
    with world.app_context():
        for number, assignment in enumerate(db.session.scalars(
                select(Assignment).where(Assignment.status != "draft").order_by(Assignment.id))):
            assignment.status = STATUSES[number % len(STATUSES)]
            assignment.deadline = date(2026, 1 + number % 12, 1 + number % 28)
        for number, document in enumerate(db.session.scalars(select(Document).order_by(Document.id))):
            document.doc_type = "regulation" if number % 3 == 0 else document.doc_type
        db.session.commit()
        types = set(db.session.execute(select(SearchEntry.kind, SearchEntry.doc_type)).all())
        assert {("document", "regulation"), ("assignment", "regulation"), ("assignment", "order")} <= types
    return world


def _passes(filters: dict):
    """The filters as a test of an index entry."""
    def passes(entry) -> bool:
        deadline = entry.deadline.isoformat() if entry.deadline else None
        return (filters.get("status") in (None, entry.status) and filters.get("state") in (None, entry.state)
                and filters.get("doc_type") in (None, entry.doc_type)
                and ("deadline_from" not in filters or (deadline or "") >= filters["deadline_from"])
                and ("deadline_to" not in filters or deadline is not None and deadline <= filters["deadline_to"]))
    return passes


@pytest.mark.parametrize("login", ["aud", "head", "exec"])
def test_each_filter_finds_its_hits_in_order(filtered_world, client, auth, make_user, monkeypatch, mode, reading,  # noqa: F811
                                             login):
    """An auditor (every entry tested), a department's head and a school's executor (her own objects read apart,
    the published documents through their own indexes)."""
    make_user("aud", "auditor")
    monkeypatch.setattr(search, "PAGE_SIZE", 3)  # pages that split the title hits from the others
    auth.login(login)
    found = 0
    for filters in FILTERS:
        expected = _expected(filtered_world, login, WORD, where=_passes(filters))
        assert _hits(client, WORD, **filters) == expected, filters
        found += len(expected) > 3
    assert found >= 3  # several filters hold more than a page
    # a range of deadlines is narrow here; where her own objects are read apart, only they can pass it (a published
    # document has no deadline), so nothing else is read
    assert any(reading) == (search.NARROW_ENTRIES >= 0 and login == "aud")


def test_a_narrow_range_of_deadlines_is_read_through_its_entries(filtered_world, client, auth, make_user,
                                                                 monkeypatch):
    """A range of deadlines with few entries is narrow (so are a body's); past NARROW_ENTRIES it is not, and the
    hits are the same."""
    make_user("aud", "auditor")
    auth.login("aud")
    asked: list[bool] = []
    narrow = search._narrow
    monkeypatch.setattr(search, "_narrow", lambda *args: asked.append(narrow(*args)) or asked[-1])
    months = {"deadline_from": "2026-03-01", "deadline_to": "2026-06-30"}
    narrowed = _hits(client, WORD, **months)
    assert asked == [True] and narrowed == _expected(filtered_world, "aud", WORD, where=_passes(months)) != []
    monkeypatch.setattr(search, "NARROW_ENTRIES", 2)
    assert _hits(client, WORD, **months) == narrowed and asked[1:] == [False]
    assert _hits(client, WORD, status="new") and asked[2:] == [False]  # (no range of deadlines: never narrow)


@pytest.mark.parametrize(("filters", "index"), [
    ({"status": "in_work"}, "ix_search_entry_status"),
    ({"state": "draft"}, "ix_search_entry_state"),
    ({"state": "on_approval", "status": None}, "ix_search_entry_state"),
    ({"doc_type": "regulation"}, "ix_search_entry_doc_type"),
])
def test_the_probe_reads_the_newest_entries_of_a_status_or_state(app, filters, index):
    """The probe's boundary, the PROBE-th newest entry of the filter's range, is read through the filter's own
    index in its order (no sort): the newest entries of all held too few of the filter's."""
    with app.app_context():
        boundary = plan(search._boundary(search.PROBE, search._within(search.Filters(**filters))),
                        hide=("ix_search_entry_sort_date",))
    assert re.search(rf"\b{index}\b", boundary), boundary
    assert "Sort" not in boundary and "TEMP B-TREE" not in boundary, boundary


def test_a_range_of_deadlines_is_counted_through_its_index(app):
    """Its entries and their dates (_span) are read through ix_search_entry_deadline, not the entries."""
    with app.app_context():
        counted = plan(select(search.SearchEntry.sort_date).where(*search._deadlines(search.Filters(
            deadline_from=date(2026, 3, 1), deadline_to=date(2026, 6, 30)))).limit(search.SPAN_ENTRIES + 1))
    assert re.search(r"\bix_search_entry_deadline\b", counted), counted


#: the search index's indexes as the 1M bench's nightly ANALYZE sampled them
_SEARCH_STATS = (("ix_search_entry_assignment_body", "958650 167 1 1 1 1 1"),
                 ("ix_search_entry_published_date", "187089 36 1"), ("ix_search_entry_sort_date", "1149261 36 1"),
                 ("ix_search_entry_document_id", "1688869 6"), ("ix_search_entry_body", "2086548 1001 1 1 1 1 1 1 1"),
                 ("ix_search_entry_status", "982726 1001 49 1"), ("ix_search_entry_state", "3920 1001 36 1"),
                 ("ix_search_entry_deadline", "1023237 23 2"), ("ix_search_entry_doc_type", "1061974 1001 11 1"),
                 ("ix_search_entry_published_type", "172212 1001 7 1"))


@pytest.mark.parametrize(("filters", "index", "bodies"), [
    ({"status": "in_work"}, "ix_search_entry_status", True),
    ({"doc_type": "order"}, "ix_search_entry_doc_type", True),
    ({"doc_type": "order"}, "ix_search_entry_doc_type", False),  # her bodies' indexes taken away: still not the type's
])
def test_a_status_or_type_does_not_lead_her_bodies_walk_astray_on_sqlite(app, filters, index, bodies):
    """Her bodies' entries are read through their own index with a status or a type asked too: on SQLite either is
    written so that no index of it serves (its sampled statistics took a status for a few hundred entries, and
    read a department's 38,000 in work through ix_search_entry_status at 1M). On PostgreSQL they are written as
    they are, for her bodies' index to test them in its scan (the next test)."""
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite's sampled statistics and its unary +")
        _sampled_statistics(db.session.connection(), "search_entry", _SEARCH_STATS)
        hidden = ("ix_search_entry_sort_date",) if bodies else \
            ("ix_search_entry_sort_date", "ix_search_entry_assignment_body", "ix_search_entry_body")
        walk = plan(select(search.SearchEntry.id).where(
            *search._lead_entries([5]), *search._conditions(search.Filters(**filters), "lead"))
            .order_by(*search._newest_first()).limit(20), sqlite_hide=hidden)
    assert index not in walk, walk
    assert not bodies or re.search(r"ix_search_entry_(assignment_)?body\b", walk), walk


#: a status, a type and a range of deadlines at once: what her bodies' index holds (migration 0050)
_ALL = search.Filters(status="in_work", doc_type="order", deadline_from=date(2026, 3, 1),
                      deadline_to=date(2026, 6, 30))


def _lead_read(bodies: list[int]):
    return select(search.SearchEntry.id).where(
        *search._lead_entries(bodies), search._fts("text", ["обеспеч"], walk=True),
        *search._conditions(_ALL, "lead")).order_by(*search._newest_first()).limit(20)


def _narrow_read(bodies: list[int]):
    """A narrow body filter's read of the published documents (_narrow_hits)."""
    filters = search.Filters(body_id=bodies[0], **{name: getattr(_ALL, name) for name in (
        "status", "doc_type", "deadline_from", "deadline_to")})
    return select(search.SearchEntry.id).where(
        search._fts("text", ["обеспеч"], walk=True), *search._published_documents(),
        *search._conditions(filters, "narrow")).limit(20)


#: the index read, the one each read is made for, and the positions of the columns it tests (from 0)
_BODY_READS = {"lead": (_lead_read, "ix_search_entry_assignment_body", {"status": 3, "doc_type": 4, "deadline": 5}),
          "narrow": (_narrow_read, "ix_search_entry_body",
                     {"kind": 3, "state": 4, "status": 5, "doc_type": 6, "deadline": 7})}


@pytest.mark.parametrize(("read", "bodies"), [("lead", [5]), ("lead", [5, 6, 7]), ("narrow", [5])])
def test_the_bodies_indexes_test_the_filters_before_an_entry_is_read(app, read, bodies):
    """Migrations 0050 and 0051: ix_search_entry_assignment_body holds each entry's status, type and deadline after
    its order's columns, ix_search_entry_body its kind and state too, so the filters are tested in the index and
    only the entries that pass are read for their words (a department's «обеспечить» in work: 391 of her 9,900
    entries read, 121 -> 33 ms on SQLite at 1M; in her department, 1,980 published documents of its 11,921
    entries, 83 -> 47 ms). PostgreSQL tests them in its index scan (an Index Cond); SQLite, whose plan does not
    show where a term is tested, reads the index's own columns before it seeks the row for any other (its
    EXPLAIN: each filter's column read from the index's cursor, the row's seek deferred)."""
    made, index, columns = _BODY_READS[read]
    with app.app_context():
        query = made(bodies)
        # (on a test's tiny table either engine takes any index: the others are taken away)
        others = tuple(name for name in ("ix_search_entry_sort_date", "ix_search_entry_body", "ix_search_entry_status",
                                         "ix_search_entry_doc_type", "ix_search_entry_deadline",
                                         "ix_search_entry_assignment_body", "ix_search_entry_published_date",
                                         "ix_search_entry_published_type") if name != index)
        if db.engine.dialect.name == "postgresql":
            walk = plan(query, hide=(*(name for name in others if name != "ix_search_entry_published_type"),
                                     "uq_search_entry_kind"))  # (0049's second index is SQLite's alone)
            condition = next(line for line in walk.splitlines() if "Index Cond" in line)
            assert index in walk, walk
            assert all(column in condition for column in columns), walk
            return
        assert index in plan(query, sqlite_hide=others)
        program, opened = sqlite_program(query, sqlite_hide=others)
    # (the program's rows: address, opcode, p1 — a cursor —, p2 — a column of the cursor's record)
    table, cursor = opened["search_entry"], opened[index]
    seek = min(row[0] for row in program if row[1] == "Column" and row[2] == table)  # the row read: its words
    tested = {row[3] for row in program if row[1] == "Column" and row[2] == cursor and row[0] < seek}
    assert set(columns.values()) <= tested, program  # each filter's column read from the index before


def test_a_narrow_body_filters_read_takes_the_bodies_index_on_sqlite(app):
    """A narrow body filter's entries are read through the bodies' index with a status asked too: the status is
    written so that no index of it serves. Under the 1M bench's sampled statistics the two tie (1,001 entries a
    body, 1,001 a status), and since 0051 made the bodies' index the wider, SQLite took the status's: an
    auditor's «обеспечить» in one school in work read all 38,000 entries in work (101 -> 18 ms at 1M)."""
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite's sampled statistics")
        _sampled_statistics(db.session.connection(), "search_entry", _SEARCH_STATS)
        read = plan(select(search.SearchEntry.id).where(
            search._fts("text", ["обеспеч"], walk=True), *search._conditions(
                search.Filters(body_id=103, status="in_work", state="draft", doc_type="order"), "narrow"))
            .limit(1001))
    assert re.search(r"\bix_search_entry_body\b", read), read


def test_a_common_word_in_a_small_range_is_walked_whole(filtered_world, client, auth, make_user, monkeypatch):
    """Fewer than CAP entries in the filter's range: a common word's hits are read by walking them all (bounded),
    not through the full-text index, whose every hit of the word would be tested against the filter (the title
    hits of «обеспечить» among an auditor's 4,000 drafts: 250,000 titles tested, 0.34 s on SQLite at 1M)."""
    from tests.conftest import counted_statements

    make_user("aud", "auditor")
    with filtered_world.app_context():  # the oldest draft: the word in its text alone
        db.session.add(Document(doc_type="order", title="О плане", state="draft", event_date=date(2026, 1, 2),
                                place="Пункт обеспечения"))
        db.session.commit()
    auth.login("aud")
    drafts = {"state": "draft"}
    expected = _expected(filtered_world, "aud", WORD, where=_passes(drafts))
    monkeypatch.setattr(search, "PROBE", 2)  # the two newest drafts: the word in each, in each title
    monkeypatch.setattr(search, "DENSE", 2)  # so the other hits (none there) may be further down, and
    monkeypatch.setattr(search, "CAP", 10**6)  # every draft is fewer than CAP
    with counted_statements(filtered_world) as seen:
        assert _hits(client, WORD, **drafts) == expected and len(expected) > 3
    assert not [statement for statement in seen if re.search(r"\bMATCH\b|@@", statement)]


def test_a_wider_range_of_deadlines_reads_within_its_dates(filtered_world, client, auth, make_user, monkeypatch):
    """A range of deadlines too wide to be narrow bounds the dates read by its entries' first and last (the probe
    and the walks read within them, where the newest entries of all held none of a past year's deadlines); an
    undated entry in the range leaves the dates unbounded, and is found."""
    make_user("aud", "auditor")
    monkeypatch.setattr(search, "NARROW_ENTRIES", -1)
    within: list[tuple] = []
    ways = search._ways
    monkeypatch.setattr(search, "_ways", lambda *args: within.append(args[3]) or ways(*args))
    auth.login("aud")
    spring = {"deadline_from": "2026-03-01", "deadline_to": "2026-06-30"}
    assert _hits(client, WORD, **spring) == _expected(filtered_world, "aud", WORD, where=_passes(spring)) != []
    assert [len(range_) for range_ in within] == [1]  # the dates' range
    with filtered_world.app_context():  # an undated document's assignment due in the range
        undated = Document(doc_type="order", title="О плане", state="published", number="77")
        db.session.add(undated)
        db.session.flush()
        db.session.add(Assignment(document_id=undated.id, action=f"{WORD.capitalize()} сбор", lead_body_id=None,
                                  status="new", deadline=date(2026, 4, 1), deadline_kind="by"))
        db.session.commit()
    hits = _hits(client, WORD, **spring)
    assert hits == _expected(filtered_world, "aud", WORD, where=_passes(spring)) and within[1:] == [()]
    assert hits[-1][0] == "assignment"  # undated: the last


@pytest.mark.parametrize("hidden", [(), ("ix_search_entry_sort_date",)])
def test_a_wider_range_is_walked_in_date_order_not_through_its_index(app, hidden):
    """Within its dates a wider range's walks read the entries in date order, each one's deadline tested, on both
    engines, even with the date order's index taken away (never a range of the deadline index: SQLite may scan it
    whole for the columns it covers); through the deadline index PostgreSQL read the range's
    every entry and sorted them (a one-sided range due from 01.06.2026: 30,000 entries, 40 ms a read at 1M)."""
    filters = search.Filters(deadline_from=date(2026, 6, 1))
    with app.app_context():
        walk = plan(select(search.SearchEntry.id).where(
            *search._conditions(filters, "dated"), search.SearchEntry.sort_date.between(
                date(2025, 12, 5), date(2026, 8, 12))).order_by(*search._newest_first()).limit(20), hide=hidden,
            sqlite_hide=hidden)
    ranges = [line for line in walk.splitlines() if "Index Cond" in line or line.lstrip().startswith("SEARCH")]
    assert not any("deadline" in line for line in ranges), walk  # (a scan of it may cover the columns)


@pytest.mark.parametrize("filters", [{"doc_type": "regulation", "status": "in_work"}, {"state": "on_approval"}])
@pytest.mark.parametrize("login", ["aud", "head", "exec"])
def test_a_type_status_or_state_is_written_into_the_statements(filtered_world, client, auth, make_user, login,
                                                               filters):
    """The form's own choices are written into the statements, never bound (planner.written): PostgreSQL's generic
    plan of a prepared statement, which a connection keeps from its eleventh run or so, knew no type and walked
    every published document newest first to count a department's «обеспечить» among regulations (10 -> 80-114 ms
    a count at 1M from the eleventh search on). The hits are the same."""
    from sqlalchemy import event

    make_user("aud", "auditor")
    auth.login(login)
    with filtered_world.app_context():
        engine = db.engine
    bound: set[str] = set()
    texts: list[str] = []

    def caught(_conn, _cursor, statement, parameters, *_args) -> None:
        texts.append(statement)
        bound.update(str(getattr(value, "value", value))
                     for value in (parameters.values() if isinstance(parameters, dict) else parameters or ()))

    event.listen(engine, "before_cursor_execute", caught)
    try:
        hits = _hits(client, WORD, **filters)
    finally:
        event.remove(engine, "before_cursor_execute", caught)
    assert hits == _expected(filtered_world, login, WORD, where=_passes(filters))
    assert not bound & set(filters.values()), bound
    assert any(all(f"'{value}'" in statement for value in filters.values()) for statement in texts)
