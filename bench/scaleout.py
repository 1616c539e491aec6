"""Scale-out (issue 14): several app hosts serve one installation behind one PostgreSQL, and nothing goes wrong.

    python bench/scaleout.py --url postgresql://user@host/postgres [--seconds 60] [--users 50] [--hosts 2]

--url names a PostgreSQL server (any database on it) whose user may create databases: the script creates a
throwaway database there, migrates it, loads the demo, and drops it at the end. It starts --hosts gunicorn
instances (2 workers each) on free ports, all with one instance folder (one secret key, one audit key, one
FILES_DIR: the shared file store), and a local SMTP server. --users simulated people log in as the demo users
(password «demo») and, for --seconds, send their requests to a host picked at random each time (a session made on
one host is used on the other): reads (lists, document and assignment pages, the dashboard, search) and writes
through the REST API with the session and its CSRF token: edits of shared drafts with the version field, new
orders submitted, approved, passed to signing and signed (registration numbers assigned on both hosts at once),
assignments taken, reported and accepted. Meanwhile two `docflow notify send` loops and two `docflow remind` runs
at a time work against the same database. Then a probe pushes one API token past the rate limit for two windows,
across the hosts.

Then it checks, prints each check and exits 1 when one fails: no 5xx and no dropped connection; no lost update
(of the successful edits of a draft no two started from the same version, and the last one is what is stored);
registration numbers gapless and unique per series; every notification mailed exactly once and every reminder
sent exactly once (the SMTP server's messages against the database); no API token allowed more than the limit in
any window across the hosts; and enough of each kind of work done that the checks mean something.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.parse
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from email import message_from_string
from email.header import decode_header, make_header
from http.cookies import SimpleCookie
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import FAST_HASH, ROOT, WORKERS, free_port, start_hosts, stop_hosts  # noqa: E402

PASSWORD = "demo"  # noqa: S105 (the demo users' documented password)
# Who the simulated people are, in turn: two of most roles, so two sessions race for the same work.
ROTATION = ("secretary", "head", "approver", "executor", "controller",
            "secretary", "head", "auditor", "executor", "controller")
TITLE = "Нагрузка: приказ"
DRAFT_TITLE = "Нагрузка: общий проект"
EVENT_DATE = "2026-11-20"
READ_PATHS = ("/tasks", "/documents", "/assignments", "/assignments/dashboard", "/search?q=приказ",
              "/notifications")


@dataclass
class Settings:
    url: str  #: the PostgreSQL server (a database on it)
    seconds: float = 60.0
    users: int = 50
    hosts: int = 2
    api_limit: int = 60  #: API requests per token or user per window, on every host together
    api_window: int = 10
    probe_rate: float = 16.0  #: requests per second the rate-limit probe aims at (above api_limit / api_window)
    think: tuple[float, float] = (0.3, 1.2)  #: a simulated person's pause between two actions, seconds


# --- what happened ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Call:
    host: int
    login: str
    method: str
    path: str
    status: int  #: 0: no answer (the connection failed)
    started: float  #: time.time()
    ended: float


@dataclass(frozen=True)
class Edit:
    document: int
    base: int  #: the version the edit was made on
    status: int
    title: str
    version: int | None = None  #: the version the answer gave (a success)


@dataclass
class Record:
    calls: list[Call] = field(default_factory=list)
    edits: list[Edit] = field(default_factory=list)
    probe: list[Call] = field(default_factory=list)
    commands: list[tuple[str, int, str]] = field(default_factory=list)  #: (command, exit code, output)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, item) -> None:
        with self.lock:
            getattr(self, kind).append(item)


# --- HTTP ---------------------------------------------------------------------------------------------------------


class Session:
    """One simulated person's cookies, sent to whichever host it asks."""

    def __init__(self, ports: list[int], login: str, record: Record, rng: random.Random) -> None:
        self.ports, self.login, self.record, self.rng = ports, login, record, rng
        self.cookies: dict[str, str] = {}
        self.csrf = ""

    def request(self, method: str, path: str, body: dict | None = None, form: dict | None = None,
                headers: dict | None = None, host: int | None = None) -> tuple[int, bytes]:
        host = self.rng.randrange(len(self.ports)) if host is None else host
        sent = dict(headers or {})
        payload = None
        if body is not None:
            payload, sent["Content-Type"] = json.dumps(body).encode(), "application/json"
        elif form is not None:
            payload = urllib.parse.urlencode(form).encode()
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if method != "GET" and path.startswith("/api/") and self.csrf:
            sent["X-CSRFToken"] = self.csrf
        started = time.time()
        status, data = 0, b""
        connection = http.client.HTTPConnection("127.0.0.1", self.ports[host], timeout=120)
        try:
            connection.request(method, urllib.parse.quote(path, safe="/?&=%:"), payload, sent)
            response = connection.getresponse()
            status, data = response.status, response.read()
            for header in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    if morsel.value and morsel["expires"] not in ("Thu, 01 Jan 1970 00:00:00 GMT",):
                        self.cookies[name] = morsel.value
                    else:
                        self.cookies.pop(name, None)
        except OSError:
            status = 0
        finally:
            connection.close()
        self.record.add("calls", Call(host, self.login, method, _shape(path), status, started, time.time()))
        return status, data

    def api(self, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
        status, data = self.request(method, "/api/v1" + path, body=body)
        try:
            return status, json.loads(data) if data else {}
        except ValueError:
            return status, {}

    def log_in(self) -> bool:
        status, page = self.request("GET", "/login")
        match = CSRF.search(page.decode("utf-8", "replace"))
        if status != 200 or not match:
            return False
        status, _ = self.request("POST", "/login", form={"login": self.login, "password": PASSWORD,
                                                         "csrf_token": match.group(1)})
        status, page = self.request("GET", "/documents")
        match = CSRF.search(page.decode("utf-8", "replace"))
        self.csrf = match.group(1) if match else ""
        return status == 200 and bool(self.csrf)


CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
NUMBER = re.compile(r"/\d+")


def _shape(path: str) -> str:
    """The path with its ids and query left out, to group calls by what they are."""
    return NUMBER.sub("/N", path.split("?", 1)[0])


# --- the simulated people -------------------------------------------------------------------------------------------


@dataclass
class World:
    """What the people work on: the ids the demo gave and the shared drafts."""

    users: dict[str, int]
    institute: int  #: the executor's body: it answers for the load's points
    documents: list[int]
    assignments: list[int]
    drafts: list[int] = field(default_factory=list)


def person(session: Session, world: World, until: float, settings: Settings) -> None:
    rng = session.rng
    act = ACTIONS[session.login]
    while time.time() < until:
        if rng.random() < 0.45:
            read(session, world)
        else:
            act(session, world)
        time.sleep(rng.uniform(*settings.think))


def log_in(ports: list[int], count: int, record: Record) -> list[Session]:
    """Each simulated person signs in (on a host picked at random) before the clock starts."""
    rng = random.Random(14)  # noqa: S311 (a load's choices, not a secret)
    sessions = [Session(ports, ROTATION[i % len(ROTATION)], record, random.Random(rng.random()))  # noqa: S311
                for i in range(count)]
    failed: list[str] = []
    threads = [threading.Thread(target=lambda s=s: s.log_in() or failed.append(s.login)) for s in sessions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failed:
        raise RuntimeError(f"could not sign in: {failed}")
    return sessions


def read(session: Session, world: World) -> None:
    rng = session.rng
    choice = rng.random()
    if choice < 0.25:
        session.request("GET", f"/documents/{rng.choice(world.documents)}")
    elif choice < 0.4 and world.assignments:
        session.request("GET", f"/assignments/{rng.choice(world.assignments)}")
    else:
        session.request("GET", rng.choice(READ_PATHS))


def edit_draft(session: Session, world: World) -> None:
    """Change a shared draft's title, sending the version it was read at: a 200 or a 409, never a lost edit."""
    document = session.rng.choice(world.drafts)
    status, doc = session.api("GET", f"/documents/{document}")
    if status != 200:
        return
    title = f"{DRAFT_TITLE} {document}: правка {secrets.token_hex(4)}"
    status, answer = session.api("PUT", f"/documents/{document}", {
        "type": "order", "title": title, "event_date": EVENT_DATE, "version": doc["version"]})
    session.record.add("edits", Edit(document, doc["version"], status, title,
                                     answer.get("version") if status == 200 else None))


def race_for_one_draft(sessions: list[Session], world: World) -> None:
    """Two edits of one draft made on the same version, one through each of two hosts: one is saved, the other must
    be refused (409). Done once before the load, so every run has such a race whatever the machine's speed."""
    session = next(s for s in sessions if s.login == "secretary")
    document = world.drafts[0]
    status, doc = session.api("GET", f"/documents/{document}")
    if status != 200:
        return  # check_answers names it, or check_work finds no conflict
    for host in (0, min(1, len(session.ports) - 1)):
        title = f"{DRAFT_TITLE} {document}: правка через хост {host}"
        code, data = session.request("PUT", f"/api/v1/documents/{document}", host=host, body={
            "type": "order", "title": title, "event_date": EVENT_DATE, "version": doc["version"]})
        answer = json.loads(data) if code == 200 else {}
        session.record.add("edits", Edit(document, doc["version"], code, title, answer.get("version")))


def new_order(session: Session, world: World) -> None:
    status, draft = session.api("POST", "/documents", order_body(world))
    if status != 201:
        return
    status, doc = session.api("POST", f"/documents/{draft['id']}/approvers", {"user_id": world.users["approver"]})
    if status == 200:
        session.api("POST", f"/documents/{draft['id']}/transitions",
                    {"transition": "submit", "comment": "Прошу согласовать", "version": doc["version"]})


def fire_on_one(session: Session, state: str, fire: Callable[[dict], None]) -> None:
    """Open one of the load's orders in `state` (at random: two people often pick the same one) and act on it."""
    status, page = session.api("GET", f"/documents?type=order&state={state}&limit=20")
    mine = [item for item in page.get("items", []) if item.get("title", "").startswith(TITLE)] if status == 200 else []
    if mine:
        status, doc = session.api("GET", f"/documents/{session.rng.choice(mine)['id']}")
        if status == 200:
            fire(doc)


def _transition(session: Session, name: str) -> Callable[[dict], None]:
    def fire(doc: dict) -> None:
        if name in [t["name"] for t in doc.get("transitions", []) if t.get("blocked_reason") is None]:
            session.api("POST", f"/documents/{doc['id']}/transitions", {"transition": name, "version": doc["version"]})
    return fire


def secretary(session: Session, world: World) -> None:
    choice = session.rng.random()
    if choice < 0.45:
        edit_draft(session, world)
    elif choice < 0.75:
        new_order(session, world)
    else:
        fire_on_one(session, "on_approval", _transition(session, "send_to_signing"))


def head(session: Session, world: World) -> None:
    fire_on_one(session, "on_signing", _transition(session, "sign"))


def approver(session: Session, world: World) -> None:
    fire_on_one(session, "on_approval", lambda doc: session.api(
        "POST", f"/documents/{doc['id']}/approval", {"decision": "approved", "version": doc["version"]}))


def _on_assignment(session: Session, status: str, verb: str, body: dict | None) -> None:
    code, page = session.api("GET", f"/assignments?status={status}&limit=50")
    items = page.get("items", []) if code == 200 else []
    if items:
        session.api("POST", f"/assignments/{session.rng.choice(items)['id']}/{verb}", body)


def executor(session: Session, world: World) -> None:
    if session.rng.random() < 0.5:
        _on_assignment(session, "new", "take", None)
    else:
        _on_assignment(session, "in_work", "report", {"text": "Исполнено, отчёт прилагается."})


def controller(session: Session, world: World) -> None:
    _on_assignment(session, "reported", "accept", {"comment": "Принято"})


ACTIONS: dict[str, Callable[[Session, World], None]] = {
    "secretary": secretary, "head": head, "approver": approver, "executor": executor, "controller": controller,
    "auditor": read, "admin": read}


PROBES = 4  #: threads of the rate-limit probe


def probe(ports: list[int], token: str, until: float, rate: float, record: Record, index: int = 0) -> None:
    """One API token asking GET /me `rate` times a second, the hosts in turn: the limit must hold across them."""
    while time.time() < until:
        started = time.time()
        connection = http.client.HTTPConnection("127.0.0.1", ports[index % len(ports)], timeout=120)
        try:
            connection.request("GET", "/api/v1/me", headers={"Authorization": f"Bearer {token}"})
            response = connection.getresponse()
            response.read()
            status = response.status
        except OSError:
            status = 0
        finally:
            connection.close()
        record.add("probe", Call(index % len(ports), "probe", "GET", "/api/v1/me", status, started, time.time()))
        index += 1
        time.sleep(max(0.0, 1 / rate - (time.time() - started)))


# --- the database, the hosts, the mail, the cron jobs ---------------------------------------------------------------


@contextmanager
def throwaway_database(server_url: str) -> Iterator[str]:
    """A new database on the server of `server_url`, dropped afterwards; yields its URL."""
    import psycopg

    name = f"docflow_scaleout_{secrets.token_hex(4)}"
    admin = server_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    parts = urllib.parse.urlsplit(admin)
    try:
        yield urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def environment(workdir: Path, url: str, settings: Settings, smtp_port: int) -> dict[str, str]:
    """What every host and every cron job of the installation is started with: one instance folder (secret key,
    audit key, stored files), one database, one mail server."""
    return dict(os.environ, DOCFLOW_INSTANCE_PATH=str(workdir / "instance"), DOCFLOW_DATABASE_URL=url,
                DOCFLOW_PASSWORD_HASH=json.dumps(FAST_HASH), DOCFLOW_MAIL_SERVER="127.0.0.1",
                DOCFLOW_MAIL_PORT=str(smtp_port), DOCFLOW_API_RATE_LIMIT=str(settings.api_limit),
                DOCFLOW_API_RATE_WINDOW=str(settings.api_window))


def app_for(env: dict[str, str]):
    """The installation's app in this process (its settings read from `env`; this process's own left as they
    were, so a test process is not changed for the tests after it)."""
    from webapp import create_app

    saved = dict(os.environ)
    os.environ.update({k: v for k, v in env.items() if k.startswith("DOCFLOW_")})
    try:
        return create_app()
    finally:
        os.environ.clear()
        os.environ.update(saved)


def prepare(app, orders: int = 0, drafts: int = 1) -> tuple[World, str, dict]:
    """Migrate, load the demo, make the shared drafts, `orders` orders waiting for approval and as many waiting
    to be signed (so the first minute already registers documents on both hosts), and the probe's token; the
    world, the token and the number counters before the load."""
    from sqlalchemy import select

    from webapp.cli import migrate_database
    from webapp.demo.loader import load_demo
    from webapp.extensions import db
    from webapp.models import Assignment, Document, User
    from webapp.services import documents, tokens

    with app.app_context():
        migrate_database()
        load_demo()
        due_soon()
        db.session.commit()
        users = {u.login: u.id for u in db.session.scalars(select(User))}
        executor_user = db.session.get(User, users["executor"])
        secretary_user = db.session.get(User, users["secretary"])
        _, token = tokens.create_token(db.session.get(User, users["auditor"]), "scale-out probe", ["read"], 30)
        writers = {login: tokens.create_token(db.session.get(User, users[login]), "scale-out seed",
                                              ["read", "write"], 30)[1] for login in ("secretary", "approver")}
        shared = []
        for index in range(drafts):
            draft = documents.create_draft(secretary_user, documents.DraftData(
                "order", f"{DRAFT_TITLE} {index}", event_date=date.fromisoformat(EVENT_DATE)))
            shared.append(draft.id)
        db.session.commit()
        world = World(users=users, institute=executor_user.bodies[0].id,
                      documents=list(db.session.scalars(select(Document.id).where(Document.state != "draft"))),
                      assignments=list(db.session.scalars(select(Assignment.id))), drafts=shared)
        db.session.remove()
        seed_orders(app, world, writers, orders)
        before = counters()
        db.session.remove()
        db.engine.dispose()
    return world, token, before


def due_soon() -> None:
    """Three of the demo's open dated assignments due around today — passed yesterday, due tomorrow and in a week —
    so each `remind` run has reminders to send (its overdue notices are for deadlines of the last week only, and
    the demo's are of 2021-2022)."""
    from datetime import timedelta

    from webapp import clock
    from webapp.extensions import db
    from webapp.models import Assignment
    from webapp.services.assignments import open_dated_query

    rows = db.session.scalars(open_dated_query().order_by(Assignment.id).limit(3)).all()
    for row, days in zip(rows, (-1, 1, 7), strict=False):
        row.deadline = clock.today() + timedelta(days=days)


def seed_orders(app, world: World, writers: dict[str, str], count: int) -> None:
    """`count` orders on approval and `count` on signing, made through the API in process (the same calls the
    people make), without the rate limit."""
    app.config["API_RATE_LIMIT"] = 10**9
    client = app.test_client()

    def api(login: str, method: str, path: str, body: dict) -> dict:
        response = client.open("/api/v1" + path, method=method, json=body,
                               headers={"Authorization": f"Bearer {writers[login]}"})
        if response.status_code not in (200, 201):
            raise RuntimeError(f"seeding: {method} {path} -> {response.status_code} {response.get_data(True)[:300]}")
        return response.get_json()

    for index in range(2 * count):
        draft = api("secretary", "POST", "/documents", order_body(world))
        doc = api("secretary", "POST", f"/documents/{draft['id']}/approvers", {"user_id": world.users["approver"]})
        doc = api("secretary", "POST", f"/documents/{draft['id']}/transitions",
                  {"transition": "submit", "comment": "Прошу согласовать", "version": doc["version"]})
        if index % 2:
            doc = api("approver", "POST", f"/documents/{draft['id']}/approval",
                      {"decision": "approved", "version": doc["version"]})
            api("secretary", "POST", f"/documents/{draft['id']}/transitions",
                {"transition": "send_to_signing", "version": doc["version"]})


def order_body(world: World) -> dict:
    """A new order of the load: one point for the executor's body, a controller, a signatory."""
    points = [{"number": "1", "text": "Разработать план методической работы.",
               "responsible_body_ids": [world.institute], "deadline_text": "в срок до 1 февраля 2027 года"}]
    return {"type": "order", "title": f"{TITLE} {secrets.token_hex(3)}", "event_date": EVENT_DATE, "points": points,
            "controller_text": "Контроль исполнения приказа возложить на Суртаеву А.М.",
            "signatories": [{"job_title": "Начальник отдела", "name": "Л.В. Цулая"}]}


def counters() -> dict[tuple, int]:
    from sqlalchemy import select

    from webapp.extensions import db
    from webapp.models import NumberCounter

    return {(c.doc_type, c.body_key, c.year): c.last for c in db.session.scalars(select(NumberCounter))}


class Inbox:
    """What the SMTP server received: (recipients, the message's text)."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], str]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append((list(envelope.rcpt_tos), envelope.content.decode("utf-8", "replace")))
        return "250 OK"


@contextmanager
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    from aiosmtpd.controller import Controller

    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def docflow(env: dict[str, str], *args: str, record: Record) -> int:
    """Run one `docflow` command in a process of its own; its exit code and output are recorded."""
    command = [sys.executable, "-c", "from webapp.cli import main; main()", *args]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)  # noqa: S603
    record.add("commands", (" ".join(args), done.returncode, (done.stdout + done.stderr).strip()))
    return done.returncode


def cron(env: dict[str, str], until: float, record: Record) -> list[threading.Thread]:
    """Two cron hosts: each a process of its own running `docflow notify send` every NOTIFY_EVERY seconds, and
    `docflow remind` at the start and at half time (both hosts at once). The app is made once per process, not
    per command, so the machine's cores go to the load rather than to starting Python."""
    def host() -> None:
        process = subprocess.Popen(  # noqa: S603 (our own interpreter and arguments)
            [sys.executable, str(Path(__file__).resolve()), "--cron-host", str(until)], cwd=ROOT, env=env,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        output = process.communicate()[0]
        for line in output.splitlines():
            if line.startswith("{"):
                done = json.loads(line)
                record.add("commands", (done["command"], done["code"], done["output"]))
        if process.returncode:
            record.add("commands", ("(cron host)", process.returncode, output[-2000:]))

    threads = [threading.Thread(target=host, daemon=True) for _ in range(2)]
    for thread in threads:
        thread.start()
    return threads


NOTIFY_EVERY = 2.0


def cron_host(until: float) -> None:
    """One cron host (a process of its own): the commands through click, as `docflow ...` runs them, one JSON line
    each on stdout."""
    from webapp import create_app

    app = create_app()
    runner = app.test_cli_runner()

    def run_command(*args: str) -> None:
        result = runner.invoke(args=list(args))
        output = result.output + ("".join(traceback.format_exception(result.exception))
                                  if result.exception and not isinstance(result.exception, SystemExit) else "")
        print(json.dumps({"command": " ".join(args), "code": result.exit_code, "output": output.strip()}),
              flush=True)

    half = time.time() + (until - time.time()) / 2
    reminded = 0
    while True:  # `remind` twice, `notify send` at least as often, however slow the machine
        run_command("notify", "send")
        if reminded == 0 or (reminded == 1 and time.time() >= half):
            run_command("remind")
            reminded += 1
        if reminded == 2 and time.time() >= until:
            break
        time.sleep(NOTIFY_EVERY)


# --- the checks -------------------------------------------------------------------------------------------------------


def check_answers(calls: list[Call]) -> list[str]:
    """No 5xx, no request left without an answer."""
    bad = [c for c in calls if c.status >= 500 or c.status == 0]
    shapes = Counter(f"{c.method} {c.path} -> {c.status or 'no answer'}" for c in bad)
    return [f"{count} × {shape}" for shape, count in shapes.most_common(10)]


def check_lost_updates(edits: list[Edit], stored: dict[int, tuple[str, int]]) -> list[str]:
    """Every successful edit of a draft started from a version no other successful edit started from, and the
    last one (the highest version) is what the draft holds; stored: document -> (title, version)."""
    problems = []
    by_document: dict[int, list[Edit]] = defaultdict(list)
    for edit in edits:
        if edit.status == 200:
            by_document[edit.document].append(edit)
    for document, done in by_document.items():
        bases = Counter(edit.base for edit in done)
        for base, count in bases.items():
            if count > 1:
                problems.append(f"draft {document}: {count} edits made on version {base} all succeeded "
                                "(all but one lost)")
        last = max(done, key=lambda edit: edit.version or 0)
        if stored.get(document, (None, None))[0] != last.title:
            problems.append(f"draft {document}: holds «{stored.get(document, ('?',))[0]}», the last successful "
                            f"edit wrote «{last.title}»")
    return problems


def check_numbering(before: dict[tuple, int], after: dict[tuple, int], numbers: dict[tuple, list[str]]) -> list[str]:
    """The numbers the load's documents got in each series are exactly the counter's next ones, each once."""
    problems = []
    for series in sorted(set(after) | set(numbers), key=str):
        got = numbers.get(series, [])
        start, end = before.get(series, 0), after.get(series, 0)
        try:
            values = sorted(int(number) for number in got)
        except ValueError:
            problems.append(f"series {series}: numbers that are not plain sequence numbers: {got[:5]}")
            continue
        expected = list(range(start + 1, end + 1))
        if values != expected:
            duplicates = sorted(v for v, c in Counter(values).items() if c > 1)
            missing = sorted(set(expected) - set(values))
            problems.append(f"series {series}: counter {start} -> {end}, the load's documents hold {len(values)} "
                            f"numbers; duplicates {duplicates[:10]}, missing {missing[:10]}")
    return problems


def check_mail(emails: list[tuple[str, str]], notified: list[tuple[str, str]], unmailed: int,
               reminders: dict[str, int]) -> list[str]:
    """emails: (to, subject) the SMTP server took; notified: (to, subject) of each notification `notify send`
    marked mailed; reminders: recipient -> reminder log rows marked sent. Each notification mailed once, each
    reminder sent once, nothing left unmailed."""
    problems = []
    expected = Counter(notified)
    received = Counter(email for email in emails if email in expected)
    for key, count in expected.items():
        if received[key] != count:
            problems.append(f"notification e-mail to {key[0]} «{key[1][:60]}»: {received[key]} sent, {count} "
                            "expected")
    if unmailed:
        problems.append(f"{unmailed} notification(s) never mailed")
    others = Counter(to for email in emails if email not in expected for to in [email[0]])
    if others != Counter(reminders):
        extra = {to: others[to] - reminders.get(to, 0) for to in set(others) | set(reminders)
                 if others[to] != reminders.get(to, 0)}
        problems.append(f"reminders: e-mails received minus log rows sent, per recipient: {extra}")
    return problems[:20]


def check_rate_limit(probe_calls: list[Call], limit: int, window: int) -> list[str]:
    """No window let the probe's token through more than `limit` times (counting only calls that began and
    ended inside it), and the probe was refused at least once (else it proved nothing)."""
    problems = []
    allowed: Counter = Counter()
    for call in probe_calls:
        start = int(call.started // window) * window
        if call.status == 200 and call.ended < start + window:
            allowed[start] += 1
    for start, count in sorted(allowed.items()):
        if count > limit:
            problems.append(f"window at {time.strftime('%H:%M:%S', time.localtime(start))}: {count} requests let "
                            f"through, the limit is {limit}")
    if not any(call.status == 429 for call in probe_calls):
        problems.append("the probe was never refused (429): the limit was not tested")
    other = Counter(call.status for call in probe_calls if call.status not in (200, 429))
    if other:
        problems.append(f"the probe got other answers: {dict(other)}")
    return problems


def check_work(done: dict[str, int]) -> list[str]:
    """Each kind of work happened at least once, so the other checks tested something."""
    return [f"no {what} during the load" for what, count in done.items() if count < 1]


def check_commands(commands: list[tuple[str, int, str]]) -> list[str]:
    return [f"`docflow {command}` exited {code}: {output[-300:]}" for command, code, output in commands if code]


# --- reading the outcome ------------------------------------------------------------------------------------------


def _subject(message: str) -> str:
    return str(make_header(decode_header(message_from_string(message)["Subject"] or "")))


def outcome(app, world: World, inbox: Inbox) -> dict:
    """What the database holds after the load, in the checks' terms."""
    from sqlalchemy import func, select

    from webapp.extensions import db
    from webapp.models import Assignment, Document, MailSetting, Notification, ReminderLog, User
    from webapp.services.notifications import _subject as notification_subject

    with app.app_context():
        stored = {d.id: (d.title, d.version) for d in db.session.scalars(
            select(Document).where(Document.id.in_(world.drafts)))}
        registered = db.session.scalars(select(Document).where(Document.title.startswith(TITLE),
                                                               Document.number.is_not(None)))
        numbers: dict[tuple, list[str]] = defaultdict(list)
        for document in registered:
            numbers[(document.doc_type, document.issuing_body_id or 0, document.reg_date.year)].append(document.number)
        emails = {u.id: u.email for u in db.session.scalars(select(User))}
        modes = {s.user_id: s.mode for s in db.session.scalars(select(MailSetting))}
        notified, unmailed = [], 0
        for row in db.session.scalars(select(Notification)):
            if row.mailed_at is not None and row.mail_attempts:
                notified.append((emails[row.user_id], notification_subject(row.text)))
            elif row.mailed_at is None and emails.get(row.user_id) and modes.get(row.user_id, "each") == "each":
                unmailed += 1
        reminders = Counter(emails[row.user_id] for row in db.session.scalars(
            select(ReminderLog).where(ReminderLog.status == "sent")))
        accepted = db.session.scalar(select(func.count()).select_from(Assignment).where(
            Assignment.document_id.in_(select(Document.id).where(Document.title.startswith(TITLE))),
            Assignment.status == "done")) or 0
        after = counters()
        db.session.remove()
        db.engine.dispose()
    received = [(to, _subject(text)) for recipients, text in inbox.messages for to in recipients]
    return {"stored": stored, "numbers": dict(numbers), "notified": notified, "unmailed": unmailed,
            "reminders": dict(reminders), "emails": received, "after": after, "accepted": accepted}


# --- the run --------------------------------------------------------------------------------------------------------


def run(settings: Settings, out=print) -> bool:
    """The whole scale-out run; prints what it did and each check; True when every check passed."""
    workdir = Path(tempfile.mkdtemp(prefix="docflow-scaleout-"))
    record = Record()
    try:
        with throwaway_database(settings.url) as url, smtp_server() as (inbox, smtp_port):
            env = environment(workdir, url, settings, smtp_port)
            app = app_for(env)
            started = time.perf_counter()
            world, token, before = prepare(app, orders=max(3, settings.users // 3),
                                             drafts=max(1, settings.users // 20))
            out(f"database {url.rsplit('/', 1)[1]}: demo loaded in {time.perf_counter() - started:.1f} s")
            servers, ports = start_hosts(settings.hosts, env)
            try:
                out(f"{settings.hosts} hosts × {WORKERS} gunicorn workers on ports {ports}, one instance folder "
                    f"{workdir / 'instance'}; {settings.users} people for {settings.seconds:g} s")
                sessions = log_in(ports, settings.users, record)
                race_for_one_draft(sessions, world)
                until = time.time() + settings.seconds
                people = [threading.Thread(target=person, daemon=True, args=(session, world, until, settings))
                          for session in sessions]
                jobs = cron(env, until, record)
                for thread in people:
                    thread.start()
                for thread in [*people, *jobs]:
                    thread.join()
                # The limit, on hosts no longer saturated by the load (whose own 429s show it too): one token
                # asking faster than it allows, for two windows, the hosts in turn.
                probe_until = time.time() + 2 * settings.api_window
                probers = [threading.Thread(target=probe, daemon=True, args=(
                    ports, token, probe_until, settings.probe_rate / PROBES, record, index))
                    for index in range(PROBES)]
                for thread in probers:
                    thread.start()
                for thread in probers:
                    thread.join()
                docflow(env, "notify", "send", record=record)  # what the last minute's work left to mail
            finally:
                stop_hosts(servers)
            return report(settings, record, outcome(app, world, inbox), before, out)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def report(settings: Settings, record: Record, result: dict, before: dict, out=print) -> bool:
    calls = record.calls
    statuses = Counter(call.status for call in calls)
    per_host = Counter(call.host for call in calls)
    edits = Counter(edit.status for edit in record.edits)
    times = defaultdict(list)
    for call in calls:
        times[f"{call.method} {call.path}"].append((call.ended - call.started) * 1000)
    signed = sum(len(v) for v in result["numbers"].values())
    duration = max((c.ended for c in calls), default=0) - min((c.started for c in calls), default=0)
    out(f"requests: {len(calls):,} in {duration:.0f} s ({len(calls) / max(duration, 1):.0f}/s); by host "
        f"{dict(sorted(per_host.items()))}; by status {dict(sorted(statuses.items()))}")
    every = sorted(t for values in times.values() for t in values)
    if every:
        medians = {shape: sorted(values)[len(values) // 2] for shape, values in times.items()}
        slowest = sorted(medians.items(), key=lambda item: -item[1])[:4]
        out(f"answer time at the client: p50 {every[len(every) // 2]:.0f} ms, p95 "
            f"{every[int(len(every) * 0.95)]:.0f} ms; slowest (median): "
            + ", ".join(f"{shape} {ms:.0f} ms" for shape, ms in slowest))
    out(f"draft edits: {edits.get(200, 0)} saved, {edits.get(409, 0)} refused as conflicts (409); orders registered "
        f"{signed}; assignments of the load's orders accepted {result['accepted']}")
    notify_runs = sum(1 for command, *_ in record.commands if command.startswith("notify"))
    remind_runs = sum(1 for command, *_ in record.commands if command.startswith("remind"))
    out(f"e-mails: {len(result['notified'])} notifications by {notify_runs} `notify send` runs, "
        f"{sum(result['reminders'].values())} reminders by {remind_runs} `remind` runs")
    probe_statuses = Counter(call.status for call in record.probe)
    users_limited = sum(1 for call in calls if call.status == 429)
    out(f"the load's own requests refused by the rate limit (429): {users_limited}")
    out(f"rate-limit probe after the load: {len(record.probe)} requests, {dict(sorted(probe_statuses.items()))} (limit "
        f"{settings.api_limit} per {settings.api_window} s)")
    done = {"successful draft edit": edits.get(200, 0), "edit conflict (409)": edits.get(409, 0),
            "registered order": signed, "notification e-mail": len(result["notified"]),
            "reminder e-mail": sum(result["reminders"].values())}
    checks = [
        ("no 5xx, every request answered", check_answers(calls)),
        ("no lost update", check_lost_updates(record.edits, result["stored"])),
        ("registration numbers gapless and unique", check_numbering(before, result["after"], result["numbers"])),
        ("each notification and reminder e-mailed once",
         check_mail(result["emails"], result["notified"], result["unmailed"], result["reminders"])),
        ("API rate limit held across hosts", check_rate_limit(record.probe, settings.api_limit, settings.api_window)),
        ("cron commands succeeded", check_commands(record.commands)),
        ("the load did each kind of work", check_work(done)),
    ]
    passed = True
    for title, problems in checks:
        out(f"{'ok  ' if not problems else 'FAIL'} {title}")
        for problem in problems:
            out(f"       {problem}")
        passed = passed and not problems
    return passed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="a PostgreSQL server whose user may create databases")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--hosts", type=int, default=2)
    if sys.argv[1:2] == ["--cron-host"]:  # the script's own child: `--cron-host UNTIL`
        cron_host(float(sys.argv[2]))
        return
    args = parser.parse_args()
    if not args.url.startswith(("postgresql://", "postgresql+psycopg://", "postgres://")):
        parser.error("--url must be a PostgreSQL URL: several hosts share one PostgreSQL")
    settings = Settings(args.url.replace("postgres://", "postgresql://", 1), args.seconds, args.users, args.hosts)
    sys.exit(0 if run(settings) else 1)


if __name__ == "__main__":
    main()
