"""Many first downloads of a published document at once: one stored DOCX, the same bytes for everybody.

Needs real concurrent transactions, so it runs on PostgreSQL (DOCFLOW_TEST_DATABASE_URL), as CI does."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.conftest import TEST_PG
from tests.web.test_concurrency import _run_concurrently
from webapp.extensions import db
from webapp.models import Document, Event, RenderedDocument
from webapp.services import rendering

pytestmark = pytest.mark.skipif(not TEST_PG, reason="concurrent transactions need PostgreSQL")


def test_concurrent_first_downloads_store_one_docx(demo_app):
    with demo_app.app_context():
        doc_id = db.session.scalar(select(Document.id).where(Document.slug == "003_4c206afcc321b513"))
    digests: list[str] = []

    def download(_index):
        digests.append(rendering.store_published_docx(db.session.get(Document, doc_id)).sha256)

    _run_concurrently(demo_app, download)
    with demo_app.app_context():
        row = db.session.scalars(select(RenderedDocument)).one()
        assert set(digests) == {row.file.sha256}
        assert db.session.scalar(select(func.count(Event.id)).where(Event.action == "document.docx_stored")) == 1
