"""What the bench scripts share: the sizes of generated data, filling a database with them, the pages measured
and the user who opens each, percentiles, and starting and stopping gunicorn hosts."""

from __future__ import annotations

import http.client
import math
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: Requests of a page before it is timed: psycopg prepares a statement at its fifth run on a connection, and from
#: about the eleventh PostgreSQL may keep its generic plan, which knows no parameter's value — what a worker serves
#: all day. A department's search among regulations took 10 ms to count for ten runs and 80-114 ms from then on
#: (stop 46); a survey that timed the second to fourth runs never saw it.
WARM = 12
WORKERS = 2  # gunicorn workers per host: issue 14's set-up on a 2-core machine

PASSWORD = "Нагрузка-на-сервис-2026"  # noqa: S105 (the generated users' password in a throwaway database)
FAST_HASH = {"time_cost": 1, "memory_cost": 8, "parallelism": 1}  # logins are not what is measured
BIG_PROTOCOL = 300  # points of the protocol whose page is measured
BUSY_BODY = 5000  # assignments of the school whose «Мои поручения» is measured
PAGE = 50  # the register's default page size
DEEP_PAGE = 500  # the register page measured beside the first


def sizes_of(assignments: int, seed: int = 1):
    """A region's proportions (issue 14: 1,000,000 assignments = 200,000 documents, 5,000 bodies, 20,000 users),
    with one 300-point protocol and one school of 5,000 assignments at every size."""
    from webapp.demo.loadgen import Sizes

    return Sizes(max(2, assignments // 5), assignments, max(10, assignments // 200), max(20, assignments // 50), seed,
                 big_protocol=min(BIG_PROTOCOL, assignments // 4), busy_body=min(BUSY_BODY, assignments // 2))


def fill(assignments: int) -> str:
    """Migrate the app's database and generate the data with its search index (inside an app context); returns
    a line saying what was made and how long it took."""
    from webapp.cli import migrate_database
    from webapp.demo.loadgen import generate
    from webapp.extensions import db
    from webapp.services.users import hash_password

    migrate_database()
    started, cpu = time.perf_counter(), time.process_time()
    counts = generate(sizes_of(assignments), hash_password(PASSWORD), search=True)
    generated, cpu = time.perf_counter() - started, time.process_time() - cpu
    return (f"{db.engine.dialect.name}: {counts.get('assignment', 0):,} assignments, {counts.get('document', 0):,} "
            f"documents and {counts.get('search_entry', 0):,} search entries generated in {generated:.0f} s "
            f"(CPU of this process {cpu:.0f} s)")


@dataclass(frozen=True)
class Page:
    key: str  #: what the targets know it by: bare, mine, dashboard, ics or page
    title: str
    path: str
    login: str | None  #: who opens it (None: no login, the ICS feed)
    why: str | None = None  #: why its p95 may miss the target, printed under the table when it does


def choose_pages() -> list[Page]:
    """The pages of issue 14 on the generated data (inside an app context): the auditor's register, protocol,
    assignment, dashboard, search and audit; the busiest school's executor's «Мои задачи», «Мои поручения» and
    search; the search of its department's secretary; the calendar feed of the school's department (a token made
    here)."""
    from sqlalchemy import func, select

    from webapp.extensions import db
    from webapp.models import Assignment, Body, Membership, User, UserRole
    from webapp.services import calendar
    from webapp.services.documents import register_page

    def first_with(role: str, body: int | None = None) -> User:
        query = select(User).join(UserRole).where(UserRole.role == role).order_by(User.id)
        if body is not None:
            query = query.join(Membership, Membership.user_id == User.id).where(Membership.body_id == body)
        return db.session.scalars(query).first()

    auditor = first_with("auditor")
    school = db.session.scalar(select(Assignment.lead_body_id).group_by(Assignment.lead_body_id)
                               .order_by(func.count().desc()).limit(1))
    school_count = db.session.scalar(select(func.count()).where(Assignment.lead_body_id == school))
    executor = first_with("executor", school) or first_with("executor")
    protocol, points = db.session.execute(select(Assignment.document_id, func.count()).group_by(Assignment.document_id)
                                          .order_by(func.count().desc()).limit(1)).one()
    assignment = db.session.scalar(select(Assignment.id).where(Assignment.document_id == protocol).limit(1))
    department = db.session.get(Body, school).parent_id or school
    # the department's feed (the issue's «ICS feed of a department»): the busy school's own deadlines all lie before
    # the feed's window at 1M (gen-load gives it its 5,000 early), so its feed was measured empty until 29.11.2026
    member = first_with("controller", department) or first_with("secretary", department)
    # her search reads the 51 bodies' assignments she leads apart from the rest (a school's executor reads one's)
    secretary = first_with("secretary", department)
    token = (calendar.create_token(member, db.session.get(Body, department)) if member
             else calendar.create_token(executor, executor.bodies[0] if executor.bodies else None))
    db.session.commit()
    deep, cursor = _deep_register_page(auditor, register_page)
    return [
        Page("bare", "bare route /healthz", "/healthz", auditor.login),
        Page("page", "Мои задачи (school's executor)", "/tasks", executor.login),
        Page("page", "/documents, first page", "/documents", auditor.login),
        Page("page", f"/documents, page {deep}", f"/documents?after={cursor}" if cursor else "/documents",
             auditor.login),
        Page("page", f"protocol of {points} points", f"/documents/{protocol}", auditor.login),
        Page("mine", f"Мои поручения (school of {school_count:,})", "/assignments", executor.login),
        Page("dashboard", "overdue dashboard", "/assignments/dashboard?overdue=y", auditor.login),
        Page("dashboard", "overdue dashboard, one department", f"/assignments/dashboard?overdue=y&body={department}",
             auditor.login),
        Page("page", "overdue open list", "/assignments?status=in_work&overdue=1", auditor.login),
        Page("page", "search «обеспечить»", "/search?q=обеспечить", auditor.login),
        Page("page", "search «обеспечить», a school's executor", "/search?q=обеспечить", executor.login),
        *([Page("page", "search «обеспечить», the department's secretary", "/search?q=обеспечить", secretary.login)]
          if secretary else []),
        Page("page", "audit", "/audit", auditor.login),
        Page("ics", "ICS feed (the school's department)" if member else "ICS feed (the school's)",
             f"/calendar/{token}.ics", None),
        Page("page", "one assignment", f"/assignments/{assignment}", auditor.login),
    ]


def counted_now(path: str) -> str:
    """The dashboard's `path` with «Пересчитать сейчас» (`exact=1`): its figures counted since the last change —
    on the page when their count is quick, else in the background at once while the page shows the newest."""
    return path + ("&" if "?" in path else "?") + "exact=1"


def _deep_register_page(auditor, register_page) -> tuple[int, str | None]:
    """Page DEEP_PAGE of the auditor's register (the last one when there are fewer) and its cursor, walked to as
    a reader following «Дальше» would."""
    number, cursor = 1, None
    while number < DEEP_PAGE:
        following = register_page(auditor, after=cursor, size=PAGE).after
        if following is None:
            break
        number, cursor = number + 1, following
    return number, cursor


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile (share 0.95: the value 95% of the sorted values do not exceed)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)] if ordered else float("nan")


# --- gunicorn hosts -------------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_hosts(count: int, env: dict[str, str], timeout: int = 300,
                wait: float = 90) -> tuple[list[subprocess.Popen], list[int]]:
    """`count` gunicorn instances of the app (WORKERS each) on free ports with `env`, each answering /healthz;
    RuntimeError (all stopped) when one exits or stays silent for `wait` seconds."""
    servers, ports = [], []
    for _ in range(count):
        port = free_port()
        servers.append(subprocess.Popen(  # noqa: S603 (our own interpreter and arguments)
            [sys.executable, "-m", "gunicorn", "--workers", str(WORKERS), "--bind", f"127.0.0.1:{port}",
             "--timeout", str(timeout), "--log-level", "warning", "webapp.wsgi:app"], cwd=ROOT, env=env))
        ports.append(port)
    deadline = time.monotonic() + wait
    for server, port in zip(servers, ports, strict=True):
        while True:
            if server.poll() is not None:
                stop_hosts(servers)
                raise RuntimeError(f"gunicorn on port {port} exited with {server.returncode}")
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            try:
                connection.request("GET", "/healthz")
                if connection.getresponse().status == 200:
                    break
            except OSError:
                if time.monotonic() > deadline:
                    stop_hosts(servers)
                    raise RuntimeError(f"gunicorn on port {port} did not answer within {wait:.0f} s") from None
                time.sleep(0.2)
            finally:
                connection.close()
    return servers, ports


def stop_hosts(servers: list[subprocess.Popen]) -> None:
    for server in servers:
        if server.poll() is None:
            server.send_signal(signal.SIGTERM)
    for server in servers:
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def read_only_app(url: str):
    """The app on a kept database, for measuring pages in process without writing anything: on PostgreSQL the
    connection is opened with default_transaction_read_only=on, and users are signed in without a session row (the
    session loader replaced by a plain look-up for this process: signed_in), so a page that writes on GET fails
    loudly. Returns the app and a list that collects each statement's (ms, SQL) as they run."""
    import os
    import tempfile

    os.environ["DOCFLOW_INSTANCE_PATH"] = str(Path(tempfile.mkdtemp(prefix="docflow-bench-")) / "instance")
    if url.startswith("postgresql"):
        url += ("&" if "?" in url else "?") + "options=-c%20default_transaction_read_only%3Don"

    from sqlalchemy import event

    from webapp import create_app
    from webapp.extensions import db, login_manager
    from webapp.models import User
    from webapp.services import sessions

    app = create_app({"PASSWORD_HASH": FAST_HASH, "DATABASE_URL": url})
    with app.app_context():
        engine = db.engine
    sessions.resume = lambda session_id: db.session.get(User, int(session_id.split(":")[0]))  # no session row
    login_manager.session_protection = None
    timed: list[tuple[float, str]] = []
    began = [0.0]
    event.listen(engine, "before_cursor_execute", lambda *_a: began.__setitem__(0, time.perf_counter()))
    event.listen(engine, "after_cursor_execute", lambda _c, _cu, statement, *_a: timed.append(
        ((time.perf_counter() - began[0]) * 1000, statement)))
    return app, timed


def signed_in(app, user_id: int):
    """A test client of read_only_app signed in as the user (no session row)."""
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"], session["_fresh"] = f"{user_id}:bench", True
    return client
