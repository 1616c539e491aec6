"""Attachments in the browser: the secretary attaches a DOCX with a Cyrillic name to her draft, finds it listed,
downloads it under its own name, and a search from the header finds the draft by a word inside the file."""

from __future__ import annotations

import io
from datetime import date

import docx
import pytest
from sqlalchemy import select

from tests.e2e.conftest import CHROMIUM, expect, login_as
from webapp.extensions import db
from webapp.models import User
from webapp.services.documents import DraftData, create_draft

pytestmark = pytest.mark.skipif(not CHROMIUM, reason="no chromium binary on PATH")


def _docx(text: str) -> bytes:
    document = docx.Document()
    document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_the_secretary_attaches_a_file_and_search_finds_it(page, live_server, demo_app):
    with demo_app.app_context():
        secretary = db.session.scalar(select(User).where(User.login == "secretary"))
        draft = create_draft(secretary, DraftData(doc_type="order", title="О ремонте школ",
                                                  event_date=date(2026, 11, 20))).id
        db.session.commit()
    login_as(page, live_server, "secretary")
    page.goto(f"{live_server}/documents/{draft}")
    page.set_input_files("#attach-files", files=[{
        "name": "Смета ремонта.docx", "buffer": _docx("Смета на замену оконных блоков"),
        "mimeType": "application/octet-stream"}])
    with page.expect_navigation():
        page.click("#attach-form button[type=submit]")
    expect(page.locator("#file-list .file-link")).to_have_text(["Смета ремонта.docx"])
    with page.expect_download() as download:
        page.click("#file-list .file-link")
    assert download.value.suggested_filename == "Смета ремонта.docx"

    page.fill("#header-search input[name=q]", "оконный")
    with page.expect_navigation():
        page.press("#header-search input[name=q]", "Enter")
    expect(page.locator(f'.search-hit[data-kind="document"][data-id="{draft}"]')).to_have_count(1)
