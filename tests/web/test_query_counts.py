"""No page's number of SQL statements grows with the data: each main page is requested in a world holding 10 and
in one holding 100 of what it lists (documents, assignments of one body, points of one protocol, notifications,
audit events, search hits, history events of one assignment, bodies and users), by the user who opens it, and
the statements the request runs are counted. A lazy load per row (an N+1) makes the counts differ."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from datetime import date, timedelta
from functools import partial

import pytest

from tests.conftest import TEST_PASSWORD, TODAY, AuthActions, counted_statements, private_app
from webapp.extensions import db
from webapp.models import AgendaItem, Assignment, Body, Document, Notification, Point, PointResponsible
from webapp.services import calendar, tokens
from webapp.services.audit import record_event
from webapp.services.users import create_user

SIZES = (10, 100)
NEXT = re.compile(r'href="([^"]+)" id="next-page"')


def _fill(n: int) -> dict:
    """A world of n: n documents (each its own issuing body and author), each with one assignment of the school
    (co-executed by the document's body, controlled by its author, half of them overdue) and a notification of
    the school's executor; one protocol with n decision points (agenda items of 10) assigned to n bodies and
    reported to one controller; n events in one assignment's history by n actors. Everything through the models,
    so the search index is built on commit."""
    department = Body(name="Департамент образования")
    school = Body(name="Школа № 1", parent=department)
    bodies = [Body(name=f"Школа № {i + 2}", parent=department) for i in range(n)]
    db.session.add_all([department, school, *bodies])
    db.session.flush()
    user = partial(create_user, password=TEST_PASSWORD)
    auditor = user("aud", "Аудитор Анна", roles=["auditor"], bodies=[])
    user("adm", "Администратор Артём", roles=["admin"], bodies=[])
    executor = user("exec", "Исполнитель Иван", roles=["executor"], bodies=[school.name])
    secretary = user("sec", "Секретарь Светлана", roles=["secretary"], bodies=[department.name])
    chief = user("chief", "Контролёр Кира", roles=["controller"], bodies=[department.name])
    controllers = [user(f"ctl{i}", f"Контролёр {i}", roles=["controller"], bodies=[department.name])
                   for i in range(n)]
    assignments = []
    for i in range(n):
        document = Document(doc_type="order", title=f"О проведении мониторинга качества № {i}", state="published",
                            number=f"{i + 1}-о", reg_date=date(2026, 1, 1) + timedelta(days=i % 300),
                            issuing_body=bodies[i], author=controllers[i])
        point = Point(document=document, position=0, number="1", text="Обеспечить мониторинг.", is_assignment=True,
                      action="Обеспечить мониторинг.")
        assignment = Assignment(document=document, point=point, lead_body=school, coexecutors=[bodies[i]],
                                controller=controllers[i], action=f"Обеспечить мониторинг № {i}.",
                                status="in_work", deadline_kind="by", deadline=TODAY + timedelta(days=i % 90 - 45))
        db.session.add_all([document, point, assignment])
        assignments.append(assignment)
    protocol = Document(doc_type="protocol", title="Протокол совещания руководителей", state="published",
                        number="П-1", event_date=date(2026, 10, 1), reg_date=date(2026, 10, 1),
                        issuing_body=department, author=secretary)
    db.session.add(protocol)
    item = None
    for i in range(n):
        if i % 10 == 0:
            item = AgendaItem(document=protocol, position=i // 10, number=str(i // 10 + 1), title=f"Вопрос {i}")
            db.session.add(item)
            db.session.flush()
        point = Point(document=protocol, agenda_item_id=item.id, position=i % 10, number=f"{i // 10 + 1}.{i % 10 + 1}",
                      text=f"Провести проверку № {i}.", is_assignment=True, action=f"Провести проверку № {i}.",
                      deadline=date(2026, 12, 1), deadline_kind="by", deadline_text="до 1 декабря 2026 г.")
        point.responsibles = [PointResponsible(body=bodies[i], position=0)]
        db.session.add(point)
        db.session.add(Assignment(document=protocol, point=point, lead_body=bodies[i], controller=chief,
                                  action=point.action, status="reported", deadline_kind="by", deadline=point.deadline))
    db.session.flush()
    for i, assignment in enumerate(assignments):
        db.session.add(Notification(user_id=executor.id, document_id=assignment.document_id,
                                    assignment_id=assignment.id, text=f"Новое поручение № {i}"))
        record_event(controllers[i], "assignment.take", assignments[0], document=assignments[0].document,
                     before={"status": "new"}, after={"status": "in_work"}, comment=f"Отметка № {i}")
    _row, api_secret = tokens.create_token(auditor, "счётчики", ["read"], 30)
    return {"protocol": protocol.id, "assignment": assignments[0].id, "department": department.id,
            "school": school.id, "api": api_secret, "feed": calendar.create_token(executor),
            "body_feed": calendar.create_token(secretary, department)}


class World:
    def __init__(self, app, ids: dict, n: int):
        self.app, self.ids, self.n = app, ids, n

    def client(self, login: str | None):
        client = self.app.test_client()
        if login:
            assert AuthActions(client).login(login).status_code == 302
        return client

    def count(self, login: str | None, path: str, headers: dict | None = None, warm: bool = True
              ) -> tuple[int, int, bytes]:
        """(statements, status, body) of a GET, asked once before (`warm`) so one-off work of a first request is
        not counted (the same for both worlds anyway)."""
        client = self.client(login)
        if warm:
            client.get(path, headers=headers)
        with counted_statements(self.app) as seen:
            response = client.get(path, headers=headers)
        return len(seen), response.status_code, response.data


@pytest.fixture(scope="module")
def worlds(databases, tmp_path_factory) -> Iterator[dict[int, World]]:
    """One app per size for the whole module: the pages only read (a login and a stored DOCX aside)."""
    out: dict[int, World] = {}
    with ExitStack() as stack:
        for n in SIZES:
            kind = f"counts{n}"
            with pytest.MonkeyPatch.context() as mp:  # the instance (its audit key) the world was built with
                mp.setenv("DOCFLOW_INSTANCE_PATH", str(databases.workdir / kind / "instance"))
                app = stack.enter_context(private_app(databases, kind, tmp_path_factory.mktemp(kind),
                                                      partial(_fill, n)))
            out[n] = World(app, databases.built[kind], n)
        yield out


def _api(who: str, path: Callable[[dict], str] | str) -> tuple[str, Callable[[dict], str], Callable[[dict], dict]]:
    return who, (path if callable(path) else lambda ids: path), lambda ids: {"Authorization": f"Bearer {ids['api']}"}


def _page(who: str, path: Callable[[dict], str] | str) -> tuple[str | None, Callable[[dict], str], Callable]:
    return who, (path if callable(path) else lambda ids: path), lambda ids: {}


PAGES = {
    "tasks of the school's executor": _page("exec", "/tasks"),
    "tasks of a controller": _page("chief", "/tasks"),
    "register, first page": _page("aud", "/documents?size=25"),
    "protocol page": _page("sec", lambda ids: f"/documents/{ids['protocol']}"),
    "my assignments (a body's)": _page("exec", "/assignments?scope=mine"),
    "assignments of an executor": _page("exec", "/assignments"),
    "overdue, auditor": _page("aud", "/assignments?overdue=1"),
    "dashboard": _page("aud", "/assignments/dashboard"),
    "dashboard of a body": _page("aud", lambda ids: f"/assignments/dashboard?body={ids['department']}"),
    "search": _page("aud", "/search?q=мониторинг"),
    "audit": _page("aud", "/audit"),
    "ICS feed of a user": _page(None, lambda ids: f"/calendar/{ids['feed']}.ics"),
    "ICS feed of a department": _page(None, lambda ids: f"/calendar/{ids['body_feed']}.ics"),
    "assignment with its history": _page("exec", lambda ids: f"/assignments/{ids['assignment']}"),
    "notifications": _page("exec", "/notifications"),
    "admin: users": _page("adm", "/admin/users"),
    "admin: bodies": _page("adm", "/admin/bodies"),
    "admin: bodies found by name": _page("adm", "/admin/bodies?q=школа"),
    "API documents": _api(None, "/api/v1/documents"),
    "API assignments": _api(None, "/api/v1/assignments"),
    "API overdue": _api(None, "/api/v1/overdue"),
    "API search": _api(None, "/api/v1/search?q=мониторинг"),
    "API overdue of a body": _api(None, lambda ids: f"/api/v1/overdue?body_id={ids['department']}"),
    "API bodies": _api(None, "/api/v1/bodies"),
    "API users": _api(None, "/api/v1/users"),
    "suggested users": _page("aud", "/suggest/users?q=контролёр"),
    "suggested bodies": _page("aud", "/suggest/bodies?q=школа"),
}


@pytest.mark.parametrize("page", PAGES)
def test_statements_do_not_grow_with_the_data(worlds, page):
    who, path, headers = PAGES[page]
    seen = {}
    for n, world in worlds.items():
        statements, status, body = world.count(who, path(world.ids), headers(world.ids))
        assert status == 200, (n, status)
        seen[n] = (statements, len(body))
    (small, small_size), (big, big_size) = seen[10], seen[100]
    assert big_size > small_size, "the bigger world shows more"  # the page does list what grew
    assert small == big, seen


def test_a_later_register_page_costs_what_the_first_does(worlds):
    """Keyset pages: the fourth page of 25 runs the statements the first one does."""
    world = worlds[100]
    client = world.client("aud")
    url, counts = "/documents?size=25", []
    for _page_number in range(4):
        client.get(url)
        with counted_statements(world.app) as seen:
            html = client.get(url).get_data(as_text=True)
        counts.append(len(seen))
        url = NEXT.search(html).group(1).replace("&amp;", "&")
    assert "after=" in url and len(set(counts)) == 1, counts
    assert counts[0] == world.count("aud", "/documents?size=25")[0]


def test_rendering_a_protocol_docx_does_not_grow_with_its_points(worlds):
    """The first download renders (and stores) the DOCX: that is the request counted; later ones send the file."""
    seen = {}
    for n, world in worlds.items():
        statements, status, body = world.count("sec", f"/documents/{world.ids['protocol']}/docx", warm=False)
        assert status == 200 and body.startswith(b"PK"), (n, status)
        seen[n] = statements
    assert seen[10] == seen[100], seen
