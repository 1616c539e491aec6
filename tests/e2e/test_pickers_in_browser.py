"""Real browser: the auditor types a few letters of a name into the audit page's user picker, chooses the suggestion
the server sends, and sees the journal of that user alone, the choice kept in the box after the page reloads; the
dashboard's body picker does the same by a short name. No select of the whole directory on either page."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.e2e.conftest import CHROMIUM, expect, login_as
from webapp.extensions import db
from webapp.models import Document, User
from webapp.services.audit import record_event

pytestmark = pytest.mark.skipif(not CHROMIUM, reason="no chromium binary on PATH")

SECRETARY = "Матвейчук Елена Николаевна"


def test_choose_a_user_in_the_audit_picker(page, live_server, demo_app):
    with demo_app.app_context():  # an event of the secretary's among the demo's own
        secretary = db.session.scalar(select(User).where(User.login == "secretary"))
        record_event(secretary, "test_event", secretary, comment="событие секретаря")
        db.session.commit()
    console: list[str] = []
    page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
    login_as(page, live_server, "auditor")
    page.goto(live_server + "/audit")
    expect(page.locator("#audit-filter select[name=user]")).to_have_count(0)
    page.locator("#user-name").press_sequentially("матв", delay=30)
    suggestion = page.locator("#user-list li[data-id]")
    expect(suggestion).to_have_count(1)
    expect(suggestion).to_contain_text(SECRETARY)
    suggestion.click()
    expect(page.locator("#user-name")).to_have_value(SECRETARY)
    with page.expect_navigation():
        page.click("#audit-filter button[type=submit]")
    assert "user=" in page.url
    who = page.locator("#events tbody tr td:nth-child(3)")
    expect(who.first).to_have_text(SECRETARY)
    assert set(who.all_inner_texts()) == {SECRETARY}
    expect(page.locator("#events")).to_contain_text("событие секретаря")
    expect(page.locator("#user-name")).to_have_value(SECRETARY)  # kept from the URL
    assert [line for line in console if "Content Security Policy" in line or "Refused to" in line] == []


def test_choose_a_body_in_the_dashboard_picker_with_the_keyboard(page, live_server):
    login_as(page, live_server, "auditor")
    page.goto(live_server + "/assignments/dashboard?as_of=2022-03-01&overdue=y")
    expect(page.locator("#overdue-list tbody tr")).to_have_count(7)
    page.locator("#body-name").press_sequentially("институт", delay=30)
    first = page.locator("#body-list li[data-id]").first
    expect(first).to_contain_text("Институт")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")  # chooses; does not submit
    chosen = page.locator("#body-name").input_value()
    assert "Институт" in chosen and page.locator("input[type=hidden][name=body]").input_value().isdigit()
    with page.expect_navigation():
        page.click("#dashboard-filter button[type=submit]")
    assert "body=" in page.url
    expect(page.locator("#body-name")).to_have_value(chosen)
    rows = page.locator("#overdue-list tbody tr")
    expect(rows).not_to_have_count(7)  # the institute's share of the seven
    assert rows.count() < 7


def test_acknowledgers_are_asked_from_the_server_as_they_are_typed(page, live_server, demo_app):
    with demo_app.app_context():  # a published document of the secretary's department
        secretary = db.session.scalar(select(User).where(User.login == "secretary"))
        document_id = db.session.scalar(select(Document.id).where(
            Document.state == "published", Document.issuing_body_id.in_([b.id for b in secretary.bodies]))
            .order_by(Document.id))
    login_as(page, live_server, "secretary")
    page.goto(f"{live_server}/documents/{document_id}")
    expect(page.locator("select[name=people] option")).to_have_count(0)  # nobody listed in advance
    page.locator("select[name=people] + .ts-wrapper input").press_sequentially("клюс", delay=30)
    option = page.locator(".ts-dropdown .option", has_text="Клюсова Виктория Викторовна")
    expect(option).to_have_count(1)
    option.click()
    with page.expect_navigation():
        page.click("text=Добавить в список")
    expect(page.locator(".alert-success")).to_contain_text("В список ознакомления добавлено: 1")


def test_choose_a_controller_on_the_dashboard_and_drill_down(page, live_server, demo_app):
    """The dashboard's controller is a picker too (it listed every controller); its drill-down keeps the choice."""
    with demo_app.app_context():
        name = db.session.scalar(select(User.full_name).where(User.login == "controller"))
    login_as(page, live_server, "auditor")
    page.goto(live_server + "/assignments/dashboard?as_of=2022-03-01")
    expect(page.locator("#dashboard-filter select[name=controller]")).to_have_count(0)
    page.locator("#controller-name").press_sequentially(name.split()[0][:5].lower(), delay=30)
    suggestion = page.locator("#controller-list li[data-id]", has_text=name)
    expect(suggestion).to_have_count(1)
    suggestion.click()
    with page.expect_navigation():
        page.click("#dashboard-filter button[type=submit]")
    assert "controller=" in page.url
    expect(page.locator("#controller-name")).to_have_value(name)
    expect(page.locator("#by-controller tbody tr")).to_have_count(1)
    expect(page.locator("#by-controller tbody tr")).to_contain_text(name)
