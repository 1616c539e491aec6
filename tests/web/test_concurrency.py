"""Two heads sign at the same moment: numbers stay unique and gapless, the audit chain does not fork.

Needs real concurrent transactions, so it runs on PostgreSQL (DOCFLOW_TEST_DATABASE_URL), as CI does."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from sqlalchemy import select

from tests.conftest import TEST_PG
from webapp.extensions import db
from webapp.models import Document, Event
from webapp.services import numbering
from webapp.services.audit import record_event, verify_chain

pytestmark = pytest.mark.skipif(not TEST_PG, reason="concurrent transactions need PostgreSQL")
WORKERS = 8


def _run_concurrently(app, work):
    barrier = threading.Barrier(WORKERS)
    errors: list[BaseException] = []

    def worker(index):
        try:
            with app.app_context():
                barrier.wait()
                work(index)
                db.session.commit()
                db.session.remove()
        except BaseException as exc:  # noqa: BLE001 - reported to the test below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    hung = [thread.name for thread in threads if thread.is_alive()]
    assert not hung, f"still running after 60 s (a lock never released?): {hung}"
    assert not errors, errors


def test_numbers_are_unique_and_gapless_under_concurrent_signing(app):
    with app.app_context():
        ids = []
        for i in range(WORKERS):
            doc = Document(doc_type="order", title=f"Приказ {i}", state="on_signing")
            db.session.add(doc)
            db.session.flush()
            ids.append(doc.id)
        db.session.commit()

    def sign(index):
        doc = db.session.get(Document, ids[index])
        numbering.assign_number(doc, date(2026, 11, 23))
        record_event(None, "transition.sign", doc, after={"number": doc.number})

    _run_concurrently(app, sign)
    with app.app_context():
        numbers = sorted(int(n) for n in db.session.scalars(select(Document.number).where(Document.id.in_(ids))))
        assert numbers == list(range(1, WORKERS + 1))
        assert db.session.query(Event).count() == WORKERS
        assert verify_chain() is None
