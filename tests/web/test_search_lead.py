"""Search for a member of a few bodies (issue 14, migration 0036): the hits among the assignments her bodies lead
are walked newest first through ix_search_entry_assignment_body, one range per body, instead of being looked up
one by one through their ids. The same hits, in the same order, with the same count as the ids' way and as the
policy's own rules, for one body, several bodies and none; an assignment she leads and also co-executes or
controls found once; and an assignment whose lead body changes, however it is written (a merge of bodies writes
it in bulk), found by the members of its new lead body and no longer by the old one's."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import func, insert, select, text, update

from tests.web.test_query_plans import plan
from tests.web.test_search import _hits
from tests.web.test_search_bounded import _expected, _found
from tests.web.test_search_own import WORD, world  # noqa: F401 (the fixture this module's world builds on)
from webapp.extensions import db
from webapp.models import Assignment, Body, Document, SearchEntry
from webapp.models.assignment import assignment_coexecutor
from webapp.services import bodies, search

QUERIES = (WORD, "охрану", "обеспечении", "плане", "питание", "школе")


@pytest.fixture
def lead_world(world, make_user):  # noqa: F811 (pytest's fixture by name)
    """The world of test_search_own, and: a second school under the department, a member of both schools; an
    assignment the school leads and co-executes, one it leads under her control, several of one date (ties by
    entry id), one of an undated document (last), one of the second school's."""
    with world.app_context():
        board = db.session.scalar(select(Body).where(Body.name == "Управление"))
        db.session.add(Body(name="Школа 2", parent=board))
        db.session.commit()
    make_user("two", "executor", bodies=["Школа", "Школа 2"])
    with world.app_context():
        board, school, second = (db.session.scalar(select(Body).where(Body.name == name))
                                 for name in ("Управление", "Школа", "Школа 2"))
        executor = db.session.scalar(text("SELECT id FROM user_account WHERE login = 'exec'"))
        dated = Document(doc_type="order", title="О питании в школе", state="published", issuing_body_id=board.id,
                         reg_date=date(2026, 1, 9), event_date=date(2026, 1, 9), number="9")
        undated = Document(doc_type="order", title="О школе", state="published", issuing_body_id=board.id)
        db.session.add_all([dated, undated])
        db.session.flush()

        def assignment(of: Document, lead: Body, action: str, **values) -> Assignment:
            made = Assignment(document_id=of.id, action=action, lead_body_id=lead.id, status="in_work",
                              deadline=date(2026, 12, 1), deadline_kind="by", **values)
            db.session.add(made)
            db.session.flush()
            return made

        both = assignment(dated, school, f"{WORD.capitalize()} питание в школе")  # she leads and co-executes
        db.session.execute(insert(assignment_coexecutor).values(assignment_id=both.id, body_id=school.id))
        assignment(dated, school, f"{WORD.capitalize()} контроль питания", controller_id=executor)  # and controls
        for number in range(3):  # one date: ties by entry id
            assignment(dated, school, f"Проверить питание в школе {number}")
        assignment(dated, second, f"{WORD.capitalize()} питание второй школы")
        assignment(undated, school, f"{WORD.capitalize()} охрану школы")  # undated: last
        db.session.commit()
    return world


def _counted(client, query: str) -> str:
    """The count as the page says it: «12», «более 5»."""
    return _found(client, query).split(",")[0].split(".")[0]


def _answers(monkeypatch) -> list:
    """What _own_hits answered for each search (None: every entry tested)."""
    answers: list = []
    own = search._own_hits
    monkeypatch.setattr(search, "_own_hits", lambda *args: answers.append(own(*args)) or answers[-1])
    return answers


@pytest.mark.parametrize("login", ["exec", "two", "head", "ctl"])
@pytest.mark.parametrize("published", ["index", "date order"])
def test_her_bodies_assignments_walked_give_every_hit_in_order(lead_world, client, auth, monkeypatch, login,
                                                              published):
    """Walked (one body, two, the department's three) or read through their ids (BODIES = 0), every hit in order
    through 3-hit pages and the same count, as the policy reads them; the controller belongs to no body."""
    monkeypatch.setattr(search, "PAGE_SIZE", 3)  # pages that split the title hits from the others
    if published == "index":
        monkeypatch.setattr(search, "PROBE", 10**9)
    else:
        monkeypatch.setattr(search, "PROBE", 2)
        monkeypatch.setattr(search, "DENSE", 0)
    auth.login(login)
    answers = _answers(monkeypatch)
    walked = {}
    for query in QUERIES:
        expected = _expected(lead_world, login, query)
        walked[query] = (_hits(client, query), _found(client, query))
        assert walked[query][0] == expected, query
        assert _counted(client, query) == str(len(expected)), query
    assert any(len(hits) > 3 for hits, _count in walked.values())
    assert answers and all((answer is not None and answer.lead is not None) == (login != "ctl")
                           for answer in answers)
    monkeypatch.setattr(search, "BODIES", 0)  # the ids' way
    answers.clear()
    for query in QUERIES:
        assert (_hits(client, query), _found(client, query)) == walked[query], query
    assert answers and all(answer is None or answer.lead is None for answer in answers)


def test_a_hit_she_leads_and_coexecutes_or_controls_is_found_once(lead_world, client, auth):
    auth.login("exec")
    found = _hits(client, "питание")
    assert len(found) == len(set(found)) == len(_expected(lead_world, "exec", "питание"))
    assert _counted(client, "питание") == str(len(found))


def test_the_window_with_her_bodies_hits(lead_world, client, auth, monkeypatch):
    """The count stops at the window («более»), and the pages reach its first hits in order, whether the published
    documents settle it (her bodies' hits then not counted) or her bodies' hits are counted to it."""
    monkeypatch.setattr(search, "PAGE_SIZE", 3)
    auth.login("exec")
    everything = _expected(lead_world, "exec", WORD)
    counts: list[int] = []
    count = search._Lead.count
    monkeypatch.setattr(search._Lead, "count", lambda self, bound: counts.append(bound) or count(self, bound))
    monkeypatch.setattr(search, "WINDOW", 2)  # the published documents' hits alone are more
    assert _counted(client, WORD) == "более 2"
    assert _hits(client, WORD) == everything[:2]
    assert not counts
    monkeypatch.setattr(search, "WINDOW", len(everything) - 1)  # her bodies' hits counted to its end
    assert _counted(client, WORD) == f"более {len(everything) - 1}"
    assert counts
    monkeypatch.setattr(search, "WINDOW", len(everything))
    assert _counted(client, WORD) == str(len(everything))
    assert _hits(client, WORD) == everything


@pytest.mark.parametrize("how", ["merge", "sql"])
def test_an_assignment_whose_lead_body_changes_is_found_by_its_new_body(lead_world, client, auth, how):
    """Migration 0036's trigger keeps the entry's body the assignment's lead body, however that is written: a
    merge of bodies moves them in bulk, past the service's index upkeep."""
    auth.login("exec")
    assert not any("учёт" in title for title in _titles(lead_world, _hits(client, WORD)))
    with lead_world.app_context():
        school, other = (db.session.scalar(select(Body).where(Body.name == name)) for name in ("Школа", "Чужая"))
        if how == "merge":
            bodies.merge_bodies(None, school, other)
        else:
            db.session.execute(update(Assignment).where(Assignment.lead_body_id == other.id)
                               .values(lead_body_id=school.id))
        db.session.commit()
        moved = db.session.scalars(select(Assignment.id).where(Assignment.action.like("%учёт%"))).all()
        assert set(db.session.scalars(select(SearchEntry.body_id).where(
            SearchEntry.kind == "assignment", SearchEntry.object_id.in_(moved)))) == {school.id}
    found = _hits(client, WORD)
    assert found == _expected(lead_world, "exec", WORD)
    assert sum("учёт" in title for title in _titles(lead_world, found)) == len(moved) > 0


def _titles(app, hits: list[tuple[str, int]]) -> list[str]:
    with app.app_context():
        titles = {(entry.kind, entry.object_id): entry.title for entry in db.session.scalars(select(SearchEntry))}
    return [titles[hit] for hit in hits]


def test_her_bodies_entries_are_walked_through_their_index(app):
    """ix_search_entry_assignment_body (or every entry's by body, ix_search_entry_body: on a test's tiny table
    the engine may take either) serves a body's walk as the service writes it: newest first, no sort."""
    with app.app_context():
        walk = plan(select(SearchEntry.id).where(*search._lead_entries([5]))
                    .order_by(*search._newest_first()).limit(20), hide=("ix_search_entry_sort_date",))
        assert re.search(r"ix_search_entry_(assignment_)?body\b", walk), walk
        assert "Sort" not in walk and "TEMP B-TREE" not in walk, walk


def test_several_bodies_matches_are_read_through_their_index_then_sorted(app):
    """Several bodies' matches are read whole through ix_search_entry_assignment_body and sorted, even where
    walking the sort_date index would spare the sort (PostgreSQL took that walk for a LIMIT of 40 at 1M: 41,554
    entries read for a department's 40)."""
    with app.app_context():
        read = plan(search._Lead.matches([*search._lead_entries([5, 6]), search._listed()], 40),
                    hide=("uq_search_entry_kind",))  # on a test's tiny table, any index that filters
        assert re.search(r"ix_search_entry_(assignment_)?body\b", read), read
        assert "ix_search_entry_sort_date" not in read, read


@pytest.mark.parametrize("login", ["exec", "ctl"])
def test_no_other_hit_is_read_when_title_hits_fill_the_page(lead_world, client, auth, monkeypatch, login):
    """Title hits come first: a page within them reads no other hit (for «приказ», the first word of every
    order's title, PostgreSQL's full-text index handed 88,000 published texts to be tested for none at 1M), and
    the pages beyond them do, every hit in order."""
    monkeypatch.setattr(search, "PAGE_SIZE", 2)
    tiers: list[bool] = []
    tier = search._tier
    monkeypatch.setattr(search, "_tier", lambda *args: tiers.append(args[4]) or tier(*args))
    walks: list[bool] = []
    first = search._Lead.first
    monkeypatch.setattr(search._Lead, "first", lambda self, in_title, end: walks.append(in_title) or first(
        self, in_title, end))
    auth.login(login)
    expected = _expected(lead_world, login, WORD)
    response = client.get("/search", query_string={"q": WORD, "exact": "0"})
    assert response.status_code == 200
    assert tiers == [True] and walks == ([True] if login == "exec" else [])
    assert _hits(client, WORD) == expected and False in tiers


def test_migration_0036_sets_right_an_entry_written_with_another_body(lead_world, client, auth):
    """Upgraded from 0034 with assignments moved to the school in bulk before the trigger existed: their entries'
    body is set right, and the school's executor finds them as the policy lets her (fails when 0036 only builds
    the index)."""
    from flask_migrate import downgrade, upgrade

    with lead_world.app_context():
        school, other = (db.session.scalar(select(Body.id).where(Body.name == name)) for name in ("Школа", "Чужая"))
        db.session.commit()
        downgrade(revision="0034")  # the models' later columns (body.sort_key) are not there now: ids only
        # on the connection, as the code of 0034 wrote it (the session's hooks would write today's data_version)
        db.session.connection().execute(update(Assignment.__table__).where(Assignment.lead_body_id == other)
                                        .values(lead_body_id=school))
        db.session.commit()
        stale = db.session.scalar(select(SearchEntry.id).where(SearchEntry.kind == "assignment",
                                                               SearchEntry.body_id == other).limit(1))
        db.session.commit()  # (SQLite: a read begun before the upgrade would keep seeing the rows before it)
        upgrade()
        assert stale is not None and db.session.get(SearchEntry, stale).body_id == school
    auth.login("exec")
    found = _hits(client, WORD)
    assert found == _expected(lead_world, "exec", WORD)
    assert any("учёт" in title for title in _titles(lead_world, found))


@pytest.mark.parametrize("spare", [0, 20])
def test_several_bodies_hits_that_the_policy_refuses_are_left_out(lead_world, client, auth, monkeypatch, spare):
    """Entries that name her school but whose assignments another body leads (written wrong: nothing the service
    does keeps them so) are read with her bodies' and refused by the policy: when too many of the first ones read
    are refused (no spare), all of them are checked as they are read; either way the hits are the policy's."""
    monkeypatch.setattr(search, "PAGE_SIZE", 3)
    monkeypatch.setattr(search, "LEAD_SPARE", spare)
    with lead_world.app_context():
        school, other = (db.session.scalar(select(Body.id).where(Body.name == name)) for name in ("Школа", "Чужая"))
        foreign = db.session.scalars(select(Assignment.id).where(Assignment.lead_body_id == other)).all()
        db.session.execute(update(SearchEntry).where(SearchEntry.kind == "assignment",
                                                     SearchEntry.object_id.in_(foreign)).values(body_id=school))
        db.session.commit()
        refused = db.session.scalar(select(func.count()).select_from(SearchEntry).where(
            SearchEntry.kind == "assignment", SearchEntry.object_id.in_(foreign),
            SearchEntry.lexemes.contains(WORD[:5])))
    assert refused  # some of them match the word
    auth.login("two")  # two schools: several bodies' entries, read whole and sorted
    for query in (WORD, "охрану"):
        assert _hits(client, query) == _expected(lead_world, "two", query), query
