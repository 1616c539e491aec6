"""«Поручения» prints its rows from plain values (assignments.ListedAssignment), not from models: what each row
shows must be what the models give — the document's label (a protocol dated by its meeting), the point's number,
the lead body's and the co-executors' names (a short name where there is one), the status, the kind of a deadline
that is none, overdue or not — on every page, in the list's order."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from webapp.extensions import db
from webapp.models import Assignment, Body, Document, Point, User
from webapp.services import assignments

TODAY = date(2026, 11, 23)  # the frozen clock's day


@pytest.fixture
def world(app, make_user):
    """Rows of every shape the page prints differently, spread over two documents and three pages of 25."""
    make_user("aud", "auditor")
    with app.app_context():
        school, board, club = (Body(name="Средняя школа № 1", short_name="Школа № 1"), Body(name="Управление"),
                               Body(name="Клуб", short_name=""))
        order = Document(doc_type="order", title="О мерах", state="published", number="5", reg_date=date(2026, 1, 15))
        protocol = Document(doc_type="protocol", title="Заседание", state="published", number="2",
                            reg_date=date(2026, 3, 2), event_date=date(2026, 2, 27))  # dated by its meeting
        unnumbered = Document(doc_type="order", title="Без номера", state="published")
        db.session.add_all([school, board, club, order, protocol, unnumbered])
        db.session.flush()
        point = Point(document_id=protocol.id, number="3.1", text="Обеспечить")
        db.session.add(point)
        db.session.flush()
        shapes = [
            {"deadline": date(2026, 11, 2), "deadline_kind": "by", "status": "in_work"},  # overdue
            {"deadline": date(2026, 12, 2), "deadline_kind": "by", "status": "new", "deadline_text": "до 2 декабря"},
            {"deadline": date(2026, 11, 2), "deadline_kind": "by", "status": "done"},  # past, not overdue: done
            {"deadline": None, "start_date": date(2026, 9, 1), "deadline_kind": "from", "status": "in_work"},
            {"deadline": None, "deadline_kind": "none", "status": "reported"},
            {"deadline": date(2026, 10, 1), "deadline_kind": "period", "status": "returned"},
        ]
        for n in range(60):
            shape = shapes[n % len(shapes)]
            document = (order, protocol, unnumbered)[n % 3]
            assignment = Assignment(document_id=document.id, action=f"Поручение {n} " + "очень " * (n % 40),
                                    lead_body_id=(school.id, board.id, club.id, None)[n % 4],
                                    point_id=point.id if document is protocol else None, **shape)
            assignment.coexecutors = [[], [board], [club, school]][n % 3]
            db.session.add(assignment)
        db.session.commit()


def _printed(row) -> tuple:
    """What the page prints of a row (a model or a listed row)."""
    return (row.id, row.document_id, row.document.label, row.point_number, row.action, row.deadline, row.start_date,
            row.deadline_text, row.kind_title, row.status_title, assignments.is_overdue(row, TODAY),
            row.lead_body.display_name if row.lead_body else None,
            sorted(body.display_name for body in row.coexecutors))


@pytest.mark.parametrize("sort", ["deadline", "-deadline", "newest", "body", "date"])
def test_every_row_prints_what_its_model_gives(app, world, sort):
    with app.app_context():
        user = db.session.scalars(select(User).where(User.login == "aud")).one()
        listed, after = [], None
        while True:
            page = assignments.list_page(user, sort=sort, size=25, after=after)
            listed += page.rows
            if page.after is None:
                break
            after = page.after
        db.session.expunge_all()
        models = {a.id: a for a in db.session.query(Assignment)}
        assert [_printed(row) for row in listed] == [_printed(models[row.id]) for row in listed]
        assert sorted(row.id for row in listed) == sorted(models)  # every row once
        assert {row.document.label for row in listed} == {"Приказ № 5 от 15.01.2026", "Протокол № 2 от 27.02.2026",
                                                          "Приказ"}
        assert {tuple(_printed(row)[-1]) for row in listed} == {(), ("Управление",), ("Клуб", "Школа № 1")}


def test_the_page_prints_the_co_executors_and_the_lead_bodys_short_name(app, client, auth, world):
    auth.login("aud")
    html = client.get("/assignments?size=100&status=all").get_data(as_text=True)
    assert "<td>Школа № 1<br><small>Управление</small></td>" in html
    assert "<td>—<br><small>Клуб</small><br><small>Школа № 1</small></td>" in html \
        or "<td>—<br><small>Школа № 1</small><br><small>Клуб</small></td>" in html
    assert "<td>3.1</td>" in html and "Протокол № 2 от 27.02.2026" in html
    with app.app_context():  # each row links its document and itself
        links = [(a.document_id, a.id) for a in db.session.query(Assignment)]
    for document_id, assignment_id in links:
        assert f'<a href="/documents/{document_id}">' in html and f'<a href="/assignments/{assignment_id}">' in html


def _ids(html: str) -> set[int]:
    return {int(i) for i in re.findall(r'<a href="/assignments/(\d+)">', html)}


def test_the_list_opens_on_the_open_assignments_and_every_status_is_one_choice_away(app, client, auth, world):
    """At fifteen years every status by deadline opened on 2012's done assignments: the list opens on the open
    ones (new, in work, reported, returned); «Все статусы» (`all`) and an empty choice — the links made before —
    list every one, and a status its own."""
    with app.app_context():
        by_status = {}
        for assignment in db.session.query(Assignment):
            by_status.setdefault(assignment.status, set()).add(assignment.id)
    every = set().union(*by_status.values())
    opened = every - by_status["done"]
    auth.login("aud")
    html = client.get("/assignments?size=100").get_data(as_text=True)
    assert _ids(html) == opened and by_status["done"]
    assert '<option value="open" selected>Открытые</option>' in html
    for choice in ("all", ""):
        html = client.get(f"/assignments?size=100&status={choice}").get_data(as_text=True)
        assert _ids(html) == every and '<option value="all" selected>Все статусы</option>' in html
    assert _ids(client.get("/assignments?size=100&status=done").get_data(as_text=True)) == by_status["done"]
    assert _ids(client.get("/assignments?size=100&status=nonsense").get_data(as_text=True)) == every
    # the next page keeps the default: 40 open ones in pages of 25
    first = client.get("/assignments?size=25").get_data(as_text=True)
    following = re.search(r'href="([^"]+)" id="next-page"', first).group(1).replace("&amp;", "&")
    assert "status" not in following
    assert _ids(first) | _ids(client.get(following).get_data(as_text=True)) == opened
