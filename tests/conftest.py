"""Fixtures: the service's clock fixed for every test, and an app on a private database copied from one built
once per test process (SQLite files, or PostgreSQL template databases when DOCFLOW_TEST_DATABASE_URL is set)."""

from __future__ import annotations

import os
import re
import shutil
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import psycopg
import pytest
import time_machine
from sqlalchemy import create_engine, event, select, text
from sqlalchemy.engine import make_url

from tests.app_factory import make_app
from webapp.extensions import db
from webapp.services.users import create_user

TEST_PG = os.environ.get("DOCFLOW_TEST_DATABASE_URL")
TEST_PASSWORD = "Docflow-test-2026"  # noqa: S105 - every user made by make_user has it

# The day every test runs on unless it says otherwise; the organisation (TIMEZONE's default) is in Moscow.
TODAY = date(2026, 11, 23)
ZONE = ZoneInfo("Europe/Moscow")


def moment(day: date | datetime) -> datetime:
    """A day means 10:00 of it in Moscow: far from midnight, so a test's few seconds never change the day."""
    return day if isinstance(day, datetime) else datetime.combine(day, time(10), ZONE)


class FrozenClock:
    """The service's clock in a test: starts on TODAY and moves only when the test says so."""

    def __init__(self, coordinates: time_machine.Coordinates):
        self._coordinates = coordinates

    def move_to(self, day: date | datetime) -> None:
        self._coordinates.move_to(moment(day))


@pytest.fixture(autouse=True)
def frozen_clock() -> Iterator[FrozenClock]:
    """Every test runs on TODAY, whatever the machine's clock says (CI runs the PostgreSQL suite 500 days ahead).

    The whole process travels (time-machine patches datetime, date and time), so the service's clock
    (webapp/clock.py), libraries' timestamps and the test server's threads all agree. The clock ticks from
    there: timestamps still increase within a test."""
    with time_machine.travel(moment(TODAY), tick=True) as coordinates:
        yield FrozenClock(coordinates)


@pytest.fixture(autouse=True)
def _private_instance(tmp_path, monkeypatch):
    """No test writes into the clone's instance/ folder; and the tests' throwaway SQLite databases (theirs and the
    servers' they start) commit without waiting for the disk (half a millisecond a commit on the development
    machine; about 1% of the suite's time there, more on a slower disk)."""
    monkeypatch.setenv("DOCFLOW_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv("DOCFLOW_SQLITE_SYNC_EVERY_COMMIT", "false")


# --- databases: built once per test process, copied for each test ---------------------------------------


# Argon2's cheapest cost: a login costs microseconds instead of 0.1 s. Tests log in thousands of times; none is
# about the hash's strength except test_auth's, which sets the service's default back.
FAST_PASSWORD_HASH = {"time_cost": 1, "memory_cost": 8, "parallelism": 1}


# A render's wall-clock budget (5 s in service) is about a template's loops; the tests of it pass their own limits.
# On a test machine whose two cores run both workers, LibreOffice and Chromium at once, a render of a demo order
# was once stalled past 5 s and failed a test about PDF conversion.
TEST_RENDER_SECONDS = 60.0


def _test_config(url: str, files_dir: Path) -> dict:
    return {"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "test-secret", "FILES_DIR": str(files_dir),
            "PASSWORD_HASH": FAST_PASSWORD_HASH, "TEMPLATE_RENDER_SECONDS": TEST_RENDER_SECONDS,
            # the dashboard counts after every change (a count slower than 0.5 s on a busy machine would show the
            # one before it): tests/web/test_dashboard_recent.py sets the recent counts on
            "DASHBOARD_RECENT_SECONDS": 0}


def _load_demo():
    from webapp.demo.loader import load_demo

    load_demo()


def _build(url: str, workdir: Path, fill: Callable[[], Any] | None) -> Any:
    """Migrate a database and fill it (load the demo, build a test's world) through the service's own code;
    returns what `fill` returns."""
    from webapp.cli import migrate_database

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DOCFLOW_INSTANCE_PATH", str(workdir / "instance"))
        app = make_app(_test_config(url, workdir / "files"))
    with app.app_context():
        migrate_database()
        built = fill() if fill else None
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return built


def _pg_url(name: str) -> str:
    return make_url(TEST_PG).set(database=name).render_as_string(hide_password=False)


class _Databases:
    """Template databases of one test process, built when first asked for, and private copies of them."""

    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.prefix = f"docflow_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        self.admin = None
        if TEST_PG:
            self.admin = create_engine(TEST_PG.replace("postgresql://", "postgresql+psycopg://", 1),
                                       isolation_level="AUTOCOMMIT")
        self.templates: dict[str, str] = {}
        self.strategy = ""  # PostgreSQL 15+: copy a small template by files, much faster than through the WAL
        if self.admin is not None:
            with self.admin.connect() as conn:
                if int(conn.execute(text("SHOW server_version_num")).scalar()) >= 150000:
                    self.strategy = " STRATEGY FILE_COPY"
        self.built: dict[str, Any] = {}  # what each template's fill returned (a world's ids)
        self.snapshots: dict[str, _Snapshot] = {}  # PostgreSQL: how to put a copy of each template back
        self.free: dict[str, list[str]] = {}  # PostgreSQL: copies put back after their test, ready for the next
        # PostgreSQL: per copy, the connection that puts it back, kept open (a new backend reads the catalog of every
        # table again: 35 of a put-back's 70 ms), and its last put-back (that transaction's id)
        self.putting_back: dict[str, tuple[psycopg.Connection, str]] = {}

    def _execute(self, sql: str) -> None:
        with self.admin.connect() as conn:
            conn.execute(text(sql))

    def template(self, kind: str, fill: Callable[[], Any] | None = None) -> str:
        """The template database of a kind, built on first use (on TODAY, whatever the test's clock says): a copy of
        the migrated one, filled (migrating each kind's from nothing took 2.7 s on SQLite)."""
        if kind not in self.templates:
            migrated = None if kind == "migrated" else self.template("migrated")
            with time_machine.travel(moment(TODAY), tick=True):
                if TEST_PG:
                    name = f"{self.prefix}_{kind}"
                    self._execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{migrated}"{self.strategy}'
                                                                  if migrated else ""))
                    try:
                        self.built[kind] = _build(_pg_url(name), self.workdir / kind, fill)
                        self.snapshots[kind] = _Snapshot.take(name)
                    except BaseException:
                        self._execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # the next test retries
                        raise
                    self.templates[kind] = name
                else:
                    path = self.workdir / f"{kind}.sqlite3"
                    if migrated:
                        shutil.copyfile(migrated, path)
                    self.built[kind] = _build(f"sqlite:///{path}", self.workdir / kind, fill)
                    self.templates[kind] = str(path)
        return self.templates[kind]

    def copy(self, kind: str, tmp_path: Path, fill: Callable[[], Any] | None = None
             ) -> tuple[str, Callable[[], None]]:
        """A private database holding what the template of that kind holds (and the files it stored, copied into
        tmp_path/files), and how to give it back (dropped on SQLite, put back in place for reuse on PostgreSQL)."""
        template = self.template(kind, fill)
        if (self.workdir / kind / "files").is_dir():
            shutil.copytree(self.workdir / kind / "files", tmp_path / "files", dirs_exist_ok=True)
        if not TEST_PG:
            path = tmp_path / "test.sqlite3"
            shutil.copyfile(template, path)
            return f"sqlite:///{path}", lambda: None
        free = self.free.setdefault(kind, [])
        if free:
            name = free.pop()
        else:
            name = f"{self.prefix}_{uuid.uuid4().hex[:12]}"
            self._execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"{self.strategy}')

        def release() -> None:
            if self._put_back(kind, name):
                free.append(name)
        return _pg_url(name), release

    @staticmethod
    def let_go(app) -> None:
        """Before its copy is put back: the app's session ends; a SQLite file (copied over, or dropped) also needs
        its connections closed, while a PostgreSQL copy is put back in place and its engine stays open for the
        copy's next app (a new backend reads the catalog again)."""
        with app.app_context():
            db.session.remove()
            if db.engine.dialect.name == "sqlite":
                db.engine.dispose()

    def _put_back(self, kind: str, name: str) -> bool:
        """Put a PostgreSQL copy back as its template was, in place (a few deletes and inserts: about 30 ms, against
        250 ms for dropping it and copying the template again); when that cannot be done (a test changed the
        schema, or left a connection holding locks), drop it. True when the copy can be used again."""
        snapshot = self.snapshots[kind]
        try:
            if name not in self.putting_back:
                self.putting_back[name] = _Snapshot.connect(name), snapshot.horizon
            conn, horizon = self.putting_back[name]
            self.putting_back[name] = conn, snapshot.put_back(name, conn, horizon)
            return True
        except Exception:  # noqa: BLE001 - any failure: the copy is dropped and the next test gets a fresh one
            if (kept := self.putting_back.pop(name, None)) is not None:
                kept[0].close()
            self._execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            return False

    def restore(self, kind: str, url: str) -> None:
        """Put a private copy back as its template was (on SQLite its app's connections must be closed first; on
        PostgreSQL they may stay open, idle)."""
        template = self.templates[kind]
        if not TEST_PG:
            path = Path(url.removeprefix("sqlite:///"))
            for leftover in (Path(f"{path}-wal"), Path(f"{path}-shm")):
                leftover.unlink(missing_ok=True)
            shutil.copyfile(template, path)
            return
        name = make_url(url).database
        if not self._put_back(kind, name):
            self._execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"{self.strategy}')

    def close(self) -> None:
        for conn, _horizon in self.putting_back.values():
            conn.close()
        if self.admin is not None:
            for name in [*self.templates.values(), *(n for names in self.free.values() for n in names)]:
                self._execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            self.admin.dispose()


class _Snapshot:
    """A PostgreSQL template's rows kept beside them (schema test_snapshot, copied with the template into every
    copy) and the SQL that puts a copy's tables back to them, with its sequences."""

    SCHEMA = "test_snapshot"
    # The shape of the public schema (tables, columns and their types, indexes, constraints, and each one's oid): a
    # copy whose shape a test changed (a migration test) is dropped, not put back. The oids catch a migration test that
    # downgrades and upgrades again: an index built again over a table with updated rows is marked indcheckxmin, and
    # no transaction whose snapshot is older than it may use it; with the other worker's transaction open, the next
    # test on the copy (tests/web/test_search_walk.py, in CI) saw a plan without the index.
    SHAPE = """
        SELECT md5(string_agg(c.relname || ':' || c.oid::text || ':' || c.relkind::text || ':'
                              || coalesce(a.attname, '') || ':'
                              || coalesce(a.atttypid::text, ''), ',' ORDER BY c.relname, a.attnum))
            || md5(coalesce((SELECT string_agg(conname || contype::text, ',' ORDER BY conname) FROM pg_constraint
                              WHERE connamespace = 'public'::regnamespace), ''))
        FROM pg_class c LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
        WHERE c.relnamespace = 'public'::regnamespace"""

    def __init__(self, shape: str, tables: dict[str, tuple[int, str]], sequences: str, horizon: str):
        self.shape, self.tables, self.sequences, self.horizon = shape, tables, sequences, horizon
        # Which tables a test changed, in one statement: a row count other than the template's, or a row written
        # (inserted, or updated: a new row version) by a transaction after the copy's last put-back — its xmin younger
        # than that transaction's id (xid ages, as the ids themselves have no order).
        # (table names below come from the catalog, not from input)
        self.changes = " UNION ALL ".join(
            f"SELECT '{table}', count(*) <> {rows} OR coalesce(min(age(xmin)) < age(%(horizon)s::xid), false) "  # noqa: S608
            f'FROM public."{table}"' for table, (rows, _) in tables.items())

    @staticmethod
    def connect(name: str) -> psycopg.Connection:
        return psycopg.connect(make_url(_pg_url(name)).set(drivername="postgresql").render_as_string(False),
                               autocommit=True)

    @classmethod
    def take(cls, name: str) -> _Snapshot:
        with cls.connect(name) as conn:
            names = [t for (t,) in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                                                "ORDER BY tablename")]
            conn.execute(f"DROP SCHEMA IF EXISTS {cls.SCHEMA} CASCADE")  # the migrated template's, copied with it
            conn.execute(f"CREATE SCHEMA {cls.SCHEMA}")
            tables = {}
            for table in names:  # (table and column names below come from the catalog, not from input)
                conn.execute(f'CREATE TABLE {cls.SCHEMA}."{table}" AS TABLE public."{table}"')
                rows = conn.execute(f'SELECT count(*) FROM public."{table}"').fetchone()[0]  # noqa: S608
                sql = f'DELETE FROM public."{table}"'  # noqa: S608
                if rows:
                    columns = ", ".join(f'"{c}"' for (c,) in conn.execute(
                        "SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' "
                        "AND table_name = %s AND is_generated = 'NEVER' ORDER BY ordinal_position", (table,)))
                    sql += (f';\nINSERT INTO public."{table}" ({columns}) OVERRIDING SYSTEM VALUE '  # noqa: S608
                            f'SELECT {columns} FROM {cls.SCHEMA}."{table}"')
                tables[table] = rows, sql
            sequences = [f"setval('public.\"{sequence}\"', {last or 1}, {last is not None})"
                         for sequence, last in conn.execute("SELECT sequencename, last_value FROM pg_sequences "
                                                            "WHERE schemaname = 'public'")]
            shape = conn.execute(cls.SHAPE).fetchone()[0]
            horizon = conn.execute("SELECT xid(pg_current_xact_id())::text").fetchone()[0]  # younger than every row
        return cls(shape, tables, "SELECT " + (", ".join(sequences) or "1"), horizon)

    def put_back(self, name: str, conn: psycopg.Connection, horizon: str) -> str:
        """Put the copy `name` back over `conn`, an autocommit connection to it, whose last put-back (or the
        template's snapshot) was transaction `horizon`: the tables changed since are emptied and filled again from
        the snapshot (all of them took 35 ms), the sequences set back. Returns this put-back's transaction id."""
        if conn.execute(self.SHAPE).fetchone()[0] != self.shape:
            raise RuntimeError(f"the schema of {name} was changed")
        with conn.transaction():
            conn.execute("SET LOCAL lock_timeout = '5s'; SET LOCAL session_replication_role = replica")
            changed = [table for table, yes in conn.execute(self.changes, {"horizon": horizon}) if yes]
            conn.execute(";\n".join([*(self.tables[table][1] for table in changed), self.sequences]))
            # a new version of the data, as a restore gives (services/versions.py): what a process counted on
            # the copy's last use under the template's token is not the next test's
            conn.execute("UPDATE data_version SET token = md5(random()::text)")
            return conn.execute("SELECT xid(pg_current_xact_id())::text").fetchone()[0]


@pytest.fixture(scope="session")
def databases(tmp_path_factory) -> Iterator[_Databases]:
    """Each test process (each pytest-xdist worker) migrates once and loads the demo once, on TODAY."""
    built = _Databases(tmp_path_factory.mktemp("templates"))
    yield built
    built.close()


@contextmanager
def private_app(databases: _Databases, kind: str, home: Path, fill: Callable[[], Any] | None = None
                ) -> Iterator[Any]:
    """An app on a private copy of a template database, its stored files in home/files; dropped after."""
    url, drop = databases.copy(kind, home, fill)
    app = make_app(_test_config(url, home / "files"))
    try:
        yield app
    finally:
        databases.let_go(app)
        drop()


@pytest.fixture
def app(request, tmp_path, databases):
    """The app on a private, migrated database; with the demo loaded when the test also asks for demo_app."""
    kind, fill = ("demo", _load_demo) if "demo_app" in request.fixturenames else ("migrated", None)
    with private_app(databases, kind, tmp_path, fill) as app:
        yield app


@pytest.fixture
def demo_app(app):
    """The app with the five sample documents, their bodies and the demo users (password «demo»)."""
    return app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make_user(app):
    """A factory: make_user("sec", "secretary") creates a user whose password is TEST_PASSWORD."""

    def make(login: str, *roles: str, bodies: list[str] = ()):
        with app.app_context():
            user = create_user(login, f"Пользователь {login}", TEST_PASSWORD, list(roles), list(bodies))
            db.session.commit()
            return user.id

    return make


class AuthActions:
    def __init__(self, client):
        self._client = client

    def csrf(self, path: str = "/login") -> str:
        """The CSRF token of the form on a page (any signed-in page has the logout form's)."""
        page = self._client.get(path).get_data(as_text=True)
        match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
        assert match, f"no CSRF token on {path}"
        return match.group(1)

    def login(self, login: str, password: str = TEST_PASSWORD):
        return self._client.post("/login", data={"login": login, "password": password,
                                                 "csrf_token": self.csrf("/login")})

    def logout(self):
        response = self._client.get("/documents")
        if response.status_code != 200:
            return response  # nobody is logged in
        return self._client.post("/logout", data={"csrf_token": self.csrf("/documents")})


@pytest.fixture
def auth(client):
    return AuthActions(client)


def audit_events(*conditions) -> list:
    """The audit trail's events that meet the conditions, in the order they were recorded (by id): not in the order
    their rows lie on disk, which a PostgreSQL copy put back in part reuses freely."""
    from webapp.models import Event

    return list(db.session.scalars(select(Event).where(*conditions).order_by(Event.id)))


@contextmanager
def counted_statements(app) -> Iterator[list[str]]:
    """The SQL statements the app's engine runs inside the block (to assert a page's count does not grow)."""
    with app.app_context():
        engine = db.engine
    seen: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def has_planner_statistics(table: str) -> bool:
    """Whether the query planner has statistics of `table`'s rows gathered by the service's own ANALYZE (on
    PostgreSQL, not autovacuum's, which comes round in its own time): SQLite's sqlite_stat1 counts rows in it;
    PostgreSQL's table was analysed by a statement (last_analyze) and its columns have statistics."""
    if db.engine.dialect.name == "postgresql":
        return bool(db.session.scalar(text(
            "SELECT s.last_analyze IS NOT NULL AND EXISTS (SELECT 1 FROM pg_stats c WHERE c.schemaname = "
            "s.schemaname AND c.tablename = s.relname) FROM pg_stat_user_tables s "
            "WHERE s.schemaname = current_schema() AND s.relname = :table"), {"table": table}))
    if not db.session.scalar(text("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")):
        return False  # ANALYZE never ran on this database
    stats = db.session.scalars(text("SELECT stat FROM sqlite_stat1 WHERE tbl = :table"), {"table": table}).all()
    return any(stat and int(stat.split()[0]) > 0 for stat in stats)
