"""The menu on every page: «Мои задачи N», «Уведомления N» and the link «Задания», asked in one statement."""

from __future__ import annotations

import re

from sqlalchemy import select

from tests.conftest import AuthActions, counted_statements
from webapp.extensions import db
from webapp.models import Job, Notification, User
from webapp.services import tasks


def _figures(page: str) -> tuple[int | None, int | None, bool]:
    """(the tasks counter, the unread badge, whether «Задания» is linked) as the menu shows them."""
    counter = re.search(r'id="tasks-counter">(\d+)<', page)
    unread = re.search(r'id="notifications-link">Уведомления <span class="badge[^"]*">(\d+)<', page)
    return (int(counter.group(1)) if counter else None, int(unread.group(1)) if unread else None,
            'id="jobs-link"' in page)


def test_the_menus_figures_are_each_users_own_and_come_in_one_statement(demo_app):
    client = demo_app.test_client()
    assert AuthActions(client).login("executor", "demo").status_code == 302
    with demo_app.app_context():
        executor = db.session.scalar(select(User).where(User.login == "executor"))
        other = db.session.scalar(select(User).where(User.login == "controller"))
        waiting = tasks.total(executor)
        unread_before = len(db.session.scalars(select(Notification.id).where(
            Notification.user_id == executor.id, Notification.read_at.is_(None))).all())
    assert waiting > 0  # the demo's executor has assignments to execute
    assert _figures(client.get("/documents").get_data(as_text=True))[2] is False  # no job yet: no link
    with demo_app.app_context():
        db.session.add_all([Notification(user_id=executor.id, text=f"Уведомление {i}") for i in range(3)])
        db.session.add(Notification(user_id=other.id, text="Не её"))
        db.session.add(Job(kind="export", owner_id=other.id, title="Чужая выгрузка"))
        db.session.commit()
    assert _figures(client.get("/documents").get_data(as_text=True)) == (waiting, unread_before + 3, False)
    with demo_app.app_context():
        db.session.add(Job(kind="export", owner_id=executor.id, title="Выгрузка"))
        db.session.commit()
    with counted_statements(demo_app) as seen:
        page = client.get("/documents").get_data(as_text=True)
    assert _figures(page) == (waiting, unread_before + 3, True)
    menu = [s for s in seen if "FROM job" in s or "FROM notification" in s or s.count("count(") >= len(tasks.GROUPS)]
    assert len(menu) == 1, menu  # the three figures in one statement (they were three)
    # the inbox asks the menu's statement itself (its groups' counts first): the menu takes it, not asked again
    with counted_statements(demo_app) as seen:
        inbox = client.get("/tasks").get_data(as_text=True)
    assert _figures(inbox) == (waiting, unread_before + 3, True)
    assert len([s for s in seen if "FROM job" in s or "FROM notification" in s]) == 1
