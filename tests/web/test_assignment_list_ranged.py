"""«Поручения» in deadline order after a cursor, and newest first: the rows with a deadline and those without
(NULLS LAST) are read apart (paging._ranged_firsts), so that the deadline's index is read from the cursor on (or
backwards) instead of from its first entry. Every row once, in order, across pages that break inside groups of equal
deadlines and cross into the rows without one (the world is test_assignment_list_branches')."""

from __future__ import annotations

import pytest

from tests.web.test_assignment_list import _walk
from tests.web.test_assignment_list_branches import _bound, world  # noqa: F401 (fixture)
from tests.web.test_assignment_list_branches import _expected as _branches_expected
from tests.web.test_query_plans import plan
from webapp.extensions import db
from webapp.models import Assignment, User
from webapp.models.assignment import OPEN_STATUSES
from webapp.services import assignments


@pytest.fixture
def seen_by_all(app, world, make_user):  # noqa: F811 (pytest's fixture by name)
    return {**world, "auditor": make_user("aud", "auditor")}


def _in_order(app, status: str, descending: bool, login: str, school: int) -> list[int]:
    """The rows in the list's order worked out in Python: the auditor's every row in force, the school's executor
    hers (the school leads it)."""
    with app.app_context():
        rows = [a for a in db.session.query(Assignment) if a.status != "draft"
                and (login == "aud" or a.lead_body_id == school)
                and (status == "all" or (a.status in OPEN_STATUSES if status == "open" else a.status == status))]
    dated = sorted((a for a in rows if a.deadline), key=lambda a: (a.deadline, a.id), reverse=descending)
    return [a.id for a in dated] + sorted((a.id for a in rows if not a.deadline), reverse=descending)


@pytest.mark.parametrize("status", ["all", "open", "done"])
@pytest.mark.parametrize("descending", [False, True])
def test_the_auditor_s_pages_every_row_once_in_order(app, client, auth, seen_by_all, status, descending):
    auth.login("aud")
    expected = _in_order(app, status, descending, "aud", seen_by_all["school"])
    seen = _walk(client, f"/assignments?size=25&status={status}&sort={'-' if descending else ''}deadline")
    assert seen == expected
    assert len(expected) > 25 or status == "done"


@pytest.mark.parametrize("descending", [False, True])
def test_a_school_s_lead_rows_every_row_once_in_order(app, client, auth, seen_by_all, descending):
    auth.login("exec")
    expected = _in_order(app, "all", descending, "exec", seen_by_all["school"])
    seen = [i for i in _walk(client, f"/assignments?size=25&status=all&scope=mine&sort="
                                     f"{'-' if descending else ''}deadline") if i in set(expected)]
    assert seen == expected


@pytest.mark.parametrize(("status", "after", "descending"), [
    ("all", "v2026-11-09_10", False), ("open", "v2026-11-09_10", False), ("all", None, True),
    ("all", "v2026-11-09_10", True)])
def test_the_deadline_index_is_read_from_the_cursor_on(app, seen_by_all, status, after, descending):
    """With parameters bound, the auditor's page after a dated row reads the deadline's index from the cursor
    (an index condition on the deadline: the OR of the rows after it and those without one had none, and
    PostgreSQL walked the index from its first entry); newest first, the index is read backwards, not sorted."""
    with app.app_context():
        auditor = db.session.get(User, seen_by_all["auditor"])
        statement, values = assignments.list_statement(auditor, status=status, after=after, size=50,
                                                       sort="-deadline" if descending else "deadline")
        found = plan(_bound(statement, values), hide=("ix_assignment_lead_body_status_deadline",
                                                      "ix_assignment_controller_status_deadline"))
        if db.engine.dialect.name == "sqlite":
            ranged = [line for line in found.splitlines() if "deadline" in line and "USING" in line]
            assert ranged and ("deadline>" in found or "deadline<" in found or after is None), found
        else:
            # the rows with a deadline read from the deadline's index in order (a range of it, or the whole of it
            # backwards), not every row sorted: an index condition on the deadline, or the index's order presorted
            ranged = [line for line in found.splitlines() if "Index Cond" in line and "deadline" in line
                      or "Presorted Key: assignment_1.deadline" in line]
            assert ranged, found


@pytest.mark.parametrize("login", ["exec", "head"])
@pytest.mark.parametrize("status", ["open", "new", "all", "done"])
@pytest.mark.parametrize("descending", [False, True])
def test_newest_first_every_row_once_in_order(app, client, auth, seen_by_all, login, status, descending):
    """«Сначала новые» (and the other way) of the school's executor, who reads rows as the lead body's member, as a
    co-executor and as their controller (each way read apart), and of the head of the school's board (two bodies:
    one OR; on SQLite her open rows sorted): every row once in id order across pages."""
    auth.login(login)
    expected = sorted(_branches_expected(app, seen_by_all, login, status=status if status != "all" else ""),
                      reverse=not descending)
    seen = _walk(client, f"/assignments?size=25&status={status}&sort={'-' if descending else ''}newest")
    assert seen == expected
    assert len(expected) > 25 or status in ("new", "done")


@pytest.mark.parametrize("status", ["open", "new", "all", "done"])
@pytest.mark.parametrize("descending", [False, True])
def test_newest_first_of_a_school_reads_each_way_apart_and_sorts_her_rows(app, seen_by_all, status, descending):
    """«Сначала новые» of a school reads each way she reads them (lead body, co-executor, controller) as a part of
    its own, merged (a UNION of the three), each part ordered by an id no index gives, so her rows are read through
    the part's own index and sorted. As one OR, at 1M PostgreSQL walked the primary key backwards past 999,978 rows
    for a school's 22 open ones; and so each part did for her done ones (55-60 ms; SQLite 58-87). (Which index each
    part takes a test's tiny tables cannot show: bench/survey.py --sorts.)"""
    with app.app_context():
        user = db.session.get(User, seen_by_all["users"]["exec"])
        statement, _values = assignments.list_statement(user, status=status, sort="-newest" if descending else "newest",
                                                        size=50)
        sql = str(statement.compile(dialect=db.engine.dialect))
    assert sql.count("UNION") == 2, sql
    assert sql.count("assignment.id + 0") >= 3, sql


@pytest.mark.parametrize("status", ["open", "new", "done"])
@pytest.mark.parametrize("after", [None, "v90_90"])
def test_newest_first_of_a_department_s_open_rows_is_sorted_on_sqlite(app, seen_by_all, status, after):
    """A head of several bodies reads «сначала новые» by one OR of her ways. On SQLite her open rows (the list's
    default, or only overdue) are read and sorted: from a cursor the primary key's walk met the other bodies' rows
    to the end (170-180 ms at 1M, 6 ms sorted). A single status, and every one on PostgreSQL, is walked (sorted, a
    department's done rows took 260 ms on SQLite and 100 on PostgreSQL)."""
    with app.app_context():
        user = db.session.get(User, seen_by_all["users"]["head"])
        statement, _values = assignments.list_statement(user, status=status, sort="newest", after=after, size=50)
        sql = str(statement.compile(dialect=db.engine.dialect))
        sorted_ = status == "open" and db.engine.dialect.name == "sqlite"
    assert ("assignment.id + 0" in sql) == sorted_, sql
