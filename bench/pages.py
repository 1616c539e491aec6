"""Benchmark: the main pages at a size, in process (Flask's test client, no HTTP server), with SQL counts.

    python bench/pages.py [--assignments N] [--runs N] [--keep DIR]
    DOCFLOW_DATABASE_URL=postgresql://… python bench/pages.py …   (an empty database: it is filled)

Fills a throwaway SQLite database (or the given PostgreSQL one) with `docflow gen-load`'s generator, builds the
search index, then requests each page N times as the user who would open it and prints the median and 95th
percentile of the server's own time and the number of SQL statements per request. A bare route (/healthz)
is the base line. Not measured here: HTTP and several workers (gunicorn), which issue 14's bench/run.py adds.
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

PASSWORD = "Нагрузка-на-сервис-2026"  # noqa: S105 (the generated users' password in a throwaway database)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assignments", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="docflow-bench-"))
    os.environ["DOCFLOW_INSTANCE_PATH"] = str(workdir / "instance")

    from sqlalchemy import event, func, select

    from webapp import create_app
    from webapp.cli import migrate_database
    from webapp.demo.loadgen import Sizes, generate
    from webapp.extensions import db
    from webapp.models import Assignment, Body, Document, Membership, User, UserRole
    from webapp.services import search
    from webapp.services.users import hash_password

    app = create_app({"PASSWORD_HASH": {"time_cost": 1, "memory_cost": 8, "parallelism": 1},
                      "WTF_CSRF_ENABLED": False})
    statements = [0]
    with app.app_context():
        migrate_database()
        size = args.assignments
        started = time.perf_counter()
        generate(Sizes(max(1, size // 10), size, max(10, size // 200), max(20, size // 100)),
                 hash_password(PASSWORD))
        search.reindex_all()
        db.session.commit()
        print(f"{db.engine.dialect.name}, {size:,} assignments: data and search index in "
              f"{time.perf_counter() - started:.0f} s")
        event.listen(db.engine, "before_cursor_execute", lambda *a, **k: statements.__setitem__(0, statements[0] + 1))

        def login_of(role: str) -> str:
            return db.session.scalar(select(User.login).join(UserRole).where(UserRole.role == role)
                                     .order_by(User.id))

        school = db.session.scalar(select(Assignment.lead_body_id).group_by(Assignment.lead_body_id)
                                   .order_by(func.count().desc()).limit(1))
        executor = db.session.scalar(select(User.login).join(Membership).join(UserRole).where(
            Membership.body_id == school, UserRole.role == "executor")) or login_of("executor")
        biggest = db.session.scalar(select(Assignment.document_id).group_by(Assignment.document_id)
                                    .order_by(func.count().desc()).limit(1))
        assignment = db.session.scalar(select(Assignment.id).where(Assignment.document_id == biggest).limit(1))
        points = db.session.scalar(select(func.count()).where(Assignment.document_id == biggest))
        department = db.session.scalar(select(Document.issuing_body_id).where(Document.id == biggest))
        body_name = db.session.get(Body, department).name
        pages = [
            ("auditor", "bare route /healthz", "/healthz"),
            ("auditor", "Мои задачи", "/tasks"),
            ("auditor", "documents", "/documents"),
            ("auditor", f"a document ({points} assignments)", f"/documents/{biggest}"),
            ("auditor", "one assignment", f"/assignments/{assignment}"),
            ("auditor", "overdue, open", "/assignments?status=in_work&overdue=1"),
            ("auditor", "search «обеспечить»", "/search?q=обеспечить"),
            ("auditor", "audit", "/audit"),
            ("auditor", "dashboard", "/assignments/dashboard"),
            (executor, "Мои поручения (school)", "/assignments"),
            (executor, "Мои задачи (school)", "/tasks"),
        ]
    print(f"{'user':<10} {'page':<42} {'median ms':>10} {'p95 ms':>8} {'SQL':>6} {'status':>6}")
    for login, title, path in pages:
        client = app.test_client()
        user = login if login != "auditor" else None
        with app.app_context():
            user = user or login_of("auditor")
        client.post("/login", data={"login": user, "password": PASSWORD})
        times, count, status = [], 0, 0
        for _ in range(args.runs):
            statements[0] = 0
            started = time.perf_counter()
            response = client.get(path)
            times.append((time.perf_counter() - started) * 1000)
            count, status = statements[0], response.status_code
        times.sort()
        p95 = times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]
        print(f"{login[:10]:<10} {title[:42]:<42} {statistics.median(times):>10.1f} {p95:>8.1f} {count:>6} "
              f"{status:>6}")
    print(f"(body of the document: {body_name})")


if __name__ == "__main__":
    main()
