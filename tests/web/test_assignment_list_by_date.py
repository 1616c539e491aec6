"""«Поручения» of every assignment by the document's date («Дата документа», either way): the documents walked in
date order through the register's index, each one's assignments by its key, then those of undated documents —
instead of sorting every document (PostgreSQL, oldest first) or every assignment of the status asked (SQLite). The
overseer still gets every row once in the order (ties of a date by the assignment's id, undated documents last both
ways) across pages, inside a date's rows and across into the undated ones."""

from __future__ import annotations

from datetime import date

import pytest

from tests.web.test_assignment_list import _walk  # ids through every page, following «Дальше»
from tests.web.test_assignment_list_branches import _bound
from tests.web.test_query_plans import _ASSIGNMENT_STATS, _DOCUMENT_STATS, _sampled_statistics, plan
from webapp.extensions import db
from webapp.models import Assignment, Document, User
from webapp.models.assignment import OPEN_STATUSES
from webapp.services import assignments

STATUSES = ("new", "in_work", "done", "reported", "done", "returned", "cancelled", "draft")


@pytest.fixture
def dated(app, make_user):
    """Nine documents: dates repeated (by registration or by the meeting), two with none; 6-11 assignments each,
    their ids interleaved across documents (so a date's rows are no range of ids), of every status and drafts."""
    make_user("aud", "auditor")
    with app.app_context():
        days = [date(2026, 3, 5), None, date(2025, 1, 9), date(2026, 3, 5), date(2024, 7, 1), None,
                date(2025, 1, 9), date(2026, 3, 5), date(2023, 2, 2)]
        documents = [Document(doc_type="order", title=f"Приказ {n}", state="published", number=str(n),
                              reg_date=day if n % 2 else None, event_date=None if n % 2 else day)
                     for n, day in enumerate(days)]
        db.session.add_all(documents)
        db.session.flush()
        for round_ in range(12):
            for n, document in enumerate(documents):
                if round_ < 6 + n % 6:
                    db.session.add(Assignment(document_id=document.id, action=f"Поручение {round_}-{n}",
                                              status=STATUSES[(round_ * 3 + n) % len(STATUSES)]))
        db.session.commit()


def _expected(app, sort: str, status: str) -> list[int]:
    """The overseer's rows in the order worked out in Python."""
    with app.app_context():
        rows = [a for a in db.session.query(Assignment) if a.status != "draft"
                and (status == "all" or (a.status in OPEN_STATUSES if status == "open" else a.status == status))]
        keyed = [(a.document.reg_date or a.document.event_date, a.id) for a in rows]
    descending = sort.startswith("-")
    named = sorted(((key, i) for key, i in keyed if key is not None), reverse=descending)
    return [i for _key, i in named] + sorted((i for key, i in keyed if key is None), reverse=descending)


@pytest.mark.parametrize("sort", ["date", "-date"])
@pytest.mark.parametrize("status", ["all", "open", "done", "new"])
def test_every_row_once_in_the_document_s_date_order_across_pages(app, client, auth, dated, sort, status):
    expected = _expected(app, sort, status)
    auth.login("aud")
    seen = _walk(client, f"/assignments?size=25&status={status}&sort={sort}")
    assert seen == expected
    if status == "all":
        assert len(seen) > 50  # two page boundaries are crossed


@pytest.mark.parametrize("sort", ["date", "-date"])
def test_the_overseer_s_page_walks_the_register_s_date_index(app, dated, sort):
    """With parameters bound, the overseer's page by the document's date reads the register's date index (either
    way, after a cursor too): before, PostgreSQL sorted every document oldest first. On SQLite, under the 1M
    bench's sampled statistics, the status asked is no index to it: it took the status's index and sorted every
    assignment of it (830,000 «Исполнено»: 0.56-1.9 s)."""
    with app.app_context():
        connection = db.session.connection()
        if connection.dialect.name == "sqlite":
            _sampled_statistics(connection, "assignment", _ASSIGNMENT_STATS)
            _sampled_statistics(connection, "document", _DOCUMENT_STATS, analyze=False)
        user = db.session.query(User).filter_by(login="aud").one()
        for after in (None, "v2025-01-09_10"):
            statement, values = assignments.list_statement(user, status="done", sort=sort, after=after, size=50)
            found = plan(_bound(statement, values))
            assert "ix_document_register_date" in found, (after, found.replace("\n", " | "))
        db.session.rollback()
