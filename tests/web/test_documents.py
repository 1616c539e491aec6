"""The register, the draft form and who may use it."""

import re
from datetime import date

import pytest

from webapp.extensions import db
from webapp.models import Assignment, Body, Document
from webapp.services.documents import points_in_order


def _body_id(app, name="Министерство образования"):
    with app.app_context():
        body = Body(name=name, dative=name)
        db.session.add(body)
        db.session.commit()
        return body.id


def protocol_form(token, body_id, **overrides):
    data = {
        "csrf_token": token, "op": "save", "doc_type": "protocol", "heading": "",
        "title": "совещания по методической службе", "event_date": "10.06.2021", "place": "г. Ханты-Мансийск",
        "chair": "Цулая Л.В.", "secretary": "Матвейчук Е.Н.",
        "agenda-0-title": "О методической службе", "agenda-0-speakers": "Цулая Л.В.",
        "agenda-1-title": "О центре повышения мастерства",
        "points-0-agenda": "1", "points-0-number": "1.1", "points-0-text": "Принять информацию к сведению.",
        "points-1-agenda": "1", "points-1-number": "1.2",
        "points-1-text": "Создать методическую службу.", "points-1-responsible": str(body_id),
        "points-1-deadline": "в срок до 1 февраля 2022 года",
        "points-2-agenda": "2", "points-2-number": "2.1", "points-2-text": "Обеспечивать работу центра.",
        "points-2-responsible": str(body_id),
    }
    data.update(overrides)
    return data


def test_secretary_creates_protocol_draft(app, client, auth, make_user):
    body_id = _body_id(app)
    make_user("sec", "secretary")
    auth.login("sec")
    response = client.post("/documents/new", data=protocol_form(auth.csrf("/documents/new"), body_id))
    assert response.status_code == 302, response.get_data(as_text=True)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "совещания по методической службе" in page and "Создать методическую службу." in page
    assert '<p class="doc-type text-center">ПРОТОКОЛ</p>' in page
    with app.app_context():
        doc = db.session.query(Document).one()
        assert doc.state == "draft" and [a.title for a in doc.agenda_items] == [
            "О методической службе", "О центре повышения мастерства"]
        assert [(p.number, p.agenda_item_id is not None)
                for p in points_in_order(doc)] == [("1.1", True), ("1.2", True), ("2.1", True)]
        assignments = db.session.query(Assignment).order_by(Assignment.id).all()
        assert [(a.lead_body_id, a.deadline and a.deadline.isoformat(), a.deadline_kind, a.status)
                for a in assignments] == [(body_id, "2022-02-01", "by", "draft"), (body_id, None, "ongoing", "draft")]
    listing = client.get("/documents").get_data(as_text=True)
    assert "совещания по методической службе" in listing and "Проект" in listing


def test_point_numbering_builds_the_tree(app, client, auth, make_user):
    body_id = _body_id(app)
    make_user("sec", "secretary")
    auth.login("sec")
    form = protocol_form(auth.csrf("/documents/new"), body_id, **{
        "points-1-number": "1.2", "points-2-agenda": "1", "points-2-number": "1.2.1"})
    assert client.post("/documents/new", data=form).status_code == 302
    with app.app_context():
        points = {p.number: p for p in db.session.query(Document).one().points}
        assert points["1.2.1"].parent_id == points["1.2"].id and points["1.1"].parent_id is None


@pytest.mark.parametrize("field,value,message", [
    ("title", "  ", "Укажите заголовок документа"),
    ("event_date", "31.02.2022", "Такой даты нет: 31.02.2022"),
    ("event_date", "вчера", "Не удалось распознать дату"),
    ("points-1-deadline", "до 31.02.2022", "Такой даты нет"),
    ("points-1-deadline", "когда-нибудь", "Не удалось распознать срок"),
    ("points-0-number", "1.а", "Номер пункта"),
])
def test_invalid_draft_is_refused_with_russian_message_and_nothing_saved(app, client, auth, make_user,
                                                                         field, value, message):
    body_id = _body_id(app)
    make_user("sec", "secretary")
    auth.login("sec")
    form = protocol_form(auth.csrf("/documents/new"), body_id, **{field: value})
    response = client.post("/documents/new", data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and message in page
    assert "Создать методическую службу." in page  # the user's edits are kept in the form
    with app.app_context():
        assert db.session.query(Document).count() == 0 and db.session.query(Assignment).count() == 0


@pytest.mark.parametrize(("event_date", "today", "due"), [
    ("15.06.2021", date(2026, 11, 23), date(2021, 9, 1)),  # the document's date gives the year, not the clock
    ("", date(2026, 11, 23), date(2027, 9, 1)),  # no date typed: the next 1 September after today
    ("", date(2026, 6, 1), date(2026, 9, 1)),
])
def test_a_deadline_without_a_year_is_read_against_the_documents_date(app, client, auth, make_user, frozen_clock,
                                                                       event_date, today, due):
    frozen_clock.move_to(today)
    body_id = _body_id(app)
    make_user("sec", "secretary")
    auth.login("sec")
    form = protocol_form(auth.csrf("/documents/new"), body_id, event_date=event_date,
                         **{"points-1-deadline": "до 1 сентября"})
    assert client.post("/documents/new", data=form).status_code == 302
    with app.app_context():
        assignment = db.session.query(Assignment).filter(Assignment.deadline_kind == "by").one()
        assert (assignment.deadline, assignment.deadline_text) == (due, "до 1 сентября")


def test_add_remove_and_reorder_points_without_saving(app, client, auth, make_user):
    body_id = _body_id(app)
    make_user("sec", "secretary")
    auth.login("sec")
    form = protocol_form(auth.csrf("/documents/new"), body_id, op="add_point")
    page = client.post("/documents/new", data=form).get_data(as_text=True)
    assert "Пункт 4" in page
    form["op"] = "up:2"
    page = client.post("/documents/new", data=form).get_data(as_text=True)
    assert page.index("Обеспечивать работу центра.") < page.index("Создать методическую службу.")
    form["op"] = "remove_point:0"
    page = client.post("/documents/new", data=form).get_data(as_text=True)
    assert "Принять информацию к сведению." not in page and "Пункт 3" not in page
    with app.app_context():
        assert db.session.query(Document).count() == 0


def test_edit_keeps_changes_and_detects_stale_version(app, client, auth, make_user):
    body_id = _body_id(app)
    make_user("sec", "secretary")
    auth.login("sec")
    location = client.post("/documents/new", data=protocol_form(auth.csrf("/documents/new"), body_id)
                           ).headers["Location"]
    doc_id = int(location.rsplit("/", 1)[1])
    edit_page = client.get(f"/documents/{doc_id}/edit").get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="(\d+)"', edit_page).group(1)
    form = protocol_form(auth.csrf(f"/documents/{doc_id}/edit"), body_id, version=version,
                         title="совещания (исправлено)")
    assert client.post(f"/documents/{doc_id}/edit", data=form).status_code == 302
    form["title"] = "устаревшая правка"  # same old version number: someone saved meanwhile
    response = client.post(f"/documents/{doc_id}/edit", data=form)
    assert response.status_code == 409 and "изменён другим пользователем" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Document, doc_id).title == "совещания (исправлено)"


@pytest.mark.parametrize("role,allowed", [
    ("secretary", True), ("head", True), ("admin", True),
    ("auditor", False), ("executor", False), ("controller", False), ("approver", False),
])
def test_who_may_create_a_draft(app, client, auth, make_user, role, allowed):
    body_id = _body_id(app)
    make_user("u", role)
    auth.login("u")
    assert client.get("/documents/new").status_code == (200 if allowed else 403)
    token = auth.csrf("/documents")  # any page carries the logout form's token
    response = client.post("/documents/new", data=protocol_form(token, body_id))
    assert response.status_code == (302 if allowed else 403)
    with app.app_context():
        assert db.session.query(Document).count() == (1 if allowed else 0)


def test_auditor_cannot_edit_a_draft(app, client, auth, make_user):
    body_id = _body_id(app)
    make_user("sec", "secretary")
    make_user("aud", "auditor")
    auth.login("sec")
    location = client.post("/documents/new", data=protocol_form(auth.csrf("/documents/new"), body_id)
                           ).headers["Location"]
    doc_id = int(location.rsplit("/", 1)[1])
    auth.logout()
    auth.login("aud")
    assert client.get(f"/documents/{doc_id}").status_code == 200
    assert client.get(f"/documents/{doc_id}/edit").status_code == 403
    token = auth.csrf("/documents")
    response = client.post(f"/documents/{doc_id}/edit", data=protocol_form(token, body_id, title="взлом"))
    assert response.status_code == 403 and "Редактировать" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Document, doc_id).title == "совещания по методической службе"


def test_anonymous_user_is_sent_to_login(client):
    for path in ("/documents", "/documents/new", "/assignments"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_paper_trees_lay_out_the_points_the_relationships_hold(demo_app):
    """The page's point trees, read as plain values, hold what the models' relationships give when walked one by one:
    the same points in the same order (by position, ties by id) under each point, each agenda item, each stage and
    the document itself, with the same label and addressees, for every demo document (protocols with agenda items
    and sub-points, a plan with stages, an order with its attached regulation); one statement for the points of a
    document and its attachments, whatever their number."""
    from sqlalchemy import event, select

    from webapp.services.documents import paper_trees

    def in_order(points) -> list:
        return [p for p in sorted(points, key=lambda p: (p.position, p.id))]

    def walked(points) -> list:  # the models, lazily: (id, label, addressees, children)
        return [(p.id, p.label, p.addressees, walked(in_order(p.children))) for p in points]

    def built(points) -> list:
        return [(p.id, p.label, p.addressees, built(p.children)) for p in points]

    def tops(points) -> list:
        return in_order(p for p in points if p.parent_id is None)

    def expected_of(document: Document) -> dict:
        return {"body": walked(in_order(document.body_points)),
                "items": {i.id: walked(tops(i.points)) for i in document.agenda_items if i.points},
                "stages": {s.id: walked(tops(s.points)) for s in document.stages if s.points}}

    with demo_app.app_context():
        ids = db.session.scalars(select(Document.id).where(Document.parent_id.is_(None)).order_by(Document.id)).all()
        kinds, attached = set(), 0
        for document_id in ids:
            document = db.session.get(Document, document_id)
            assert all(a.attachments == [] for a in document.attachments)  # read beforehand, as the page does
            statements = []

            def record(_conn, _cursor, statement, *_rest):
                statements.append(statement)  # noqa: B023 (listened to for this document only)

            event.listen(db.engine, "before_cursor_execute", record)
            try:
                trees = paper_trees(document)
            finally:
                event.remove(db.engine, "before_cursor_execute", record)
            assert len(statements) == 1, document_id
            papers = [document, *document.attachments]
            assert set(trees) == {paper.id for paper in papers}
            attached += len(document.attachments)
            for paper in papers:
                tree = trees[paper.id]
                found = {"body": built(tree.body), "items": {k: built(v) for k, v in tree.items.items()},
                         "stages": {k: built(v) for k, v in tree.stages.items()}}
                assert found == expected_of(paper), paper.id
                kinds |= {key for key in ("items", "stages") if found[key]}
                kinds |= {"children" for point in paper.points if point.children}
                kinds |= {"addressees" for point in paper.points if point.addressees}
        assert kinds == {"children", "items", "stages", "addressees"} and attached  # each compared in the demo


@pytest.mark.parametrize("state", ["published", "draft"])
def test_a_documents_page_asks_as_many_statements_for_30_points_as_for_3(app, client, auth, make_user, state):
    """Points with sub-points under agenda items, in stages and at the document level, each addressed to a body of
    its own, and an attachment with points: the page prints every point and asks the database the same number of
    statements whatever their number (published, and a draft whose submit button checks for points)."""
    from tests.conftest import counted_statements
    from webapp.models import AgendaItem, Point, PointResponsible, Stage

    make_user("sec", "secretary")

    def build(n: int) -> int:
        with app.app_context():
            bodies = [Body(name=f"Школа № {n}-{i}") for i in range(n)]
            document = Document(doc_type="protocol", title=f"Протокол {n}", state=state, event_date=date(2026, 11, 2))
            attachment = Document(doc_type="regulation", title=f"Положение {n}", state=state, parent=document)
            item = AgendaItem(document=document, position=0, number="1", title="Вопрос")
            stage = Stage(document=document, position=0, title="1 этап")
            db.session.add_all([*bodies, document, attachment, item, stage])
            db.session.flush()
            for i, body in enumerate(bodies):
                for place in ({"agenda_item_id": item.id}, {"stage_id": stage.id}, {}):
                    top = Point(document=document, position=i, number=str(i + 1), text=f"Пункт {i}", **place,
                                is_assignment=True, deadline=date(2026, 12, 1))
                    top.responsibles = [PointResponsible(body=body, position=0)]
                    db.session.add_all([top, Point(document=document, parent=top, position=0, marker="-",
                                                   text=f"Подпункт {i}", **place)])
                db.session.add(Point(document=attachment, position=i, number=str(i + 1), text=f"Приложение {i}"))
            db.session.commit()
            return document.id

    small, large = build(3), build(30)
    auth.login("sec")
    counts, shown = [], []
    for document_id in (small, large):
        client.get(f"/documents/{document_id}")  # the first request's one-off work is not counted
        with counted_statements(app) as seen:
            page = client.get(f"/documents/{document_id}").get_data(as_text=True)
        counts.append(len(seen))
        shown.append(page.count('class="doc-point '))
    assert shown == [3 * 3 * 2 + 3, 30 * 3 * 2 + 30]
    assert counts[0] == counts[1]


def test_a_points_addressees_and_deadline_on_its_page(app, client, auth, make_user):
    """Each point to execute shows its bodies in their order («A; B», short names where there are, an empty one
    counting as none) and its deadline, or says that no one is named."""
    import html

    from sqlalchemy import select

    from webapp.models import User
    from webapp.services.documents import DraftData, PointData, create_draft

    first = _body_id(app, "Управление общего образования")
    second = _body_id(app, "Отдел кадров")
    with app.app_context():
        db.session.get(Body, second).short_name = "ОК"
        db.session.get(Body, first).short_name = ""  # an empty short name is none: the full name is printed
        db.session.commit()
    make_user("sec", "secretary")
    with app.app_context():
        secretary = db.session.scalar(select(User).where(User.login == "sec"))
        doc = create_draft(secretary, DraftData(doc_type="order", title="О проверке", event_date=date(2026, 11, 20),
                           points=[PointData(text="Проверить.", number="1", responsible_ids=[second, first],
                                             deadline_text="до 20.12.2026"),
                                   PointData(text="Доложить.", number="2", deadline_text="до 25.12.2026")]))
        db.session.flush()
        points_in_order(doc)[1].is_assignment = True  # as when its only body was taken off: no one named
        db.session.commit()
        doc_id = doc.id
    auth.login("sec")
    badges = [html.unescape(re.sub(r"\s+", " ", b)).strip() for b in re.findall(
        r'class="badge text-bg-light border assignment-badge" title="Поручение">(.*?)</span>',
        client.get(f"/documents/{doc_id}").get_data(as_text=True), re.S)]
    assert badges == ["ОК; Управление общего образования · срок 20 декабря 2026 г.",
                      "ответственный не указан · срок 25 декабря 2026 г."]
