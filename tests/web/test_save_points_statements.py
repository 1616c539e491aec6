"""Saving a draft runs as many SQL statements for 30 points as for 3 (issue 14: no request's statement count may grow
with the data): the points of every level of the tree, their responsible bodies, the assignments projected from
them and their co-executors, the agenda items and the participants each go in one statement; and what was saved is
the tree, the bodies, the assignments, the participants and the audit trail the form asked for."""

from __future__ import annotations

import re

from sqlalchemy import select

from tests.conftest import counted_statements
from webapp.extensions import db
from webapp.models import Assignment, Body, Document, Event, Point


def _form(token: str, points: list[tuple[str, int, list[int]]], version: str | None = None) -> dict:
    """A protocol's form as a browser sends it: a signatory, the points given as (number, agenda item, responsible
    body ids), and as many agenda items and attendees as points tens (one for 3 points, four for 30)."""
    more = 1 + len(points) // 10
    data = {"csrf_token": token, "op": "save", "doc_type": "protocol", "title": "совещания руководителей школ",
            "event_date": "01.12.2026", "chair": "Иванов И.И.", "secretary": "Петрова П.П.",
            "attendees": "\n".join(f"Сидоров {n} С.С., директор школы № {n}" for n in range(more)),
            "signer_title": "Председатель", "signer_name": "И.И. Иванов"}
    data.update({f"agenda-{n}-title": f"Вопрос {n + 1}" for n in range(more)})
    if version:
        data["version"] = version
    for n, (number, item, bodies) in enumerate(points):
        data[f"points-{n}-agenda"] = str(item)
        data[f"points-{n}-number"] = number
        data[f"points-{n}-text"] = f"Обеспечить исполнение пункта {number}."
        data[f"points-{n}-responsible"] = [str(b) for b in bodies]
        data[f"points-{n}-deadline"] = "до 1 февраля 2027 года" if bodies else ""
    return data


def _points(size: int, bodies: list[int]) -> list[tuple[str, int, list[int]]]:
    """3 points side by side (one naming two bodies), or 30 in a tree four levels deep (1, 1.1, 1.1.1,
    1.1.1.1 ...) over both agenda items, most naming one or two bodies."""
    if size == 3:
        return [(str(n), 1, bodies[n:n + 1 + n % 2]) for n in range(1, 4)]
    numbers = []
    for top in range(1, 6):
        numbers.append(f"{top}")
        for second in range(1, 3):
            numbers.append(f"{top}.{second}")
            numbers.append(f"{top}.{second}.1")
            numbers.append(f"{top}.{second}.1.1")
    numbers = numbers[:30]
    assert len(numbers) == size
    return [(number, 1 + int(number.split(".")[0]) % 2, [] if n % 7 == 0 else bodies[n % 10: n % 10 + 1 + n % 2])
            for n, number in enumerate(numbers)]


def _save(app, client, path: str, form: dict) -> tuple[int, str]:
    with counted_statements(app) as statements:
        answer = client.post(path, data=form)
    assert answer.status_code == 302, answer.get_data(as_text=True)[:2000]
    return len(statements), answer.headers["Location"]


def test_saving_a_draft_runs_as_many_statements_for_30_points_as_for_3(app, client, auth, make_user):
    with app.app_context():
        bodies = [Body(name=f"Муниципальная школа № {n}") for n in range(12)]
        db.session.add_all(bodies)
        db.session.commit()
        ids = [b.id for b in bodies]
    make_user("sec", "secretary", bodies=[bodies[0].name])
    auth.login("sec")
    token = auth.csrf("/documents/new")
    client.post("/documents/new", data=_form(token, _points(3, ids)))  # warm: a first request loads more
    created, edited, documents = {}, {}, {}
    for size in (3, 30):
        created[size], location = _save(app, client, "/documents/new", _form(token, _points(size, ids)))
        documents[size] = int(location.rsplit("/", 1)[1])
        page = client.get(f"{location}/edit").get_data(as_text=True)
        version = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)
        edited[size], _ = _save(app, client, f"{location}/edit", _form(token, _points(size, ids[1:]), version))
    assert created[3] == created[30] and edited[3] == edited[30], (created, edited)

    with app.app_context():  # the edit's tree, bodies and assignments, as the form gave them
        document = db.session.get(Document, documents[30])
        points = db.session.scalars(select(Point).where(Point.document_id == document.id)).all()
        by_id = {p.id: p for p in points}
        wanted = _points(30, ids[1:])
        assert sorted(p.number for p in points) == sorted(number for number, _item, _bodies in wanted)
        for point in points:
            parent = by_id[point.parent_id].number if point.parent_id else None
            assert parent == (point.number.rsplit(".", 1)[0] if "." in point.number else None), point.number
            number, item, responsible = next(w for w in wanted if w[0] == point.number)
            assert [r.body_id for r in point.responsibles] == responsible
            assert document.agenda_items[item - 1].id == (point.agenda_item_id if not point.parent_id else
                                                          _top(point, by_id).agenda_item_id)
        assignments = db.session.scalars(select(Assignment).where(Assignment.document_id == document.id)).all()
        assert sorted((a.point.number, a.lead_body_id, sorted(b.id for b in a.coexecutors)) for a in assignments) \
            == sorted((number, bodies[0], sorted(bodies[1:])) for number, _item, bodies in wanted if bodies)
        assert [item.title for item in document.agenda_items] == ["Вопрос 1", "Вопрос 2", "Вопрос 3", "Вопрос 4"]
        assert [(p.role, p.name) for p in document.participants] == [
            ("chair", "Иванов И.И."), ("secretary", "Петрова П.П."),
            *[("attendee", f"Сидоров {n} С.С.") for n in range(4)]]
        assert [(s.job_title, s.name) for s in document.signatories] == [("Председатель", "И.И. Иванов")]
        assert document.version == 2
        update = db.session.scalar(select(Event).where(Event.document_id == document.id,
                                                       Event.action == "document.update"))
        in_reading_order = sorted(wanted, key=lambda w: w[1])  # agenda item by agenda item, each in the form's order
        assert update.after["points"] == [[number, f"Обеспечить исполнение пункта {number}.",
                                           "до 1 февраля 2027 года" if bodies else None]
                                          for number, _item, bodies in in_reading_order]


def _top(point: Point, by_id: dict[int, Point]) -> Point:
    while point.parent_id:
        point = by_id[point.parent_id]
    return point
