"""Benchmark: a worker's memory, from start-up through its first pages to the peak of a 100,000-row XLSX export.

    python bench/memory.py [--assignments N] [--db-url URL] [--keep]

Fills a throwaway database as bench/export.py does (its own child, `docflow gen-load`'s generator: a temporary
SQLite file, or with --db-url postgresql://… a new database created on that server and dropped at the end), then,
each in a fresh interpreter:

- the start-up and the first pages: resident memory (VmRSS of /proc/self/status) after `import webapp`, after
  create_app(), after the login page, after signing in as the auditor, and after the first request of each of a
  few main pages (Flask's test client), with the modules loaded so far; what a gunicorn worker holds before and
  after its first requests;
- the dashboard's XLSX of every assignment in force (bench/export.py's child), written in the request whatever
  its size (EXPORT_INLINE_ROWS raised: above it the page offers a job, whose worker runs the same writer): the
  process's peak RSS, beside its memory before the export began. Issue 14's target: ≤ 150 MB at 100,000 rows.

Memory figures are the kernel's and barely move with the machine's load; the seconds printed by the export are
not the point here (bench/export.py is the timing benchmark).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import export  # noqa: E402 (the filling, the throwaway database, the export's child)

PAGES = ["/tasks", "/documents", "/assignments", "/assignments/dashboard?overdue=y", "/search?q=обеспечить",
         "/audit", "/documents/{document}"]
# libraries the start-up should not hold (tests/web/test_startup_imports.py keeps that); shown when one is
HEAVY = ("pdfminer", "zxcvbn", "openpyxl", "pymorphy3", "holidays", "rapidfuzz", "icalendar", "xlsxwriter",
         "docx", "docxtpl", "alembic", "flask_smorest")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assignments", type=int, default=100_000)
    parser.add_argument("--db-url", help="postgresql://… (a database is created there and dropped) or sqlite:///…")
    parser.add_argument("--keep", action="store_true", help="keep the work folder and the database")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--login", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return pages(args.login)
    workdir = Path(tempfile.mkdtemp(prefix="docflow-memory-bench-"))
    url, drop = export.throwaway_database(args.db_url, workdir)
    os.environ["DOCFLOW_INSTANCE_PATH"] = str(workdir / "instance")
    os.environ["DOCFLOW_DATABASE_URL"] = url
    try:
        login = export.run_child(["--child", "fill", "--assignments", str(args.assignments)])[0]["login"]
        steps = json.loads(subprocess.run(  # noqa: S603 (our interpreter and script)
            [sys.executable, __file__, "--child", "--login", login], check=True, stdout=subprocess.PIPE,
        ).stdout.decode().splitlines()[-1])
        print(f"{'step':<45} {'RSS MB':>7}  heavy libraries loaded by then")
        for step, rss, heavy in steps:
            print(f"{step:<45} {rss:>7.1f}  {', '.join(heavy) or '—'}")
        out = workdir / "dashboard.xlsx"
        # written in the request (not offered as a job): the same writer a job's worker runs, in a process alone
        os.environ["DOCFLOW_EXPORT_INLINE_ROWS"] = str(10 * args.assignments + 1)
        result, peak = export.run_child(["--child", "dashboard", "--login", login, "--out", str(out)])
        rows = export.count_rows(out) - export.EXPORTS["dashboard"][1]
        held = "met" if peak <= export.TARGET_MB else "NOT met"
        print(f"dashboard XLSX, {rows:,} rows: peak {peak:.0f} MB (signed in before the export: "
              f"{result['before']:.0f} MB; export +{peak - result['before']:.0f} MB; target ≤ {export.TARGET_MB} MB: "
              f"{held}) in {result['seconds']:.1f} s")
    finally:
        if args.keep:
            print(f"kept: {workdir} ({url})")
        else:
            drop()
            shutil.rmtree(workdir, ignore_errors=True)


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:")) / 1024


def pages(login: str) -> None:
    """In a child: the memory after each step of a worker's start and first requests, as JSON on the last line."""
    steps = []

    def step(name: str) -> None:
        steps.append((name, rss_mb(), [m for m in HEAVY if m in sys.modules]))

    step("interpreter")
    import webapp

    step("import webapp")
    app = webapp.create_app({"PASSWORD_HASH": export.CHEAP_HASH, "WTF_CSRF_ENABLED": False})
    step("create_app()")
    client = app.test_client()
    assert client.get("/login").status_code == 200
    step("GET /login")
    assert client.post("/login", data={"login": login, "password": export.PASSWORD}).status_code == 302
    step("POST /login (auditor)")
    with app.app_context():
        from sqlalchemy import func, select

        from webapp.extensions import db
        from webapp.models import Document

        document = db.session.scalar(select(func.min(Document.id)))
    for path in PAGES:
        path = path.format(document=document)
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        step(f"GET {path}")
    print(json.dumps(steps))


if __name__ == "__main__":
    main()
