"""Benchmark: the search service in process on a database filled before (bench/run.py --keep, or runbench_*).

    python bench/search_timing.py --url postgresql://postgres@127.0.0.1:55432/runbench_100k [--runs 20]
    python bench/search_timing.py --url sqlite:////tmp/runbench/sqlite10k/bench.sqlite3 [--explain]
    python bench/search_timing.py --url … --users executor --queries "обеспечить:1,обеспечить:10"

Read-only: every search is rolled back. Times `search.search` (the count and the page of hits, as /search asks
them) as the auditor (sees everything), as the busiest school's executor (sees their body's hits) and, with --users,
as an executor of that school's department (sees its 50 schools' hits), for a common word, a rarer one, two
words, on the first page and a later one (or --queries); prints the median and the 95th
percentile of N runs with the number of results shown. --explain prints the plans of the statements instead.
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

QUERIES = (("обеспечить", 1), ("обеспечить", 10), ("мониторинг", 1), ("педагогических работников", 1),
           ("дорожную карту", 3))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="a database filled before (it is only read)")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--explain", action="store_true", help="print the statements' plans instead of timing")
    parser.add_argument("--users", default="auditor,executor", help="of auditor, executor, department")
    parser.add_argument("--queries", help="QUERY:PAGE,… instead of the usual five")
    args = parser.parse_args()
    queries = QUERIES if not args.queries else tuple(
        (query, int(page)) for query, page in (item.rsplit(":", 1) for item in args.queries.split(",")))
    os.environ["DOCFLOW_INSTANCE_PATH"] = str(Path(tempfile.mkdtemp(prefix="docflow-bench-")) / "instance")

    from sqlalchemy import event, func, select

    from webapp import create_app
    from webapp.extensions import db
    from webapp.models import Assignment, Body, Membership, User, UserRole
    from webapp.services import search

    app = create_app({"PASSWORD_HASH": FAST_HASH, "DATABASE_URL": args.url})
    with app.app_context():
        def first_with(role: str, body: int | None = None) -> User:
            query = select(User).join(UserRole).where(UserRole.role == role).order_by(User.id)
            if body is not None:
                query = query.join(Membership, Membership.user_id == User.id).where(Membership.body_id == body)
            return db.session.scalars(query).first()

        school = db.session.scalar(select(Assignment.lead_body_id).group_by(Assignment.lead_body_id)
                                   .order_by(func.count().desc()).limit(1))
        department = db.session.scalar(select(Body.parent_id).where(Body.id == school))
        users = {"auditor": first_with("auditor"), "executor": first_with("executor", school),
                 "department": first_with("executor", department)}
        users = {role: users[role] for role in args.users.split(",")}
        statements: list[tuple[str, dict]] = []
        event.listen(db.engine, "before_cursor_execute",
                     lambda conn, cursor, statement, parameters, context, many: statements.append(
                         (statement, parameters)))
        print(f"{db.engine.dialect.name}: {db.session.scalar(select(func.count()).select_from(Assignment)):,} "
              f"assignments")
        print(f"{'user':<10} {'query':<28} {'page':>4} {'found':>8} {'median ms':>10} {'p95 ms':>8} {'SQL':>4}")
        for role, user in users.items():
            for query, page in queries:
                search.search(user, query, page=page)  # warm: the policy's look-ups, the caches
                db.session.rollback()
                times, found, count = [], "", 0
                for _ in range(1 if args.explain else args.runs):
                    statements.clear()
                    started = time.perf_counter()
                    results = search.search(user, query, page=page)
                    times.append((time.perf_counter() - started) * 1000)
                    found, count = f"{'>' if getattr(results, 'more', False) else ''}{results.total}", \
                        len(statements)
                    executed = list(statements)
                    db.session.rollback()
                print(f"{role:<10} {query[:28]:<28} {page:>4} {found:>8} {statistics.median(times):>10.1f} "
                      f"{percentile(times, 0.95):>8.1f} {count:>4}")
                if args.explain:
                    explain(db, executed)


def explain(db, executed: list[tuple[str, dict]]) -> None:
    from sqlalchemy import text

    prefix = "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " if db.engine.dialect.name == "postgresql" \
        else "EXPLAIN QUERY PLAN "
    connection = db.session.connection().connection.driver_connection
    for statement, parameters in executed:
        if "search_entry" not in statement:
            continue
        print("\n" + statement)
        cursor = connection.cursor()
        cursor.execute(prefix + statement, parameters)
        for row in cursor.fetchall():
            print("    " + " | ".join(str(part) for part in row))
        print()
    db.session.rollback()
    del text


if __name__ == "__main__":
    main()
