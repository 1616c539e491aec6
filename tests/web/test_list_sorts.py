"""«Поручения» by the lead body and by status: the page's rows are read group after group (bodies in name order,
statuses in rank order, each group's rows by id) instead of sorting every row; every user kind must still get every
row she may read once, in the order the sort keys give (ties broken by id, rows without a lead body last), across
keyset page boundaries inside a body and a status and across them — and the cursor still names the last row."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import insert

from tests.web.test_assignment_list import _walk  # ids through every page, following «Дальше»
from tests.web.test_assignment_list_branches import _bound
from tests.web.test_query_plans import plan
from webapp.extensions import db
from webapp.models import Assignment, AssignmentStatus, Body, Document, User
from webapp.models.assignment import OPEN_STATUSES, assignment_coexecutor
from webapp.services import assignments

STATUSES = ("new", "in_work", "reported", "returned", "done", "cancelled")
RANKS = {status.value: rank for rank, status in enumerate(AssignmentStatus)}
#: Names whose order is not their ids' (the bodies are added in this order)
NAMES = ("Школа", "Управление", "Чужая", "Архив № 10", "архив № 9")  # the two by the numbers' values


@pytest.fixture
def world(app, make_user):
    """Rows of every status for five bodies (and none) in each way of seeing one: lead body, co-executor,
    controller; drafts, which nobody lists."""
    with app.app_context():
        bodies = {name: Body(name=name) for name in NAMES}
        bodies["Школа"].parent = bodies["Управление"]
        db.session.add_all(bodies.values())
        db.session.commit()
    make_user("aud", "auditor")
    make_user("exec", "executor", bodies=["Школа"])
    make_user("head", "head", bodies=["Управление"])
    make_user("ctl", "controller")
    with app.app_context():
        bodies = {body.name: body.id for body in db.session.query(Body)}
        users = {u.login: u.id for u in db.session.query(User)}
        document = Document(doc_type="order", title="О мерах", state="published", number="5",
                            reg_date=date(2026, 1, 15))
        db.session.add(document)
        db.session.flush()
        made = []

        def add(n: int, lead: str | None, controller: str | None = None, coexecutor: str | None = None,
                status: str | None = None) -> None:
            for i in range(n):
                made.append((Assignment(document_id=document.id, action="Поручение",
                                        lead_body_id=bodies[lead] if lead else None,
                                        status=status or STATUSES[(i * 5 + n) % len(STATUSES)],
                                        deadline=date(2026, 11, 2 + i % 3), deadline_kind="by",
                                        controller_id=users[controller] if controller else None), coexecutor))

        for round_ in range(2):  # each body's rows in two runs of ids, so a body's rows are not one range of ids
            add(13, "Школа")
            add(7, "Чужая", coexecutor="Школа")
            add(6, "Архив № 10", controller="exec")
            add(5, "Школа", controller="exec")  # lead and controller: two branches, one row
            add(9, "Управление")
            add(12, "архив № 9", controller="ctl")
            add(6, None, controller="ctl" if round_ else None)  # no lead body: last either way
            add(2, "Школа", status="draft")
        db.session.add_all([a for a, _ in made])
        db.session.flush()
        db.session.execute(insert(assignment_coexecutor), [
            {"assignment_id": a.id, "body_id": bodies[body]} for a, body in made if body is not None])
        db.session.commit()
        return {"bodies": bodies, "users": users}


def _expected(app, world, login: str, sort: str, status: str = "") -> list[int]:
    """What the user may read and asked for, in the list's order, worked out in Python from the rows."""
    bodies = {"exec": {"Школа"}, "head": {"Школа", "Управление"}, "ctl": set(), "aud": None}[login]
    ids = {world["bodies"][name] for name in bodies} if bodies is not None else None
    me = world["users"][login]
    with app.app_context():
        wanted = OPEN_STATUSES if status == "open" else (status,) if status else None  # "": every status
        rows = [a for a in db.session.query(Assignment) if a.status != "draft" and (not wanted or a.status in wanted)]
        if ids is not None:
            rows = [a for a in rows if {b.id for b in a.bodies} & ids or a.controller_id == me]
        keyed = [((a.lead_body.sort_key if a.lead_body else None) if "body" in sort else RANKS[a.status], a.id)
                 for a in rows]
    descending = sort.startswith("-")
    named = sorted(((key, i) for key, i in keyed if key is not None), reverse=descending)
    return [i for _key, i in named] + sorted((i for key, i in keyed if key is None), reverse=descending)


@pytest.mark.parametrize("login", ["aud", "exec", "head", "ctl"])
@pytest.mark.parametrize("sort", ["body", "-body", "status", "-status"])
@pytest.mark.parametrize("status", ["", "open", "done", "new"])
def test_every_row_once_in_the_sorts_order_across_pages(app, client, auth, world, login, sort, status):
    """Pages of 5 break inside a body's and a status's rows and between them; rows without a lead body come last
    both ways; a row the user reads two ways comes once. «Открытые» is the list's default (no status asked)."""
    expected = _expected(app, world, login, sort, status)
    auth.login(login)
    asked = {"": "&status=all", "open": ""}.get(status, f"&status={status}")  # none asked: the open ones
    seen = _walk(client, f"/assignments?size=25&sort={sort}{asked}")
    assert seen == expected
    if not status:
        assert len(seen) > 25  # a page boundary is crossed


def test_bodies_come_in_the_directory_s_order(app, client, auth, world):
    """Case aside and numbers by value, as the directory of bodies lists them: «архив № 9» before «Архив № 10»
    (character by character «№ 10» came first), both before «Управление»."""
    auth.login("aud")
    html = client.get("/assignments?size=100&sort=body&status=all").get_data(as_text=True)
    with app.app_context():
        lead = {a.id: a.lead_body.name for a in db.session.query(Assignment) if a.lead_body}
    shown = [lead[int(i)] for i in re.findall(r'<a href="/assignments/(\d+)">', html) if int(i) in lead]
    assert list(dict.fromkeys(shown)) == ["архив № 9", "Архив № 10", "Управление", "Чужая", "Школа"]


@pytest.mark.parametrize("sort", ["body", "status"])
def test_the_next_page_s_cursor_names_the_last_row_shown(app, client, auth, world, sort):
    """The cursor is the last row's sort key and id, as it was: «v<body name>_<id>», «v<status rank>_<id>»."""
    auth.login("aud")
    html = client.get(f"/assignments?size=25&sort={sort}&status=all").get_data(as_text=True)
    shown = [int(i) for i in re.findall(r'<a href="/assignments/(\d+)">', html)]
    after = re.search(r'href="[^"]*after=([^"&]+)[^"]*" id="next-page"', html)[1]
    with app.app_context():
        last = db.session.get(Assignment, shown[-1])
        key = last.lead_body.sort_key if sort == "body" else RANKS[last.status]
    from urllib.parse import unquote_plus
    assert unquote_plus(after) == f"v{key}_{last.id}"


@pytest.mark.parametrize("after", ["n_3", "v99_3", "v-5_3"])
def test_a_cursor_no_page_made_finds_what_it_did(app, client, auth, world, after):
    """A cursor after a row without a status rank, or after a rank no status has: the rows after it, as the CASE
    order gives them (none after 99, all after -5)."""
    auth.login("aud")
    seen = _walk(client, f"/assignments?size=25&sort=status&status=all&after={after}")
    expected = _expected(app, world, "aud", "status")
    assert seen == {"n_3": [], "v99_3": [], "v-5_3": expected}[after]


@pytest.mark.parametrize(("sort", "index"), [("status", "ix_assignment_status_id"), ("body", "body")])
def test_the_auditor_s_page_walks_groups_through_indexes(app, world, sort, index):
    """With parameters bound (PostgreSQL's generic plan), the auditor's page by status reads each status's rows
    from the (status, id) index (migration 0038), and by the lead body walks the bodies' name index (SQLite:
    its unique name's autoindex): before, both sorted every assignment. After a cursor too."""
    name = {"body": ("ix_body_sort_key",)}.get(index, (index,))
    with app.app_context():
        user = db.session.get(User, world["users"]["aud"])
        for after in (None, "v3_10" if sort == "status" else "vчужая_10"):
            statement, values = assignments.list_statement(user, sort=sort, after=after, size=50)
            # on the test's tiny tables PostgreSQL may read a status's rows off the primary key (in id order) with a
            # filter: taken away too, inside plan()'s savepoint (CI's PostgreSQL stage did so once in ten runs)
            found = plan(_bound(statement, values), hide=("ix_assignment_status_deadline", "pk_assignment"))
            assert any(n in found for n in name), found
