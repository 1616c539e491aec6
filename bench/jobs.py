"""Benchmark: the dashboard's XLSX export through the job path — the request that starts the job, then
`docflow worker --burst` in a child process of its own: rows, seconds, rows/s and the worker's peak memory.

    python bench/jobs.py [--assignments N] [--db-url URL] [--keep]

The database is made and filled as bench/export.py does it (its helpers; a temporary SQLite file, or with --db-url
postgresql://… a throwaway database on that server). Then, each in a fresh interpreter: an auditor POSTs
/assignments/export.xlsx (EXPORT_INLINE_ROWS=0: every export is a job) and the seconds until the job page's
redirect are printed; `docflow worker --burst` runs the job (on PostgreSQL through Procrastinate), and its wall
seconds, CPU seconds and peak RSS (wait4) are printed with the job's rows (as its file states them) and rows/s.
«app MB» is the worker's peak before it took the job. Heavy on the CPU at 100,000: run it once.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import export as base  # noqa: E402 - after the path

CONFIG = {"PASSWORD_HASH": base.CHEAP_HASH, "WTF_CSRF_ENABLED": False, "EXPORT_INLINE_ROWS": 0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assignments", type=int, default=100_000)
    parser.add_argument("--db-url", help="postgresql://… (a database is created there and dropped) or sqlite:///…")
    parser.add_argument("--keep", action="store_true", help="keep the work folder and the database")
    parser.add_argument("--child", choices=["start", "work"], help=argparse.SUPPRESS)
    parser.add_argument("--login", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child == "start":
        return start(args.login)
    if args.child == "work":
        return work(Path(args.out))
    workdir = Path(tempfile.mkdtemp(prefix="docflow-jobs-bench-"))
    url, drop = base.throwaway_database(args.db_url, workdir)
    os.environ["DOCFLOW_INSTANCE_PATH"] = str(workdir / "instance")
    os.environ["DOCFLOW_DATABASE_URL"] = url
    try:
        login = base.run_child(["--child", "fill", "--assignments", str(args.assignments)])[0]["login"]
        started, _ = base.run_child(["--child", "start", "--login", login], __file__)
        out = workdir / "job.xlsx"
        done, peak = base.run_child(["--child", "work", "--out", str(out)], __file__)
        rows = base.count_rows(out) - 2
        print(f"{'step':<34} {'rows':>8} {'seconds':>8} {'CPU s':>6} {'rows/s':>8} {'peak MB':>8} {'app MB':>7}")
        print(f"{'request: start the job':<34} {'':>8} {started['seconds']:>8.2f}")
        print(f"{'worker --burst: the export job':<34} {rows:>8,} {done['seconds']:>8.1f} {done['cpu']:>6.1f} "
              f"{rows / max(done['seconds'], 1e-9):>8,.0f} {peak:>8.0f} {done['before']:>7.0f}")
        print(f"the job: {done['status']}, progress {done['progress']}")
    finally:
        if args.keep:
            print(f"kept: {workdir} ({url})")
        else:
            drop()
            shutil.rmtree(workdir, ignore_errors=True)


def start(login: str) -> None:
    """In a child: the auditor's POST that starts the export job."""
    from webapp import create_app

    client = create_app(CONFIG).test_client()
    assert client.post("/login", data={"login": login, "password": base.PASSWORD}).status_code == 302
    began = time.perf_counter()
    response = client.post("/assignments/export.xlsx")
    assert response.status_code == 303, response.status_code
    print(json.dumps({"seconds": time.perf_counter() - began, "job": response.headers["Location"]}))


def work(out: Path) -> None:
    """In a child: the worker runs what is queued; the job's file is copied to `out`."""
    from sqlalchemy import select

    from webapp import create_app
    from webapp.extensions import db
    from webapp.models import Job
    from webapp.services import worker
    from webapp.services.files import files_root

    app = create_app(CONFIG)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    cpu, began = time.process_time(), time.perf_counter()
    worker.run(app, burst=True)
    seconds = time.perf_counter() - began
    with app.app_context():
        job = db.session.scalar(select(Job).order_by(Job.id.desc()))
        if job.result is not None:
            shutil.copyfile(files_root() / job.result.relative_path, out)  # not through this process's memory
        print(json.dumps({"seconds": seconds, "cpu": time.process_time() - cpu, "before": before,
                          "status": job.status, "progress": f"{job.progress_done}/{job.progress_total}"}))


if __name__ == "__main__":
    main()
