"""Scale-out (issue 14): bench/scaleout.py at a small size on PostgreSQL (two gunicorn hosts, ten people, ten
seconds, two cron hosts), its checks fed what they guard against, and the API rate limit shared by two apps."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import pytest
import time_machine
from sqlalchemy import func, select

from tests.conftest import TEST_PG

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench import scaleout  # noqa: E402
from bench.scaleout import Call, Edit  # noqa: E402

# --- the checks fail on what they guard against -------------------------------------------------------------------


def _call(status: int, started: float = 100.0, ended: float = 100.1) -> Call:
    return Call(0, "probe", "GET", "/api/v1/me", status, started, ended)


def test_answers_check_names_5xx_and_dropped_requests():
    assert scaleout.check_answers([_call(200), _call(409), _call(429)]) == []
    problems = scaleout.check_answers([_call(200), _call(500), _call(502), _call(0)])
    assert len(problems) == 3 and any("500" in p for p in problems) and any("no answer" in p for p in problems)


def test_lost_update_check():
    edits = [Edit(7, 1, 200, "a", 2), Edit(7, 1, 409, "b"), Edit(7, 2, 200, "c", 3)]
    assert scaleout.check_lost_updates(edits, {7: ("c", 3)}) == []
    lost = [Edit(7, 1, 200, "a", 2), Edit(7, 1, 200, "b", 2)]  # both made on version 1 and both "saved"
    assert "2 edits made on version 1" in scaleout.check_lost_updates(lost, {7: ("b", 2)})[0]
    assert "holds «a»" in scaleout.check_lost_updates(edits, {7: ("a", 3)})[0]  # the last edit is not what is stored


def test_numbering_check():
    series = ("order", 1, 2026)
    assert scaleout.check_numbering({series: 4}, {series: 7}, {series: ["6", "5", "7"]}) == []
    assert scaleout.check_numbering({}, {series: 2}, {series: ["1", "2"]}) == []
    assert "missing [6]" in scaleout.check_numbering({series: 4}, {series: 7}, {series: ["5", "7"]})[0]
    assert "duplicates [6]" in scaleout.check_numbering({series: 4}, {series: 7}, {series: ["5", "6", "6", "7"]})[0]
    assert scaleout.check_numbering({series: 4}, {series: 5}, {series: ["5/2026"]})  # not a sequence number


def test_mail_check():
    notified = [("a@x", "Приказ № 5 подписан"), ("b@x", "Приказ № 5 подписан")]
    reminder = ("a@x", "Просрочено поручение (срок 10.12.2026)")
    assert scaleout.check_mail([*notified, reminder], notified, 0, {"a@x": 1}) == []
    assert "2 sent, 1 expected" in scaleout.check_mail([*notified, notified[0], reminder], notified, 0,
                                                       {"a@x": 1})[0]
    assert "0 sent, 1 expected" in scaleout.check_mail([notified[0], reminder], notified, 0, {"a@x": 1})[0]
    assert "never mailed" in scaleout.check_mail([*notified, reminder], notified, 3, {"a@x": 1})[0]
    assert "reminders" in scaleout.check_mail([*notified, reminder, reminder], notified, 0, {"a@x": 1})[0]


def test_rate_limit_check():
    window = 10
    within = [_call(200, 100 + i * 0.1, 100.05 + i * 0.1) for i in range(3)] + [_call(429, 101, 101.1)]
    assert scaleout.check_rate_limit(within, 3, window) == []
    too_many = [_call(200, 100 + i * 0.1, 100.05 + i * 0.1) for i in range(4)] + [_call(429, 101, 101.1)]
    assert "4 requests let through, the limit is 3" in scaleout.check_rate_limit(too_many, 3, window)[0]
    straddling = [_call(200, 109.9, 110.2)] + within  # it may have been counted in either window: not counted
    assert scaleout.check_rate_limit(straddling, 3, window) == []
    assert "never refused" in scaleout.check_rate_limit(within[:3], 3, window)[0]


def test_work_and_commands_checks():
    assert scaleout.check_work({"registered order": 2}) == []
    assert scaleout.check_work({"registered order": 0}) == ["no registered order during the load"]
    assert scaleout.check_commands([("notify send", 0, "ok")]) == []
    assert "exited 1" in scaleout.check_commands([("remind", 1, "IntegrityError")])[0]


# --- the limit is one for every host ------------------------------------------------------------------------------


def test_the_api_rate_limit_is_shared_by_two_hosts(app, tmp_path):
    """Two apps (two hosts) on one database: three requests through either make the fourth a 429 on both."""
    from webapp import create_app
    from webapp.extensions import db
    from webapp.services.tokens import RateLimiter

    other = create_app({"DATABASE_URL": app.config["DATABASE_URL"], "SECRET_KEY": "another-host"})
    with time_machine.travel(datetime(2026, 11, 23, 10, 0, 0), tick=False):  # not at a window's edge
        hits = []
        for host in (app, other, app, other, app):
            with host.app_context():
                hits.append(RateLimiter().hit("token:1", 3, 60))
        with other.app_context():
            other_key = RateLimiter().hit("token:2", 3, 60)
    assert hits[:3] == [0, 0, 0] and hits[3] == hits[4] == 60  # refused until the window ends, on both hosts
    assert other_key == 0  # another key counts on its own
    with time_machine.travel(datetime(2026, 11, 23, 10, 1, 0), tick=False), app.app_context():
        assert RateLimiter().hit("token:1", 3, 60) == 0  # the next window
    with other.app_context():
        db.engine.dispose()  # the second host's connections, closed before the database is dropped


def test_workers_starting_at_once_share_one_secret_key(tmp_path, monkeypatch):
    """Another worker (or host) writes instance/secret_key between this one's look and its write: both use the
    key written first, and nobody fails or reads a half-written file."""
    from webapp.config import persistent_secret_key

    first = persistent_secret_key(tmp_path)
    assert len(first) == 64 and persistent_secret_key(tmp_path) == first
    looked: list[Path] = []
    real_exists = Path.exists

    def not_there_yet(path):  # the moment before the other process's file appeared
        if path.name == "secret_key" and not looked:
            looked.append(path)
            return False
        return real_exists(path)

    monkeypatch.setattr(Path, "exists", not_there_yet)
    assert persistent_secret_key(tmp_path) == first and looked
    assert sorted(p.name for p in tmp_path.iterdir()) == ["secret_key"]  # no temporary file left behind


@pytest.mark.skipif(not TEST_PG, reason="PostgreSQL only: on SQLite a request that writes holds the write lock "
                                        "from its start, so two cannot store at once")
def test_two_hosts_storing_the_same_bytes_at_once_share_one_row(app):
    """Host B stores a file and commits between host A's look for it and A's insert: A gets B's row, not a 500."""
    from webapp.extensions import db
    from webapp.models import StoredFile
    from webapp.services import files

    real_root, raced = files.files_root, []

    def the_other_host_first():
        if not raced:
            raced.append(True)
            with app.app_context():  # another session, as the other host's request
                files.store_bytes(b"%PDF-1.4 the same bytes", "b.pdf")
                db.session.commit()
        return real_root()

    with app.app_context():
        files.files_root = the_other_host_first
        try:
            row = files.store_bytes(b"%PDF-1.4 the same bytes", "a.pdf")
        finally:
            files.files_root = real_root
        db.session.commit()
        assert raced and row.original_name == "b.pdf"
        assert db.session.scalar(select(func.count()).select_from(StoredFile)) == 1


# --- the whole run, small -----------------------------------------------------------------------------------------


@pytest.fixture
def frozen_clock():
    """Not travelled: the hosts are other processes on the machine's clock, and the probe's windows are read on
    the same clock as theirs. Nothing here depends on the date: the checks compare the run with itself."""
    return None


@pytest.mark.skipif(not TEST_PG, reason="several hosts share one PostgreSQL: set DOCFLOW_TEST_DATABASE_URL "
                                        "(CI's PostgreSQL stage runs it)")
def test_two_hosts_under_load_pass_every_check():
    lines: list[str] = []
    settings = scaleout.Settings(TEST_PG, seconds=10, users=10, hosts=2, api_limit=10, api_window=5,
                                 probe_rate=8.0)
    passed = scaleout.run(settings, out=lines.append)
    assert passed, "\n".join(lines)
    assert sum(line.startswith("ok") for line in lines) == 7
