"""Real browser (issue 10): the chair receives a protocol to check — in «Мои задачи», in the notifications and by
e-mail (a real SMTP server) — and signs it, then the secretary signs it; once it is published, the executor
reports on its assignment and the controller gets the report to check by e-mail."""

from __future__ import annotations

from datetime import date
from email import message_from_string, policy

import pytest
from sqlalchemy import func, select, update

from tests.cli.test_remind import smtp_inbox
from tests.e2e.conftest import CHROMIUM, expect, login_as
from webapp.extensions import db
from webapp.models import Assignment, Notification, User
from webapp.services.documents import AgendaData, DraftData, PointData, create_draft

pytestmark = pytest.mark.skipif(not CHROMIUM, reason="no chromium binary on PATH")


def _press(page, button: str) -> None:
    with page.expect_navigation():
        page.click(button)


def _mail(app) -> str:
    return app.test_cli_runner().invoke(args=["notify", "send"]).output


def test_chair_and_secretary_sign_and_the_controller_is_mailed_a_report(page, live_server, demo_app):
    with demo_app.app_context():
        db.session.execute(update(Notification).values(mailed_at=func.now()))  # the demo's own are not ours
        secretary = db.session.scalar(select(User).where(User.login == "secretary"))
        institute = db.session.scalar(select(User).where(User.login == "executor")).memberships[0].body_id
        draft = create_draft(secretary, DraftData(
            doc_type="protocol", title="совещания о методической службе", event_date=date(2026, 11, 20),
            chair="Цулая Л.В.", secretary="Матвейчук Е.Н.", agenda=[AgendaData(title="О методической службе")],
            points=[PointData(text="Представить анализ работы методических объединений.", number="1.1",
                              responsible_ids=[institute], deadline_text="в срок до 1 марта 2027 года",
                              agenda_index=0)]))
        db.session.commit()
        url = f"{live_server}/documents/{draft.id}"

    with smtp_inbox(demo_app) as inbox:
        login_as(page, live_server, "secretary")
        page.goto(url)
        _press(page, "#t-submit")
        expect(page.locator("#doc-state")).to_have_text("На проверке у председателя")
        assert "sent: 1" in _mail(demo_app) and inbox.messages[-1][0] == ["head@docflow.example"]

        login_as(page, live_server, "head")  # lands on «Мои задачи»
        expect(page.locator(f"#review a[href='/documents/{draft.id}']")).to_have_count(1)
        page.goto(f"{live_server}/notifications")
        assert "передан председателю на проверку" in page.locator("main").inner_text()
        page.goto(url)
        _press(page, "#t-sign")
        expect(page.locator("#doc-state")).to_have_text("Подписан председателем, на подписи у секретаря")

        login_as(page, live_server, "secretary")
        expect(page.locator(f"#sign a[href='/documents/{draft.id}']")).to_have_count(1)
        page.goto(url)
        _press(page, "#t-countersign")
        expect(page.locator("#doc-state")).to_have_text("Подписан председателем и секретарём")
        _press(page, "#t-publish")
        expect(page.locator("#doc-state")).to_have_text("Опубликован")

        with demo_app.app_context():
            assignment = db.session.scalar(select(Assignment).where(Assignment.document_id == draft.id))
            controller = db.session.get(User, assignment.controller_id)
            assignment_url = f"{live_server}/assignments/{assignment.id}"
        _mail(demo_app)
        before = len(inbox.messages)
        login_as(page, live_server, "executor")
        page.goto(assignment_url)
        _press(page, "#take")
        page.fill("#text", "Анализ представлен письмом № 15.")
        _press(page, "#send-report")
        expect(page.locator("#assignment-status")).to_have_text("Отчёт представлен")
        assert "sent: 1" in _mail(demo_app)
        assert inbox.messages[before:][-1][0] == [controller.email]
        mail = message_from_string(inbox.messages[-1][1], policy=policy.default)
        assert mail["Subject"].startswith("Представлен отчёт об исполнении поручения (Клюсова")
