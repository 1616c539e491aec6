"""Benchmark: the auditors' dashboard «на дату» alone, in process (Flask's test client), on a database filled
before (by bench/run.py --keep, or `docflow gen-load`); it only reads.

    python bench/dashboard.py --url postgresql://postgres@127.0.0.1:55432/runbench_100k [--runs 10] [--parts]
    python bench/dashboard.py --url sqlite:////tmp/runbench/sqlite10k/bench.sqlite3

Requests the dashboard as the first auditor (the request dispatched in process, signed in without a session, so
nothing is written): as bench/run.py does (only overdue; only overdue of the busiest
school's department), without filters, and on the last day of a past month; prints the median and 95th percentile
of the time in process and the SQL statements per request. With --parts, also the time of each part of the
overview on the unfiltered day: the figures statement (totals, by body, by document, by controller and the lists'
picks: `Snapshot.counted`; older code's separate statements when it has them) and the trend.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import FAST_HASH, percentile  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="the filled database (read only)")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--pages", type=int, default=4, help="only the first N of the four pages")
    parser.add_argument("--parts", action="store_true", help="time each part of the overview too")
    args = parser.parse_args()
    os.environ.setdefault("DOCFLOW_INSTANCE_PATH", tempfile.mkdtemp(prefix="docflow-bench-"))

    from flask import g
    from sqlalchemy import event, func, select

    from webapp import clock, create_app
    from webapp.extensions import db
    from webapp.models import Assignment, Body, User, UserRole

    app = create_app({"DATABASE_URL": args.url, "PASSWORD_HASH": FAST_HASH, "WTF_CSRF_ENABLED": False})
    statements = [0]
    with app.app_context():
        auditor = db.session.scalars(select(User).join(UserRole).where(UserRole.role == "auditor")
                                     .order_by(User.id)).first()
        school = db.session.scalar(select(Assignment.lead_body_id).group_by(Assignment.lead_body_id)
                                   .order_by(func.count().desc()).limit(1))
        department = db.session.get(Body, school).parent_id or school
        count = db.session.scalar(select(func.count()).select_from(Assignment))
        past = clock.today().replace(day=1).replace(day=1)
        past = (past - __import__("datetime").timedelta(days=1)).isoformat()
        event.listen(db.engine, "before_cursor_execute", lambda *a, **k: statements.__setitem__(0, statements[0] + 1))
        print(f"{db.engine.dialect.name}: {count:,} assignments; auditor {auditor.login}")
        pages = [("only overdue (bench/run.py)", "/assignments/dashboard?overdue=y"),
                 ("only overdue, one department", f"/assignments/dashboard?overdue=y&body={department}"),
                 ("no filter", "/assignments/dashboard"),
                 (f"no filter on {past}", f"/assignments/dashboard?as_of={past}")]
        user_id = auditor.id
    print(f"{'page':<42} {'median ms':>10} {'p95 ms':>8} {'SQL':>6} {'status':>6}")
    for title, path in pages[:args.pages]:
        times, count, status = [], 0, 0
        for run in range(args.runs + 1):  # the first is a warm-up
            with app.test_request_context(path):
                g._login_user = db.session.get(User, user_id)  # signed in without a session row: nothing written
                statements[0] = 0
                started = time.perf_counter()
                response = app.full_dispatch_request()
                if run:
                    times.append((time.perf_counter() - started) * 1000)
                count, status = statements[0], response.status_code
        print(f"{title[:42]:<42} {statistics.median(times):>10.1f} {percentile(times, 0.95):>8.1f} {count:>6} "
              f"{status:>6}", flush=True)
    if args.parts:
        parts(app)


def parts(app) -> None:
    """The time of each part of the overview on today's unfiltered figures (median of 3)."""
    from webapp import clock
    from webapp.services import dashboard

    with app.test_request_context():
        filters = dashboard.Filters(as_of=clock.today())
        snap = dashboard.Snapshot(filters)
        lists = ("overdue", "due_30", "done_late")
        if hasattr(snap, "counted"):  # totals, breakdowns and lists in one statement (issue 14, round three)
            steps = {"totals, breakdowns, lists": lambda: snap.counted(lists)}
        else:
            steps = {"totals": snap.totals,
                     "by body, document, controller": snap.breakdowns if hasattr(snap, "breakdowns")
                     else lambda: (snap.by_body(), snap.by_document(), snap.by_controller()),  # before issue 14
                     "the three lists": lambda: snap.lists(*lists) if hasattr(snap, "lists")
                     else [snap.rows_of(figure) for figure in lists]}  # before issue 14
        steps["trend"] = lambda: dashboard.trend(filters)
        for name, step in steps.items():
            times = []
            for _ in range(3):
                started = time.perf_counter()
                step()
                times.append((time.perf_counter() - started) * 1000)
            print(f"  {name:<20} {statistics.median(times):>8.1f} ms", flush=True)


if __name__ == "__main__":
    main()
