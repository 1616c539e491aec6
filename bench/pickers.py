"""Benchmark: the pages whose rows grew with the directory (issue 14: 5,000 bodies, 20,000 users), in process —
the bytes of HTML each sends, its median time and SQL statements — and the pickers' suggestions that replaced their
selects of every user and body.

    python bench/pickers.py [--bodies 5000] [--users 20000] [--assignments 10000] [--runs 5]

Fills a throwaway SQLite database with `docflow gen-load`'s generator (the directory at full size, the documents
and assignments smaller: they are not what is measured here) and requests each page as the user who opens it."""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import FAST_HASH, PASSWORD  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bodies", type=int, default=5000)
    parser.add_argument("--users", type=int, default=20000)
    parser.add_argument("--assignments", type=int, default=10000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    os.environ["DOCFLOW_INSTANCE_PATH"] = str(Path(tempfile.mkdtemp(prefix="docflow-bench-")) / "instance")

    from sqlalchemy import event, select

    from webapp import create_app
    from webapp.cli import migrate_database
    from webapp.demo.loadgen import Sizes, generate
    from webapp.extensions import db
    from webapp.models import Body, Document, User, UserRole
    from webapp.services.users import hash_password

    app = create_app({"PASSWORD_HASH": FAST_HASH, "WTF_CSRF_ENABLED": False, "API_RATE_LIMIT": 10**9})
    with app.app_context():
        started = time.perf_counter()
        migrate_database()
        counts = generate(Sizes(max(2, args.assignments // 5), args.assignments, args.bodies, args.users, 1),
                          hash_password(PASSWORD))
        print(f"{db.engine.dialect.name}: {counts.get('body', 0):,} bodies, {counts.get('user_account', 0):,} users, "
              f"{counts.get('assignment', 0):,} assignments in {time.perf_counter() - started:.0f} s")

        def first(role: str) -> str:
            return db.session.scalar(select(User.login).join(UserRole).where(UserRole.role == role).order_by(User.id))

        auditor, admin, secretary = first("auditor"), first("admin"), first("secretary")
        someone = db.session.scalar(select(User.id).order_by(User.id.desc()))
        body = db.session.scalar(select(Body).where(Body.parent_id.is_not(None)).order_by(Body.id))
        draft = db.session.scalar(select(Document.id).where(Document.state == "draft").order_by(Document.id))
        prefix = body.name[:6]
        statements = [0]
        event.listen(db.engine, "before_cursor_execute", lambda *a, **k: statements.__setitem__(0, statements[0] + 1))
    pages = [
        (auditor, "audit", "/audit"),
        (auditor, "dashboard", "/assignments/dashboard?overdue=y"),
        (auditor, "dashboard, one body", f"/assignments/dashboard?overdue=y&body={body.id}"),
        (admin, "admin: bodies", "/admin/bodies"),
        (admin, "admin: bodies found", f"/admin/bodies?q={prefix}"),
        (admin, "a draft (approver picker)", f"/documents/{draft}" if draft else "/documents"),
        (auditor, "search «план»", "/search?q=план"),
        (admin, "admin: templates", "/admin/templates"),
        (admin, "admin: deputies", "/admin/deputies"),
        (secretary, "own deputies", "/account/deputies"),
        (admin, "admin: users", "/admin/users"),
        (admin, "admin: new user", "/admin/users/new"),
        (admin, "admin: a user", f"/admin/users/{someone}"),
        (auditor, "API bodies", "/api/v1/bodies"),
        (auditor, "API users", "/api/v1/users"),
        (auditor, "suggest users «ив»", "/suggest/users?q=ив"),
        (auditor, f"suggest bodies «{prefix}»", f"/suggest/bodies?q={prefix}"),
    ]
    print(f"{'page':<34} {'KB':>8} {'median ms':>10} {'SQL':>5} {'status':>6}")
    for login, title, path in pages:
        client = app.test_client()
        client.post("/login", data={"login": login, "password": PASSWORD})
        times, size, count, status = [], 0, 0, 0
        for _ in range(args.runs):
            statements[0] = 0
            started = time.perf_counter()
            response = client.get(path)
            times.append((time.perf_counter() - started) * 1000)
            size, count, status = len(response.data), statements[0], response.status_code
        print(f"{title[:34]:<34} {size / 1024:>8.1f} {statistics.median(times):>10.1f} {count:>5} {status:>6}")


if __name__ == "__main__":
    main()
