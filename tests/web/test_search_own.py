"""Search for a user who does not oversee everything (issue 14): her own objects — the assignments she sees as a
member of a lead or co-executing body or as their controller, and the documents not in force she may read (her
own, on her route, her scope's for draft readers) — are read through their ids, the published documents apart
through their own indexes (migration 0029). Every hit she may read, none she may not, in order through the pages,
with the same count, whichever way the published documents are read and whether or not her objects are read
apart; and the indexes serve the statements as the service sends them."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import insert, select

from tests.conftest import counted_statements
from tests.web.test_query_plans import plan
from tests.web.test_search import _hits
from tests.web.test_search_bounded import _expected, _found
from webapp.extensions import db
from webapp.models import ApprovalStep, Assignment, Body, Document, SearchEntry, User
from webapp.models.assignment import assignment_coexecutor
from webapp.services import search

WORD = "обеспечить"  # in every title below, and in the texts of some others


@pytest.fixture
def world(app, make_user):
    """A school under a department and a body apart; the school's executor, the department's head (a draft
    reader), a controller. Assignments of every way of seeing one and of none; documents in force and not, read
    by their author, their route, a draft reader's scope, or nobody of the school."""
    with app.app_context():
        board = Body(name="Управление")
        db.session.add_all([board, Body(name="Школа", parent=board), Body(name="Чужая")])
        db.session.commit()
    make_user("exec", "executor", bodies=["Школа"])
    make_user("head", "head", bodies=["Управление"])
    make_user("ctl", "controller")
    with app.app_context():
        school, board, other = (db.session.scalar(select(Body).where(Body.name == name))
                                for name in ("Школа", "Управление", "Чужая"))
        users = {user.login: user.id for user in db.session.scalars(select(User))}

        def document(title: str, day: int, state: str = "published", body: Body = other,
                     author: str | None = None) -> Document:
            made = Document(doc_type="order", title=title, state=state, issuing_body_id=body.id,
                            reg_date=date(2026, 1, day) if state == "published" else None,
                            event_date=date(2026, 1, day), number=str(day) if state == "published" else None,
                            author_id=users[author] if author else None)
            db.session.add(made)
            db.session.flush()
            return made

        def assignment(of: Document, lead: Body, action: str, status: str = "new", controller: str | None = None,
                       coexecutor: Body | None = None) -> None:
            made = Assignment(document_id=of.id, action=action, lead_body_id=lead.id, status=status,
                              deadline=date(2026, 12, 1), deadline_kind="by",
                              controller_id=users[controller] if controller else None)
            db.session.add(made)
            db.session.flush()
            if coexecutor is not None:
                db.session.execute(insert(assignment_coexecutor).values(assignment_id=made.id,
                                                                        body_id=coexecutor.id))

        for day in range(1, 8):  # published orders, their assignments of every way and of none
            order = document(f"Об обеспечении безопасности {day}" if day % 2 else f"О плане {day}", day)
            order.place = None if day % 2 else "Пункт обеспечения"  # the word in the text, not in the title
            assignment(order, school, f"{WORD.capitalize()} охрану {day}")  # the school leads
            assignment(order, board, f"{WORD.capitalize()} проверку {day}")  # the department leads
            assignment(order, other, f"{WORD.capitalize()} связь {day}", coexecutor=school)  # co-executed
            assignment(order, other, f"{WORD.capitalize()} отчёт {day}", controller="exec")  # under her control
            assignment(order, other, f"{WORD.capitalize()} учёт {day}")  # nobody of the school's
            assignment(order, other, f"Утвердить план {day}", coexecutor=school)  # her object, not the word
        assignment(document("О закупках", 8), school, f"{WORD.capitalize()} закупку", status="done")
        draft = document("Об обеспечении питания", 20, state="draft", body=school)  # the department head's scope
        assignment(draft, school, f"{WORD.capitalize()} питание", status="draft")  # a draft's: nobody's hit
        document("Об обеспечении транспорта", 21, state="draft", author="exec")  # her own draft
        routed = document("Об обеспечении связи", 22, state="on_approval")
        db.session.add(ApprovalStep(document_id=routed.id, user_id=users["exec"], position=1))
        document("Об обеспечении отдыха", 23, state="draft")  # another body's draft: none of theirs
        db.session.commit()
    return app


def _walked(monkeypatch) -> list:
    """What _own_hits answered for each search: None when every entry was tested instead."""
    answers: list = []
    own = search._own_hits
    monkeypatch.setattr(search, "_own_hits", lambda *args: answers.append(own(*args)) or answers[-1])
    return answers


def test_an_overseer_s_documents_only_read_those_not_in_force_apart(world, client, auth, make_user, monkeypatch):
    """Documents only, as an auditor (who reads every document): those not in force are read through their ids
    and the published through their own indexes — every document hit, in order, as when every entry is tested
    (tested so, the title hits read through the titles' index were nearly all assignments', each dropped: 1.2 s on
    PostgreSQL at 1M)."""
    make_user("aud", "auditor")
    monkeypatch.setattr(search, "PAGE_SIZE", 3)
    answers = _walked(monkeypatch)
    auth.login("aud")
    expected = [hit for hit in _expected(world, "aud", WORD) if hit[0] == "document"]
    assert _hits(client, WORD, kind="document") == expected and len(expected) > 3
    assert answers and all(answer is not None for answer in answers)
    assert {hit for hit in expected} > {("document", i) for i in _unpublished(world)} != set()


def _unpublished(app) -> set[int]:
    with app.app_context():
        return set(db.session.scalars(select(Document.id).where(Document.state != "published",
                                                                 Document.title.contains("обеспечени"))))


@pytest.mark.parametrize("login", ["exec", "head", "ctl"])
@pytest.mark.parametrize("published", ["index", "date order"])
def test_her_own_objects_read_through_their_ids_give_every_hit_in_order(world, client, auth, monkeypatch,
                                                                       login, published):
    monkeypatch.setattr(search, "PAGE_SIZE", 3)  # pages that split the title hits from the others
    if published == "index":
        monkeypatch.setattr(search, "PROBE", 10**9)  # the published documents read through their full-text indexes
    else:
        monkeypatch.setattr(search, "PROBE", 2)
        monkeypatch.setattr(search, "DENSE", 0)  # and in date order
    answers = _walked(monkeypatch)
    auth.login(login)
    for query in (WORD, "охрану", "обеспечении", "плане"):
        expected = _expected(world, login, query)
        assert _hits(client, query) == expected, query
        assert _found(client, query).split(",")[0].rstrip(".") == str(len(expected)), query
    # read apart every time, but for the controller: a draft reader of the whole organisation (she belongs to no
    # body) may read every draft, so every entry is tested for her
    assert answers and all((answer is None) == (login == "ctl") for answer in answers)


def test_what_the_executor_finds_and_what_not(world, client, auth):
    """The hits of each way she sees an object, and none of another body's, of a draft's or of someone's draft."""
    auth.login("exec")
    with world.app_context():
        titles = dict(db.session.execute(select(SearchEntry.id, SearchEntry.title)).all())
        by_object = {(entry.kind, entry.object_id): entry.id for entry in db.session.scalars(select(SearchEntry))}
    found = [titles[by_object[hit]] for hit in _hits(client, WORD)]
    for seen in ("Обеспечить охрану 3", "Обеспечить связь 3", "Обеспечить отчёт 3", "Обеспечить закупку",
                 "Об обеспечении безопасности 3", "Об обеспечении транспорта", "Об обеспечении связи"):
        assert any(seen in title for title in found), seen
    for unseen in ("проверку", "учёт", "питани", "отдыха"):
        assert not any(unseen in title for title in found), unseen
    # title hits first (each newest first), then the documents whose text alone holds the word
    titled = [title for title in found if "беспеч" in title.lower()]
    assert found[:len(titled)] == titled


def test_the_same_hits_when_she_sees_too_many_to_read_them_apart(world, client, auth, monkeypatch):
    """Beyond OWN of her objects every entry is tested instead: the same pages and count."""
    monkeypatch.setattr(search, "PAGE_SIZE", 4)
    auth.login("exec")
    apart, count = _hits(client, WORD), _found(client, WORD)
    monkeypatch.setattr(search, "OWN", 3)
    answers = _walked(monkeypatch)
    assert _hits(client, WORD) == apart and _found(client, WORD) == count
    assert answers and all(answer is None for answer in answers)


def test_filters_that_only_assignments_or_documents_pass(world, client, auth):
    auth.login("exec")
    everything = _hits(client, WORD)
    assignments = _hits(client, WORD, kind="assignment")
    documents = _hits(client, WORD, kind="document")
    assert assignments == [hit for hit in everything if hit[0] == "assignment"] and assignments
    assert documents == [hit for hit in everything if hit[0] == "document"] and documents
    assert _hits(client, WORD, status="done") == [hit for hit in assignments if _status(world, hit[1]) == "done"]


def test_the_published_documents_title_read_is_judged_by_their_titles(world, client, auth, monkeypatch):
    """Among the published documents texts may hold the words where titles do not: the title hits are read
    through the titles' index when the newest documents' titles seldom hold the words, however common they are
    in the texts (a capped walk through 30,000 documents for none found took 0.9 s at 1M)."""
    monkeypatch.setattr(search, "PROBE", 8)  # every published document probed
    monkeypatch.setattr(search, "CAP", 2)  # a capped walk possible
    monkeypatch.setattr(search, "DENSE", 5)  # 7 texts hold «обеспечить», 4 titles
    chosen: list = []
    ways = search._ways
    monkeypatch.setattr(search, "_ways", lambda conditions, terms, domain=(), within=(): chosen.append(
        ways(conditions, terms, domain, within)) or chosen[-1])
    monkeypatch.setattr(search, "PAGE_SIZE", 3)
    auth.login("exec")
    assert _hits(client, WORD) == _expected(world, "exec", WORD)
    assert chosen and {(w.count, w.title, w.others) for w in chosen} == {("walk", "index", "index")}


def test_the_count_stops_at_the_window_with_her_own_hits_alone(world, client, auth, monkeypatch):
    """More of her own hits than the window settle the count («более»; the published documents are not counted)
    and the pages reach the first WINDOW hits in order; a window of every hit counts them all."""
    monkeypatch.setattr(search, "PAGE_SIZE", 3)
    auth.login("exec")
    everything = _expected(world, "exec", WORD)
    monkeypatch.setattr(search, "WINDOW", 5)
    assert _found(client, WORD).startswith("более 5,")
    assert _hits(client, WORD) == everything[:5]
    monkeypatch.setattr(search, "WINDOW", len(everything))
    assert _found(client, WORD).split(",")[0] == str(len(everything))
    assert _hits(client, WORD) == everything


def _status(app, assignment_id: int) -> str:
    with app.app_context():
        return db.session.get(Assignment, assignment_id).status


def test_the_published_documents_are_read_through_their_own_indexes(app):
    """Migration 0029's partial indexes serve the statements as written (their predicate inline): newest first
    without a sort; on PostgreSQL the titles' and the texts' full-text indexes of the published documents alone
    (the date index hidden there, and since migration 0051 the bodies' index, which holds each entry's kind and
    state: on a test's tiny table any index that filters down to a row is as cheap)."""
    with app.app_context():
        newest = plan(select(SearchEntry.id).where(*search._published_documents())
                      .order_by(*search._newest_first()).limit(20))
        assert "ix_search_entry_published_date" in newest, newest
        assert "Sort" not in newest and "TEMP B-TREE" not in newest, newest
        if db.engine.dialect.name != "postgresql":
            return
        # every other index that could filter a tiny table down to a row taken away (rolled back after)
        db.session.connection().exec_driver_sql("ALTER TABLE search_entry DROP CONSTRAINT uq_search_entry_kind")
        titles = plan(select(SearchEntry.id).where(search._fts("title", ["обеспеч"]), *search._published_documents()),
                      hide=("ix_search_entry_title_tsv", "ix_search_entry_published_date", "ix_search_entry_body"))
        assert "ix_search_entry_published_title" in titles, titles
        texts = plan(select(SearchEntry.id).where(search._fts("published", ["обеспеч"]),
                                                  *search._published_documents()),
                     hide=("ix_search_entry_published_date", "ix_search_entry_body"))
        db.session.rollback()
        assert "ix_search_entry_published_text" in texts, texts


def test_her_own_entries_are_read_by_their_ids(app):
    """Her assignments' entries through (kind, object_id), one look-up per id (on PostgreSQL an array parameter,
    which the plan helper cannot write in: planned with it bound, scans discouraged as there)."""
    with app.app_context():
        query = select(SearchEntry.id).where(SearchEntry.kind == "assignment",
                                             search._among(SearchEntry.object_id, [3, 5, 8]))
        if db.engine.dialect.name == "postgresql":
            connection = db.session.connection()
            connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
            # migration 0036's partial index of assignments' entries ties with it on a tiny table (rolled back)
            connection.exec_driver_sql("DROP INDEX ix_search_entry_assignment_body")
            compiled = query.compile(dialect=db.engine.dialect)
            found = "\n".join(row[0] for row in connection.exec_driver_sql(f"EXPLAIN {compiled}",
                                                                            compiled.params))
            db.session.rollback()
        else:
            found = plan(query)
    assert "uq_search_entry_kind" in found or "sqlite_autoindex_search_entry_1 (kind=? AND object_id=?)" in found, \
        found


@pytest.mark.parametrize("login", ["exec", "head"])
def test_her_co_executed_ids_are_read_by_key(world, client, auth, login):
    """The ids of the assignments her bodies co-execute are read alone, on PostgreSQL as one array and then each by
    its key (as `id IN (SELECT …)` PostgreSQL hashed a department's 2,000 against every assignment: 50 ms at 1M),
    and she finds what she co-executes."""
    from sqlalchemy import event

    sent: list[str] = []
    with world.app_context():
        engine = db.engine
        postgresql = engine.dialect.name == "postgresql"

    def record(_conn, _cursor, statement, *_args):
        sent.append(statement)
    auth.login(login)
    event.listen(engine, "before_cursor_execute", record)
    try:
        hits = _hits(client, WORD)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert hits == _expected(world, login, WORD)
    reads = [statement for statement in sent if "assignment_coexecutor.assignment_id" in statement]
    assert reads, sent
    by_key = "= ANY (array((SELECT assignment_coexecutor.assignment_id"
    assert any(by_key in s for s in reads) is postgresql, reads


@pytest.mark.parametrize("published", ["index", "date order"])
def test_the_published_documents_are_not_tested_against_the_policy(world, client, auth, monkeypatch, published):
    """Everyone reads a published document, and an entry's state is its document's: read apart from her own
    objects, the published documents' entries are counted and read without a look-up of each one's document (an
    EXISTS per hit, 3 ms of each count of a school executor's «обеспечить» at 1,000,000 assignments)."""
    if published == "index":
        monkeypatch.setattr(search, "PROBE", 10**9)
    else:
        monkeypatch.setattr(search, "PROBE", 2)
        monkeypatch.setattr(search, "DENSE", 0)
    auth.login("exec")
    with counted_statements(world) as seen:
        found = _hits(client, WORD)
    assert found == _expected(world, "exec", WORD)
    published_reads = [s for s in seen if "search_entry.state = 'published'" in s]
    assert published_reads, seen
    assert not [s for s in published_reads if "FROM document" in s], published_reads
