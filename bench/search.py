"""Benchmark: full-text search over generated load data (SQLite by default, or DOCFLOW_DATABASE_URL).

    python bench/search.py [--assignments N] [--documents N] [--runs N]

Generates the data with `docflow gen-load`'s generator into a throwaway database, builds the search index
(`docflow search reindex`), then times the search service as an auditor (sees everything) and as a school's
executor (sees their body's assignments) for a few queries: a rare word, a common word, two words, a number.
Prints the index build time and the median and worst of N runs of each query, with the number of results.
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

QUERIES = ("дорожную карту", "обеспечить", "педагогических работников конкурса", "мониторинг", "2024")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assignments", type=int, default=100_000)
    parser.add_argument("--documents", type=int, default=0, help="default: a tenth of the assignments")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="docflow-bench-"))
    os.environ["DOCFLOW_INSTANCE_PATH"] = str(workdir / "instance")

    from sqlalchemy import select

    from webapp import create_app
    from webapp.cli import migrate_database
    from webapp.demo.loadgen import Sizes, generate
    from webapp.extensions import db
    from webapp.models import User
    from webapp.services import search
    from webapp.services.users import hash_password

    app = create_app({"PASSWORD_HASH": {"time_cost": 1, "memory_cost": 8, "parallelism": 1}})
    with app.app_context():
        migrate_database()
        documents = args.documents or max(1, args.assignments // 10)
        started = time.perf_counter()
        generate(Sizes(documents, args.assignments, max(2, args.assignments // 200),
                       max(2, args.assignments // 100)), hash_password("bench-password-not-used"))
        print(f"{db.engine.dialect.name}: {documents:,} documents, {args.assignments:,} assignments generated in "
              f"{time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        entries = search.reindex_all()
        db.session.commit()
        print(f"index built: {entries:,} entries in {time.perf_counter() - started:.1f} s")
        users = {"auditor": db.session.scalar(select(User).where(User.login.like("load%")).order_by(User.id)),
                 "executor": db.session.scalar(select(User).where(User.login.like("load%"))
                                               .order_by(User.id.desc()))}
        print(f"{'user':<9} {'query':<38} {'results':>8} {'median ms':>10} {'worst ms':>9}")
        for role, user in users.items():
            for query in QUERIES:
                times, total = [], 0
                for _ in range(args.runs):
                    started = time.perf_counter()
                    total = search.search(user, query).total
                    times.append((time.perf_counter() - started) * 1000)
                    db.session.rollback()
                print(f"{role:<9} {query:<38} {total:>8,} {statistics.median(times):>10.1f} {max(times):>9.1f}")


if __name__ == "__main__":
    main()
