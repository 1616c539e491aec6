"""Real browser: the auditor asks the dashboard for 1 March 2022 with «только просроченные», sees the seven overdue
of protocol № 1 (1.2.2 and 3.3.1–3.3.6) with the charts drawn under the CSP, downloads the справка with exactly
those seven rows, and drills down to the same seven in the assignment list."""

from __future__ import annotations

import pytest
from docx import Document as DocxDocument

from tests.e2e.conftest import CHROMIUM, expect, login_as

pytestmark = pytest.mark.skipif(not CHROMIUM, reason="no chromium binary on PATH")

SEVEN = ["1.2.2", "3.3.1", "3.3.2", "3.3.3", "3.3.4", "3.3.5", "3.3.6"]


def test_only_overdue_at_1_march_2022_and_its_spravka(page, live_server, tmp_path):
    console: list[str] = []
    page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
    login_as(page, live_server, "auditor")
    page.goto(live_server + "/assignments/dashboard")
    page.fill("#as_of", "2022-03-01")  # a date input: the browser shows it as the user's locale writes dates
    page.check("#overdue")
    with page.expect_navigation():
        page.click("#dashboard-filter button[type=submit]")
    assert "as_of=2022-03-01" in page.url and "overdue=y" in page.url  # the filters stay in the URL
    rows = page.locator("#overdue-list tbody tr")
    expect(rows).to_have_count(7)
    assert sorted(rows.nth(i).locator("td").nth(3).inner_text() for i in range(7)) == SEVEN
    expect(page.locator("#total-overdue")).to_have_text("7")
    expect(page.locator("#total-all")).to_have_text("7")
    for chart in ("chart-bodies", "chart-ages", "chart-trend"):  # drawn by Chart.js from the local file
        assert page.evaluate(f"Chart.getChart(document.getElementById('{chart}')) !== undefined"), chart
    # the axes' numbers as Russian text writes them («160 000»): what the trend's y axis prints for 160000
    trend = "Chart.getChart(document.getElementById('chart-trend'))"
    assert page.evaluate(f"{trend}.scales.y.getLabelForValue(160000)") == "160\u00a0000"

    with page.expect_download() as download:
        page.click("#export-docx")
    path = tmp_path / "spravka.docx"
    download.value.save_as(path)
    table = DocxDocument(str(path)).tables[0]
    assert len(table.rows) == 1 + 7
    assert sorted(row.cells[1].text.rsplit("п. ", 1)[1] for row in table.rows[1:]) == SEVEN

    with page.expect_navigation():
        page.click("#total-overdue")
    expect(page.locator("#drill-down")).to_have_count(1)
    expect(page.locator("#assignments tbody tr")).to_have_count(7)
    assert [line for line in console if "Content Security Policy" in line or "Refused to" in line] == []
