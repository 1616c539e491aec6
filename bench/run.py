"""Benchmark: issue 14's pages over HTTP under gunicorn with 2 workers: server time, req/s and SQL statements.

    python bench/run.py --db sqlite --size 10k [--keep DIR [--reuse]] [--seconds 5] [--runs 3] [--clients 4]
    python bench/run.py --db postgresql --url postgresql://user@host/empty_db --size 10k [...]
    python bench/run.py ... --keep DIR --reuse --explain    (the query plans of each page's slowest queries)
    python bench/run.py ... --keep DIR --reuse --only "protocol" [--only audit]    (those pages and the bare route)
    python bench/run.py --db sqlite --size 1m --keep DIR --fill-only    (fill and stop; measure later with --reuse)

Fills the database with `docflow gen-load`'s generator at the size (1m = 200,000 documents, 1,000,000
assignments, 5,000 bodies, 20,000 users, one 300-point protocol, one school with 5,000 assignments; 10k and 100k
in the same proportions), or reuses the one filled before in --keep DIR (--reuse). Starts gunicorn with 2 workers
and DOCFLOW_SERVER_TIMING=1, logs each user in once, and for each page, after a warm-up, runs --clients
threads in a closed loop for --seconds, --runs times. Prints a Markdown table of the medians over the runs: the
server's own time (p50, p95: the Server-Timing header), HTTP time (p50, at the client), requests per second
and as a share of the bare route's on the same server, SQL statements per request, and whether issue 14's
target is met: p95 <= 50 ms (the ICS feed <= 100 ms); the dashboard and «Мои поручения» >= 30% of the bare
route's req/s. The whole organisation's dashboard is measured three times: as kept (its figures counted once under
the data's version, which the warm-up does); «just after a change» (the version replaced before each request, as
a change that moves a figure does: the page shows the newest count while a thread of its worker counts again);
and so with «Пересчитать сейчас» (`exact=1`: the count begins in the background at once and the page reloads
itself when it is kept). The count itself, which no page waits for, is timed in process after the table. A
measurement: exits 0 whether the targets are met or not.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.cookies import SimpleCookie
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import (  # noqa: E402
    FAST_HASH,
    PASSWORD,
    WORKERS,
    Page,
    choose_pages,
    counted_now,
    fill,
    percentile,
    start_hosts,
    stop_hosts,
)

SIZES = {"10k": 10_000, "100k": 100_000, "1m": 1_000_000}
TARGET_MS, ICS_TARGET_MS, SHARE_TARGET = 50.0, 100.0, 0.30
TIMING = re.compile(r'app;dur=([\d.]+), sql;dur=([\d.]+);desc="(\d+) statements"')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--url", help="PostgreSQL: an empty database (or the one filled before, with --reuse)")
    parser.add_argument("--size", choices=SIZES, default="10k")
    parser.add_argument("--keep", type=Path, help="folder kept after the run: the instance, the SQLite database")
    parser.add_argument("--reuse", action="store_true", help="use the data filled before in --keep at this size")
    parser.add_argument("--seconds", type=float, default=5.0, help="of each run of each page")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--clients", type=int, default=4, help="concurrent clients in the closed loop")
    parser.add_argument("--explain", action="store_true",
                        help="print the plans of each page's slowest queries (in process) instead of measuring")
    parser.add_argument("--fill-only", action="store_true",
                        help="fill the database at the size (into --keep DIR) and stop: no server, no measuring")
    parser.add_argument("--only", action="append", metavar="TEXT",
                        help="measure only the pages whose title contains TEXT (case ignored; repeatable), "
                             "and the bare route")
    args = parser.parse_args()
    if args.db == "postgresql" and not args.url:
        parser.error("--db postgresql needs --url")
    if args.fill_only and not args.keep:
        parser.error("--fill-only needs --keep DIR (where the filled data stays)")
    if args.reuse and not args.keep:
        parser.error("--reuse needs --keep DIR (where the filled data is)")
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="docflow-run-"))
    workdir.mkdir(parents=True, exist_ok=True)
    url = args.url if args.db == "postgresql" else f"sqlite:///{workdir / 'bench.sqlite3'}"
    try:
        pages = only(prepare(workdir, url, args), args.only)
        if args.fill_only:
            print(f"filled: {workdir}; measure with --keep {workdir} --reuse")
        elif args.explain:
            explain(workdir, url, pages)
        else:
            measure(workdir, url, pages, args)
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)


def _app(workdir: Path, url: str):
    os.environ["DOCFLOW_INSTANCE_PATH"] = str(workdir / "instance")
    from webapp import create_app

    return create_app({"DATABASE_URL": url, "PASSWORD_HASH": FAST_HASH, "WTF_CSRF_ENABLED": False})


def prepare(workdir: Path, url: str, args) -> list[Page]:
    """The data at the size (filled now, or the kept one) and the pages to measure on it."""
    marker = workdir / "filled.json"
    filled = {"url": _without_password(url), "size": args.size}
    reuse = args.reuse and marker.exists() and json.loads(marker.read_text()) == filled
    if not reuse:
        marker.unlink(missing_ok=True)
        if args.db == "sqlite":
            for suffix in ("", "-wal", "-shm"):
                (workdir / f"bench.sqlite3{suffix}").unlink(missing_ok=True)
    app = _app(workdir, url)
    from sqlalchemy import inspect, text

    from webapp.cli import migrate_database
    from webapp.extensions import db

    with app.app_context():
        if reuse:
            migrate_database()  # the kept data under the code's newest schema (new indexes included)
        else:
            if "document" in inspect(db.engine).get_table_names() and db.session.scalar(
                    text("SELECT count(*) FROM document")):
                sys.exit(f"{filled['url']} holds documents: give an empty database, or --keep DIR --reuse with the "
                         "one this bench filled")
            print(fill(SIZES[args.size]), flush=True)
            marker.write_text(json.dumps(filled))
        pages = choose_pages()
        db.session.remove()
        db.engine.dispose()
    return pages


def only(pages: list[Page], texts: list[str] | None) -> list[Page]:
    """The pages whose title contains one of `texts` (all when none is given), and the bare route: the base of
    the req/s ratio."""
    if not texts:
        return pages
    chosen = [page for page in pages if page.key == "bare" or any(t.casefold() in page.title.casefold() for t in texts)]
    if len(chosen) == sum(page.key == "bare" for page in pages):
        sys.exit(f"no page's title contains {', '.join(texts)}: {'; '.join(page.title for page in pages)}")
    return chosen


def _without_password(url: str) -> str:
    return re.sub(r"//([^:/@]+):[^@]*@", r"//\1@", url)


# --- the server and its clients -----------------------------------------------------------------------------------


def start_server(workdir: Path, url: str) -> tuple[subprocess.Popen, int]:
    env = dict(os.environ, DOCFLOW_INSTANCE_PATH=str(workdir / "instance"), DOCFLOW_DATABASE_URL=url,
               DOCFLOW_SERVER_TIMING="1", DOCFLOW_PASSWORD_HASH=json.dumps(FAST_HASH))
    try:
        servers, ports = start_hosts(1, env, timeout=600, wait=60)
    except RuntimeError as error:
        sys.exit(str(error))
    return servers[0], ports[0]


class Client:
    """One HTTP client with its cookies (gunicorn's sync workers close each connection; http.client reopens)."""

    def __init__(self, port: int, cookies: dict[str, str] | None = None) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        self.cookies = dict(cookies or {})

    def request(self, method: str, path: str, body: str | None = None, extra: dict[str, str] | None = None
                ) -> tuple[int, http.client.HTTPMessage, bytes]:
        path = urllib.parse.quote(path, safe="/?=&%:")  # «обеспечить» in a query string, as a browser sends it
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}
        headers.update(extra or {})
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            self.conn.close()  # a closed keep-alive connection: once more on a new one
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
        content = response.read()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        if response.will_close:
            self.conn.close()
        return response.status, response.headers, content

    def get(self, path: str) -> tuple[int, http.client.HTTPMessage, bytes]:
        return self.request("GET", path)

    def login(self, login: str) -> dict[str, str]:
        form = self.get("/login")[2].decode()
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form).group(1)
        status = self.request("POST", "/login", urllib.parse.urlencode(
            {"login": login, "password": PASSWORD, "csrf_token": token}))[0]
        if status != 302:
            sys.exit(f"{login} could not log in (HTTP {status})")
        return self.cookies


@dataclass
class Run:
    server_ms: list[float] = field(default_factory=list)
    sql_ms: list[float] = field(default_factory=list)  #: of server_ms, in the statements (the database and driver)
    http_ms: list[float] = field(default_factory=list)
    statements: set[int] = field(default_factory=set)
    errors: dict[int, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def per_second(self) -> float:
        return len(self.http_ms) / self.seconds if self.seconds else 0.0


def run_once(port: int, path: str, cookies: dict[str, str], seconds: float, clients: int,
             extra: dict[str, str] | None = None, before=None) -> Run:
    """`clients` threads, each sending its next request when the last is answered, for `seconds`; `before`: called
    before each request, outside its timing."""
    run, lock = Run(), threading.Lock()
    start = threading.Barrier(clients + 1)

    def loop() -> None:
        client = Client(port, cookies)
        start.wait()
        while time.perf_counter() < deadline:
            if before is not None:
                before()
            began = time.perf_counter()
            status, headers, _body = client.request("GET", path, extra=extra)
            took = (time.perf_counter() - began) * 1000
            timing = TIMING.search(headers.get("Server-Timing") or "")
            with lock:
                run.http_ms.append(took)
                if status not in (200, 304):
                    run.errors[status] = run.errors.get(status, 0) + 1
                if timing:
                    run.server_ms.append(float(timing.group(1)))
                    run.sql_ms.append(float(timing.group(2)))
                    run.statements.add(int(timing.group(3)))

    threads = [threading.Thread(target=loop) for _ in range(clients)]
    for thread in threads:
        thread.start()
    deadline = time.perf_counter() + seconds  # set before the barrier lets the clients go
    began = time.perf_counter()
    start.wait()
    for thread in threads:
        thread.join()
    run.seconds = time.perf_counter() - began
    return run


# --- the measurement ----------------------------------------------------------------------------------------------


@dataclass
class Row:
    page: Page
    p50: float
    p95: float
    http50: float
    per_second: float
    statements: str
    errors: dict[int, int]
    sql50: float | None = None  #: of p50, the median time in SQL statements (None: not reported)


def measure(workdir: Path, url: str, pages: list[Page], args) -> None:
    header = describe(url, args)
    print(header, flush=True)
    server, port = start_server(workdir, url)
    changer = _Changer(url)
    try:
        sessions = {login: Client(port).login(login) for login in {p.login for p in pages if p.login}}
        rows = []

        def measure_page(page: Page, extra: dict[str, str] | None = None, before=None) -> None:
            cookies = sessions.get(page.login, {})
            warm_up = run_once(port, page.path, cookies, min(1.0, args.seconds), args.clients, extra,
                               before)  # its errors count
            runs = [run_once(port, page.path, cookies, args.seconds, args.clients, extra, before)
                    for _ in range(args.runs)]
            rows.append(summarise(page, runs, warm_up.errors))
            print(f"  {page.title}: {rows[-1].per_second:,.0f} req/s, p95 {rows[-1].p95:.1f} ms", file=sys.stderr,
                  flush=True)

        for page in pages:
            measure_page(page)
            etag = Client(port).get(page.path)[1].get("ETag") if page.key == "ics" else None
            if etag:  # what a calendar program's polling costs while nothing changed
                measure_page(Page("ics", f"{page.title}, unchanged (If-None-Match)", page.path, None),
                             {"If-None-Match": etag})
            if page.key == "dashboard" and "body=" not in page.path:  # kept until a change moves a figure
                measure_page(Page("dashboard", f"{page.title}, just after a change", page.path, page.login,
                                  AFTER_A_CHANGE), before=changer.bump)
                exact = counted_now(page.path)
                measure_page(Page("dashboard", f"{page.title}, just after a change, «Пересчитать сейчас»", exact,
                                  page.login, AFTER_A_CHANGE), before=changer.bump)
    finally:
        stop_hosts([server])
        changer.close()
    print(table(rows))
    print(reasons(rows))
    whole = [page for page in pages if page.key == "dashboard" and "body=" not in page.path]
    if whole:
        print(background_count(workdir, url, whole[0], args.runs))


def background_count(workdir: Path, url: str, page: Page, runs: int) -> str:
    """What no page waits for: the whole organisation's figures counted as the background count (and the
    worker's) counts them, in this process, `runs` times; a line with the median and the longest."""
    from webapp import clock
    from webapp.extensions import db
    from webapp.services import dashboard
    from webapp.services.transactions import without_parallel_workers

    app, took, changer = _app(workdir, url), [], _Changer(url)
    with app.test_request_context():
        for _ in range(runs):
            changer.bump()  # a change: what was counted is not current any more
            db.session.rollback()  # (SQLite: a new snapshot, which sees the change)
            started = time.perf_counter()
            with without_parallel_workers():  # as the background count runs
                dashboard.overview(dashboard.Filters(as_of=clock.today(), only_overdue="overdue=" in page.path),
                                   exact=True, looked=False)
            took.append((time.perf_counter() - started) * 1000)
    changer.close()
    return (f"\n{page.title} counted in the background (no page waits for it; in process, {runs} counts): median "
            f"{statistics.median(took):,.0f} ms, longest {max(took):,.0f} ms.")


class _Changer:
    """What a change that moves a dashboard figure does to what the service keeps: the data's version replaced
    (services/versions.py), nothing else written."""

    def __init__(self, url: str):
        from sqlalchemy import create_engine

        self.engine = create_engine(url)

    def bump(self) -> None:
        from webapp.services import versions

        with self.engine.begin() as connection:
            versions.bump(connection)

    def close(self) -> None:
        self.engine.dispose()


def summarise(page: Page, runs: list[Run], errors: dict[int, int]) -> Row:
    """The medians over the runs; the statement counts seen and the failed requests of every run (and warm-up)."""
    def median(figure) -> float:
        return statistics.median(figure(run) for run in runs)

    statements = set().union(*(run.statements for run in runs))
    errors = dict(errors)
    for run in runs:
        for status, count in run.errors.items():
            errors[status] = errors.get(status, 0) + count
    return Row(page, median(lambda r: percentile(r.server_ms, 0.5)), median(lambda r: percentile(r.server_ms, 0.95)),
               median(lambda r: percentile(r.http_ms, 0.5)), median(lambda r: r.per_second),
               "?" if not statements else f"{min(statements)}" if len(statements) == 1
               else f"{min(statements)}–{max(statements)}", errors,
               median(lambda r: percentile(r.sql_ms, 0.5)) if all(run.sql_ms for run in runs) else None)


def verdict(row: Row, base: float) -> str:
    if row.page.key == "bare":
        return "base"
    missed = [f"HTTP {status} ×{count}" for status, count in sorted(row.errors.items())]
    limit = ICS_TARGET_MS if row.page.key == "ics" else TARGET_MS
    if not row.p95 <= limit:
        missed.append(f"p95 {row.p95:.0f} ms > {limit:.0f}")
    if row.page.key in ("mine", "dashboard") and row.per_second < SHARE_TARGET * base:
        missed.append(f"{row.per_second / base:.0%} of bare < {SHARE_TARGET:.0%}")
    return f"**NOT MET**: {'; '.join(missed)}" if missed else "met"


AFTER_A_CHANGE = ("the data's version is replaced before every request, so the whole organisation's figures are "
                  "counted again in the background all the while (spaced: half of one core of the two; «Пересчитать "
                  "сейчас» unspaced, one count at a time per worker); the pages shown from the newest count wait "
                  "for that core")


def reasons(rows: list[Row]) -> str:
    """Why each target the table marks as not met is missed, as far as the bench knows it."""
    base = next(row for row in rows if row.page.key == "bare")
    lines = []
    for row in rows:
        if row.page.key == "bare" or verdict(row, base.per_second) == "met":
            continue
        why = []
        if row.errors:
            why.append("failed requests: see the server's log")
        limit = ICS_TARGET_MS if row.page.key == "ics" else TARGET_MS
        if not row.p95 <= limit:
            why.append(row.page.why or _split(row, base.per_second))
        if row.page.key in ("mine", "dashboard") and row.per_second < SHARE_TARGET * base.per_second:
            budget = 1000 * WORKERS / (SHARE_TARGET * base.per_second)
            why.append(f"{SHARE_TARGET:.0%} of the bare route's {base.per_second:,.0f} req/s leaves {budget:.1f} ms "
                       f"of a worker per request; this page takes {row.p50:.1f} ms (p50) to read its user's session "
                       "and rights, its rows and to render its HTML")
        lines.append(f"- {row.page.title}: " + "; ".join(why) + ".")
    return "\n".join(["", "Not met, and why:", *lines]) if lines else "\nEvery target met."


def _split(row: Row, bare: float) -> str:
    """Where a page's server time goes, as the Server-Timing header tells it (no reason the bench knows more of)."""
    if row.sql50 is None:
        return "not known to the bench: look at its statements (--explain)"
    return (f"of its {row.p50:.1f} ms (p50), {row.sql50:.1f} ms in its {row.statements} SQL statements (the database's "
            f"and the driver's time) and {max(row.p50 - row.sql50, 0):.1f} ms the process's own (the session and "
            f"rights, the ORM's objects, the template) on a machine whose bare route answers {bare:,.0f} req/s; "
            "look at its statements (--explain) and its profile (bench/profile_page.py --profile)")


def table(rows: list[Row]) -> str:
    base = next(row.per_second for row in rows if row.page.key == "bare")
    lines = ["| page | p50 server ms | p95 server ms | p50 HTTP ms | req/s | % of bare | SQL | target |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |"]
    for row in rows:
        lines.append(f"| {row.page.title} | {row.p50:.1f} | {row.p95:.1f} | {row.http50:.1f} | {row.per_second:,.0f} "
                     f"| {row.per_second / base:.0%} | {row.statements} | {verdict(row, base)} |")
    return "\n".join(lines)


def describe(url: str, args) -> str:
    memory = next((int(line.split()[1]) // 1024 // 1024 for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal:")), 0) if Path("/proc/meminfo").exists() else 0
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    command = " ".join(["python bench/run.py", *sys.argv[1:]])
    where = _without_password(url) if args.db == "postgresql" else "a file"
    return (f"\n`{command}`\n\n{args.db} ({where}), {args.size}; "
            f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC; {os.cpu_count()} CPUs, {memory} GiB, load {load}; "
            f"gunicorn {WORKERS} workers, {args.clients} clients, {args.runs} runs × {args.seconds:g} s per page; "
            "medians of the runs\n")


# --- query plans --------------------------------------------------------------------------------------------------


def explain(workdir: Path, url: str, pages: list[Page], slowest: int = 2) -> None:
    """Each page once in process (after a warm-up), its `slowest` SELECTs by time, and their plans: EXPLAIN
    (ANALYZE, BUFFERS) on PostgreSQL, EXPLAIN QUERY PLAN on SQLite; Markdown on stdout."""
    from sqlalchemy import event

    from webapp.extensions import db

    app = _app(workdir, url)
    with app.app_context():
        engine = db.engine
        dialect = engine.dialect.name
    seen: list[tuple[float, str, object]] = []
    began: list[float] = [0.0]

    def before(*_args) -> None:
        began[0] = time.perf_counter()

    def after(_conn, _cursor, statement, parameters, _context, _many) -> None:
        seen.append((time.perf_counter() - began[0], statement, parameters))

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    print(f"Plans on {dialect} ({datetime.now(UTC):%Y-%m-%d}): each page's {slowest} slowest SELECTs, "
          "from one request after a warm-up.\n")
    for page in pages:
        if page.key == "bare":
            continue
        client = app.test_client()
        if page.login:
            client.post("/login", data={"login": page.login, "password": PASSWORD})
        client.get(page.path)
        seen.clear()
        status = client.get(page.path).status_code
        selects = {}
        for took, statement, parameters in seen:
            if statement.lstrip().upper().startswith(("SELECT", "WITH")) and took > selects.get(statement, (0,))[0]:
                selects[statement] = (took, parameters)
        total = sum(took for took, _s, _p in seen) * 1000
        print(f"### {page.title}\n\n`GET {page.path}`: HTTP {status}, {len(seen)} statements, {total:.1f} ms in "
              "SQL\n")
        ranked = sorted(selects.items(), key=lambda item: -item[1][0])[:slowest]
        for statement, (took, parameters) in ranked:
            print(f"{took * 1000:.1f} ms:\n\n```sql\n{_short(statement)}\n```\n\n```\n"
                  f"{_plan(engine, dialect, statement, parameters)}\n```\n")
    event.remove(engine, "before_cursor_execute", before)
    event.remove(engine, "after_cursor_execute", after)


def _short(statement: str, limit: int = 800) -> str:
    statement = re.sub(r"\s+", " ", statement).strip()
    return statement if len(statement) <= limit else statement[:limit] + " …"


def _plan(engine, dialect: str, statement: str, parameters) -> str:
    prefix = "EXPLAIN (ANALYZE, BUFFERS) " if dialect == "postgresql" else "EXPLAIN QUERY PLAN "
    with engine.connect() as conn:
        cursor = conn.connection.driver_connection.cursor()
        cursor.execute(prefix + statement, parameters)
        rows = cursor.fetchall()
        conn.rollback()
    if dialect == "postgresql":
        return "\n".join(row[0] for row in rows)
    depth: dict[int, int] = {0: -1}
    lines = []
    for node, parent, _unused, detail in rows:  # SQLite: (id, parent, notused, detail) as a tree
        depth[node] = depth.get(parent, -1) + 1
        lines.append("  " * depth[node] + detail)
    return "\n".join(lines)


if __name__ == "__main__":
    main()
