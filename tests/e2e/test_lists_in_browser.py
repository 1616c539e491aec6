"""A list pages forward and back in the browser with its filter, order and page size kept: the assignment list
filtered to «Все доступные», 25 a page, sorted by clicking the «Статус» header."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import CHROMIUM, expect, login_as

pytestmark = pytest.mark.skipif(not CHROMIUM, reason="no chromium binary on PATH")


def _rows(page) -> list[str]:
    return page.locator("#assignments tbody td:nth-child(3) a").evaluate_all("links => links.map(a => a.href)")


def test_the_assignment_list_pages_forward_and_back_with_its_filter(page, live_server):
    login_as(page, live_server, "admin")
    page.goto(live_server + "/assignments")
    page.select_option("select[name=scope]", "all")
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
    for kept in ("scope=all", "size=25", "sort=status", "after="):
        assert kept in page.url, kept
    expect(page.locator("select[name=scope]")).to_have_value("all")
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
