"""Real browser: an order goes from draft to published — two approvers, one return with a comment,
signing by the head, a registration number — as the README's walkthrough describes."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import CHROMIUM
from tests.e2e.conftest import login_as as _login
from webapp.extensions import db

pytestmark = pytest.mark.skipif(not CHROMIUM, reason="no chromium binary on PATH")


def test_order_from_draft_to_published(page, live_server, demo_app):
    base = live_server
    _login(page, base, "secretary")
    page.goto(base + "/documents")
    page.click("#new-document")
    page.select_option("#doc_type", "order")
    page.fill("#title", "Об утверждении плана методической работы")
    page.fill("#event_date", "23.11.2026")
    page.fill("#points-0-number", "1")
    page.fill("#points-0-text", "Утвердить план методической работы на 2027 год.")
    page.click("#save")
    document_url = page.url
    assert page.locator("#doc-state").inner_text() == "Проект"

    for name in ("Иванова Ольга Петровна", "Сидоров Алексей Викторович"):  # chosen in the picker's suggestions
        page.locator("#approver-name").press_sequentially(name[:4], delay=20)
        page.locator("#approver-list li[data-id]", has_text=name).click()
        with page.expect_navigation():
            page.click("#add-approver-button")
    page.click("#t-submit")
    assert page.locator("#doc-state").inner_text() == "На согласовании"

    _login(page, base, "approver")
    page.goto(document_url)
    page.click("#decide")
    _login(page, base, "approver2")
    page.goto(document_url)
    page.fill("#comment", "Добавьте срок исполнения в пункт 1.")
    page.click("#t-return_for_rework")
    assert page.locator("#doc-state").inner_text() == "Проект"
    assert "Добавьте срок исполнения в пункт 1." in page.locator("#approval-sheet").inner_text()

    _login(page, base, "secretary")
    page.goto(document_url)
    page.click("#t-submit")  # the second round asks the same approvers
    for login in ("approver", "approver2"):
        _login(page, base, login)
        page.goto(document_url)
        page.click("#decide")
    _login(page, base, "secretary")
    page.goto(document_url)
    page.click("#t-send_to_signing")
    assert page.locator("#doc-state").inner_text() == "На подписании"
    _login(page, base, "head")
    page.goto(document_url)
    page.click("#t-sign")
    assert page.locator("#doc-state").inner_text() == "Зарегистрирован и опубликован"
    number = page.locator("#doc-number").inner_text()
    assert number.isdigit()
    assert page.locator("#edit-document").count() == 0

    from webapp.models import Document

    with demo_app.app_context():
        doc = db.session.query(Document).filter_by(title="Об утверждении плана методической работы").one()
        assert doc.state == "published" and doc.number == number and doc.approval_round == 2
