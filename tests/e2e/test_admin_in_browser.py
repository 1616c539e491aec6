"""Real browser, issue 10's administration: an administrator creates a body and a user in it, who then logs in and
lands on «Мои задачи»; a deputy signs an order for the absent head and the history says «… за …»."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from tests.e2e.conftest import CHROMIUM, expect, login_as
from webapp.extensions import db

pytestmark = pytest.mark.skipif(not CHROMIUM, reason="no chromium binary on PATH")

PASSWORD = "тихий-вечер-над-рекой-2026"  # noqa: S105 - the new user's password in this test


def _log_out(page) -> None:
    with page.expect_navigation():
        page.click("text=Выйти")


def test_an_admin_creates_a_body_and_a_user_who_logs_in(page, live_server, demo_app):
    base = live_server
    login_as(page, base, "admin")
    with page.expect_navigation():  # loaded, its scripts too: a picker typed into before them asks nothing
        page.click("text=Органы")
    page.fill("#name", "Отдел дополнительного образования")
    page.fill("#short_name", "ОДО")
    page.locator("#parent-name").press_sequentially("департамент образования", delay=20)  # a picker, not a select
    suggestion = page.locator("#parent-list li[data-id]", has_text="Департамент образования и молодежной политики")
    expect(suggestion).to_have_count(1)
    suggestion.click()
    with page.expect_navigation():
        page.click("#create-body")
    created = page.locator("#bodies tr", has_text="Отдел дополнительного образования")
    expect(created).to_contain_text("Департамент образования и молодежной политики")  # its parent, as picked

    page.click("text=Пользователи")
    with page.expect_navigation():
        page.click("#new-user")
    page.fill("#login", "kuznetsova")
    page.fill("#full_name", "Кузнецова Мария Сергеевна")
    page.check("input[name=roles][value=executor]")
    page.locator("#memberships-0-body-name").press_sequentially("одо", delay=20)  # a picker, not a select
    suggestion = page.locator("#memberships-0-body-list li[data-id]", has_text="ОДО")
    expect(suggestion).to_have_count(1)
    suggestion.click()
    page.fill("#memberships-0-position", "Главный специалист")
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.click("#create-user")
    expect(page.locator(".alert-success")).to_contain_text("Пользователь Кузнецова Мария Сергеевна создан.")

    _log_out(page)
    page.fill("#login", "kuznetsova")
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.click("#submit")
    expect(page.locator("#current-user")).to_have_text("Кузнецова Мария Сергеевна")
    assert page.url.endswith("/tasks")
    expect(page.locator("h1")).to_contain_text("Мои задачи")


def _order_on_signing(app) -> int:
    from webapp.models import User
    from webapp.services import transitions
    from webapp.services.documents import DraftData, PointData, create_draft

    def user(login: str) -> User:
        return db.session.scalar(select(User).where(User.login == login))

    with app.app_context():
        doc = create_draft(user("secretary"), DraftData(
            doc_type="order", title="Об организации летнего отдыха", event_date=date(2026, 11, 20),
            points=[PointData(text="Подготовить план.", number="1", responsible_ids=[user("executor").bodies[0].id],
                              deadline_text="до 20.12.2026")]))
        transitions.add_approver(user("secretary"), doc, user("approver"))
        transitions.fire(user("secretary"), doc, "submit", None, doc.version)
        transitions.decide(user("approver"), doc, "approved", None, doc.version)
        transitions.fire(user("secretary"), doc, "send_to_signing", None, doc.version)
        db.session.commit()
        return doc.id


def test_a_deputy_signs_for_the_absent_head(page, live_server, demo_app):
    base = live_server
    doc_id = _order_on_signing(demo_app)
    login_as(page, base, "admin")
    with page.expect_navigation():  # (CI once typed before the picker's script was there: no suggestion asked)
        page.click("text=Замещения")
    page.locator("#principal-name").press_sequentially("цулая", delay=20)  # pickers, not selects of every user
    page.locator("#principal-list li[data-id]", has_text="Цулая Лариса Владимировна").click()
    page.locator("#deputy-name").press_sequentially("сидоров", delay=20)
    chosen = page.locator("#deputy-list li[data-id]", has_text="Сидоров Алексей Викторович")
    expect(chosen).to_contain_text("Начальник юридического отдела")  # the position tells namesakes apart
    chosen.click()
    expect(page.locator("#deputy-name")).to_have_value("Сидоров Алексей Викторович")
    page.fill("#starts_on", "2026-11-23")  # a date input takes ISO dates
    page.fill("#ends_on", "2026-12-04")
    with page.expect_navigation():
        page.click("#add-deputy")
    expect(page.locator("#deputies")).to_contain_text("действует")

    login_as(page, base, "approver2")
    page.goto(base + "/tasks")
    link = page.locator(f'#sign a[href="/documents/{doc_id}"]')
    expect(link).to_have_count(1)
    with page.expect_navigation():
        link.click()
    with page.expect_navigation():
        page.click("#t-sign")
    expect(page.locator("#doc-state")).to_have_text("Зарегистрирован и опубликован")
    expect(page.locator("body")).to_contain_text("Сидоров А. В. за Цулая Л. В.")
