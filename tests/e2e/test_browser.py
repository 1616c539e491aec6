"""Real browser: a secretary logs in and drafts a protocol, as the README promises.

Runs when Playwright and a Chromium binary are present (CI installs Debian's chromium);
skipped otherwise, with the reason printed by pytest -ra.
"""

from __future__ import annotations

import pytest

from tests.e2e.conftest import CHROMIUM, expect, login_as
from webapp.extensions import db

pytestmark = pytest.mark.skipif(not CHROMIUM, reason="no chromium binary on PATH")


def test_secretary_drafts_a_protocol_in_the_browser(page, live_server, demo_app):
    page.goto(live_server + "/login")
    page.fill("#login", "secretary")
    page.fill("#password", "demo")
    page.click("#submit")
    assert page.locator("#current-user").inner_text() == "Матвейчук Елена Николаевна"
    assert page.url.endswith("/tasks")  # «Мои задачи» is the start page
    with page.expect_navigation():
        page.click("text=Документы")
    rows = page.locator("#documents tbody tr")
    assert rows.count() == 4  # the documents in force; the draft resolution of another body is not hers to read
    assert "339" in page.locator("#documents").inner_text()

    page.click("#new-document")
    page.select_option("#doc_type", "protocol")
    page.fill("#title", "совещания по итогам учебного года")
    page.fill("#event_date", "15.06.2023")
    page.fill("#agenda-0-title", "Об итогах года")
    page.click("#add-agenda")
    page.fill("#agenda-1-title", "О планах на новый год")
    page.fill("#points-0-agenda", "1")
    page.fill("#points-0-number", "1.1")
    page.fill("#points-0-text", "Принять информацию к сведению.")
    page.click("#add-point")
    page.click("#add-point")
    assert page.locator("#points-0-text").input_value() == "Принять информацию к сведению."  # nothing lost
    page.fill("#points-1-agenda", "1")
    page.fill("#points-1-number", "1.2")
    page.fill("#points-1-text", "Подготовить отчёт об итогах года.")
    expect(page.locator("#points-1-responsible option")).to_have_count(0)  # no body listed in advance
    picker = page.locator("#points-1-responsible + .ts-wrapper")
    picker.locator("input").press_sequentially("институт разв", delay=30)
    institute = picker.locator(".ts-dropdown .option", has_text="АУ ДПО «Институт развития образования»")
    expect(institute).to_have_count(1)
    institute.click()  # a suggestion the server sent (/suggest/bodies?for=draft)
    page.fill("#points-1-deadline", "в срок до 1 сентября 2023 года")
    page.fill("#points-2-agenda", "2")
    page.fill("#points-2-number", "2.1")
    page.fill("#points-2-text", "Утвердить план работы.")
    with page.expect_navigation():
        page.click("#save")

    assert "Проект сохранён" in page.content()
    assert page.locator("#doc-state").inner_text() == "Проект"
    assert "Подготовить отчёт об итогах года." in page.locator(".paper").inner_text()
    assert "1 сентября 2023" in page.locator(".assignment-badge").inner_text()

    from webapp.models import Document

    with demo_app.app_context():
        doc = db.session.query(Document).filter_by(title="совещания по итогам учебного года").one()
        assert len(doc.agenda_items) == 2 and len(doc.points) == 3
        assert doc.issuing_body.name.startswith("Департамент образования и молодежной политики")  # the author's body


def test_a_click_right_after_picking_a_long_named_body_is_not_lost(page, live_server, demo_app):
    """The responsible bodies' box keeps its height when it loses focus: it used to drop its empty input line on the
    mousedown outside, so «Сохранить проект» moved up under the pointer and the click never reached it."""
    login_as(page, live_server, "secretary")
    page.goto(live_server + "/documents/new")
    page.fill("#title", "о проверке выбора органов")
    page.fill("#points-0-text", "Обеспечить проведение совещания.")
    picker = page.locator("#points-0-responsible + .ts-wrapper")
    picker.locator("input").press_sequentially("департамент", delay=30)
    department = picker.locator(".ts-dropdown .option", has_text="Департамент образования и молодежной политики")
    expect(department).to_have_count(1)
    department.click()  # a name long enough to wrap: the typing line goes below it
    page.fill("#points-0-deadline", "до 1 февраля 2027 года")
    with page.expect_navigation():
        page.click("#save")
    assert "Проект сохранён" in page.content()
    assert "Департамент образования и молодежной политики" in page.locator(".paper").inner_text()
