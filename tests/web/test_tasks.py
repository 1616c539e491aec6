"""«Мои задачи» through HTTP as the demo's roles: each group counts what waits for that user and links to where
it is done; login leads there; the menu shows the total; each group is one query."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import event, select

from tests.conftest import counted_statements
from webapp.extensions import db
from webapp.models import Assignment, Body, Document, User
from webapp.services import assignments, tasks, transitions
from webapp.services.documents import DraftData, PointData, create_draft


def _user(login: str) -> User:
    return db.session.scalar(select(User).where(User.login == login))


def _counts(client, auth, login: str) -> dict[str, int]:
    auth.logout()
    response = auth.login(login, "demo")
    assert response.headers["Location"].endswith("/tasks")  # the start page after login
    page = client.get("/tasks").get_data(as_text=True)
    counts = {key: int(n) for key, n in re.findall(r'id="count-(\w+)">[^<]*<span class="badge[^"]*">(\d+)<', page)}
    assert list(counts) == [key for key, _ in tasks.GROUPS]
    menu = re.search(r'id="tasks-counter">(\d+)<', page)
    assert (int(menu.group(1)) if menu else 0) == sum(counts.values())  # the menu's total
    return counts


def _links(client, group: str) -> list[str]:
    page = client.get("/tasks").get_data(as_text=True)
    section = re.search(rf'<section class="mb-4" id="{group}">(.*?)</section>', page, re.S)
    return re.findall(r'<a href="([^"]+)"', section.group(1)) if section else []


def _order(points: int = 1) -> Document:
    institute = _user("executor").bodies[0]  # the executor's body answers for the points
    return create_draft(_user("secretary"), DraftData(
        doc_type="order", title="О проверке задач", event_date=date(2026, 11, 20),
        points=[PointData(text=f"Подготовить справку {i}.", number=str(i), responsible_ids=[institute.id],
                          deadline_text="до 20.12.2026") for i in range(1, points + 1)]))


@pytest.fixture
def order_on_route(demo_app):
    """An order of the department on a sequential route: approver first, then approver2."""
    with demo_app.app_context():
        doc = _order(points=2)
        for login in ("approver", "approver2"):
            transitions.add_approver(_user("secretary"), doc, _user(login))
        transitions.fire(_user("secretary"), doc, "submit", None, doc.version)
        db.session.commit()
        return doc.id


def _decide(app, login: str, document_id: int) -> None:
    with app.app_context():
        doc = db.session.get(Document, document_id)
        transitions.decide(_user(login), doc, "approved", None, doc.version)
        db.session.commit()


def _fire(app, login: str, document_id: int, name: str) -> None:
    with app.app_context():
        doc = db.session.get(Document, document_id)
        transitions.fire(_user(login), doc, name, None, doc.version)
        db.session.commit()


def test_a_route_goes_from_inbox_to_inbox(demo_app, client, auth, order_on_route):
    doc_id = order_on_route
    base = {role: _counts(client, auth, role) for role in ("approver", "approver2", "head", "secretary", "admin")}
    assert base["approver"]["approve"] == 1 and base["approver2"]["approve"] == 0  # sequential: one at a time
    assert _links(client, "approve") == []  # the last login was admin: nothing to approve
    _counts(client, auth, "approver")
    assert _links(client, "approve") == [f"/documents/{doc_id}"]
    page = client.get(f"/documents/{doc_id}").get_data(as_text=True)
    assert 'id="decision"' in page  # the link leads to where the decision is taken

    _decide(demo_app, "approver", doc_id)
    assert _counts(client, auth, "approver")["approve"] == 0
    assert _counts(client, auth, "approver2")["approve"] == 1
    _decide(demo_app, "approver2", doc_id)
    _fire(demo_app, "secretary", doc_id, "send_to_signing")
    head = _counts(client, auth, "head")
    assert head["sign"] == base["head"]["sign"] + 1
    assert f"/documents/{doc_id}" in _links(client, "sign")
    assert 'id="t-sign"' in client.get(f"/documents/{doc_id}").get_data(as_text=True)
    assert _counts(client, auth, "admin")["sign"] == 0  # signing is the head's (the workflow's roles)
    assert _counts(client, auth, "secretary")["sign"] == 0


def test_a_protocol_waits_for_the_chair(demo_app, client, auth):
    with demo_app.app_context():
        doc = create_draft(_user("secretary"), DraftData(
            doc_type="protocol", title="совещания", event_date=date(2026, 11, 20),
            points=[PointData(text="Принять к сведению.", number="1")]))
        transitions.fire(_user("secretary"), doc, "submit", None, doc.version)
        db.session.commit()
        doc_id = doc.id
    assert _counts(client, auth, "head")["review"] == 1
    assert _links(client, "review") == [f"/documents/{doc_id}"]
    assert _counts(client, auth, "approver")["review"] == 0


def test_executor_and_controller_groups(demo_app, client, auth, order_on_route):
    doc_id = order_on_route
    executor_before = _counts(client, auth, "executor")
    controller_before = _counts(client, auth, "controller")
    _decide(demo_app, "approver", doc_id)
    _decide(demo_app, "approver2", doc_id)
    _fire(demo_app, "secretary", doc_id, "send_to_signing")
    _fire(demo_app, "head", doc_id, "sign")
    with demo_app.app_context():
        rows = db.session.scalars(select(Assignment).where(Assignment.document_id == doc_id)
                                  .order_by(Assignment.id)).all()
        for row in rows:
            row.controller_id = _user("controller").id
        db.session.commit()
        first, second = rows[0].id, rows[1].id
    executor = _counts(client, auth, "executor")
    assert executor["execute"] == executor_before["execute"] + 2
    assert {f"/assignments/{first}", f"/assignments/{second}"} <= set(_links(client, "execute"))

    with demo_app.app_context():
        executor_user = _user("executor")
        assignments.take_into_work(executor_user, db.session.get(Assignment, first))
        assignments.submit_report(executor_user, db.session.get(Assignment, first), "Справка готова.")
        assignments.request_extension(executor_user, db.session.get(Assignment, second), date(2027, 1, 20),
                                      "Нет данных")
        transitions.add_acknowledgers(_user("head"), db.session.get(Document, doc_id), [executor_user])
        db.session.commit()
    controller = _counts(client, auth, "controller")
    assert controller["reports"] == controller_before["reports"] + 1
    assert controller["extensions"] == controller_before["extensions"] + 1
    assert _links(client, "reports") == [f"/assignments/{first}"]
    assert _links(client, "extensions") == [f"/assignments/{second}#deadline-changes"]
    page = client.get(f"/assignments/{first}").get_data(as_text=True)
    assert "Принять" in page  # where the report is reviewed

    executor = _counts(client, auth, "executor")
    assert executor["execute"] == executor_before["execute"] + 1  # the reported one waits for the controller now
    assert executor["acknowledge"] == 1
    assert _links(client, "acknowledge") == [f"/documents/{doc_id}#acknowledgments"]


def test_several_roles_and_bodies(demo_app, client, auth, make_user, order_on_route):
    with demo_app.app_context():
        bodies = [_user("head").bodies[0].name, _user("executor").bodies[0].name]
    make_user("multi", "head", "executor", bodies=bodies)
    with demo_app.app_context():
        user = _user("multi")
        user.password_hash = _user("head").password_hash  # the demo's password, so _counts can log in
        db.session.commit()
    doc_id = order_on_route
    _decide(demo_app, "approver", doc_id)
    _decide(demo_app, "approver2", doc_id)
    _fire(demo_app, "secretary", doc_id, "send_to_signing")
    multi, executor, head = (_counts(client, auth, login) for login in ("multi", "executor", "head"))
    assert multi["sign"] == head["sign"] >= 1  # as the department's head
    assert multi["execute"] == executor["execute"] >= 1  # as a member of the institute


def test_nothing_waits_for_the_auditor(demo_app, client, auth):
    counts = _counts(client, auth, "auditor")
    assert set(counts.values()) == {0}
    assert "Сейчас ничего не ждёт вашего решения." in client.get("/tasks").get_data(as_text=True)
    assert client.get("/").headers["Location"].endswith("/tasks")


def test_each_group_is_one_query(demo_app, order_on_route):
    with demo_app.app_context():
        statements = []
        listen = lambda *args: statements.append(args[2])  # noqa: E731
        for login in ("executor", "approver", "controller", "admin"):
            user = _user(login)
            tasks.inbox(user)  # the user's roles and bodies are loaded once, before the groups
            event.listen(db.engine, "before_cursor_execute", listen)
            try:
                groups = tasks.inbox(user)
                assert len(statements) == len(tasks.GROUPS), statements
                statements.clear()
                assert tasks.total(user) == sum(g.total for g in groups)
                assert len(statements) == 1
            finally:
                event.remove(db.engine, "before_cursor_execute", listen)
                statements.clear()


def test_the_page_asks_only_the_groups_that_hold_something(demo_app, client, auth, order_on_route):
    """The menu's one statement counts each group first; a group counted empty costs the page no query, and the
    groups asked are listed as `inbox` lists them without the counts."""
    for login in ("approver", "executor", "auditor"):
        counts = _counts(client, auth, login)
        with counted_statements(demo_app) as seen:
            page = client.get("/tasks").get_data(as_text=True)
        asked = [s for s in seen if "count(*) OVER" in s]  # a group's first rows with its total (tasks._first)
        assert len(asked) == len([n for n in counts.values() if n]), (login, counts)
        with demo_app.app_context():
            groups = tasks.inbox(_user(login))
        assert counts == {group.key: group.total for group in groups}
        assert 'id="tasks-counter">' in page or not any(counts.values())
    assert counts == dict.fromkeys(counts, 0)  # the auditor's: nothing asked at all


def test_to_execute_means_the_users_own_bodies(demo_app, client, auth, make_user):
    """A sub-body's assignment waits for the sub-body's members, not for everyone above (they still see it under
    «Поручения»)."""
    with demo_app.app_context():
        parent = _user("executor").bodies[0]
        published = db.session.scalar(select(Document).where(Document.state == "published"))
        child = Body(name="Отдел сопровождения", dative="Отделу сопровождения", parent=parent)
        db.session.add(child)
        db.session.add_all([Assignment(document=published, lead_body=child, action="Составить график.",
                                              status="new", deadline=date(2026, 12, 20), deadline_kind="by")])
        db.session.commit()
        before = tasks.inbox(_user("executor"))[3].total
    make_user("clerk", "executor", bodies=["Отдел сопровождения"])
    with demo_app.app_context():
        clerk, executor = _user("clerk"), _user("executor")
        assert [g.total for g in tasks.inbox(clerk) if g.key == "execute"] == [1]
        assert [g.total for g in tasks.inbox(executor) if g.key == "execute"] == [before]


def test_to_execute_lists_open_assignments_of_the_body_lead_or_co_executor_nearest_deadline_first(demo_app,
                                                                                                   make_user):
    """What waits for a body: its open assignments as lead or co-executor, none closed, reported or of another
    body, and not a periodic series (its dated occurrences are what is executed); the total counts them all and
    the group lists the first ones by deadline (ties by id), each with its document, point and body."""
    with demo_app.app_context():
        own = Body(name="Отдел учёта", dative="Отделу учёта")
        other = Body(name="Отдел связи", dative="Отделу связи")
        published = db.session.scalar(select(Document).where(Document.state == "published"))
        db.session.add_all([own, other])

        def make(status: str, deadline: date | None, lead: Body, co: list[Body] = (), kind: str = "by") -> Assignment:
            row = Assignment(document=published, lead_body=lead, action=f"Поручение {status} {deadline}",
                             status=status, deadline=deadline, deadline_kind=kind, coexecutors=list(co))
            db.session.add(row)
            return row

        waiting = [make("new", date(2026, 12, 20), own), make("in_work", date(2026, 12, 5), own),
                   make("returned", None, own), make("in_work", date(2026, 12, 5), other, [own]),
                   make("new", date(2027, 1, 10), own, kind="periodic")]
        series = make("in_work", None, own, kind="periodic")  # a series: its occurrence above waits, it does not
        waiting[-1].series = series
        for status in ("done", "reported", "cancelled", "draft"):
            make(status, date(2026, 12, 1), own)
        make("new", date(2026, 12, 1), other)  # another body's
        db.session.commit()
        expected = [a.id for a in sorted(waiting, key=lambda a: (a.deadline is None, a.deadline or date.min, a.id))]
    make_user("clerk", "executor", bodies=["Отдел учёта"])
    with demo_app.app_context():
        clerk = _user("clerk")
        for shown in (2, len(expected), 20):
            group = next(g for g in tasks.inbox(clerk, shown=shown) if g.key == "execute")
            assert group.total == len(expected)
            assert [a.id for a in group.items] == expected[:shown]
            assert all(a.document is not None and a.lead_body is not None for a in group.items)
        assert tasks.total(clerk) == len(expected)
