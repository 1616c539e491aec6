"""The dashboard's table links: each row's links (by body, by document, by controller, the lists) are exactly the
URLs url_for builds for the row with the page's filters — the view builds each kind once and writes each row's
id into it, which must change nothing, whatever the filters' raw values in the URL hold."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import parse_qsl, urlsplit

import pytest
from flask import url_for
from sqlalchemy import select

from webapp.extensions import db
from webapp.models import Assignment, Body

ROW = re.compile(r"<tr>(.*?)</tr>", re.S)
HREF = re.compile(r'<a href="([^"]+)"(?: data-figure="([a-z_0-9]+)")?>')


def _section(page: str, start: str, end: str) -> str:
    rest = page[page.index(start):]
    return rest[:rest.index(end)]


def _page_args(page: str) -> dict[str, str]:
    """The page's filters in the order its links carry them (the XLSX export's link is url_for of them alone)."""
    href = unescape(re.search(r'href="([^"]+)" id="export-xlsx"', page).group(1))
    return dict(parse_qsl(urlsplit(href).query, keep_blank_values=True))


@pytest.mark.parametrize("query", [
    "as_of=2022-03-01",
    "as_of=2022-03-01&overdue=y&body={local}",
    # a raw value holding the numbers the view builds the links with, in the filter before the row's key
    "as_of=2022-03-01&overdue=987654321&body={local}",
    "as_of=2022-03-01&overdue=a13579b",
])
def test_each_row_links_to_what_url_for_builds_with_the_page_s_filters(demo_app, client, auth, query):
    with demo_app.app_context():
        local = db.session.scalar(select(Body.id).where(Body.name.like("Органы местного самоуправления Ханты%")))
    auth.login("auditor", "demo")
    page = client.get(f"/assignments/dashboard?{query.format(local=local)}").get_data(as_text=True)
    args = _page_args(page)
    seen = {}
    with demo_app.test_request_context():
        for table, key in (("by-body", "body"), ("by-document", "document"), ("by-controller", "controller")):
            for row in ROW.findall(_section(page, f'id="{table}"', "</table>").split("<tbody>", 1)[1]):
                links = HREF.findall(row)
                value = dict(parse_qsl(urlsplit(unescape(links[-1][0])).query))[key]
                expected = [url_for("assignments.index", figure=figure, **dict(args, **{key: int(value)}))
                            for figure in ("open", "overdue")]
                if key != "controller":  # the row's name opens its own dashboard
                    expected.insert(0, url_for("assignments.dashboard", **dict(args, **{key: int(value)})))
                assert [unescape(href) for href, _ in links] == expected, (table, row)
                seen[table] = seen.get(table, 0) + 1
        for row in ROW.findall(_section(page, 'id="overdue-list"', "</table>").split("<tbody>", 1)[1]):
            hrefs = [unescape(href) for href, _ in HREF.findall(row)]
            if not hrefs:  # «Просроченных нет.»
                continue
            assignment_id = int(hrefs[1].rsplit("/", 1)[1])
            document_id = db.session.scalar(select(Assignment.document_id).where(Assignment.id == assignment_id))
            assert hrefs == [url_for("documents.detail", document_id=document_id),
                             url_for("assignments.detail", assignment_id=assignment_id)]
            seen["overdue-list"] = seen.get("overdue-list", 0) + 1
    assert set(seen) == {"by-body", "by-document", "by-controller", "overdue-list"}  # rows in every table
