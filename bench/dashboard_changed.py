"""Benchmark: the dashboard just after a change that moves its figures, and then kept (issue 14).

    python bench/dashboard_changed.py --url postgresql://postgres@127.0.0.1:55432/runbench_1m
        [--path /assignments/dashboard] [--login LOGIN] [--rounds 3]

Each round replaces the data's version (`data_version.token`, as a commit that moves a figure does; nothing else
is written) on a connection of its own, then reads the page in process: with «Пересчитать сейчас» (`exact=1`: a
slow count begins in the background at once, the page shows the newest count) and how long that count took to
be kept; just after another change (the newest shown while a thread counts again, spaced); and kept. The user is
the first auditor, or --login. Prints each round's wall times.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import counted_now, read_only_app, signed_in  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="a database filled before (only its version is written)")
    parser.add_argument("--path", default="/assignments/dashboard")
    parser.add_argument("--login", help="this user instead of the first auditor")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    from sqlalchemy import create_engine, select

    from webapp.extensions import db
    from webapp.models import User, UserRole
    from webapp.services import dashboard, versions

    app, _timed = read_only_app(args.url)
    with app.app_context():
        query = select(User.id).where(User.login == args.login) if args.login else \
            select(User.id).join(UserRole).where(UserRole.role == "auditor").order_by(User.id).limit(1)
        user_id = db.session.scalar(query)
    if user_id is None:
        sys.exit("no such user")
    client = signed_in(app, user_id)
    writer = create_engine(args.url)  # the page's connections are read-only on PostgreSQL
    client.get(args.path)

    def bump() -> None:
        with writer.begin() as connection:
            versions.bump(connection)

    exact = counted_now(args.path)

    def look(path: str) -> str:
        started = time.perf_counter()
        response = client.get(path)
        recent = ", the newest count shown" if 'id="recounting"' in response.get_data(as_text=True) else ""
        return f"{(time.perf_counter() - started) * 1000:,.1f} ms ({response.status_code}{recent})"

    def waited() -> str:
        started = time.perf_counter()
        dashboard.join_recounts()
        return f"{(time.perf_counter() - started) * 1000:,.0f} ms"

    for round_number in range(1, args.rounds + 1):
        bump()
        asked = look(exact)
        counted = waited()
        bump()
        shown = look(args.path)
        print(f"round {round_number}: after a change, «Пересчитать сейчас» {asked} (its background count kept "
              f"{counted} later); after another, {shown} (its count ended {waited()} later); then kept "
              f"{look(args.path)}")
    writer.dispose()


if __name__ == "__main__":
    main()
