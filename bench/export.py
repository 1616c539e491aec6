"""Benchmark: the XLSX exports at a size, each in a child process of its own, with rows, seconds and peak memory.

    python bench/export.py [--assignments N] [--db-url URL] [--keep]

Fills a throwaway database with `docflow gen-load`'s generator (N assignments, N/10 documents, N/200 bodies,
N/100 users): a temporary SQLite file, or with --db-url postgresql://… a new database created on that server and
dropped at the end. Then runs each export in a fresh interpreter, one after the other:

- the dashboard's XLSX «Поручения на …» of every assignment in force, as an auditor (Flask's test client; the
  response is streamed to a file);
- the bulk workbook «Мои поручения» of a user of the ministry (every open assignment is theirs);
- `docflow overdue --format xlsx -o FILE` (the command invoked in the child as the CLI runs it; the day is
  today, so the rows are the ~15% overdue).

For each it prints the rows, the seconds of the export itself (the request, or the command; not the
interpreter's start), the CPU seconds of the child in that time (on SQLite the database's work too: what the
export costs whatever else the machine runs; on PostgreSQL the server's share is not in it), and the child's
peak resident memory: ru_maxrss of that child from wait4, the figure
getrusage(RUSAGE_CHILDREN) keeps but per child rather than the largest so far. Linux counts in a child's peak
the parent's memory at the fork, so the data are generated in a child too and this process stays small (a few
MB, far below what is measured). «app MB» is the child's peak before the export began: the application loaded
and signed in, which the export's own memory comes on top of. Targets of issue 14: 100,000 rows in ≤ 15 s with
≤ 150 MB. Heavy on the CPU: run it once, not in a loop, on a machine nobody else is timing on.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

PASSWORD = "Нагрузка-на-сервис-2026"  # noqa: S105 (the generated users' password in a throwaway database)
CHEAP_HASH = {"time_cost": 1, "memory_cost": 8, "parallelism": 1}  # no 64 MB Argon2 rehash at login in a child
TARGET_SECONDS, TARGET_ROWS, TARGET_MB = 15, 100_000, 150
EXPORTS = {  # name: (what is measured, header rows above the data)
    "dashboard": ("dashboard XLSX (auditor, everything)", 2),
    "bulk": ("bulk «Мои поручения» (ministry)", 1),
    "overdue": ("docflow overdue --format xlsx", 2),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assignments", type=int, default=100_000)
    parser.add_argument("--db-url", help="postgresql://… (a database is created there and dropped) or sqlite:///…")
    parser.add_argument("--keep", action="store_true", help="keep the work folder and the database")
    parser.add_argument("--child", choices=["fill", *EXPORTS], help=argparse.SUPPRESS)
    parser.add_argument("--login", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child == "fill":
        return fill(args.assignments)
    if args.child:
        return child(args.child, args.login, Path(args.out))
    workdir = Path(tempfile.mkdtemp(prefix="docflow-export-bench-"))
    url, drop = throwaway_database(args.db_url, workdir)
    os.environ["DOCFLOW_INSTANCE_PATH"] = str(workdir / "instance")
    os.environ["DOCFLOW_DATABASE_URL"] = url
    try:
        login = run_child(["--child", "fill", "--assignments", str(args.assignments)])[0]["login"]
        print(f"{'export':<40} {'rows':>8} {'seconds':>8} {'CPU s':>6} {'s/100k':>7} {'peak MB':>8} {'app MB':>7}  "
              "targets")
        for name, (title, header) in EXPORTS.items():
            out = workdir / f"{name}.xlsx"
            result, peak = run_child(["--child", name, "--login", login, "--out", str(out)])
            seconds, rows = result["seconds"], count_rows(out) - header
            per_100k = seconds * TARGET_ROWS / max(rows, 1)
            timed = "met" if per_100k <= TARGET_SECONDS else "NOT met"
            held = "met" if peak <= TARGET_MB else "NOT met"
            print(f"{title:<40} {rows:>8,} {seconds:>8.1f} {result['cpu']:>6.1f} {per_100k:>7.1f} {peak:>8.0f} "
                  f"{result['before']:>7.0f}  time {timed}, memory {held} (export +{peak - result['before']:.0f} MB)")
        print(f"targets: ≤ {TARGET_SECONDS} s per {TARGET_ROWS:,} rows (s/100k: seconds scaled to that many rows; "
              f"meaningful at that size), ≤ {TARGET_MB} MB peak")
    finally:
        if args.keep:
            print(f"kept: {workdir} ({url})")
        else:
            drop()
            shutil.rmtree(workdir, ignore_errors=True)


def throwaway_database(url: str | None, workdir: Path):
    """The database to fill and a function that removes it: a new PostgreSQL database on the URL's server, the
    SQLite file named, or a SQLite file in the work folder."""
    if not url:
        return f"sqlite:///{workdir / 'bench.sqlite3'}", lambda: None
    if not url.startswith("postgresql"):
        return url, lambda: None
    from sqlalchemy import create_engine, make_url, text  # imported here, a few MB, only for PostgreSQL

    name = f"docflow_export_bench_{os.getpid()}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return make_url(url).set(database=name).render_as_string(hide_password=False), drop


def fill(size: int) -> None:
    """In a child: migrate and fill the database; print the login the web exports run as."""
    from sqlalchemy import select

    from webapp import create_app
    from webapp.cli import migrate_database
    from webapp.demo.loadgen import Sizes, generate
    from webapp.extensions import db
    from webapp.models import User, UserRole
    from webapp.services.users import hash_password

    app = create_app({"PASSWORD_HASH": CHEAP_HASH})
    with app.app_context():
        migrate_database()
        started = time.perf_counter()
        generate(Sizes(max(1, size // 10), size, max(10, size // 200), max(20, size // 100)), hash_password(PASSWORD))
        db.session.commit()
        # gen-load's first user is an auditor and a member of the ministry, the root of every body
        auditor = db.session.scalar(select(User.login).join(UserRole).where(UserRole.role == "auditor")
                                    .order_by(User.id))
        print(f"{db.engine.dialect.name}, {size:,} assignments generated in {time.perf_counter() - started:.0f} s",
              file=sys.stderr)
    print(json.dumps({"login": auditor}))


def run_child(arguments: list[str], script: str = __file__) -> tuple[dict, float]:
    """A bench script (this one unless said) in a new interpreter: (what it printed last, as JSON; its peak RSS in
    MB)."""
    process = subprocess.Popen([sys.executable, script, *arguments],  # noqa: S603 (our interpreter and script)
                               stdout=subprocess.PIPE)
    output = process.stdout.read().decode()
    _, status, usage = os.wait4(process.pid, 0)  # this child's own resource usage
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise SystemExit(f"{arguments}: the child failed ({process.returncode}):\n{output}")
    return json.loads(output.splitlines()[-1]), usage.ru_maxrss / 1024  # Linux: KiB


def child(name: str, login: str, out: Path) -> None:
    """In a child: run one export as a user asks for it, the file to `out`; print the export's seconds."""
    from webapp import create_app

    # the request writes the file itself (above EXPORT_INLINE_ROWS the page offers a job instead: bench/jobs.py)
    app = create_app({"PASSWORD_HASH": CHEAP_HASH, "WTF_CSRF_ENABLED": False, "EXPORT_INLINE_ROWS": 10**9})
    client = app.test_client()
    if name != "overdue":
        assert client.post("/login", data={"login": login, "password": PASSWORD}).status_code == 302
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # the application loaded, signed in
    cpu = time.process_time()
    if name == "overdue":
        started = time.perf_counter()
        result = app.test_cli_runner().invoke(args=["overdue", "--format", "xlsx", "-o", str(out)])
        seconds = time.perf_counter() - started
        assert result.exit_code == 0, result.output
    else:
        started = time.perf_counter()
        response = client.get("/assignments/export.xlsx" if name == "dashboard" else "/assignments/bulk.xlsx")
        with out.open("wb") as fh:
            for chunk in response.iter_encoded():
                fh.write(chunk)
        response.close()
        seconds = time.perf_counter() - started
        assert response.status_code == 200, response.status_code
    print(json.dumps({"seconds": seconds, "cpu": time.process_time() - cpu, "before": before}))


def count_rows(path: Path) -> int:
    """The sheet's last row as its <dimension> states it (no spreadsheet library in this small process)."""
    with zipfile.ZipFile(path) as archive, archive.open("xl/worksheets/sheet1.xml") as sheet:
        match = re.search(rb'<dimension ref="[A-Z]+\d+(?::[A-Z]+(\d+))?"', sheet.read(4096))
    return int(match.group(1) or 1) if match else 0


if __name__ == "__main__":
    main()
