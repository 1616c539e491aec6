"""Real browser: a secretary drops two DOCX files (Word's own numbering), reviews one beside its text, fixes a
responsible body, and saves it as an archive document; its assignments are under control with their deadlines."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.e2e.conftest import CHROMIUM, expect, login_as
from webapp.extensions import db

pytestmark = pytest.mark.skipif(not CHROMIUM, reason="no chromium binary on PATH")

DEV = Path(__file__).resolve().parents[1] / "data" / "dev"
ORDER = DEV / "dev08_lesogorsk_prikaz_pddtt_avtonumeraciya.docx"
PROTOCOL = DEV / "dev17_verkhneozyorsk_protokol_zamdirektorov_listnumber.docx"


def test_secretary_imports_two_docx_files_and_saves_one_under_control(page, live_server, demo_app):
    from webapp.models import Assignment, Body, Document

    with demo_app.app_context():
        institute = db.session.scalar(select(Body).where(Body.name.like("Автономное учреждение%")))
        institute_id = institute.id
    login_as(page, live_server, "secretary")
    page.click("text=Загрузка")
    page.set_input_files("#files", [str(ORDER), str(PROTOCOL)])
    page.click("#upload-button")
    page.wait_for_selector("#pending-imports")
    assert "Загружено документов: 2" in page.content()
    with page.expect_navigation():
        page.click(f"text={ORDER.name}")

    # The review: the text on one side, the structure on the other; a field's source is marked on focus.
    assert page.locator("#source-text mark.source-span").count() > 10
    assert page.input_value("#number") == "245" and page.input_value("#event_date") == "30.08.2024"
    first_deadline = page.locator("input[id$='-deadline']:not([value=''])").first
    first_deadline.focus()
    expect(page.locator("#source-text mark.active").first).to_be_visible()
    row = first_deadline.get_attribute("id").split("-")[1]
    # the pickers' boxes mark their source too: Tom Select's of a point's bodies, the issuing body's own
    page.locator(f"#points-{row}-responsible + .ts-wrapper input").focus()
    expect(page.locator(f'#source-text mark.active[data-field="points-{row}-responsible"]')).to_have_count(1)
    page.locator("#issuing_body-name").focus()
    expect(page.locator('#source-text mark.active[data-field="issuing_body"]')).to_have_count(1)
    # the secretary fixes the body: the one proposed removed, the institute typed and picked from the suggestions
    chips = page.locator(f"#points-{row}-responsible + .ts-wrapper .item .remove")
    for _ in range(chips.count()):
        chips.first.click()
    expect(chips).to_have_count(0)
    picker = page.locator(f"#points-{row}-responsible + .ts-wrapper")
    picker.locator("input").press_sequentially("институт", delay=30)
    suggestion = picker.locator(".ts-dropdown .option", has_text="АУ ДПО «Институт развития образования»")
    expect(suggestion).to_have_count(1)
    suggestion.click()
    page.fill(f"#points-{row}-new_body", "")
    page.check("input[name='save_as'][value='archive']")
    with page.expect_navigation():
        page.click("#save")
    # The letterhead's «УПРАВЛЕНИЕ ОБРАЗОВАНИЯ» is also a name of another district's body in the demo: refused with
    # the way out, the typed corrections kept; the secretary leaves the issuing body to her own.
    assert "не входит в органы, от имени которых вы работаете" in page.content()
    assert page.locator(f"#points-{row}-responsible").input_value() == str(institute_id)
    assert page.locator(f"#points-{row}-responsible option").all_inner_texts() == [
        "АУ ДПО «Институт развития образования»"]  # only the bodies chosen, never the whole directory
    page.fill("#issuing_body-name", "")  # no issuing body named
    with page.expect_navigation():  # content() read while the redirect loads is empty
        page.click("#save")
    assert "Документ сохранён. Его поручения поставлены на контроль." in page.content()
    assert page.locator("#doc-number").inner_text() == "245"

    with demo_app.app_context():
        document = db.session.scalar(select(Document).where(Document.number == "245"))
        assignments = list(db.session.scalars(select(Assignment).where(Assignment.document_id == document.id)))
        assert document.state == "published" and document.reg_date == date(2024, 8, 30)
        assert all(a.status == "new" and a.controller_id for a in assignments) and len(assignments) >= 8
        by_point = {a.point_number: a for a in assignments}
        assert by_point["2.1"].deadline == date(2024, 9, 10) and by_point["2.3"].deadline == date(2024, 9, 13)
        assert institute_id in {a.lead_body_id for a in assignments}
    page.goto(live_server + "/import")
    assert PROTOCOL.name in page.content() and ORDER.name not in page.content()  # one still waits for review
