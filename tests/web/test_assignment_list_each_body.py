"""«Поручения» of a user of several bodies (a department) in deadline order: on PostgreSQL each of her bodies' rows
are read apart, one status at a time (a range of the body + status + deadline index for every body, by LATERAL),
up to assignments.EACH_BODY_AT_MOST bodies; above it, and on SQLite, by one OR of the ways she reads them. Both
must give every row she may read once, in order, across pages (the world and the expected rows are
test_assignment_list_branches')."""

from __future__ import annotations

import re

import pytest

from tests.web.test_assignment_list import _walk
from tests.web.test_assignment_list_branches import COMPETING, DAYS, _bound, _expected, world  # noqa: F401 (fixture)
from tests.web.test_query_plans import plan
from webapp.extensions import db
from webapp.models import Assignment, Document, User
from webapp.services import assignments


@pytest.fixture
def crowded(app, world):  # noqa: F811 (pytest's fixture by name)
    """60 more of the school's rows in work and 30 of the board's new ones, so that one body's rows of one status
    fill more than a page of 25 (each body's first rows after the cursor must be read, not only its first)."""
    with app.app_context():
        document = db.session.query(Document).one()
        db.session.add_all(Assignment(document_id=document.id, action="Ещё", lead_body_id=body, status=status,
                                      deadline=day, deadline_kind="by" if day else "none")
                           for body, status, n in ((world["school"], "in_work", 60), (world["board"], "new", 30))
                           for day in (DAYS[i % len(DAYS)] for i in range(n)))
        db.session.commit()
    return world


@pytest.mark.parametrize("at_most", [assignments.EACH_BODY_AT_MOST, 1])
@pytest.mark.parametrize(("query", "asked"), [
    ("&status=all", {}),
    ("&status=all&sort=-deadline", {"descending": True}),
    ("&status=open&scope=mine", {"status": "open", "scope": "mine"}),
    ("&status=open", {"status": "open"}),
    ("&status=done", {"status": "done"}),
    ("&overdue=1", {"overdue": True}),
])
def test_a_department_s_rows_once_in_order_whichever_way_read(app, client, auth, crowded, monkeypatch, at_most,
                                                              query, asked):
    """The head of the board sees the board's and the school's rows (two bodies): each body apart (the default)
    and by the OR (EACH_BODY_AT_MOST below her two bodies) give the same rows, across pages of 25."""
    monkeypatch.setattr(assignments, "EACH_BODY_AT_MOST", at_most)
    auth.login("head")
    expected = _expected(app, crowded, "head", **asked)
    assert _walk(client, f"/assignments?size=25{query}") == expected
    assert len(expected) > 50 or "done" in query  # pages cross one body's rows of one status


def test_each_body_is_read_apart_on_postgresql_only_up_to_the_limit(app, crowded, monkeypatch):
    with app.app_context():
        head = db.session.get(User, crowded["users"]["head"])
        postgresql = db.engine.dialect.name == "postgresql"
        assert assignments._bodies_walk(2) == (assignments.EACH_BODY if postgresql else assignments.OR_WALK)
        assert assignments._bodies_walk(1) is None
        each = assignments.list_statement(head, size=50)[0]
        monkeypatch.setattr(assignments, "EACH_BODY_AT_MOST", 1)
        assert assignments._bodies_walk(2) == assignments.OR_WALK
        # the way is part of the statement's kind: the statement kept for the other way is not reused
        assert (assignments.list_statement(head, size=50)[0] is each) is not postgresql


def test_a_department_s_bodies_are_each_a_range_of_their_index(app, crowded):
    """With parameters bound (PostgreSQL's generic plan), on the first page and after a cursor, the lead bodies' rows
    are read per body (the index's condition is one body's, not the list of them: the OR made PostgreSQL walk the
    deadline index for every body of the organisation — 38,283 rows for a department's 51 at 1M)."""
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("SQLite reads a department's rows by the OR (no LATERAL)")
        head = db.session.get(User, crowded["users"]["head"])
        for after in (None, "v2026-11-09_10"):
            statement, values = assignments.list_statement(head, status="open", after=after, size=50)
            found = plan(_bound(statement, values), hide=COMPETING)
            per_body = [line for line in found.splitlines() if "ix_assignment_lead_body_status_deadline" in line]
            assert per_body, found
            assert re.search(r"Index Cond: \(\(lead_body_id = body(_\d+)?\.id\)", found), found


@pytest.mark.parametrize("login", ["head", "exec"])
@pytest.mark.parametrize("query", [{"status": "open"}, {"status": "open", "after": "v2026-11-09_10"},
                                   {"status": "done", "sort": "-status"}, {"status": "all", "sort": "body"}])
def test_the_co_executed_rows_are_read_by_key_and_sorted(app, crowded, login, query):
    """A department's (several bodies) and a school's co-executed rows, read alone in a deadline-ordered page and in
    the grouped orders: found from the co-executors' body index and then each by its key, never by walking an
    index of the whole organisation's assignments in the page's order (with 2,000 co-executed rows of a
    department at 1M PostgreSQL walked the deadline index for them: 0.6-1.4 s) nor by hashing them against every
    row of a status (33 ms). On PostgreSQL, as `id IN (SELECT …)`, the plan had no read of them by key."""
    with app.app_context():
        user = db.session.get(User, crowded["users"][login])
        statement, values = assignments.list_statement(user, size=50, **query)
        # (the pairs' primary key taken away: on a tiny table PostgreSQL may read it whole instead of the body's)
        found = plan(_bound(statement, values), hide=("pk_assignment_coexecutor",))
        assert "ix_assignment_coexecutor_body_id" in found, found
        if db.engine.dialect.name == "postgresql":  # the ids first (one array), then the rows with those ids
            assert re.search(r"InitPlan \d+ \(returns \$\d+\)\n.*on assignment_coexecutor", found), found
            assert re.search(r"\(id = ANY \(\$\d+\)\)", found), found


@pytest.mark.parametrize("sort", ["deadline", "-deadline", "status", "date", "newest"])
def test_on_my_control_reads_the_controller_s_rows_alone(app, client, auth, crowded, sort):
    """«На моём контроле» of a user of several bodies is her controller's branch alone: no test of her other ways
    of reading an assignment on the page's rows (as one more OR on them PostgreSQL read every open row of the
    organisation at 1M: 200-370 ms), and the page still lists exactly the rows she controls."""
    with app.app_context():
        head = db.session.get(User, crowded["users"]["head"])
        for assignment in db.session.query(Assignment).order_by(Assignment.id).all()[::7]:  # hers and others'
            assignment.controller_id = head.id
        db.session.commit()
        statement, _ = assignments.list_statement(head, scope="control", status="all", sort=sort, size=50)
        assert "assignment_coexecutor" not in str(statement) and "lead_body_id IN" not in str(statement)
        controlled = {a.id for a in db.session.query(Assignment).filter(Assignment.controller_id == head.id,
                                                                         Assignment.status != "draft")}
    assert controlled
    auth.login("head")
    listed = re.findall(r'href="/assignments/(\d+)"', client.get(
        f"/assignments?scope=control&status=all&sort={sort}&size=100").get_data(as_text=True))
    assert {int(i) for i in listed} == controlled
