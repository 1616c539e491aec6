"""A big export in the browser: the offer page, the job's page that follows the worker by itself (static/jobs.js
polling the JSON), and the download button once it is done — with no console errors (the CSP allows no inline
script)."""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import CHROMIUM, expect, login_as

pytestmark = pytest.mark.skipif(not CHROMIUM, reason="no chromium binary on PATH")


def test_the_job_page_shows_the_progress_and_the_download_without_reloading(page, live_server, demo_app):
    demo_app.config["EXPORT_INLINE_ROWS"] = 0  # every export is a job
    console: list[str] = []
    page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
    login_as(page, live_server, "auditor")
    page.goto(live_server + "/assignments/export.xlsx?as_of=2022-03-01")
    with page.expect_navigation():
        page.click("#start-job-button")
    assert re.search(r"/jobs/\d+$", page.url), page.url
    expect(page.locator("#job-status")).to_have_text("в очереди")
    expect(page.locator("#job-download")).to_be_hidden()
    url = page.url
    result = demo_app.test_cli_runner().invoke(args=["worker", "--burst"])
    assert result.exit_code == 0, result.output
    expect(page.locator("#job-status")).to_have_text("готово")  # the script saw it: no reload
    expect(page.locator("#job-download")).to_be_visible()
    assert page.url == url
    with page.expect_download() as download:
        page.click("#job-download")
    assert download.value.suggested_filename.endswith(".xlsx")
    expect(page.locator("#jobs-link")).to_have_count(1)
    assert [line for line in console if "Content Security Policy" in line or "Refused to" in line
            or "jobs.js" in line] == []
