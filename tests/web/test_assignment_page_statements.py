"""One assignment's page asks the same statements whatever it shows: its reports (each by another author, each
with a file), deadline changes, co-executors and the sub-points below its point rolled up — and shows them all."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from tests.conftest import TEST_PASSWORD, counted_statements
from tests.web.test_query_plans import plan
from webapp.extensions import db
from webapp.models import Assignment, Body, DeadlineChange, Document, Point, Report, ReportFile
from webapp.services import assignments
from webapp.services.files import store_bytes
from webapp.services.users import create_user


def _fill(n: int) -> int:
    """An assignment of the school on point 1 of an order, with n co-executors, n reports by n authors (each with
    a file), n approved deadline changes, and n sub-points (1.i, each with its own 1.i.1 below) whose 2n
    assignments are done, in work or cancelled in turn. Its id."""
    school = Body(name=f"Школа ({n})")
    others = [Body(name=f"Соисполнитель {i} ({n})") for i in range(n)]
    db.session.add_all([school, *others])
    db.session.flush()
    authors = [create_user(f"author{n}_{i}", f"Автор {i}", TEST_PASSWORD, ["executor"], [school.name])
               for i in range(n)]
    document = Document(doc_type="order", title=f"О мерах ({n})", state="published", number=str(n),
                        reg_date=date(2026, 1, 15))
    top = Point(document=document, position=0, number="1", text="Обеспечить.", is_assignment=True)
    db.session.add_all([document, top])
    db.session.flush()
    assignment = Assignment(document=document, point=top, lead_body=school, coexecutors=others,
                            action="Обеспечить.", status="in_work", deadline_kind="by",
                            deadline=date(2026, 12, 1) + timedelta(days=n), original_deadline=date(2026, 12, 1))
    db.session.add(assignment)
    statuses = ("done", "in_work", "cancelled")
    for i in range(n):
        sub = Point(document=document, parent=top, position=i, number=f"1.{i + 1}", text="Подпункт.")
        below = Point(document=document, parent=sub, position=0, number=f"1.{i + 1}.1", text="Ниже.")
        db.session.add_all([sub, below])
        for k, point in enumerate((sub, below)):
            db.session.add(Assignment(document=document, point=point, lead_body=school, action="Часть.",
                                      status=statuses[(2 * i + k) % 3], deadline_kind="none"))
        report = Report(assignment=assignment, author_id=authors[i].id, text=f"Отчёт номер {i}",
                        decision="returned", decision_comment="Доработать")
        db.session.add(report)
        stored = store_bytes(f"справка {n} {i}".encode(), f"справка-{i}.txt", "text/plain")
        report.files.append(ReportFile(file_id=stored.id, filename=f"справка-{n}-{i}.txt"))
        db.session.add(DeadlineChange(assignment=assignment, reason=f"Причина {i}", old_date=date(2026, 12, 1),
                                      new_date=date(2026, 12, 2 + i), status="approved"))
    db.session.flush()
    return assignment.id


@pytest.mark.parametrize("login", ["exec", "aud"])
def test_the_page_asks_as_many_statements_for_five_of_everything_as_for_one(app, client, auth, login):
    with app.app_context():
        small, big = _fill(1), _fill(5)
        create_user("exec", "Исполнитель", TEST_PASSWORD, ["executor"], ["Школа (1)", "Школа (5)"])
        create_user("aud", "Аудитор", TEST_PASSWORD, ["auditor"], [])
        db.session.commit()
    auth.login(login)
    counts, pages = [], []
    for assignment_id in (small, big):
        client.get(f"/assignments/{assignment_id}")  # the menu's and the session's first-request work
        with counted_statements(app) as seen:
            page = client.get(f"/assignments/{assignment_id}")
        assert page.status_code == 200
        counts.append(len(seen))
        pages.append(page.get_data(as_text=True))
    assert counts[0] == counts[1], counts
    html = pages[1]
    # 10 sub-point assignments: 1.1 done, 1.1.1 in work, 1.2 cancelled, 1.2.1 done, ... -> 4 done of 7 counted
    assert re.search(r'id="rollup">исполнено 4 из 7', html), html
    assert all(f"Отчёт номер {i}" in html and f"справка-5-{i}.txt" in html and f"Автор {i}" in html
               for i in range(5))
    assert all(f"Соисполнитель {i} (5)" in html for i in range(5))
    assert html.count("перенесён") == 6  # five rows and the sentence above them
    assert re.search(r'id="rollup">исполнено 1 из 2', pages[0]), pages[0]


def test_the_rollup_walks_the_points_and_their_assignments_through_their_indexes(app):
    """With parameters bound (PostgreSQL's generic plan): the sub-points through ix_point_parent_id, their
    assignments through ix_assignment_point_id — not a scan of every point or assignment of the region."""
    with app.app_context():
        found = plan(assignments.rollup_query(_fill(2)))
    assert "ix_point_parent_id" in found, found
    assert "ix_assignment_point_id" in found, found
