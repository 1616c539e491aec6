"""Sorting the register and the assignment list by a column header: every order walked page by page holds every row
exactly once and in order (the cursor carries the sort key and the id), rows added between pages neither repeat nor
skip a row, the choice and the filters stay in the URL, and the page size is one of those offered."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from webapp.extensions import db
from webapp.models import Assignment, AssignmentStatus, Body, Document, DocumentType

DOC_ROW = re.compile(r'<a href="/documents/(\d+)">')
TASK_ROW = re.compile(r'<a href="/assignments/(\d+)">')
TYPES = list(DocumentType)
STATUSES = [s for s in AssignmentStatus if s != AssignmentStatus.draft]


def _next(html: str) -> str | None:
    link = re.search(r'href="([^"]+)" id="next-page"', html)
    return link.group(1).replace("&amp;", "&") if link else None


def _walk(client, url: str, row: re.Pattern) -> list[int]:
    seen = []
    while url:
        html = client.get(url).get_data(as_text=True)
        seen += [int(i) for i in row.findall(html)]
        url = _next(html)
    return seen


def _ordered(rows: list[tuple[object, int]], descending: bool) -> list[int]:
    """Ids in the list's order: by key then id (both reversed when descending), rows without a key last."""
    keyed = sorted((r for r in rows if r[0] is not None), key=lambda r: (r[0], r[1]), reverse=descending)
    bare = sorted((r for r in rows if r[0] is None), key=lambda r: r[1], reverse=descending)
    return [i for _k, i in keyed + bare]


def _documents(app, count: int, start: int = 0) -> None:
    with app.app_context():
        for n in range(start, start + count):
            day = None if n % 11 == 4 else date(2025, 3, 1) + timedelta(days=n % 6)
            db.session.add(Document(
                doc_type=TYPES[n % 4].value, title=f"Документ {n}", state="draft" if n % 3 == 0 else "published",
                number=None if n % 5 == 2 else str(n % 13), reg_date=day if n % 2 else None,
                event_date=None if n % 2 else day))
        db.session.commit()


def _document_keys(app, name: str) -> list[tuple[object, int]]:
    with app.app_context():
        documents = db.session.query(Document).filter(Document.parent_id.is_(None)).all()
        key = {"date": lambda d: d.reg_date or d.event_date, "number": lambda d: d.number,
               "type": lambda d: TYPES.index(DocumentType(d.doc_type)), "state": lambda d: d.state}[name]
        return [(key(d), d.id) for d in documents]


@pytest.fixture
def auditor(make_user, auth):
    make_user("aud", "auditor")
    auth.login("aud")


@pytest.mark.parametrize("sort", ["date", "-date", "number", "-number", "type", "-type", "state", "-state"])
def test_every_register_order_holds_every_document_once_in_order(app, client, auditor, sort):
    _documents(app, 60)
    walked = _walk(client, f"/documents?size=25&sort={sort}", DOC_ROW)
    assert walked == _ordered(_document_keys(app, sort.lstrip("-")), sort.startswith("-"))
    assert len(walked) == len(set(walked)) == 60


def test_the_register_is_newest_first_unless_asked(app, client, auditor):
    _documents(app, 30)
    assert _walk(client, "/documents?size=25", DOC_ROW) == _ordered(_document_keys(app, "date"), True)


@pytest.mark.parametrize("sort", ["number", "-date", "type"])
def test_documents_added_between_register_pages_repeat_and_skip_nothing(app, client, auditor, sort):
    _documents(app, 60)
    before = {i for _k, i in _document_keys(app, "date")}
    html = client.get(f"/documents?size=25&sort={sort}").get_data(as_text=True)
    first = [int(i) for i in DOC_ROW.findall(html)]
    _documents(app, 20, start=60)  # keys all over the order: some before the cursor, some after
    rest = _walk(client, _next(html), DOC_ROW)
    seen = first + rest
    assert len(seen) == len(set(seen))
    assert before <= set(seen)  # every row that was there is shown once


def test_register_headers_sort_and_keep_the_filters(app, client, auditor):
    _documents(app, 8)
    html = client.get("/documents?type=order&size=25&sort=number").get_data(as_text=True)
    header = re.search(r'<th scope="col" class="sortable" aria-sort="ascending"><a[^>]*href="([^"]+)"', html)
    assert header and "sort=-number" in header.group(1) and "type=order" in header.group(1)
    assert "size=25" in header.group(1)
    assert re.search(r'href="[^"]*sort=date[^"]*"', html)  # another column starts in its own direction
    assert '<input type="hidden" name="sort" value="number">' in html  # the filter form keeps the order
    assert 'aria-sort="descending"' in client.get("/documents?sort=-state").get_data(as_text=True)


@pytest.mark.parametrize("size", ["7", "1000", "abc", "-25"])
def test_a_page_size_not_offered_is_the_default(app, client, auditor, size):
    _documents(app, 60)
    html = client.get(f"/documents?size={size}").get_data(as_text=True)
    assert html.count('<a href="/documents/') == 50
    assert '<option value="50" selected>' in html


# --- the assignment list ---------------------------------------------------------------------------------------------


@pytest.fixture
def tasks(app, make_user):
    with app.app_context():
        bodies = [Body(name=name) for name in ("Школа А", "Школа Б", "Школа В", "Школа Г")]
        documents = [Document(doc_type="order", title=f"О мерах {n}", state="published", number=str(n),
                              reg_date=None if n == 2 else date(2026, 1, 10 + n), event_date=date(2026, 2, 1))
                     for n in range(4)]
        db.session.add_all(bodies + documents)
        db.session.commit()
        ids = {"bodies": [b.id for b in bodies], "documents": [d.id for d in documents]}
    make_user("aud", "auditor")
    return ids


def _assignments(app, tasks, count: int, start: int = 0) -> None:
    with app.app_context():
        for n in range(start, start + count):
            db.session.add(Assignment(
                document_id=tasks["documents"][n % 4], action=f"Поручение {n}", status=STATUSES[n % len(STATUSES)],
                lead_body_id=None if n % 9 == 5 else tasks["bodies"][n % 3 + (n % 2)],
                deadline=None if n % 7 == 6 else date(2026, 11, 1) + timedelta(days=n % 5), deadline_kind="by"))
        db.session.commit()


def _task_keys(app, name: str) -> list[tuple[object, int]]:
    with app.app_context():
        rows = db.session.query(Assignment).all()
        key = {"deadline": lambda a: a.deadline, "status": lambda a: STATUSES.index(AssignmentStatus(a.status)) + 1,
               "body": lambda a: a.lead_body.name if a.lead_body else None,
               "date": lambda a: a.document.reg_date or a.document.event_date}[name]
        return [(key(a), a.id) for a in rows]


@pytest.mark.parametrize("sort", ["deadline", "-deadline", "status", "-status", "body", "-body", "date", "-date"])
def test_every_assignment_order_holds_every_row_once_in_order(app, client, auth, tasks, sort):
    _assignments(app, tasks, 60)
    auth.login("aud")
    walked = _walk(client, f"/assignments?size=25&status=all&sort={sort}", TASK_ROW)
    assert walked == _ordered(_task_keys(app, sort.lstrip("-")), sort.startswith("-"))
    assert len(walked) == len(set(walked)) == 60


@pytest.mark.parametrize("sort", ["-deadline", "status", "body", "-date"])
def test_assignments_added_between_pages_repeat_and_skip_nothing(app, client, auth, tasks, sort):
    _assignments(app, tasks, 60)
    auth.login("aud")
    before = {i for _k, i in _task_keys(app, "deadline")}
    html = client.get(f"/assignments?size=25&sort={sort}&scope=all&status=all").get_data(as_text=True)
    first = [int(i) for i in TASK_ROW.findall(html)]
    _assignments(app, tasks, 20, start=60)
    seen = first + _walk(client, _next(html), TASK_ROW)
    assert len(seen) == len(set(seen)) and before <= set(seen)


def test_assignment_headers_sort_and_keep_the_filters(app, client, auth, tasks):
    _assignments(app, tasks, 10)
    auth.login("aud")
    html = client.get("/assignments?status=in_work&sort=-status").get_data(as_text=True)
    header = re.search(r'aria-sort="descending"><a[^>]*href="([^"]+)"', html).group(1).replace("&amp;", "&")
    assert "sort=status" in header and "status=in_work" in header
    assert '<option value="-status" selected>' in html  # the filter form keeps the column's order


def test_a_cursor_of_another_kind_or_order_starts_the_list_again(app, client, auth, tasks):
    _assignments(app, tasks, 3)
    auth.login("aud")
    # a date cursor under a date order that is no date, no id, no kind marker, or a body's cursor under «deadline»
    for cursor in ("v2026-13-01_5", "n_x", "q_5", "vШкола А_3"):
        response = client.get("/assignments", query_string={"after": cursor, "sort": "deadline", "status": "all"})
        location = response.headers.get("Location", "")
        assert response.status_code == 302 and "after=" not in location and "sort=deadline" in location, cursor
