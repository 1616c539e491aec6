"""The assignment list: keyset pages that hold every row once and stay put when rows are added, filters and
scopes in SQL, and a number of SQL statements that does not grow with the rows shown."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from tests.conftest import counted_statements
from webapp.extensions import db
from webapp.models import Assignment, Body, Document

ROW = re.compile(r'<a href="/assignments/(\d+)">')


@pytest.fixture
def world(app, make_user):
    with app.app_context():
        school, other = Body(name="Школа 1"), Body(name="Школа 2")
        document = Document(doc_type="order", title="О мерах", state="published", number="5",
                            reg_date=date(2026, 1, 15))
        db.session.add_all([school, other, document])
        db.session.commit()
        ids = {"school": school.id, "other": other.id, "document": document.id}
    make_user("exec", "executor", bodies=["Школа 1"])
    make_user("ctl", "controller")
    make_user("aud", "auditor")
    return ids


def _add(app, world, count: int, start: date = date(2026, 11, 1), **extra) -> None:
    with app.app_context():
        for n in range(count):
            document_id, extra_body = world["document"], extra.get("body", world["school"])
            if extra.get("own_documents"):  # a document and a body of its own: lazy loads would show
                document = Document(doc_type="order", title=f"Документ {n}", state="published", number=str(n))
                body = Body(name=f"Орган {n} ({count})")
                db.session.add_all([document, body])
                db.session.flush()
                document_id, extra_body = document.id, body.id
            db.session.add(Assignment(
                document_id=document_id, action=f"Поручение {n}", status=extra.get("status", "in_work"),
                lead_body_id=extra_body, controller_id=extra.get("controller"),
                deadline=None if n % 7 == 6 else start + timedelta(days=n % 5), deadline_kind="by"))
        db.session.commit()


def _walk(client, url: str) -> list[int]:
    """Ids through every page, following «Дальше»."""
    seen = []
    while url:
        html = client.get(url).get_data(as_text=True)
        seen += [int(i) for i in ROW.findall(html)]
        link = re.search(r'href="([^"]+)" id="next-page"', html)
        url = link.group(1).replace("&amp;", "&") if link else None
    return seen


def _expected(app, **where) -> list[int]:
    with app.app_context():
        rows = db.session.query(Assignment).filter_by(**where).all()
        rows.sort(key=lambda a: (a.deadline is None, a.deadline or date.min, a.id))
        return [a.id for a in rows]


def test_pages_hold_every_row_once_in_order(app, client, auth, world):
    _add(app, world, 60)
    auth.login("aud")
    assert _walk(client, "/assignments?size=25") == _expected(app)
    newest = _walk(client, "/assignments?size=25&sort=newest")
    assert newest == sorted(newest, reverse=True) and len(newest) == 60


def test_a_page_stays_put_when_rows_are_added_before_it(app, client, auth, world):
    _add(app, world, 60)
    auth.login("aud")
    html = client.get("/assignments?size=25").get_data(as_text=True)
    second = re.search(r'href="([^"]+)" id="next-page"', html).group(1).replace("&amp;", "&")
    before = [int(i) for i in ROW.findall(client.get(second).get_data(as_text=True))]
    _add(app, world, 5, start=date(2026, 1, 1))  # earlier deadlines: they go to the first page
    assert [int(i) for i in ROW.findall(client.get(second).get_data(as_text=True))] == before


def test_filters_and_scopes_are_applied_in_the_query(app, client, auth, world, frozen_clock):
    _add(app, world, 10, start=date(2026, 11, 1))  # in work; deadlines 1–5 November: overdue on 23 November
    _add(app, world, 4, start=date(2026, 12, 20), body=world["other"])
    _add(app, world, 3, start=date(2026, 11, 1), status="done")
    auth.login("aud")
    overdue = _walk(client, "/assignments?overdue=1")
    with app.app_context():
        rows = [db.session.get(Assignment, i) for i in overdue]
    assert rows and all(a.status == "in_work" and a.deadline < date(2026, 11, 23) for a in rows)
    assert len(overdue) == len([n for n in range(10) if n % 7 != 6])  # no deadline, never overdue
    auth.logout()
    auth.login("exec")
    mine = _walk(client, "/assignments?scope=mine")
    with app.app_context():
        assert mine and {db.session.get(Assignment, i).lead_body_id for i in mine} == {world["school"]}
    assert _walk(client, "/assignments?scope=mine&status=done") == _expected(app, status="done",
                                                                             lead_body_id=world["school"])


def test_statements_do_not_grow_with_the_rows(app, client, auth, world):
    auth.login("aud")
    counts = []
    for rows in (10, 90):
        _add(app, world, rows, own_documents=True)
        with counted_statements(app) as seen:
            client.get("/assignments?size=100")
        counts.append(len(seen))
    assert counts[0] == counts[1], counts


@pytest.mark.parametrize("cursor", ["junk", "2026-13-01_5", "-_x", "2026-01-01"])
def test_a_broken_page_link_starts_the_list_again(app, client, auth, world, cursor):
    _add(app, world, 3)
    auth.login("aud")
    response = client.get("/assignments", query_string={"after": cursor, "status": "in_work"})
    assert response.status_code == 302 and "after=" not in response.headers["Location"]
    assert "status=in_work" in response.headers["Location"]
    assert "Неверная ссылка на страницу" in client.get(response.headers["Location"]).get_data(as_text=True)
