"""Synthetic load data through the real schema: a region's years of documents, assignments, reports, extensions
and audit events, for benchmarks (`docflow gen-load`).

Rows are made as tuples, table by table, and written in batches in one transaction: PostgreSQL through COPY,
SQLite through the driver's executemany with the journal in memory, no fsync and no foreign-key or CHECK evaluation.
The loaded tables' secondary indexes (and PostgreSQL's foreign keys) are made again after the load, so a million
assignments take minutes, not hours.
Every value a column needs that the generator does not choose comes from the column's own default, so a column
added to a model is filled here too. The audit trail is chained and keyed like the service's own (`docflow audit
verify` passes). With `search=True` the search index is written in the same pass (`webapp.services.search.entries_of`,
what the service itself indexes), not rebuilt afterwards from the database.
"""

from __future__ import annotations

import hmac
import json
import random
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import count, repeat
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Table, func, select

from webapp import clock
from webapp.extensions import db
from webapp.models import Assignment, AuditHead, Document
from webapp.ru.collation import sort_text
from webapp.services import routines, versions
from webapp.services.audit import GENESIS, audit_key, event_hash
from webapp.services.backup import reset_sequences
from webapp.services.search import entries_of

BATCH = 5000
# the tables that take most rows; their secondary indexes (and foreign keys) are made again after the load
LOADED = ("document", "agenda_item", "point", "point_responsible", "assignment", "assignment_coexecutor",
          "assignment_report", "deadline_change", "audit_event")
# events' before/after, as the JSON columns store them and as the audit chain hashes them
SIGNED, PUBLISHED = {"state": "signed"}, {"state": "published"}
REPORTED, DONE = {"status": "reported"}, {"status": "done"}
# SQLite for one big load, set back after it (see _sqlite_bulk)
BULK_PRAGMAS = {"journal_mode": "MEMORY", "synchronous": "OFF", "foreign_keys": "OFF", "ignore_check_constraints": "ON",
                "cache_size": "-262144", "temp_store": "MEMORY"}
YEARS = 15
OVERDUE_SHARE = 0.15  # of assignments whose deadline has passed, this many are still open
COEXECUTOR_SHARE = 0.15  # of assignments, this many name co-executors besides the lead body: one, or (a third) two
TYPES = (("order", 45), ("protocol", 30), ("decision", 10), ("resolution", 5), ("regulation", 5), ("plan", 5))
HEADINGS = {"order": "ПРИКАЗ", "protocol": "ПРОТОКОЛ", "decision": "РЕШЕНИЕ", "resolution": "РЕЗОЛЮЦИЯ",
            "regulation": "ПОЛОЖЕНИЕ", "plan": "ПЛАН"}
ACTIONS = ("обеспечить участие педагогических работников в региональном этапе конкурса",
           "представить отчёт о выполнении плана мероприятий", "организовать проведение мониторинга",
           "разработать и утвердить дорожную карту", "провести совещание с руководителями организаций",
           "актуализировать информацию на официальном сайте", "направить предложения в министерство",
           "обеспечить подготовку образовательных организаций к новому учебному году")
TITLES = ("О проведении мониторинга качества образования", "Об организации летнего отдыха детей",
          "О подготовке к государственной итоговой аттестации", "О реализации проекта «Цифровая школа»",
          "Об итогах проверки исполнения поручений", "О создании рабочей группы")
SURNAMES = ("Иванова", "Петров", "Сидорова", "Кузнецов", "Смирнова", "Попов", "Волкова", "Соколов", "Лебедева",
            "Козлов", "Новикова", "Морозов")
REPORT_TEXT = "Исполнено. Информация направлена."
EXTENSION_REASON = "Перенос сроков проведения регионального этапа"

# the generated tables' columns, in the order of the tuples made below
DOCUMENT = ("id", "doc_type", "state", "version", "slug", "heading", "title", "issuing_body_id", "author_id",
            "event_date", "created_at", "updated_at", "number", "reg_date")
AGENDA = ("id", "document_id", "position", "number", "title")
POINT = ("id", "document_id", "agenda_item_id", "position", "number", "text", "is_assignment", "action", "deadline",
         "deadline_kind", "deadline_text")
RESPONSIBLE = ("id", "point_id", "body_id", "position")
COEXECUTOR = ("assignment_id", "body_id")
ASSIGNMENT = ("id", "document_id", "point_id", "lead_body_id", "controller_id", "action", "deadline",
              "original_deadline", "deadline_text", "deadline_kind", "status", "created_at", "completed_on",
              "doc_sort_date")  # (the document's date, which migration 0044's trigger would otherwise look up per row)
REPORT = ("id", "assignment_id", "author_id", "text", "created_at", "decision", "decided_by_id", "decided_at")
CHANGE = ("id", "assignment_id", "requested_by_id", "requested_at", "reason", "requested_date", "old_date",
          "new_date", "status", "decided_by_id", "decided_at")
EVENT = ("id", "at", "actor_id", "action", "object_type", "object_id", "document_id", "before", "after", "comment",
         "prev_hash", "hash")


@dataclass
class Sizes:
    documents: int
    assignments: int
    bodies: int
    users: int
    seed: int = 1
    big_protocol: int = 0  #: points of one protocol (in agenda items of 30 points): its page at scale
    busy_body: int = 0  #: assignments of one school (its «Мои поручения» at scale), from its department's documents


@dataclass
class _Ids:
    """The next id of each table (the generated rows follow what the database holds)."""

    next: dict[str, int] = field(default_factory=dict)

    def take(self, table: str) -> int:
        value = self.next[table]
        self.next[table] = value + 1
        return value


class _Shape:
    """How the tuples of some of a table's columns become whole rows: the other columns' defaults appended (a
    scalar default, or a callable one that gives the same value twice, once for all rows; a callable that does
    not, such as a clock, called per row), NULL for the columns without a default left to the database."""

    def __init__(self, table: Table, names: tuple[str, ...], prepare: Callable[[Any, Any], Any]) -> None:
        self.columns = list(names)
        constants: list[Any] = []
        self.callables: list[Callable[[], Any]] = []
        for column in table.columns:
            if column.name in names:
                continue
            default = column.default
            if default is None or default.is_scalar:
                value = None if default is None else default.arg
                if value is None and column.server_default is None:
                    continue  # NULL either way
                constants.append(prepare(column, value))
                self.columns.append(column.name)
            elif (value := prepare(column, default.arg(None))) == prepare(column, default.arg(None)):
                constants.append(value)
                self.columns.append(column.name)
            else:
                self.callables.append(lambda column=column, call=default.arg: prepare(column, call(None)))
                self.columns.append(column.name)
        self.constants = tuple(constants)

    def complete(self, rows: list[tuple]) -> Iterable[tuple]:
        if self.callables:
            return [row + self.constants + tuple(call() for call in self.callables) for row in rows]
        if not self.constants:
            return rows
        return map(tuple.__add__, rows, repeat(self.constants))


class _Writer:
    """Tuples of one table's columns written in batches: the driver's executemany on SQLite, COPY on PostgreSQL.
    The generator gives values as the database stores them (dates and times as ISO text, JSON as text), so nothing
    is converted per value here."""

    def __init__(self, conn) -> None:
        self.conn = conn
        self.driver = conn.connection.driver_connection
        self.postgres = conn.dialect.name == "postgresql"
        self.counts: dict[str, int] = {}
        self._shapes: dict[tuple[str, tuple[str, ...]], _Shape] = {}

    def _prepare(self, column, value):
        """A default's value as the driver takes it (SQLite: the column type's own bind processing)."""
        if value is None:
            return None
        if self.postgres:
            return json.dumps(value, ensure_ascii=False) if column.type.__class__.__name__ == "JSON" else value
        process = column.type.bind_processor(self.conn.dialect)
        return process(value) if process else value

    def write(self, table: Table, names: tuple[str, ...], rows: list[tuple]) -> None:
        for start in range(0, len(rows), BATCH * 4):
            self._flush(table, names, rows[start:start + BATCH * 4])

    def write_dicts(self, table: Table, rows: list[dict[str, Any]]) -> None:
        """The few rows made as dicts (bodies, users), written by the keys they give (the other columns take
        their defaults)."""
        shapes: dict[tuple[str, ...], list[tuple]] = {}
        for row in rows:
            shapes.setdefault(tuple(row), []).append(tuple(row.values()))
        for names, tuples in shapes.items():
            self.write(table, names, tuples)

    def _flush(self, table: Table, names: tuple[str, ...], rows: list[tuple]) -> None:
        if not rows:
            return
        self.counts[table.name] = self.counts.get(table.name, 0) + len(rows)
        key = (table.name, names)
        if key not in self._shapes:
            self._shapes[key] = _Shape(table, names, self._prepare)
        shape = self._shapes[key]
        listed = ", ".join(f'"{name}"' for name in shape.columns)  # names from the models, not from input
        if not self.postgres:
            statement = f'INSERT INTO "{table.name}" ({listed}) VALUES ({", ".join("?" * len(shape.columns))})'  # noqa: S608
            self.driver.executemany(statement, shape.complete(rows))
            return
        with self.driver.cursor().copy(f'COPY "{table.name}" ({listed}) FROM STDIN') as copy:
            write_row = copy.write_row
            for row in shape.complete(rows):
                write_row(row)


class _Calendar:
    """Days as ordinals, and the text of each day the load needs, made once: «2024-03-01» (as a date column holds
    it), «01.03.2024», the year; and a moment of the working day («2024-03-01 09:15:00+00:00»)."""

    HOURS = [f" {6 + hour:02d}:{minute:02d}:00+00:00" for hour in range(10) for minute in range(60)]

    def __init__(self, first: date, last: date) -> None:
        self.base = first.toordinal()
        days = [first + timedelta(days=n) for n in range(last.toordinal() - self.base + 1)]
        self.iso = [day.isoformat() for day in days]
        self.dotted = [f"{day:%d.%m.%Y}" for day in days]
        self.year = [day.year for day in days]


def _drawing(rng: random.Random) -> Callable[[int], int]:
    """rng.randrange(n) as a plain function: the same numbers for a seed (drawn as Random._randbelow_with_getrandbits
    draws them), with less Python per draw (the draws were a third of the generator's time)."""
    bits = rng.getrandbits

    def below(n: int) -> int:
        k = n.bit_length()
        value = bits(k)
        while value >= n:
            value = bits(k)
        return value

    return below


def generate(sizes: Sizes, password_hash: str, search: bool = False) -> dict[str, int]:
    """Add the generated rows to the database (in one transaction); returns the number of rows per table. With
    `search`, the search index of the generated documents is written too."""
    rng = random.Random(sizes.seed)  # noqa: S311 (reproducible load data, not a secret)
    today = clock.today()
    tables = db.metadata.tables
    with db.engine.connect() as conn, _sqlite_bulk(conn), conn.begin():
        rebuild = _drop_indexes(conn, LOADED + (("search_entry",) if search else ()))
        ids = _Ids({name: (conn.execute(select(func.max(tables[name].c.id))).scalar() or 0) + 1
                    for name in ("body", "user_account", "membership", "document", "agenda_item", "point",
                                 "point_responsible", "assignment", "assignment_report", "deadline_change",
                                 "audit_event", "search_entry")})
        writer = _Writer(conn)
        bodies = _bodies(sizes, ids, rng)
        writer.write_dicts(tables["body"], bodies.rows)
        users = _users(sizes, ids, bodies, password_hash)
        writer.write_dicts(tables["user_account"], users.rows)
        writer.write_dicts(tables["user_role"], users.roles)
        writer.write_dicts(tables["membership"], users.memberships)
        events = _Events(conn, ids)
        index = _SearchIndex(conn, writer, bodies, ids) if search else None
        for plan in _plans(sizes, bodies, users, ids, rng, today):  # a chunk of documents at a time
            writer.write(tables["document"], DOCUMENT, plan.documents)
            writer.write(tables["agenda_item"], AGENDA, plan.agenda)
            writer.write(tables["point"], POINT, plan.points)
            writer.write(tables["point_responsible"], RESPONSIBLE, plan.responsibles)
            writer.write(tables["assignment"], ASSIGNMENT, plan.assignments)
            writer.write(tables["assignment_coexecutor"], COEXECUTOR, plan.coexecutors)
            writer.write(tables["assignment_report"], REPORT, plan.reports)
            writer.write(tables["deadline_change"], CHANGE, plan.changes)
            writer.write(tables["audit_event"], EVENT, list(events.chain(plan.events)))
            if index:
                index.add(plan)
        events.close()
        for statement in rebuild:
            conn.exec_driver_sql(statement)
        if index:
            index.close()
        routines.analyze_loaded(conn, writer.counts)  # the planner's statistics of what was loaded
        if writer.postgres:
            reset_sequences(conn, [tables[name] for name in ids.next])
        versions.bump(conn)  # written beside the ORM: what a running service counted before is not kept
    return writer.counts


@contextmanager
def _sqlite_bulk(conn) -> Iterator[None]:
    """SQLite set for one big load on this connection, and set back after it: the rollback journal in memory
    instead of the write-ahead log (a page written once, not to the log and then to the file), no fsync, a large
    page cache and in-memory sorting for making the indexes, and no foreign-key lookups or CHECK evaluation per
    row (the generator makes every reference and value itself; a test holds its rows to those the checked load
    wrote). A crash during the load may leave the file damaged: gen-load is for benchmark databases,
    not for one in use."""
    if conn.dialect.name != "sqlite":
        yield
        return
    driver = conn.connection.driver_connection
    saved = {name: driver.execute(f"PRAGMA {name}").fetchone()[0] for name in BULK_PRAGMAS}
    for name, value in BULK_PRAGMAS.items():
        driver.execute(f"PRAGMA {name}={value}")
    try:
        yield
    finally:
        for name, value in saved.items():
            driver.execute(f"PRAGMA {name}={value}")


def _drop_indexes(conn, tables: tuple[str, ...]) -> list[str]:
    """Drop the secondary indexes of the tables about to be loaded (and on PostgreSQL their foreign keys) and return
    the statements that make them again: one sort per index after the load costs less than an index entry placed
    per row (a GIN index of the search text most of all), and one join per foreign key less than a lookup per row.
    Indexes that back a constraint (primary keys, unique constraints, a foreign key's target) stay."""
    if conn.dialect.name == "postgresql":
        return _drop_postgresql(conn, tables)
    marks = ", ".join("?" * len(tables))
    indexes = conn.connection.driver_connection.execute(
        f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ({marks})",  # noqa: S608
        tables).fetchall()
    for name, _ in indexes:
        conn.exec_driver_sql(f'DROP INDEX "{name}"')
    return [sql for _, sql in indexes]


def _drop_postgresql(conn, tables: tuple[str, ...]) -> list[str]:
    """PostgreSQL's part of `_drop_indexes`: the foreign keys first (made again last), then the indexes. The index
    builds get more sorting memory for this transaction only. Dropping them locks the tables until the load
    commits: requests of a service running on the database wait for it (gen-load is for benchmark databases)."""
    driver = conn.connection.driver_connection
    keys = driver.execute(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE contype = 'f' AND connamespace = current_schema()::regnamespace "
        "AND conrelid::regclass::text = ANY(%s) ORDER BY conrelid::regclass::text, conname", [list(tables)]).fetchall()
    for table, name, _ in keys:
        driver.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
    indexes = driver.execute(
        "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
        "JOIN pg_class t ON t.oid = i.indrelid WHERE t.relnamespace = current_schema()::regnamespace "
        "AND t.relname = ANY(%s) AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) "
        "ORDER BY 1", [list(tables)]).fetchall()
    for name, _ in indexes:
        driver.execute(f"DROP INDEX {name}")  # regclass text: already quoted where it must be
    driver.execute("SET LOCAL maintenance_work_mem = '256MB'")
    return ([sql for _, sql in indexes]
            + [f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}' for table, name, definition in keys])


# --- bodies and users ---------------------------------------------------------------------------------------------


@dataclass
class _Bodies:
    rows: list[dict] = field(default_factory=list)
    departments: list[int] = field(default_factory=list)
    schools: dict[int, list[int]] = field(default_factory=dict)  # department → its schools


def _bodies(sizes: Sizes, ids: _Ids, rng: random.Random) -> _Bodies:
    out = _Bodies()
    tag = f"{sizes.seed}-{ids.next['body']}"  # names are unique: a second run adds other bodies
    root = ids.take("body")
    out.rows.append({"id": root, "name": f"Министерство образования (нагрузка {tag})", "parent_id": None,
                     "short_name": f"Минобразования {tag}", "dative": f"Министерству образования (нагрузка {tag})"})
    count = max(1, (sizes.bodies - 1) // 50)
    for number in range(1, count + 1):
        body = ids.take("body")
        out.departments.append(body)
        out.schools[body] = []
        out.rows.append({"id": body, "parent_id": root, "name": f"Управление образования района № {number} ({tag})",
                         "dative": f"Управлению образования района № {number} ({tag})"})
    for number in range(1, sizes.bodies - count):
        body = ids.take("body")
        department = out.departments[number % count]
        out.schools[department].append(body)
        out.rows.append({"id": body, "parent_id": department,
                         "name": f"МБОУ «Средняя общеобразовательная школа № {number}» ({tag})"})
    for row in out.rows:  # what the model's name sets (Body.sort_key): the directory's natural order
        row["sort_key"] = sort_text(row["name"])
    return out


@dataclass
class _Users:
    rows: list[dict] = field(default_factory=list)
    roles: list[dict] = field(default_factory=list)
    memberships: list[dict] = field(default_factory=list)
    by_role: dict[tuple[str, int], list[int]] = field(default_factory=dict)  # (role, department) → users


def _users(sizes: Sizes, ids: _Ids, bodies: _Bodies, password_hash: str) -> _Users:
    out = _Users()
    staff = ("secretary", "head", "controller")
    places = [(role, department, department) for department in bodies.departments for role in staff]
    places += [("executor", department, school) for department, schools in bodies.schools.items()
               for school in schools]
    places += [("executor", department, department) for department in bodies.departments]
    for number in range(sizes.users):
        role, department, body = places[number % len(places)] if number >= 2 else (
            ("auditor", "admin")[number], bodies.departments[0], bodies.rows[0]["id"])
        user = ids.take("user_account")
        out.rows.append({"id": user, "login": f"load{user}", "full_name": f"{SURNAMES[user % len(SURNAMES)]} "
                         f"{chr(1040 + user % 32)}.{chr(1040 + user // 32 % 32)}.", "password_hash": password_hash,
                         "active": True})
        out.roles.append({"user_id": user, "role": role})
        out.memberships.append({"id": ids.take("membership"), "user_id": user, "body_id": body})
        out.by_role.setdefault((role, department), []).append(user)
    return out


# --- documents, points, assignments --------------------------------------------------------------------------------


@dataclass
class _Plan:
    """A chunk of documents with everything in them, as tuples of the tables' columns (DOCUMENT, POINT, ...); events
    as (day, moment, actor, kind, object id, document id) until the chain numbers and hashes them."""

    documents: list[tuple] = field(default_factory=list)
    agenda: list[tuple] = field(default_factory=list)
    points: list[tuple] = field(default_factory=list)
    responsibles: list[tuple] = field(default_factory=list)
    assignments: list[tuple] = field(default_factory=list)
    coexecutors: list[tuple] = field(default_factory=list)
    reports: list[tuple] = field(default_factory=list)
    changes: list[tuple] = field(default_factory=list)
    events: list[tuple] = field(default_factory=list)


def _plans(sizes: Sizes, bodies: _Bodies, users: _Users, ids: _Ids, rng: random.Random, today: date
           ) -> Iterator[_Plan]:
    """The documents, oldest first, in chunks. The draws are those of the generator as first written (one
    `rng` call per choice, in the same order), made cheaper: days as ordinals with their text made once, the
    candidates of each department's roles looked up once. The co-executors are drawn from a second stream of the
    seed, so that adding them left every other row of a seed as it was."""
    kinds = [kind for kind, weight in TYPES for _ in range(weight)]
    big = min(sizes.big_protocol, sizes.assignments) if sizes.documents > 1 else 0
    big_index = int(sizes.documents * 0.95) if big else -1  # published some months ago: open and closed points
    per_document, extra = divmod(sizes.assignments - big, sizes.documents - (1 if big else 0))
    busy = _Busy(bodies, sizes)
    below, chance = _drawing(rng), rng.random
    joint = random.Random(sizes.seed * 1_000_003 + 1)  # noqa: S311 (the co-executors' own stream, see above)
    calendar = _Calendar(today - timedelta(days=YEARS * 365 + 400), today + timedelta(days=400))
    iso, dotted, base, hours = calendar.iso, calendar.dotted, calendar.base, calendar.HOURS
    now = today.toordinal()

    def moment(day: int) -> str:
        """A moment of the working day, drawn as the hour, then the minute."""
        hour = below(10)
        return iso[day - base] + hours[hour * 60 + below(60)]

    def picker(role: str) -> dict[int, list[int]]:
        return {department: users.by_role.get((role, department), []) for department in bodies.departments}

    secretaries, controllers, executors = picker("secretary"), picker("controller"), picker("executor")
    counters = {name: count(ids.next[name]) for name in ("document", "agenda_item", "point", "point_responsible",
                                                         "assignment", "assignment_report", "deadline_change")}
    next_document, next_agenda, next_point, next_responsible, next_assignment, next_report, next_change = (
        counter.__next__ for counter in counters.values())
    numbers: dict[tuple[str, int, int], int] = {}
    out = _Plan()
    for index in range(sizes.documents):
        # spread over YEARS, the newest last; the newest 2% are drafts
        day = now - int((sizes.documents - index) * YEARS * 365 / sizes.documents)
        draft = index >= sizes.documents * 0.98
        department = bodies.departments[index % len(bodies.departments)]
        kind = kinds[below(len(kinds))] if index != big_index else "protocol"
        document = next_document()
        candidates = secretaries[department]
        author = candidates[below(len(candidates))] if candidates else None
        title = TITLES[below(len(TITLES))]
        created, updated = moment(day), moment(day)
        number = registered = None
        if not draft:
            key = (kind, department, calendar.year[day - base])
            numbers[key] = numbers.get(key, 0) + 1
            number, registered = f"{numbers[key]}-{department}", iso[day - base]
            out.events.append((day, _publish_moment(below), author, 0, document, document))
        out.documents.append((document, kind, "draft" if draft else "published", 1, f"load-{document}",
                              HEADINGS[kind], title, department, author, iso[day - base], created, updated, number,
                              registered))
        points_here = big if index == big_index else per_document + (index - (index > big_index >= 0) < extra)
        schools = bodies.schools.get(department) or [department]
        controlling, executing = controllers[department], executors[department]
        agenda = None
        for position in range(points_here):
            if index == big_index and position % 30 == 0:  # a protocol's decisions come under its agenda items
                agenda = next_agenda()
                out.agenda.append((agenda, document, position // 30, str(position // 30 + 1),
                                   TITLES[below(len(TITLES))]))
            point, assignment = next_point(), next_assignment()
            body = busy.choose(department, schools, below)
            action = ACTIONS[(document + position) % len(ACTIONS)]
            deadline = day + 10 + below(170)
            original = deadline
            deadline_text = "до " + dotted[deadline - base]
            out.points.append((point, document, agenda, position % 30 if agenda else position,
                               f"{position // 30 + 1}.{position % 30 + 1}" if agenda else str(position + 1), action,
                               True, action, iso[deadline - base], "by", deadline_text))
            out.responsibles.append((next_responsible(), point, body, 0))
            if len(schools) > 2 and joint.random() < COEXECUTOR_SHARE:
                drawn = [school for school in joint.sample(schools, 3) if school != body]
                # others of the department's schools, in the order the service reads them back (by id)
                for position, other in enumerate(sorted(drawn[:1 + (joint.random() < 1 / 3)]), 1):
                    out.responsibles.append((next_responsible(), point, other, position))
                    out.coexecutors.append((assignment, other))
            controller = controlling[below(len(controlling))] if controlling else None
            executor = executing[below(len(executing))] if executing else None
            if draft:
                status = "draft"
            elif deadline >= now:
                status = ("new", "in_work", "in_work", "reported")[below(4)]
            else:
                status = ("new", "in_work", "returned", "reported")[below(4)] if chance() < OVERDUE_SHARE else "done"
            if status != "draft" and chance() < 0.05:  # extended once, with a reason
                original = deadline - 7 - below(53)
                out.changes.append((next_change(), assignment, executor, moment(original - 3),
                                    EXTENSION_REASON, iso[deadline - base], iso[original - base],
                                    iso[deadline - base], "approved", controller, moment(original - 2)))
            created = moment(day)
            completed = None
            if status in ("done", "reported", "returned"):
                reported = min(deadline, now) - below(5)
                decided = "accepted" if status == "done" else "returned" if status == "returned" else None
                out.reports.append((next_report(), assignment, executor, REPORT_TEXT,
                                    moment(reported), decided, controller if decided else None,
                                    moment(reported) if decided else None))
                if status == "done":
                    completed = iso[reported - base]
                    out.events.append((reported, _publish_moment(below), controller, 1, assignment, document))
            out.assignments.append((assignment, document, point, body, controller, action, iso[deadline - base],
                                    iso[original - base], deadline_text, "by", status, created, completed,
                                    iso[day - base]))
        if len(out.assignments) >= BATCH * 4 or len(out.documents) >= BATCH:
            yield out
            out = _Plan()
    yield out
    for name, counter in counters.items():
        ids.next[name] = next(counter)


def _publish_moment(below: Callable[[int], int]) -> int:
    """An event's minute of the working day (0-599 from 06:00), drawn as moment() in _plans draws it."""
    hour = below(10)
    return hour * 60 + below(60)


class _Busy:
    """One school of the first department that gets `busy_body` of its department's assignments, spread evenly
    over the years (the department's count estimated low, so the school gets them all)."""

    def __init__(self, bodies: _Bodies, sizes: Sizes) -> None:
        self.department = bodies.departments[0]
        self.body = (bodies.schools[self.department] or [self.department])[0]
        self.quota = min(sizes.busy_body, sizes.assignments)
        self.total = max(self.quota, int(sizes.assignments * 0.95) // len(bodies.departments))
        self.seen = self.taken = 0

    def choose(self, department: int, schools: list[int], below: Callable[[int], int]) -> int:
        """The lead body of the department's next assignment: the busy school its quota's share, no more."""
        if department != self.department or not self.quota:
            return schools[below(len(schools))]
        self.seen += 1
        if self.taken < self.quota and self.taken * self.total <= (self.seen - 1) * self.quota:
            self.taken += 1
            return self.body
        others = schools[1:] or schools  # the busy school is the first
        return others[below(len(others))]


# --- the audit chain ----------------------------------------------------------------------------------------------


class _Events:
    """Appends generated events to the chain: in time order, each hashed with the previous one's hash. The
    canonical JSON of the two kinds of generated event is written from a template (the chain's own
    `event_hash` builds a dict and sorts its keys per event); the first event of each kind is hashed both ways and
    the load stops if they differ, so the template cannot drift from the audit service unnoticed."""

    KINDS = (("transition.publish", "document", SIGNED, PUBLISHED), ("assignment.accept", "assignment", REPORTED,
                                                                      DONE))

    def __init__(self, conn, ids: _Ids) -> None:
        self.conn, self.ids = conn, ids
        head = conn.execute(select(AuditHead.last_id, AuditHead.last_hash).where(AuditHead.id == 1)).first()
        self.had_head = head is not None
        self.last_id, self.last_hash = head if head else (0, GENESIS)
        self.key = audit_key(create=True)
        self.checked: set[int] = set()
        self.days: dict[int, str] = {}
        self.json = [(json.dumps(before), json.dumps(after)) for _, _, before, after in self.KINDS]
        # the moment as stored (" 09:15:00+00:00" after the day) and as the chain hashes it ("T09:15:00.000000Z")
        self.stored = _Calendar.HOURS
        self.hashed = [f"T{6 + hour:02d}:{minute:02d}:00.000000Z" for hour in range(10) for minute in range(60)]
        self.templates = [
            '{"action":"' + action + '","actor_id":%s,"after":' + _compact(after) + ',"at":"%s%s","before":'
            + _compact(before) + ',"comment":null,"document_id":%d,"id":%d,"object_id":%d,"object_type":"'
            + object_type + '","prev_hash":"%s"}'
            for action, object_type, before, after in self.KINDS]

    def chain(self, events: list[tuple]) -> Iterator[tuple]:
        key, days, stored, hashed, templates = self.key, self.days, self.stored, self.hashed, self.templates
        take = self.ids.take
        for day, minute, actor, kind, object_id, document_id in events:
            if day not in days:
                days[day] = date.fromordinal(day).isoformat()
            event_id, previous, iso = take("audit_event"), self.last_hash, days[day]
            canonical = templates[kind] % ("null" if actor is None else actor, iso, hashed[minute], document_id,
                                           event_id, object_id, previous)
            digest = hmac.digest(key, canonical.encode(), "sha256").hex()
            at = iso + stored[minute]
            if kind not in self.checked:
                self._check(digest, event_id, at, actor, *self.KINDS[kind][:2], object_id, document_id,
                            *self.KINDS[kind][2:], previous)
                self.checked.add(kind)
            self.last_id, self.last_hash = event_id, digest
            yield (event_id, at, actor, *self.KINDS[kind][:2], object_id, document_id, *self.json[kind], None,
                   previous, digest)

    def _check(self, digest: str, event_id: int, at: str, actor, action, object_type, object_id, document_id,
               before, after, previous) -> None:
        expected = event_hash(SimpleNamespace(
            id=event_id, at=datetime.fromisoformat(at), actor_id=actor, action=action, object_type=object_type,
            object_id=object_id, document_id=document_id, before=before, after=after, comment=None,
            prev_hash=previous), self.key)
        if expected != digest:
            raise RuntimeError("gen-load's audit template no longer hashes as webapp.services.audit does")

    def close(self) -> None:
        table = AuditHead.__table__
        values = {"last_id": self.last_id, "last_hash": self.last_hash}
        if self.had_head:
            self.conn.execute(table.update().where(table.c.id == 1).values(**values))
        else:
            self.conn.execute(table.insert().values(id=1, **values))


def _compact(value: dict) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


# --- the search index ---------------------------------------------------------------------------------------------


class _DocumentValues(SimpleNamespace):
    """A generated document's values under the model's names, with the model's own label and date."""

    type_title = Document.type_title
    doc_date = Document.doc_date
    label = Document.label


class _AssignmentValues(SimpleNamespace):
    bodies = Assignment.bodies


class _SearchIndex:
    """The search entries of the generated documents, made from the generated values by the service's own
    `search.entries_of` (what `docflow search reindex` would write, without reading a million rows back as
    models: that took an hour at 1,000,000 assignments) and written with the other rows. On SQLite the full-text
    tables are filled after the load by one INSERT … SELECT each instead of a trigger per entry."""

    # migrations 0013, 0025 and 0033: FTS5 rows per new entry (0033's for a published document's alone)
    TRIGGERS = ("search_entry_ai", "search_entry_title_ai", "search_entry_published_ai")
    PUBLISHED = " AND kind = 'document' AND state = 'published'"
    FULL_TEXT = (("search_fts", "lexemes", ""), ("search_title_fts", "title_lexemes", ""),
                 ("search_published_fts", "lexemes", PUBLISHED),
                 ("search_published_title_fts", "title_lexemes", PUBLISHED))

    def __init__(self, conn, writer: _Writer, bodies: _Bodies, ids: _Ids) -> None:
        self.conn, self.writer, self.ids = conn, writer, ids
        self.first = ids.next["search_entry"]
        self.bodies = {row["id"]: SimpleNamespace(name=row["name"]) for row in bodies.rows}
        self.table = db.metadata.tables["search_entry"]
        self.triggers: list[str] = []
        if not writer.postgres:
            marks = ", ".join("?" * len(self.TRIGGERS))
            self.triggers = [sql for (sql,) in writer.driver.execute(
                f"SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name IN ({marks})",  # noqa: S608
                self.TRIGGERS)]
            for name in self.TRIGGERS:
                conn.exec_driver_sql(f'DROP TRIGGER IF EXISTS "{name}"')

    def add(self, plan: _Plan) -> None:
        points: dict[int, list[tuple]] = {}
        for row in plan.points:
            points.setdefault(row[1], []).append(row)
        agenda: dict[int, list[SimpleNamespace]] = {}
        for _id, document, _position, _number, title in plan.agenda:
            agenda.setdefault(document, []).append(SimpleNamespace(title=title, speakers=None, heard=[]))
        reports = {row[1]: [SimpleNamespace(text=row[3])] for row in plan.reports}
        changes = {row[1]: [SimpleNamespace(reason=row[4])] for row in plan.changes}
        coexecutors: dict[int, list[SimpleNamespace]] = {}
        for assignment, body in plan.coexecutors:
            coexecutors.setdefault(assignment, []).append(self.bodies[body])
        assignments: dict[int, list[_AssignmentValues]] = {}
        for row in plan.assignments:
            assignments.setdefault(row[1], []).append(_AssignmentValues(
                id=row[0], action=row[5], deadline=date.fromisoformat(row[6]), deadline_text=row[8],
                controller_text=None, status=row[10], lead_body_id=row[3], lead_body=self.bodies[row[3]],
                coexecutors=coexecutors.get(row[0], []), reports=reports.get(row[0], []),
                deadline_changes=changes.get(row[0], [])))
        rows = []
        for row in plan.documents:
            document = row[0]
            values = _DocumentValues(
                id=document, doc_type=row[1], state=row[2], title=row[6], issuing_body_id=row[7],
                issuing_body=self.bodies[row[7]], event_date=date.fromisoformat(row[9]), number=row[12],
                reg_date=row[13] and date.fromisoformat(row[13]), place=None, venue=None, controller_text=None,
                preamble=[], closing=[], approval_stamp=[], letterhead=[], agenda_items=agenda.get(document, []),
                participants=[], stages=[], signatories=[],
                points=[SimpleNamespace(text=point[5]) for point in sorted(points.get(document, []),
                                                                            key=lambda point: (point[3], point[0]))])
            rows.extend(entries_of(values, (), assignments.get(document, ())))
        names = ("id", *rows[0]) if rows else ()
        take = self.ids.take
        self.writer.write(self.table, names, [(take("search_entry"), *(
            value.isoformat() if isinstance(value, date) else value for value in entry.values())) for entry in rows])

    def close(self) -> None:
        """SQLite: the new entries into the full-text tables, and the triggers back."""
        for statement in self.triggers:
            self.conn.exec_driver_sql(statement)
        if not self.writer.postgres:
            for table, column, which in self.FULL_TEXT:
                self.conn.exec_driver_sql(f"INSERT INTO {table}(rowid, {column}) "  # noqa: S608 (our names)
                                          f"SELECT id, {column} FROM search_entry WHERE id >= {int(self.first)}"
                                          f"{which}")
