"""Benchmark: the main pages at a size, in process (Flask's test client, no HTTP server), with SQL counts.

    python bench/pages.py [--assignments N] [--runs N]
    DOCFLOW_DATABASE_URL=postgresql://… python bench/pages.py …   (an empty database: it is filled)

Fills a throwaway SQLite database (or the given PostgreSQL one) with `docflow gen-load`'s generator, builds the
search index, then requests each of bench/run.py's pages (bench/_common.py) N times as the user who would open it
and prints the median and 95th percentile of the time in process and the number of SQL statements per request. A
bare route (/healthz) is the base line. Not measured here: HTTP and several workers, which bench/run.py measures.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import FAST_HASH, PASSWORD, choose_pages, fill, percentile  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assignments", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="docflow-bench-"))
    os.environ["DOCFLOW_INSTANCE_PATH"] = str(workdir / "instance")

    import time

    from sqlalchemy import event

    from webapp import create_app
    from webapp.extensions import db

    app = create_app({"PASSWORD_HASH": FAST_HASH, "WTF_CSRF_ENABLED": False})
    statements = [0]
    with app.app_context():
        print(fill(args.assignments))
        pages = choose_pages()
        event.listen(db.engine, "before_cursor_execute", lambda *a, **k: statements.__setitem__(0, statements[0] + 1))
    print(f"{'user':<10} {'page':<42} {'median ms':>10} {'p95 ms':>8} {'SQL':>6} {'status':>6}")
    for page in pages:
        client = app.test_client()
        if page.login:
            client.post("/login", data={"login": page.login, "password": PASSWORD})
        times, count, status = [], 0, 0
        for _ in range(args.runs):
            statements[0] = 0
            started = time.perf_counter()
            response = client.get(page.path)
            times.append((time.perf_counter() - started) * 1000)
            count, status = statements[0], response.status_code
        print(f"{(page.login or '-')[:10]:<10} {page.title[:42]:<42} {statistics.median(times):>10.1f} "
              f"{percentile(times, 0.95):>8.1f} {count:>6} {status:>6}")


if __name__ == "__main__":
    main()
