"""Benchmark: one page in process (Flask's test client) on a kept database, strictly read-only, with its statements
and, on request, a profile.

    python bench/profile_page.py --url postgresql://postgres@127.0.0.1:55432/runbench_1m [--path /assignments]
        [--role executor|auditor|… | --login LOGIN] [--runs 30] [--statements] [--profile]

The user is the first with --role among the members of the body with the most assignments (the school whose
«Мои поручения» bench/run.py measures; the first with the role anywhere if none there, as the auditor), or the one
with --login. Nothing is written: on PostgreSQL the
connection is opened with default_transaction_read_only=on, and the user is signed in without a session row (the
session loader is replaced by a plain look-up for this process), so a page that writes on GET fails loudly here.
Prints the median and the 95th percentile of the request's wall time and of this process's CPU time (the CPU
figure is the steadier one on a shared machine), the statements of the last request and their time;
--statements lists them slowest first, --profile prints cProfile's view of five more requests.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import WARM, percentile, read_only_app, signed_in  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="a database filled before (only read)")
    parser.add_argument("--path", default="/assignments")
    parser.add_argument("--role", default="executor", help="the first user with this role in the busiest body")
    parser.add_argument("--login", help="this user instead")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--warm", type=int, default=WARM, help="requests before the timed ones (_common.WARM)")
    parser.add_argument("--statements", action="store_true", help="list the last request's statements")
    parser.add_argument("--profile", action="store_true", help="cProfile of five more requests")
    args = parser.parse_args()
    from sqlalchemy import func, select

    from webapp.extensions import db
    from webapp.models import Assignment, Membership, User, UserRole

    app, timed = read_only_app(args.url)
    with app.app_context():
        if args.login:
            user_id = db.session.scalar(select(User.id).where(User.login == args.login))
        else:
            busiest = select(Assignment.lead_body_id).group_by(Assignment.lead_body_id) \
                .order_by(func.count().desc()).limit(1).scalar_subquery()
            user_id = db.session.scalar(select(User.id).join(UserRole).join(Membership, Membership.user_id == User.id)
                                        .where(UserRole.role == args.role, Membership.body_id == busiest)
                                        .order_by(User.id).limit(1))
            if user_id is None:  # a role nobody of that body has (the auditor): its first user anywhere
                user_id = db.session.scalar(select(User.id).join(UserRole).where(UserRole.role == args.role)
                                            .order_by(User.id).limit(1))
        if user_id is None:
            sys.exit("no such user")
    client = signed_in(app, user_id)
    status = client.get(args.path).status_code
    for _ in range(args.warm):  # warm: caches, prepared statements and their generic plans (_common.WARM)
        client.get(args.path)
    wall, cpu = [], []
    for _ in range(args.runs):
        timed.clear()
        started, cpu_started = time.perf_counter(), time.process_time()
        client.get(args.path)
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - cpu_started) * 1000)
    print(f"GET {args.path} as user {user_id}: HTTP {status}, {args.runs} runs")
    print(f"wall median {statistics.median(wall):.1f} ms, p95 {percentile(wall, 0.95):.1f}; CPU median "
          f"{statistics.median(cpu):.1f} ms, p95 {percentile(cpu, 0.95):.1f}; {len(timed)} statements, "
          f"{sum(ms for ms, _s in timed):.1f} ms in SQL")
    if args.statements:
        for ms, statement in sorted(timed, reverse=True):
            print(f"{ms:8.2f}  {' '.join(statement.split())[:160]}")
    if args.profile:
        profile = cProfile.Profile()
        profile.enable()
        for _ in range(5):
            client.get(args.path)
        profile.disable()
        pstats.Stats(profile).sort_stats("cumulative").print_stats(40)


if __name__ == "__main__":
    main()
