"""The API's overdue summary in pages: every filter (the caller's policy, the body with the bodies below it) in SQL,
the pages following one another through the `Link` header, the rows what the HTML list shows the same user."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests.web.test_api import Api, _error, _ok, make_token
from webapp.extensions import db
from webapp.models import Body


@pytest.fixture
def as_user(demo_app, client):
    return lambda login: Api(client, make_token(demo_app, login, ("read",)))


def _all_pages(api, path: str) -> tuple[list[dict], int]:
    """Every row, following `rel="next"`; and the number of pages."""
    rows, pages = [], 0
    while path:
        answer = api.get(path)
        rows += _ok(answer)
        pages += 1
        link = answer.headers.get("Link")
        assert (link is None) == (answer.headers.get("X-Next-Cursor") is None)
        path = re.search(r"<[^>]*/api/v1(/[^>]*)>; rel=\"next\"", link).group(1) if link else None
    return rows, pages


def test_pages_follow_one_another_in_the_summary_order(as_user):
    auditor = as_user("auditor")
    whole = _ok(auditor.get("/overdue?as_of=2022-03-01&limit=200"))
    assert [r["days_overdue"] for r in whole] == [181] * 6 + [28]
    rows, pages = _all_pages(auditor, "/overdue?as_of=2022-03-01&limit=3")
    assert rows == whole and pages == 3
    assert "Link" not in auditor.get("/overdue?as_of=2022-03-01&limit=7").headers


def test_a_bad_cursor_is_refused(as_user):
    auditor = as_user("auditor")
    for cursor in ("12", "2022-13-01.1.1", "2022-01-01.1", "2022-01-01.1.99999999999"):
        _error(auditor.get(f"/overdue?after={cursor}"), 422)


def test_the_rows_are_those_the_html_list_shows_the_same_user(as_user, client, auth):
    """An executor of one body: the API's overdue rows today are exactly the overdue assignments of her list."""
    api_ids = {r["assignment_id"] for r in _all_pages(as_user("executor"), "/overdue?limit=5")[0]}
    auth.login("executor", "demo")
    page = client.get("/assignments?overdue=1&size=100").get_data(as_text=True)
    html_ids = {int(i) for i in re.findall(r'href="/assignments/(\d+)"', page)}
    assert api_ids and api_ids == html_ids
    everyone = {r["assignment_id"] for r in _all_pages(as_user("auditor"), "/overdue?limit=200")[0]}
    assert api_ids < everyone  # the policy hid the other bodies' ones


def test_a_body_filter_takes_the_bodies_below_it(as_user, demo_app):
    auditor = as_user("auditor")
    everyone = _all_pages(auditor, "/overdue?limit=200")[0]
    responsible = {name for r in everyone for name in r["responsible"].split("; ")}
    with demo_app.app_context():  # a new body above one that has overdue assignments, with none of its own
        child = db.session.scalar(select(Body).where(Body.name.in_(responsible)).order_by(Body.id))
        parent = Body(name="Управление над исполнителем")
        db.session.add(parent)
        child.parent = parent
        db.session.commit()
        below = {b.name for b in db.session.scalars(select(Body).where(Body.id.in_(parent.subtree_ids())))}
        parent_id, parent_name = parent.id, parent.name
    of_body = _all_pages(auditor, f"/overdue?body_id={parent_id}&limit=4")[0]
    expected = [r for r in everyone if set(r["responsible"].split("; ")) & below]
    assert of_body == expected and 0 < len(of_body) < len(everyone)
    assert not any(parent_name in r["responsible"] for r in of_body)  # every row is a sub-body's


@pytest.mark.parametrize("day", ["2022-03-01", "2023-01-10"])
def test_the_command_prints_the_rows_the_api_gives_the_auditor(as_user, demo_app, day):
    """`docflow overdue --format json` (written as its rows are read, not built in memory: 1.3 GB at 1,000,000
    assignments) holds exactly the API's overdue rows for the auditor, key by key and in order, and its CSV
    the same rows' columns."""
    import csv
    import io
    import json

    from webapp.services.exports import COLUMNS

    whole = _ok(as_user("auditor").get(f"/overdue?as_of={day}&limit=200"))
    assert whole  # the demo has overdue assignments on both days
    printed = demo_app.test_cli_runner().invoke(args=["overdue", "--as-of", day, "--format", "json"])
    assert printed.exit_code == 0 and json.loads(printed.output) == whole
    table = demo_app.test_cli_runner().invoke(args=["overdue", "--as-of", day, "--format", "csv"]).output
    keys = [key for key, *_ in COLUMNS]
    assert list(csv.reader(io.StringIO(table))) == [keys, *([str(row[key]) for key in keys] for row in whole)]
