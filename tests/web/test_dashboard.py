"""The auditors' dashboard «на дату» and its exports: every figure as it stood at the chosen day (on the demo,
whose protocol № 1 of 10.06.2021 has seven assignments overdue on 1 March 2022), its filters, its drill-down to
the assignment list and its справка, XLSX and CSV that follow exactly the filters shown."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime
from html import unescape

import pytest
from docx import Document as DocxDocument
from openpyxl import load_workbook
from sqlalchemy import select

from tests.conftest import counted_statements
from webapp.extensions import db
from webapp.models import Assignment, Body, Document, Point, User

SEVEN = ["1.2.2", "3.3.1", "3.3.2", "3.3.3", "3.3.4", "3.3.5", "3.3.6"]  # protocol № 1's overdue on 01.03.2022
FIGURE_LINK = re.compile(r'<a href="(/assignments\?[^"]+)"(?: id="[^"]+")? data-figure="([a-z_0-9]+)">(\d+)</a>')
LIST_ROW = re.compile(r'<a href="/assignments/(\d+)">')


@pytest.fixture
def auditor(demo_app, client, auth):
    auth.login("auditor", "demo")
    return client


def _page(client, query: str) -> str:
    response = client.get(f"/assignments/dashboard?{query}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _count(page: str, key: str) -> int:
    return int(re.search(rf'id="total-{key}"[^>]*>(\d+)<', page).group(1))


def _totals(page: str) -> dict[str, int]:
    return {key: _count(page, key) for key in ("documents", "all", "open", "overdue", "done", "cancelled")}


def _section(page: str, start: str, end: str | None = None) -> str:
    rest = page[page.index(start):]
    return rest[:rest.index(end)] if end else rest


def _overdue_points(page: str) -> list[tuple[int, str]]:
    """(days, point) of each row of the overdue list."""
    table = _section(page, 'id="overdue-list"', "</table>")
    return [(int(days), point) for days, point in
            re.findall(r"<tr><td>(\d+)</td><td[^>]*>[^<]*</td>\s*<td>.*?</td>\s*<td>([^<]*)</td>", table, re.S)]


def _list_ids(client, url: str) -> list[int]:
    html = client.get(unescape(url)).get_data(as_text=True)
    return [int(i) for i in LIST_ROW.findall(_section(html, 'id="assignments"', "</table>"))]


def _points(app, ids) -> list[str]:
    with app.app_context():
        return sorted(db.session.scalar(select(Point.number).join(Assignment, Assignment.point_id == Point.id)
                                        .where(Assignment.id == i)) for i in ids)


def test_at_1_march_2022_only_what_existed_then_is_counted(auditor):
    page = _page(auditor, "as_of=2022-03-01")
    # order 339 (26.12.2020) and protocol № 1 (10.06.2021); not the decision of 30.06.2022 nor the undated plan
    assert _totals(page) == {"documents": 2, "all": 11, "open": 11, "overdue": 7, "done": 0, "cancelled": 0}
    aging = [int(n) for n in re.findall(r'<td class="bucket-count"><a [^>]*>(\d+)</a>', page)]
    assert aging == [0, 1, 0, 6]  # 28 days in 8–30, six of 181 days over 90
    assert sorted(_overdue_points(page)) == [(28, "1.2.2")] + [(181, p) for p in SEVEN[1:]]
    later = _page(auditor, "as_of=2022-07-01")
    assert _count(later, "documents") == 3 and _count(later, "all") == 11 + 14  # the decision is out by then
    assert _count(_page(auditor, "as_of=2021-06-15"), "overdue") == 0
    assert _totals(_page(auditor, "as_of=2020-12-25"))["all"] == 0  # before order 339


def test_only_overdue_at_1_march_2022_shows_the_seven_and_the_exports_have_them(demo_app, auditor):
    query = "as_of=01.03.2022&overdue=y"
    page = _page(auditor, query)
    assert _totals(page) == {"documents": 1, "all": 7, "open": 7, "overdue": 7, "done": 0, "cancelled": 0}
    assert sorted(point for _, point in _overdue_points(page)) == SEVEN
    assert "Отбор: только просроченные" in page
    for fmt in ("xlsx", "csv", "docx"):  # the page's export links carry its filters
        assert f"/assignments/export.{fmt}?as_of=2022-03-01&amp;overdue=y" in page

    document = DocxDocument(io.BytesIO(auditor.get(f"/assignments/export.docx?{query}").data))
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == "СПРАВКА"
    assert texts[1] == "о ходе исполнения поручений по состоянию на 01.03.2022 (только просроченные)"
    rows = document.tables[0].rows[1:]
    assert sorted(row.cells[1].text.rsplit("п. ", 1)[1] for row in rows) == SEVEN
    assert all(row.cells[1].text.startswith("Протокол совещания по реализации") for row in rows)
    assert all("от 10.06.2021 № 1" in row.cells[1].text.replace("\xa0", " ") for row in rows)
    assert sorted(row.cells[5].text for row in rows) == (
        ["на исполнении, просрочено на 181 дн."] * 6 + ["на исполнении, просрочено на 28 дн."])

    sheet = load_workbook(io.BytesIO(auditor.get(f"/assignments/export.xlsx?{query}").data)).active
    assert sheet["A1"].value == "Поручения на 01.03.2022 (только просроченные)"
    records = [row for row in sheet.iter_rows(min_row=3, values_only=True) if any(row)]
    assert sorted(row[3] for row in records) == SEVEN and sorted(row[8] for row in records) == [28] + [181] * 6
    text = auditor.get(f"/assignments/export.csv?{query}").get_data(as_text=True).lstrip("\ufeff")
    assert sorted(r["point"] for r in csv.DictReader(io.StringIO(text))) == SEVEN

    link = dict((figure, url) for url, figure, _ in FIGURE_LINK.findall(page))["overdue"]
    assert _points(demo_app, _list_ids(auditor, link)) == SEVEN  # the drill-down lists the same seven


def test_every_figure_drills_down_to_exactly_its_rows(demo_app, auditor):
    page = _page(auditor, "as_of=2022-03-01")
    links = FIGURE_LINK.findall(page)
    assert {figure for _, figure, _ in links} >= {"all", "open", "overdue", "done", "age_1", "age_3"}
    for url, figure, count in links:
        assert len(_list_ids(auditor, url)) == int(count), (figure, url)
    listed = auditor.get(unescape(links[0][0])).get_data(as_text=True)
    assert "Из сводки на 01.03.2022" in listed and "Вернуться к сводке" in listed


def test_filters_body_controller_document_type_and_period(demo_app, auditor):
    with demo_app.app_context():
        local = db.session.scalar(select(Body.id).where(Body.name.like("Органы местного самоуправления Ханты%")))
        head = db.session.scalar(select(User.id).where(User.login == "head"))
        protocol = db.session.scalar(select(Document.id).where(Document.doc_type == "protocol"))
    assert _count(_page(auditor, f"as_of=2022-03-01&overdue=y&body={local}"), "overdue") == 1  # 1.2.2
    assert _count(_page(auditor, f"as_of=2022-03-01&controller={head}"), "overdue") == 7
    assert _count(_page(auditor, "as_of=2022-03-01&controller=0"), "all") == 0  # every one has a controller
    page = _page(auditor, f"as_of=2022-03-01&document={protocol}")
    assert _totals(page)["all"] == 9 and "Протокол № 1 от 10.06.2021" in _section(page, 'id="document-filter"')
    assert _count(_page(auditor, "as_of=2022-03-01&doc_type=order"), "overdue") == 0
    assert _count(_page(auditor, "as_of=2022-03-01&since=2021-06-01&until=2021-06-30"), "overdue") == 7
    assert _count(_page(auditor, "as_of=2022-03-01&since=2021-07-01"), "all") == 0
    page = _page(auditor, "as_of=not-a-date")
    assert "На дату: Не удалось распознать дату: not-a-date" in page  # a bad filter is reported, not a 500
    assert "Документ: Документ не найден." in _page(auditor, "document=999999")
    assert auditor.get("/assignments/export.pdf").status_code == 404


def test_what_happened_after_the_day_is_not_seen_at_it(demo_app, auditor, frozen_clock):
    """Accepted, extended, cancelled and added in November 2026: 1 March 2022 still sees the same seven, each
    with its deadline of the day; November 2026 sees the changes."""
    from webapp.services import assignments as service

    with demo_app.app_context():
        head, executor, admin = (db.session.scalar(select(User).where(User.login == login))
                                 for login in ("head", "executor", "admin"))
        by_point = {p: db.session.scalar(select(Assignment).join(Point, Assignment.point_id == Point.id)
                                         .where(Point.number == p)) for p in SEVEN}
        accepted, extended, cancelled = by_point["3.3.1"], by_point["3.3.2"], by_point["3.3.3"]
        service.take_into_work(executor, accepted)
        service.submit_report(executor, accepted, "Концепция утверждена.")
        service.accept(head, accepted)
        service.request_extension(executor, extended, date(2027, 3, 1), "Нужно время.")
        service.decide_extension(head, extended, True, None)
        service.cancel(head, cancelled, "Утратило актуальность.")
        added = service.add_assignment(admin, accepted.document, "Подготовить отчёт", accepted.lead_body, [],
                                       "до 1 февраля 2022 года")  # a past deadline, but given only now
        db.session.commit()
        added_id = added.id

    then = _page(auditor, "as_of=2022-03-01&overdue=y")
    assert sorted(_overdue_points(then)) == [(28, "1.2.2")] + [(181, p) for p in SEVEN[1:]]
    assert _count(_page(auditor, "as_of=2022-03-01"), "done") == 0
    now = _page(auditor, "as_of=2026-11-23")
    late = _section(now, 'id="overdue-list"', "</table>")
    assert "3.3.1" not in late and "3.3.2" not in late and "3.3.3" not in late
    assert f'href="/assignments/{added_id}"' in late
    assert _count(now, "cancelled") == 1 and _count(now, "done") == 15 + 1 and _count(now, "done_late") == 1
    document = DocxDocument(io.BytesIO(auditor.get("/assignments/export.docx?as_of=2022-03-01&overdue=y").data))
    assert len(document.tables[0].rows) == 1 + 7
    assert {row.cells[4].text for row in document.tables[0].rows[1:]} == {"01.09.2021", "01.02.2022"}


@pytest.mark.parametrize("login", ["executor", "secretary", "controller"])
def test_dashboard_is_for_auditors_and_admins(demo_app, client, auth, login):
    auth.login(login, "demo")
    assert client.get("/assignments/dashboard").status_code == 403
    assert client.get("/assignments/export.xlsx").status_code == 403


def test_bodies_count_their_sub_bodies_once_each(app, client, auth, make_user):
    """«По ответственным органам (с подчинёнными)»: a body's row counts its own assignments and those of every
    body below it, an assignment of two sub-bodies once."""
    with app.app_context():
        top = Body(name="Департамент", short_name="Деп")
        left, right = Body(name="Отдел 1", parent=top), Body(name="Отдел 2", parent=top)
        school = Body(name="Школа 5", parent=left)
        document = Document(doc_type="order", title="О мерах", state="published", number="3",
                            reg_date=date(2026, 1, 10))
        db.session.add_all([top, left, right, school, document])
        db.session.flush()
        point = Point(document=document, position=0, text="Сделать")
        db.session.add(point)
        db.session.flush()

        def assignment(lead, *others, deadline=date(2026, 12, 31)):
            db.session.add(Assignment(document_id=document.id, point_id=point.id, action="Сделать", status="in_work",
                                      lead_body=lead, deadline=deadline, deadline_kind="by", coexecutors=list(others)))

        assignment(school, deadline=date(2026, 2, 1))  # overdue on the day asked
        assignment(left, right)  # two sub-bodies of the department: counted once for it
        assignment(top)
        db.session.commit()
        ids = {"top": top.id, "left": left.id}
    make_user("aud", "auditor")
    auth.login("aud")

    def level(query: str = "") -> tuple[dict[str, tuple[int, int]], str | None]:
        """The table's rows (name: open, overdue) and where «на уровень выше» leads (None: no such link)."""
        page = client.get(f"/assignments/dashboard?as_of=2026-03-01{query}").get_data(as_text=True)
        table = _section(page, 'id="by-body"', 'id="by-document"')
        rows = {name: (int(opened), int(late)) for name, opened, late in re.findall(
            r"<tr><td><a [^>]*>([^<]+)</a></td><td><a [^>]*>(\d+)</a></td><td><a [^>]*>(\d+)</a></td></tr>", table)}
        up = re.search(r'id="by-body-up"><a href="([^"]+)"', page)
        return rows, up.group(1).replace("&amp;", "&") if up else None

    # one body tops them all: the level under it, each with its sub-bodies (the top's own one is in the totals)
    assert level() == ({"Отдел 1": (2, 1), "Отдел 2": (1, 0)}, None)
    assert level(f"&body={ids['left']}") == (
        {"Школа 5": (1, 1)}, f"/assignments/dashboard?as_of=2026-03-01&body={ids['top']}")
    assert level(f"&body={ids['top']}") == (
        {"Отдел 1": (2, 1), "Отдел 2": (1, 0)}, "/assignments/dashboard?as_of=2026-03-01")


def test_the_bodies_table_is_one_level_in_natural_order(app, client, auth, make_user):
    """A region of many bodies: the table lists the ones under the top body, not all of them, numbers by value
    («№ 2» before «№ 10»); a body with nothing under it lists itself."""
    with app.app_context():
        top = Body(name="Министерство")
        districts = [Body(name=f"Район № {n}", parent=top) for n in (10, 2, 1)]
        schools = [Body(name=f"Школа № {n}", parent=districts[n % 3]) for n in range(1, 13)]
        document = Document(doc_type="order", title="О мерах", state="published", number="4",
                            reg_date=date(2026, 1, 10))
        db.session.add_all([top, *districts, *schools, document])
        db.session.flush()
        point = Point(document=document, position=0, text="Сделать")  # given with the document, in force with it
        db.session.add(point)
        db.session.flush()
        db.session.add_all(Assignment(document_id=document.id, point_id=point.id, action="Сделать", status="in_work",
                                      lead_body=school, deadline=date(2026, 2, 1), deadline_kind="by")
                           for school in schools)
        db.session.commit()
        school_one = schools[0].id
    make_user("aud", "auditor")
    auth.login("aud")
    page = client.get("/assignments/dashboard?as_of=2026-03-01").get_data(as_text=True)
    names = re.findall(r"<tr><td><a [^>]*>([^<]+)</a>", _section(page, 'id="by-body"', 'id="by-document"'))
    assert names == ["Район № 1", "Район № 2", "Район № 10"]
    assert "Школа № 1" not in _section(page, 'id="by-body"', 'id="by-document"')
    page = client.get(f"/assignments/dashboard?as_of=2026-03-01&body={school_one}").get_data(as_text=True)
    assert re.findall(r"<tr><td><a [^>]*>([^<]+)</a>", _section(page, 'id="by-body"', 'id="by-document"')) == [
        "Школа № 1"]


def _grow(app, count: int) -> None:
    """`count` more assignments, each of a document and a body of its own under one department, a third done,
    a third with an approved extension; about half overdue on the day the dashboard is asked for."""
    from webapp.models import DeadlineChange

    with app.app_context():
        top = db.session.scalar(select(Body).where(Body.name == "Департамент")) or Body(name="Департамент")
        for n in range(count):
            document = Document(doc_type="order", title=f"Документ {n}", state="published", number=f"{count}-{n}",
                                reg_date=date(2026, 1, 10))
            body = Body(name=f"Школа {count}-{n}", parent=top)
            db.session.add_all([document, body])
            db.session.flush()
            point = Point(document=document, position=0, text="Сделать")
            db.session.add(point)
            db.session.flush()
            row = Assignment(document_id=document.id, point_id=point.id, action=f"Поручение {n}", lead_body=body,
                             status="done" if n % 3 == 0 else "in_work", deadline_kind="by",
                             deadline=date(2026, 2 + n % 6, 1), completed_on=date(2026, 5, 1) if n % 3 == 0 else None)
            db.session.add(row)
            db.session.flush()
            if n % 3 == 1:
                db.session.add(DeadlineChange(assignment_id=row.id, reason="Нужно время", status="approved",
                                              old_date=date(2026, 1, 20), new_date=row.deadline,
                                              decided_at=datetime(2026, 5, 1, tzinfo=UTC)))
        db.session.commit()


def test_statements_do_not_grow_with_the_assignments(app, client, auth, make_user):
    """The dashboard counts in the database: 10 or 100 assignments, the same number of SQL statements."""

    make_user("aud", "auditor")
    auth.login("aud")
    counts = []
    for rows in (10, 90):
        _grow(app, rows)
        with counted_statements(app) as seen:
            page = client.get("/assignments/dashboard?as_of=2026-04-15").get_data(as_text=True)
        counts.append(len(seen))
        assert _count(page, "all") == (10 if rows == 10 else 100)
    assert counts[0] == counts[1], counts


def test_the_lists_show_each_assignment_s_document_point_body_and_dates(app, client, auth, make_user):
    """«Просроченные», «Срок в ближайшие 30 дней» and «Исполнено с опозданием» show each assignment as its models
    say: its document's label (dated by registration, a protocol by its meeting), its point's number (none for one
    added later), its action, its lead body's short name (or full name; «—» without one) and, done late, the day
    it was accepted. The lists read those columns in one statement, not the models."""
    with app.app_context():
        top = Body(name="Департамент образования", short_name="ДО")
        school = Body(name="Средняя школа № 7", parent=top)
        order = Document(doc_type="order", title="О мерах", state="published", number="12-о",
                         reg_date=date(2026, 1, 10))
        protocol = Document(doc_type="protocol", title="Совещание", state="published", number="3",
                            event_date=date(2026, 1, 20), reg_date=date(2026, 1, 22))
        db.session.add_all([top, school, order, protocol])
        db.session.flush()
        point = Point(document=protocol, position=0, number="2.1", text="Провести проверку")
        db.session.add(point)
        db.session.flush()

        def assignment(document, action, lead, **values):
            row = Assignment(document_id=document.id, action=action, lead_body=lead, deadline_kind="by",
                             status=values.pop("status", "in_work"), created_at=datetime(2026, 1, 25, tzinfo=UTC),
                             **values)
            db.session.add(row)
            db.session.flush()
            return row.id

        ids = {"late": assignment(protocol, "Провести проверку школ", top, point_id=point.id,
                                  deadline=date(2026, 2, 10)),
               "nobody": assignment(order, "Подготовить отчёт", None, deadline=date(2026, 2, 20)),
               "soon": assignment(order, "Утвердить план", school, deadline=date(2026, 3, 15)),
               "done": assignment(protocol, "Сдать сведения", school, point_id=point.id, status="done",
                                  deadline=date(2026, 2, 1), completed_on=date(2026, 2, 5))}
        db.session.commit()
    make_user("aud", "auditor")
    auth.login("aud")
    page = re.sub(r">\s+<", "><", client.get("/assignments/dashboard?as_of=2026-03-01").get_data(as_text=True))
    overdue = re.findall(r"<tr><td>(\d+)</td><td[^>]*>([^<]*)</td>\s*<td><a [^>]*>([^<]*)</a></td><td>([^<]*)</td>"
                         r'<td><a href="/assignments/(\d+)">([^<]*)</a></td><td>([^<]*)</td></tr>',
                         _section(page, 'id="overdue-list"', "</table>"))
    assert overdue == [("19", "10.02.2026", "Протокол № 3 от 20.01.2026", "2.1", str(ids["late"]),
                        "Провести проверку школ", "ДО"),
                       ("9", "20.02.2026", "Приказ № 12-о от 10.01.2026", "", str(ids["nobody"]),
                        "Подготовить отчёт", "—")]
    soon = re.findall(r'<li>([^<]*) — <a href="/assignments/(\d+)">([^<]*)</a></li>',
                      _section(page, 'id="due-soon"', "</ul>"))
    assert soon == [("15.03.2026", str(ids["soon"]), "Утвердить план")]
    late = re.findall(r'<li><a href="/assignments/(\d+)">([^<]*)</a>: срок ([^,]*), исполнено ([^<]*)</li>',
                      _section(page, 'id="done-late"', "</ul>"))
    assert late == [(str(ids["done"]), "Сдать сведения", "01.02.2026", "05.02.2026")]
