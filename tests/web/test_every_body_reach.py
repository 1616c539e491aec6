"""A member of the top body whose reach is every body of the directory (a ministry's staff: the region's every body
is under the ministry): her pages read her rows without every body's id written into their statements — and read
exactly the rows she may read, no more: those some body leads or co-executes, those she controls; not those of no
body she does not control. Once a body stands outside her tree, she reads as any member of several bodies does."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from icalendar import Calendar
from openpyxl import load_workbook
from sqlalchemy import select, update

from tests.conftest import counted_statements
from tests.web.test_assignment_list import _walk
from tests.web.test_assignment_list_branches import _expected as expected_of
from tests.web.test_assignment_list_branches import world  # noqa: F401 (the fixture)
from webapp.extensions import db
from webapp.models import Assignment, Body, Document, User
from webapp.services import calendar, search


@pytest.fixture
def ministry(app, world, make_user):  # noqa: F811 (the fixture imported above)
    """The branches' world under one top body, «Министерство»; its head and an auditor are its members, and rows
    of no body: one the head controls, one nobody of hers does."""
    with app.app_context():
        top = Body(name="Министерство")
        db.session.add(top)
        db.session.flush()
        db.session.execute(update(Body).where(Body.parent_id.is_(None), Body.id != top.id).values(parent_id=top.id))
        db.session.commit()
    world["minister"] = make_user("minister", "head", bodies=["Министерство"])
    world["auditor"] = make_user("ministry-auditor", "auditor", bodies=["Министерство"])
    world["users"].update({"minister": world["minister"], "ministry-auditor": world["auditor"]})
    with app.app_context():
        world["bodies"] = set(db.session.scalars(select(Body.id)))  # every body, all under the ministry
    with app.app_context():
        document = db.session.query(Document).first()
        for controller in (world["minister"], world["users"]["ctl"]):
            db.session.add(Assignment(document_id=document.id, action="Поручение без органа", lead_body_id=None,
                                      status="in_work", deadline=date(2026, 11, 9), deadline_kind="by",
                                      controller_id=controller))
        db.session.commit()
    return world


def _expected(app, ministry, login: str, **asked) -> list[int]:
    """Her rows worked out in Python: some body of the ministry's leads or co-executes it (every body is hers), or
    she controls it (not for «mine»), in the list's order (the branches' test's reckoning)."""
    return expected_of(app, ministry, login, bodies=ministry["bodies"], **asked)


@pytest.mark.parametrize(("query", "asked"), [
    ("&status=all", {}),
    ("&status=all&sort=-deadline", {"descending": True}),
    ("&status=all&scope=mine", {"scope": "mine"}),
    ("&status=open", {"status": "open"}),
    ("&status=in_work", {"status": "in_work"}),
    ("&status=all&overdue=1", {"overdue": True}),
])
def test_the_minister_reads_every_body_s_rows_and_those_she_controls_once_in_order(app, client, auth, ministry,
                                                                                  query, asked):
    auth.login("minister")
    expected = _expected(app, ministry, "minister", **asked)
    assert _walk(client, f"/assignments?size=25{query}") == expected
    if not asked:  # every body's rows, hers of no body; not another's of no body
        assert len(expected) == 72 + 1


@pytest.mark.parametrize("sort", ["body", "-status", "date"])
def test_the_minister_s_other_orders_hold_the_same_rows(app, client, auth, ministry, sort):
    auth.login("minister")
    seen = _walk(client, f"/assignments?size=25&status=all&sort={sort}")
    assert sorted(seen) == sorted(_expected(app, ministry, "minister")) and len(seen) == len(set(seen))


def test_an_auditor_of_the_ministry_sees_every_row_and_as_her_own_those_of_a_body(app, client, auth, ministry):
    auth.login("ministry-auditor")
    own = _walk(client, "/assignments?size=25&status=all&scope=mine")
    assert own == _expected(app, ministry, "ministry-auditor", scope="mine")
    with app.app_context():
        every = db.session.query(Assignment).filter(Assignment.status != "draft").count()
    assert len(_walk(client, "/assignments?size=25&status=all")) == every == len(own) + 2


def test_her_search_and_her_workbook_hold_the_same_rows(app, client, auth, ministry):
    with app.app_context():
        minister = db.session.get(User, ministry["minister"])
        results = search.search(minister, "поручение", search.Filters(kind="assignment"))
        found = set()
        for page in range(1, results.pages + 1):
            found |= {hit.entry.object_id for hit in search.search(minister, "поручение",
                                                                  search.Filters(kind="assignment"), page).hits}
    assert found == set(_expected(app, ministry, "minister"))
    auth.login("minister")
    sheet = load_workbook(io.BytesIO(client.get("/assignments/bulk.xlsx").data)).active
    rows = {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows == set(_expected(app, ministry, "minister", status="open")) - _series(app)


def _series(app) -> set[int]:
    with app.app_context():
        return {a.id for a in db.session.query(Assignment) if a.is_series}


def test_a_body_outside_her_tree_is_not_hers(app, client, auth, ministry):
    """A second top body: her reach is no longer every body, and its rows are not hers."""
    with app.app_context():
        outside = Body(name="Другая организация")
        db.session.add(outside)
        db.session.flush()
        document = db.session.query(Document).first()
        stranger = Assignment(document_id=document.id, action="Поручение другой организации", status="in_work",
                              lead_body_id=outside.id, deadline=date(2026, 11, 9), deadline_kind="by")
        db.session.add(stranger)
        db.session.commit()
        stranger_id = stranger.id
    auth.login("minister")
    seen = _walk(client, "/assignments?size=25&status=all")
    assert stranger_id not in seen
    assert seen == [i for i in _expected(app, ministry, "minister") if i != stranger_id]
    assert client.get(f"/assignments/{stranger_id}").status_code == 403


def _more_schools(app) -> int:
    """120 more schools under the ministry, so that a statement with a parameter per body stands out; the
    directory's size."""
    with app.app_context():
        top = db.session.query(Body).filter_by(name="Министерство").one()
        db.session.add_all([Body(name=f"Школа № {n}", parent=top) for n in range(100, 220)])
        db.session.commit()
        return db.session.query(Body).count()


def _most_parameters(statements: list[str]) -> int:
    return max(len(re.findall(r"\?|%\(", statement)) for statement in statements)


def test_her_pages_do_not_write_every_body_s_id_into_a_statement(app, client, auth, ministry):
    """No statement of her everyday pages carries a parameter per body (as lists of values they were 5,000 ids,
    twice, at a region's size: 0.1-1.3 s a page on PostgreSQL)."""
    bodies = _more_schools(app)
    auth.login("minister")
    with counted_statements(app) as seen:
        for path in ("/assignments", "/assignments?status=all&scope=mine", "/assignments?sort=body",
                     "/documents?sort=type", "/search?q=поручение", "/tasks", "/assignments/bulk.xlsx"):
            assert client.get(path).status_code == 200, path
    assert _most_parameters(seen) < bodies - 10


def _feed(client, url: str) -> set[int]:
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    return {int(str(event["uid"]).split("-")[1].split("@")[0])
            for event in Calendar.from_ical(response.data).walk("VEVENT")}


def test_her_calendar_feeds_hold_her_rows_without_every_body_s_id(app, client, auth, ministry):
    """Her own feed: every body's open assignments with a deadline in the window, and hers of no body. The
    ministry's feed: every body's, not hers of no body. Neither statement carries a parameter per body (at a
    region's 5,000 bodies her feed took 450 ms on PostgreSQL at 1,000,000 assignments)."""
    bodies = _more_schools(app)
    with app.app_context():
        minister = db.session.get(User, ministry["minister"])
        top = db.session.query(Body).filter_by(name="Министерство").one()
        own, theirs = calendar.create_token(minister), calendar.create_token(minister, top)
        db.session.commit()
        dated = {a.id for a in db.session.query(Assignment) if a.deadline and not a.is_series}
    expected = set(_expected(app, ministry, "minister", status="open")) & dated
    of_no_body = {ministry_row for ministry_row in expected if ministry_row not in
                  set(_expected(app, ministry, "minister", status="open", scope="mine"))}
    assert len(of_no_body) == 1
    with counted_statements(app) as seen:
        assert _feed(client, f"/calendar/{own}.ics") == expected
        assert _feed(client, f"/calendar/{theirs}.ics") == expected - of_no_body
    assert _most_parameters(seen) < bodies - 10


def test_a_search_filtered_by_the_top_body_finds_every_body_s_entries(app, client, auth, ministry):
    """Filtered by the ministry, whose subtree is every body, the search finds the entries of some body (written
    «a body at all», not every body's id), not those of none."""
    bodies = _more_schools(app)
    with app.app_context():
        top = db.session.query(Body).filter_by(name="Министерство").one()
        auditor = db.session.get(User, ministry["auditor"])
        with counted_statements(app) as seen:
            results = search.search(auditor, "поручение", search.Filters(kind="assignment", body_id=top.id))
            found = set()
            for page in range(1, results.pages + 1):
                found |= {hit.entry.object_id for hit in search.search(
                    auditor, "поручение", search.Filters(kind="assignment", body_id=top.id), page).hits}
        led = {a.id for a in db.session.query(Assignment) if a.status != "draft" and a.lead_body_id is not None}
    assert found == led and len(led) == 72
    assert _most_parameters(seen) < bodies - 10


def test_her_scope_is_every_body_not_the_organisation_as_a_whole(app, client, auth, ministry):
    """As a head she reads the drafts of a school far below (policy.scope_clause: a body at all, not every body's
    id); not a draft of no issuing body, the organisation's as a whole (a user's of no body, an administrator's);
    nor, once a body stands outside her tree, that body's."""
    with app.app_context():
        school = db.session.query(Body).filter_by(name="Школа").one()
        drafts = [Document(doc_type="order", title=f"Проект {n}", state="draft", issuing_body_id=body)
                  for n, body in enumerate((school.id, None))]
        db.session.add_all(drafts)
        db.session.commit()
        ids = [draft.id for draft in drafts]
    auth.login("minister")
    assert [client.get(f"/documents/{i}").status_code for i in ids] == [200, 403]
    register = client.get("/documents?sort=type").get_data(as_text=True)
    assert f'href="/documents/{ids[0]}"' in register and f'href="/documents/{ids[1]}"' not in register
    with app.app_context():
        outside = Body(name="Другая организация")
        db.session.add(outside)
        db.session.flush()
        theirs = Document(doc_type="order", title="Проект другой организации", state="draft",
                          issuing_body_id=outside.id)
        db.session.add(theirs)
        db.session.commit()
        theirs_id = theirs.id
    assert client.get(f"/documents/{ids[0]}").status_code == 200
    assert client.get(f"/documents/{theirs_id}").status_code == 403


@pytest.mark.parametrize("login", ["minister", "ministry-auditor"])
def test_her_search_among_documents_reads_those_not_in_force_apart(app, client, auth, ministry, monkeypatch, login):
    """Documents only, for a member of the top body: the documents not in force she may read (as a head, every
    body's drafts; as an auditor, all) through their ids — for the head through the unpublished states' index, not
    every document by its issuing body — the published through their own indexes: every document hit she may
    read, none other (tested against every entry: 1.3 s on PostgreSQL at 1M, and the ids read 0.4 s on SQLite)."""
    from tests.web.test_search import _hits
    from tests.web.test_search_bounded import _expected as hits_of

    with app.app_context():
        school = db.session.query(Body).filter_by(name="Школа").one()
        db.session.add_all([Document(doc_type="order", title=f"О поручении {n}", state=state, issuing_body_id=body,
                                     number=str(n) if state == "published" else None)
                            for n, (state, body) in enumerate([("published", school.id), ("draft", school.id),
                                                               ("draft", None), ("published", None)])])
        db.session.commit()
    answers: list = []
    own = search._own_hits
    monkeypatch.setattr(search, "_own_hits", lambda *args: answers.append(own(*args)) or answers[-1])
    auth.login(login)
    expected = [hit for hit in hits_of(app, login, "поручение") if hit[0] == "document"]
    assert _hits(client, "поручение", kind="document") == expected
    assert len(expected) == (3 if login == "minister" else 4)  # the head: not the draft of no issuing body
    assert answers and all(answer is not None for answer in answers)


def test_whether_she_reaches_every_body_is_asked_without_reading_her_reach(app, ministry):
    """One statement over the top bodies, not her reach of every body (a ministry's auditor's search read the
    region's 5,000 bodies to learn it: 9 ms at 1M); the same answer as her reach gives, whatever the tops."""
    def answers(login: str) -> tuple[bool, bool, list[str]]:
        with app.app_context():
            user = db.session.scalar(select(User).where(User.login == login))
            with counted_statements(app) as seen:
                alone = user.reaches_every_body()
            user.__dict__.pop("_reaches_every_body")
            read = len(user.reach_ids()) == db.session.query(Body).count()
            return alone, read, seen

    alone, read, seen = answers("minister")
    assert alone is read is True
    assert len(seen) == 1 and "RECURSIVE" not in seen[0].upper(), seen
    assert answers("ctl")[:2] == (False, False)  # a member of a body below the top
    with app.app_context():  # a second top body: the ministry's staff reach part of the directory only
        db.session.add(Body(name="Другая организация"))
        db.session.commit()
    assert answers("minister")[:2] == (False, False)
    with app.app_context():  # a member of both tops reaches every body again
        from webapp.models import Membership

        other = db.session.scalar(select(Body.id).where(Body.name == "Другая организация"))
        db.session.add(Membership(user_id=ministry["minister"], body_id=other))
        db.session.commit()
    assert answers("minister")[:2] == (True, True)
