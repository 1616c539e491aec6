"""A document's page prints every point of the document and of its attachments where the paper has it, with its
number, text, addressees and deadline; the signed-in user comes with her session in one statement."""

from __future__ import annotations

import html
import re
from datetime import date

from tests.conftest import counted_statements
from webapp.extensions import db
from webapp.models import AgendaItem, Body, Document, Point, PointResponsible, Stage
from webapp.ru.dates import format_date_long

POINT = re.compile(r'<div class="doc-point doc-point-(\w+)" id="point-(\d+)">\s*<p class="doc-(?:heading|text)">'
                   r'(?:<span class="doc-num">)?(.*?)</p>', re.S)
BADGE = re.compile(r'<div class="assignment-line">\s*<span class="badge[^"]*" title="Поручение">(.*?)</span>', re.S)


def _printed(page: str) -> list[tuple]:
    """(id, kind, the point's line, its badge or None) of every point, in the order the page prints them."""
    starts = list(POINT.finditer(page))
    found = []
    for i, match in enumerate(starts):
        upto = starts[i + 1].start() if i + 1 < len(starts) else len(page)
        badge = BADGE.search(page, match.end(), upto)
        line = html.unescape(re.sub(r"</span>", "", match[3]))
        found.append((int(match[2]), match[1], " ".join(line.split()),
                      " ".join(html.unescape(badge[1]).split()) if badge else None))
    return found


def test_every_point_is_printed_in_reading_order_with_its_number_text_addressees_and_deadline(app, client, auth,
                                                                                             make_user):
    """Agenda items, the decision's own points and a stage, sub-points stored before their parents (a lower
    position), points of no, one and two addressees (printed in their order, not by id), a deadline or a start,
    a heading, and an attachment's points: each printed once, where the paper has it, with what it says."""
    make_user("sec", "secretary")
    expected: list[tuple] = []
    with app.app_context():
        bodies = [Body(name=f"Школа № {i}", short_name=f"Ш{i}" if i % 2 else None) for i in range(4)]
        document = Document(doc_type="protocol", title="Протокол", state="published", event_date=date(2026, 11, 2))
        attachment = Document(doc_type="regulation", title="Положение", state="published", parent=document)
        items = [AgendaItem(document=document, position=i, number=str(i + 1), title=f"Вопрос {i + 1}")
                 for i in range(2)]
        stage = Stage(document=document, position=0, title="Первый этап")
        db.session.add_all([*bodies, document, attachment, *items, stage])
        db.session.flush()
        counter = iter(range(1, 1000))

        def point(place: dict, parent: Point | None, position: int, addressed: list[Body], **values) -> Point:
            n = next(counter)
            made = Point(document=values.pop("document", document), parent=parent, position=position,
                         number=values.pop("number", str(n)), text=f"Текст пункта {n} <и> «кавычки»", **place,
                         **values)
            # stored last first: their ids run against their order, which is by position
            made.responsibles = [PointResponsible(body=body, position=i)
                                 for i, body in reversed(list(enumerate(addressed)))]
            db.session.add(made)
            return made

        def tree(place: dict) -> list[tuple[Point, list[Point]]]:
            top = [point(place, None, 2, [bodies[2], bodies[1]], is_assignment=True, deadline=date(2026, 12, 1)),
                   point(place, None, 1, [], is_assignment=True, start_date=date(2027, 1, 15)),
                   point(place, None, 3, [bodies[0]], kind="heading", number="II")]
            db.session.flush()
            children = [point(place, top[0], 0, [bodies[3]], is_assignment=True, deadline=date(2026, 12, 20),
                              number=None, marker="-")]
            return [(top[1], []), (top[0], children), (top[2], [])]  # by position

        layout = [tree({"agenda_item_id": item.id}) for item in items] + [tree({})] + [tree({"stage_id": stage.id})]
        regulation = [point({}, None, i, [bodies[i]], document=attachment, is_assignment=True,
                            deadline=date(2027, 2, i + 1)) for i in range(2)]
        db.session.commit()

        def badge(p: Point) -> str | None:
            if not p.is_assignment or p.kind == "heading":
                return None
            names = "; ".join(r.body.short_name or r.body.name for r in p.responsibles) or "ответственный не указан"
            when = f" · срок {format_date_long(p.deadline)}" if p.deadline else \
                f" · с {format_date_long(p.start_date)}" if p.start_date else ""
            return names + when

        def row(p: Point) -> tuple:
            label = f"{p.number}." if p.number else p.marker
            return p.id, p.kind, f"{label} {p.text}", badge(p)

        for points in layout:
            for top, children in points:
                expected += [row(top), *(row(child) for child in children)]
        expected += [row(p) for p in regulation]
        document_id = document.id
    auth.login("sec")
    client.get(f"/documents/{document_id}")
    page = client.get(f"/documents/{document_id}").get_data(as_text=True)
    assert _printed(page) == expected
    assert len(expected) == 4 * 4 + 2  # four trees of four points, the attachment's two


def test_the_signed_in_user_and_her_roles_come_with_her_session_in_one_statement(client, auth, make_user):
    make_user("sec", "secretary")
    auth.login("sec")
    with counted_statements(client.application) as seen:
        assert client.get("/documents").status_code == 200
    session = [s for s in seen if "FROM user_session" in s]
    assert len(session) == 1 and "user_role" in session[0], seen
    alone = [s for s in seen if re.search(r"FROM user_role WHERE|FROM user_account WHERE user_account\.id = ",
                                          " ".join(s.split()))]
    assert not alone, alone  # neither the user nor her roles asked on their own (they were two statements more)
