"""Real browser (issue 11): the search box in the header finds a document by another form of its word («педагог»
finds «педагогических») with the matched words marked, and an assignment by its responsible body; the result
opens the page."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import CHROMIUM, expect, login_as

pytestmark = pytest.mark.skipif(not CHROMIUM, reason="no chromium binary on PATH")


def _search(page, words: str) -> None:
    page.fill("#header-search input[name=q]", words)
    with page.expect_navigation():
        page.press("#header-search input[name=q]", "Enter")


def test_header_search_by_a_word_form_and_by_a_body(page, live_server, demo_app):
    login_as(page, live_server, "auditor")
    _search(page, "педагог")
    documents = page.locator(".search-hit[data-kind=document]")
    expect(documents.first).to_be_visible()
    marks = page.locator(".search-hit mark").all_inner_texts()
    assert any(m.lower().startswith("педагогическ") for m in marks), marks

    _search(page, "Институт развития образования")
    assignments = page.locator(".search-hit[data-kind=assignment]")
    expect(assignments.first).to_be_visible()
    assert assignments.count() >= 7  # the protocol's points 3.3.1-3.3.6 and 2.2 are the institute's
    first = assignments.first.locator("a.fw-semibold")
    title = first.inner_text()
    with page.expect_navigation():
        first.click()
    assert "/assignments/" in page.url
    assert page.locator("#action").inner_text().startswith(title.rstrip("…").strip())  # the hit's own page
    assert "Институт развития образования" in page.locator("#lead-body").inner_text()
