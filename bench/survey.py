"""Benchmark: every role's everyday pages in process on a kept database, strictly read-only, slowest flagged.

    python bench/survey.py --url sqlite:////tmp/runbench/sqlite1m/bench.sqlite3 [--runs 3] [--login load10 …]
        [--over 50]

bench/run.py measures the pages issue 14 names, each as one user (the auditor, a school's executor); this walks
the pages each kind of user opens every day — the inbox, the register and its sorts, «Поручения» with its filters
and sorts, search, notifications, jobs; the auditor's dashboard and audit, the administrator's pages — as
`docflow gen-load`'s users of each role: load1 auditor, load2 administrator, load10 a department's secretary,
load101 a head, load102 a controller, load1000 a school's executor (a member of the top body who oversees nothing,
a ministry's staff, gen-load makes none: add one with `docflow user create --login minister --name Министр --role
head --body <the top body> --invite 1` and pass `--login minister`). A user's reach changes a page's statements
(a department reads through the OR of 51 bodies), and SQLite's planner, with the nightly ANALYZE's sampled
statistics, can take a new index for another statement than the one it was made for: the survey found two such
(the menu's counter and a department's overdue list) after migration 0038.

Each page --warm times to warm (_common.WARM), then --runs times: the median wall time in process, the statements of the
last request, their time and the slowest one; a page over --over ms is marked «<<<». Nothing is written
(profile_page.py's read-only connection and session look-up).

With --sorts, also every order of «Поручения» (its columns both ways, for open, every and done assignments; only
overdue; «На моём контроле») and of the register, and with --pages N each of them N pages deep, following
«Дальше»: a later page, and a column sorted the other way, read other ranges of other indexes (at 1M on
PostgreSQL the auditor's «Поручения» after a cursor took 0.3-1.4 s, the register oldest first 80-135 ms, until
stop 31).
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import WARM, read_only_app, signed_in  # noqa: E402

COMMON = ["/tasks", "/documents", "/documents?sort=number", "/documents?sort=type", "/documents?type=protocol",
          "/assignments",
          "/assignments?status=all", "/assignments?overdue=1", "/assignments?scope=mine", "/assignments?scope=control",
          "/assignments?sort=body",
          "/assignments?sort=-status&status=all", "/search?q=обеспечить", "/search?q=обеспечить&doc_type=regulation",
          "/notifications", "/jobs"]
#: (gen-load's bodies: 2 a district of 50 schools, 5 load10's department, 103 one of its schools; a search's body
#: filter went unmeasured until stop 43 and took 0.2-10 s at 1M; its status, state and deadline filters until the
#: end of that stop, 0.2-3 s; the audit page by who acted, the register by type and a school's sheet until stop 44;
#: the search by type until stop 45, 83-200 ms)
EXTRA = {"load1": ["/assignments/dashboard?overdue=y&body=2", "/audit", "/assignments?status=in_work&overdue=1",
                   "/search?q=обеспечить&body=2", "/search?q=обеспечить&status=in_work",
                   "/search?q=обеспечить&state=draft",
                   "/search?q=обеспечить&deadline_from=2026-01-01&deadline_to=2026-03-01",
                   "/audit?user=1000", "/assignments/export.xlsx?body=103"],
         "load2": ["/admin/users", "/admin/bodies", "/admin/templates"],
         "load10": ["/documents/new", "/search?q=обеспечить&body=5", "/search?q=обеспечить&body=103",
                    "/search?q=обеспечить&status=in_work"]}
LOGINS = ["load1", "load2", "load10", "load101", "load102", "load1000"]
#: --sorts: every order of the two lists, each of its columns both ways
SORTS = ([f"/assignments?status={status}&sort={way}{column}" for status in ("open", "all", "done")
          for column in ("deadline", "newest", "body", "status", "date") for way in ("", "-")]
         + ["/assignments?overdue=1&sort=-deadline", "/assignments?scope=control&status=all&sort=-deadline"]
         + [f"/documents?sort={way}{column}" for column in ("date", "number", "type", "state") for way in ("", "-")])
NEXT = re.compile(r'href="([^"]+)" id="next-page"')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="a database filled by gen-load before (only read)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--login", action="append", help="only these users (default: one of each role)")
    parser.add_argument("--over", type=float, default=50.0, help="mark pages slower than this (ms)")
    parser.add_argument("--warm", type=int, default=WARM,
                        help="requests of each page before it is timed (PostgreSQL's generic plans: see _common.WARM)")
    parser.add_argument("--sorts", action="store_true", help="also every order of «Поручения» and the register")
    parser.add_argument("--pages", type=int, default=1, help="each page this many pages deep (following «Дальше»)")
    args = parser.parse_args()
    from sqlalchemy import select

    from webapp.extensions import db
    from webapp.models import User

    app, timed = read_only_app(args.url)
    logins = args.login or LOGINS
    with app.app_context():
        users = dict(db.session.execute(select(User.login, User.id).where(User.login.in_(logins))).all())
    print(f"{'user':9} {'HTTP':4} {'median':>9} {'SQL':>4} {'SQL ms':>7} {'slowest':>7}  page / slowest statement")
    for login in logins:
        if login not in users:
            print(f"{login:9} no such user")
            continue
        client = signed_in(app, users[login])
        for first in COMMON + EXTRA.get(login, []) + (SORTS if args.sorts else []):
            path, depth = first, 0
            while path and depth < args.pages:
                for _ in range(args.warm):
                    client.get(path)
                walls = []
                for _ in range(args.runs):
                    timed.clear()
                    started = time.perf_counter()
                    response = client.get(path)
                    walls.append((time.perf_counter() - started) * 1000)
                median = statistics.median(walls)
                slowest = max(timed, default=(0.0, ""))
                mark = "  <<<" if median > args.over else ""
                print(f"{login:9} {response.status_code:4} {median:7.1f} ms {len(timed):4} "
                      f"{sum(ms for ms, _ in timed):7.1f} {slowest[0]:7.1f}  {path}{mark}\n"
                      f"{'':48}{' '.join(slowest[1].split())[:70]}", flush=True)
                link = NEXT.search(response.get_data(as_text=True)) if response.mimetype == "text/html" else None
                path, depth = link and link.group(1).replace("&amp;", "&"), depth + 1


if __name__ == "__main__":
    main()
