"""A list pages forward and back in the browser with its filter, order and page size kept: the assignment list
filtered to «Все доступные», 25 a page, sorted by clicking the «Статус» header; a multi-select searched by typing
(Tom Select, served locally, under the CSP)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.e2e.conftest import CHROMIUM, expect, login_as
from webapp.extensions import db
from webapp.models import Document, User

pytestmark = pytest.mark.skipif(not CHROMIUM, reason="no chromium binary on PATH")


def _rows(page) -> list[str]:
    return page.locator("#assignments tbody td:nth-child(3) a").evaluate_all("links => links.map(a => a.href)")


def test_the_assignment_list_pages_forward_and_back_with_its_filter(page, live_server):
    login_as(page, live_server, "admin")
    page.goto(live_server + "/assignments")
    expect(page.locator("select[name=status]")).to_have_value("open")  # the list opens on the open ones
    page.select_option("select[name=scope]", "all")
    page.select_option("select[name=status]", "all")
    page.select_option("select[name=size]", "25")
    with page.expect_navigation():
        page.click("#assignments-filter button[type=submit], form.row button[type=submit]")
    with page.expect_navigation():
        page.click("th.sortable >> text=Статус")
    expect(page.locator("th[aria-sort=ascending]")).to_have_count(1)
    first = _rows(page)
    assert len(first) == 25

    with page.expect_navigation():
        page.click("#next-page")
    for kept in ("scope=all", "status=all", "size=25", "sort=status", "after="):
        assert kept in page.url, kept
    expect(page.locator("select[name=scope]")).to_have_value("all")
    expect(page.locator("select[name=status]")).to_have_value("all")
    expect(page.locator("select[name=size]")).to_have_value("25")
    second = _rows(page)
    assert second and not set(first) & set(second)  # a new page, no row repeated
    assert page.locator("#next-page").count() == 0  # the demo's 40 rows end here

    page.go_back()  # the browser's own «back»: the first page as it was
    expect(page.locator("#next-page")).to_have_count(1)
    assert _rows(page) == first
    page.go_forward()
    expect(page.locator("#first-page")).to_have_count(1)
    with page.expect_navigation():
        page.click("#first-page")  # «В начало»: the first page, the filter and the order kept
    assert "after=" not in page.url and "scope=all" in page.url and "sort=status" in page.url
    assert _rows(page) == first


def test_a_multi_select_is_searched_by_typing_under_the_csp(page, live_server, demo_app):
    """Tom Select (served locally) over the people to acknowledge order 339: typing filters, Enter picks, × removes;
    the original select holds the choice the form submits, and the CSP refuses nothing."""
    with demo_app.app_context():
        order = db.session.scalar(select(Document.id).where(Document.number == "339"))
        sidorov = db.session.scalar(select(User.id).where(User.full_name.startswith("Сидоров")))
    refused = []
    page.on("console", lambda message: refused.append(message.text)
            if "Content Security Policy" in message.text else None)
    login_as(page, live_server, "admin")
    page.goto(f"{live_server}/documents/{order}")
    control = page.locator("#acknowledgments .ts-wrapper.multi")
    expect(control).to_have_count(1)
    control.locator("input").first.fill("Сидоро")
    expect(page.locator(".ts-dropdown .option")).to_have_count(1)  # only Сидоров is left of everyone
    page.keyboard.press("Enter")
    people = page.locator("select[name=people]")
    assert people.evaluate("s => Array.from(s.selectedOptions).map(o => o.value)") == [str(sidorov)]
    control.locator(".remove").first.click()
    assert people.evaluate("s => s.selectedOptions.length") == 0
    assert refused == []
