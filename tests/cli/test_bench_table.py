"""bench/run.py's verdicts: a target the table marks as not met is named under it with the measured figure and
why (issue 14's «names the one not met with the measured figure and why»); a table all met says so."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench import run  # noqa: E402
from bench._common import Page  # noqa: E402


def _row(page: Page, p50: float, p95: float, per_second: float, errors: dict[int, int] | None = None) -> run.Row:
    return run.Row(page, p50, p95, p50 + 1, per_second, "5", errors or {})


BARE = _row(Page("bare", "bare route /healthz", "/healthz", "a"), 0.2, 0.4, 2000)


def test_each_missed_target_is_named_with_its_figure_and_why():
    rows = [BARE,
            _row(Page("page", "audit", "/audit", "a"), 10, 20, 200),
            _row(Page("dashboard", "overdue dashboard", "/assignments/dashboard", "a"), 20, 25, 90),
            _row(Page("dashboard", "overdue dashboard, just after a change", "/assignments/dashboard", "a",
                      run.AFTER_A_CHANGE), 26, 52.2, 59),
            _row(Page("page", "search", "/search?q=x", "a"), 40, 61, 50, {500: 2})]
    table = run.table(rows)
    assert "| audit | 10.0 | 20.0 |" in table and "| met |" in table
    assert "**NOT MET**: p95 52 ms > 50; 3% of bare < 30%" in table
    why = run.reasons(rows)
    lines = why.strip().splitlines()
    assert lines[0] == "Not met, and why:" and len(lines) == 4  # audit is met: not named
    dashboard, after, search = lines[1:]
    assert dashboard.startswith("- overdue dashboard: 30% of the bare route's 2,000 req/s leaves 3.3 ms")
    assert "takes 20.0 ms (p50)" in dashboard
    assert after.startswith("- overdue dashboard, just after a change: the data's version is replaced")
    assert search.startswith("- search: failed requests") and "not known to the bench" in search


def test_a_table_all_met_says_so():
    rows = [BARE, _row(Page("page", "audit", "/audit", "a"), 10, 20, 200)]
    assert run.reasons(rows).strip() == "Every target met."


def test_a_missed_time_without_a_known_reason_is_split_into_sql_and_the_process_s_own():
    """The Server-Timing header's SQL time (bench/run.py reads both durations) says where a slow page's time goes."""
    page = _row(Page("page", "protocol of 300 points", "/documents/1", "a"), 39.0, 56.7, 46)
    page.sql50 = 9.5
    rows = [BARE, page, _row(Page("page", "search", "/search?q=x", "a"), 40, 61, 50)]
    protocol, search = run.reasons(rows).strip().splitlines()[1:]
    assert protocol.startswith("- protocol of 300 points: of its 39.0 ms (p50), 9.5 ms in its 5 SQL statements")
    assert "29.5 ms the process's own" in protocol and "bare route answers 2,000 req/s" in protocol
    assert "not known to the bench" in search  # no SQL time reported: nothing more to say


def test_the_server_timing_header_gives_both_durations_and_the_statements():
    found = run.TIMING.search('app;dur=12.34, sql;dur=5.60;desc="9 statements"')
    assert found and found.groups() == ("12.34", "5.60", "9")
