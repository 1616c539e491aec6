"""Benchmark: one page requested many times in one process (Flask's test client), counting the renders that finish.

    python -X faulthandler bench/repeat_page.py --url sqlite:////tmp/runbench/sqlite1m/bench.sqlite3 \
        --path '/assignments/dashboard?overdue=y' --login load1 --runs 20 [--gc-threshold 100] [--no-gc]

Written to chase a reported crash (SIGSEGV while garbage-collecting, in a process that rendered the whole
organisation's dashboard several times at 1M; see the README's notes): a crash in the collector shows up more
often when it runs more often, so --gc-threshold sets the first generation's threshold (Python's default 700;
smaller = more collections) and --no-gc turns the collector off. Each finished render prints one line at once
(its number, status, size, wall and CPU ms, the process's peak RSS), so a process that dies leaves behind how far
it got; the last line says how many finished. Nothing is written: the database is opened read-only as in
bench/profile_page.py (PostgreSQL: default_transaction_read_only=on; the user is signed in without a session row).
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import FAST_HASH  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="a database filled before (only read)")
    parser.add_argument("--path", action="append", help="the page (default: the whole organisation's overdue "
                        "dashboard); several --path are requested in turn, one run being all of them")
    parser.add_argument("--login", default="load1", help="the user (load1: the bench's auditor)")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--gc-threshold", type=int, help="gc.set_threshold(N): collect the young generation "
                                                         "every N allocations (default 700)")
    parser.add_argument("--no-gc", action="store_true", help="gc.disable() before the first request")
    parser.add_argument("--collect-between", action="store_true",
                        help="no automatic collections; gc.collect() after each render (between requests), timed")
    parser.add_argument("--freeze", action="store_true", help="gc.collect(); gc.freeze() once the app is built, "
                                                             "as webapp/wsgi.py does in each gunicorn worker")
    args = parser.parse_args()
    paths = args.path or ["/assignments/dashboard?overdue=y"]
    os.environ["DOCFLOW_INSTANCE_PATH"] = str(Path(tempfile.mkdtemp(prefix="docflow-bench-")) / "instance")
    url = args.url
    if url.startswith("postgresql"):
        url += ("&" if "?" in url else "?") + "options=-c%20default_transaction_read_only%3Don"

    from sqlalchemy import select

    import webapp
    from webapp import create_app
    from webapp.extensions import db, login_manager
    from webapp.models import User
    from webapp.services import sessions

    app = create_app({"PASSWORD_HASH": FAST_HASH, "DATABASE_URL": url})
    with app.app_context():
        user_id = db.session.scalar(select(User.id).where(User.login == args.login))
    if user_id is None:
        sys.exit("no such user")
    sessions.resume = lambda session_id: db.session.get(User, int(session_id.split(":")[0]))  # no session row
    login_manager.session_protection = None
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"], session["_fresh"] = f"{user_id}:bench", True
    if args.freeze:
        gc.collect()
        gc.freeze()
    if args.gc_threshold is not None:
        gc.set_threshold(args.gc_threshold, *gc.get_threshold()[1:])
    if args.no_gc or args.collect_between:
        gc.disable()
    print(f"code {Path(webapp.__file__).parent}; GET {' '.join(paths)} as user {user_id}, {args.runs} runs; "
          f"gc threshold {gc.get_threshold()}, enabled {gc.isenabled()}", flush=True)
    finished = 0
    for run in range(1, args.runs + 1):
        for path in paths:
            started, cpu_started = time.perf_counter(), time.process_time()
            response = client.get(path)
            wall, cpu = (time.perf_counter() - started) * 1000, (time.process_time() - cpu_started) * 1000
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
            print(f"{run:4d}  {path}  HTTP {response.status_code}  {len(response.data):8d} B  wall {wall:7.1f} ms  "
                  f"CPU {cpu:7.1f} ms  peak RSS {peak} MB  collections {[s['collections'] for s in gc.get_stats()]}",
                  flush=True)
            finished += response.status_code == 200
            if args.collect_between:
                started = time.perf_counter()
                found = gc.collect()
                took = (time.perf_counter() - started) * 1000
                print(f"      gc.collect(): {found} objects, {took:.1f} ms", flush=True)
    print(f"finished {finished} of {args.runs * len(paths)} renders", flush=True)


if __name__ == "__main__":
    main()
