"""Real browser: an assignment from a controller's hand to the executor's report, its acceptance,
and the auditor's overdue dashboard with its XLSX export, as the README describes."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from tests.e2e.conftest import CHROMIUM, expect, login_as
from webapp.extensions import db

pytestmark = pytest.mark.skipif(not CHROMIUM, reason="no chromium binary on PATH")


def test_assignment_lifecycle_and_dashboard_in_the_browser(page, live_server, demo_app):
    from webapp.models import Assignment, User

    with demo_app.app_context():
        point_331 = db.session.scalar(select(Assignment).where(Assignment.deadline_text.is_not(None))
                                      .where(Assignment.action.like("Концепцию%")))
        document_id = point_331.document_id
        executor = db.session.scalar(select(User).where(User.login == "executor"))
        body_id = executor.memberships[0].body_id
        body_name = executor.memberships[0].body.display_name

    # The controller adds an assignment by hand to the protocol in force.
    login_as(page, live_server, "controller")
    page.goto(f"{live_server}/documents/{document_id}")
    page.click("#add-assignment-link")
    page.fill("#action", "Представить анализ работы методических объединений.")
    page.locator("#lead_body-name").press_sequentially(body_name[:12], delay=30)  # suggested as it is typed
    suggestion = page.locator("#lead_body-list li[data-id]", has_text=body_name).first
    expect(suggestion).to_be_visible()
    suggestion.click()
    assert page.locator("input[type=hidden][name=lead_body]").input_value() == str(body_id)
    page.fill("#deadline", "в срок до 1 декабря 2030 года")
    page.click("#save-assignment")
    assignment_url = page.url
    assert page.locator("#assignment-status").inner_text() == "Новое"
    assert "1 декабря 2030" in page.locator("#deadline").inner_text()

    # The executor finds it among «Мои поручения», takes it into work and reports with a file.
    login_as(page, live_server, "executor")
    page.goto(f"{live_server}/assignments?scope=mine")
    page.click("text=Представить анализ работы методических объединений.")
    assert page.url == assignment_url
    page.click("#take")
    assert page.locator("#assignment-status").inner_text() == "В работе"
    page.fill("#text", "Анализ представлен письмом № 15.")
    page.set_input_files("#files", files=[{"name": "analiz.pdf", "mimeType": "application/pdf",
                                            "buffer": b"%PDF-1.4 analysis"}])
    page.click("#send-report")
    assert page.locator("#assignment-status").inner_text() == "Отчёт представлен"
    assert page.locator("#take").count() == 0 and page.locator("#review").count() == 0

    # The controller accepts the report.
    login_as(page, live_server, "controller")
    page.goto(assignment_url)
    assert "analiz.pdf" in page.content()
    page.select_option("#decision", "accept")
    page.click("#review")
    assert page.locator("#assignment-status").inner_text() == "Исполнено"

    # The auditor sees the overdue points of the demo protocol and exports them.
    login_as(page, live_server, "auditor")
    page.goto(f"{live_server}/assignments/dashboard?as_of=2022-03-01")
    overdue = page.locator("#overdue-list").inner_text()
    assert "3.3.1" in overdue and "1.2.2" in overdue
    assert int(page.locator("#total-overdue").inner_text()) == 7
    with page.expect_download() as download:
        page.click("text=XLSX")
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(open(download.value.path(), "rb").read())).active
    points = [row[3] for row in sheet.iter_rows(min_row=3, values_only=True)]
    assert "1.2.2" in points and "3.3.6" in points
