"""Synthetic load data through the real schema: a region's years of documents, assignments, reports, extensions
and audit events, for benchmarks (`docflow gen-load`).

Rows are written table by table in batches: PostgreSQL through COPY, SQLite through executemany of tuples in one
transaction with the journal in memory and the loaded tables' secondary indexes made again after it, so a million
assignments take minutes, not hours. Every value a column needs that the generator does
not choose comes from the column's own default, so a column added to a model is filled here too. The audit trail
is chained and keyed like the service's own (`docflow audit verify` passes).
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Table, func, select

from webapp import clock
from webapp.extensions import db
from webapp.models import AuditHead
from webapp.services import routines
from webapp.services.audit import GENESIS, audit_key, event_hash
from webapp.services.backup import reset_sequences

BATCH = 5000
# the tables that take most rows; their secondary indexes are made again after the load (SQLite)
LOADED = ("document", "agenda_item", "point", "point_responsible", "assignment", "assignment_report",
          "deadline_change", "audit_event")
# events' before/after, shared by every generated event (read only): each is serialised once per batch
SIGNED, PUBLISHED = {"state": "signed"}, {"state": "published"}
REPORTED, DONE = {"status": "reported"}, {"status": "done"}
BULK_PRAGMAS = {"journal_mode": "MEMORY", "synchronous": "OFF", "foreign_keys": "OFF"}
YEARS = 15
OVERDUE_SHARE = 0.15  # of assignments whose deadline has passed, this many are still open
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


class _Writer:
    """Rows of one table, completed with the columns' defaults, written in batches as tuples (column by column:
    the defaults and SQLite's bind processors applied to a column's values at once, not value by value)."""

    def __init__(self, conn) -> None:
        self.conn = conn
        self.postgres = conn.dialect.name == "postgresql"
        self.counts: dict[str, int] = {}

    def write(self, table: Table, rows: Iterable[dict[str, Any]]) -> None:
        batch: list[dict[str, Any]] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= BATCH:
                self._flush(table, batch)
                batch = []
        if batch:
            self._flush(table, batch)

    def _flush(self, table: Table, rows: list[dict[str, Any]]) -> None:
        self.counts[table.name] = self.counts.get(table.name, 0) + len(rows)
        names = [column.name for column in table.columns]
        given = set().union(*rows)
        columns = [_values(column, rows, column.name in given) for column in table.columns]
        if not self.postgres:  # the driver's executemany with the columns' own bind processors: 2x Core's speed
            dialect = self.conn.dialect
            for position, column in enumerate(table.columns):
                process = column.type.bind_processor(dialect)
                if process is not None:
                    columns[position] = _processed(columns[position], process)
            listed = ", ".join(f'"{name}"' for name in names)  # names from the models, not from input
            statement = f'INSERT INTO "{table.name}" ({listed}) VALUES ({", ".join("?" * len(names))})'  # noqa: S608
            self.conn.connection.driver_connection.executemany(statement, zip(*columns, strict=True))
            return
        for position, column in enumerate(table.columns):
            if column.type.__class__.__name__ == "JSON":
                columns[position] = [None if value is None else json.dumps(value, ensure_ascii=False)
                                     for value in columns[position]]
        cursor = self.conn.connection.driver_connection.cursor()
        listed = ", ".join(f'"{name}"' for name in names)
        with cursor.copy(f'COPY "{table.name}" ({listed}) FROM STDIN') as copy:
            for row in zip(*columns, strict=True):
                copy.write_row(row)


def _processed(values: list[Any], process) -> list[Any]:
    """The values as the driver takes them; one object met again (the events' shared dicts) processed once."""
    done: dict[int, Any] = {}
    out = []
    for value in values:
        if value is None:
            out.append(None)
            continue
        key = id(value)
        if key not in done:
            done[key] = process(value)
        out.append(done[key])
    return out


def _values(column, rows: list[dict[str, Any]], given: bool) -> list[Any]:
    """One column's values in the rows: what a row gives, else the column's default (scalar or callable); `given`
    says whether any row gives it."""
    name, default = column.name, column.default
    if default is None or default.is_scalar:
        value = None if default is None else default.arg
        return [row.get(name, value) for row in rows] if given else [value] * len(rows)
    return [row[name] if name in row else default.arg(None) for row in rows]


def _moment(day: date, rng: random.Random) -> datetime:
    return datetime.combine(day, time(6 + rng.randrange(10), rng.randrange(60)), tzinfo=UTC)


def generate(sizes: Sizes, password_hash: str) -> dict[str, int]:
    """Add the generated rows to the database (in one transaction); returns the number of rows per table."""
    rng = random.Random(sizes.seed)  # noqa: S311 (reproducible load data, not a secret)
    today = clock.today()
    tables = db.metadata.tables
    with db.engine.connect() as conn, _sqlite_bulk(conn), conn.begin():
        rebuild = _drop_indexes(conn, LOADED)
        ids = _Ids({name: (conn.execute(select(func.max(tables[name].c.id))).scalar() or 0) + 1
                    for name in ("body", "user_account", "membership", "document", "agenda_item", "point",
                                 "point_responsible", "assignment", "assignment_report", "deadline_change",
                                 "audit_event")})
        writer = _Writer(conn)
        bodies = _bodies(sizes, ids, rng)
        writer.write(tables["body"], bodies.rows)
        users = _users(sizes, ids, bodies, password_hash)
        writer.write(tables["user_account"], users.rows)
        writer.write(tables["user_role"], users.roles)
        writer.write(tables["membership"], users.memberships)
        events = _Events(conn, ids)
        for plan in _plans(sizes, bodies, users, ids, rng, today):  # a chunk of documents at a time
            writer.write(tables["document"], plan.documents)
            writer.write(tables["agenda_item"], plan.agenda)
            writer.write(tables["point"], plan.points)
            writer.write(tables["point_responsible"], plan.responsibles)
            writer.write(tables["assignment"], plan.assignments)
            writer.write(tables["assignment_report"], plan.reports)
            writer.write(tables["deadline_change"], plan.changes)
            writer.write(tables["audit_event"], events.chain(plan.events))
        events.close()
        for statement in rebuild:
            conn.exec_driver_sql(statement)
        routines.analyze(conn)  # SQLite: the planner's statistics, as the worker's nightly run keeps them
        if writer.postgres:
            reset_sequences(conn, [tables[name] for name in ids.next])
    return writer.counts


@contextmanager
def _sqlite_bulk(conn) -> Iterator[None]:
    """SQLite set for one big load on this connection, and set back after it: the rollback journal in memory
    instead of the write-ahead log (a page written once, not to the log and then to the file), no fsync, and no
    foreign-key lookups per row (the generator makes every reference itself). A crash during the load may leave
    the file damaged: gen-load is for benchmark databases, not for one in use."""
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
    """On SQLite, drop the secondary indexes of the tables about to be loaded and return the statements that make
    them again: one sort per index after the load costs less than an index entry placed per row. Unique
    constraints' own indexes stay (they are the table's), as do all on PostgreSQL (COPY meets its target)."""
    if conn.dialect.name != "sqlite":
        return []
    marks = ", ".join("?" * len(tables))
    indexes = conn.connection.driver_connection.execute(
        f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ({marks})",  # noqa: S608
        tables).fetchall()
    for name, _ in indexes:
        conn.exec_driver_sql(f'DROP INDEX "{name}"')
    return [sql for _, sql in indexes]


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
    documents: list[dict] = field(default_factory=list)
    agenda: list[dict] = field(default_factory=list)
    points: list[dict] = field(default_factory=list)
    responsibles: list[dict] = field(default_factory=list)
    assignments: list[dict] = field(default_factory=list)
    reports: list[dict] = field(default_factory=list)
    changes: list[dict] = field(default_factory=list)
    events: list[dict] = field(default_factory=list)


def _plans(sizes: Sizes, bodies: _Bodies, users: _Users, ids: _Ids, rng: random.Random, today: date
           ) -> Iterator[_Plan]:
    kinds = [kind for kind, weight in TYPES for _ in range(weight)]
    big = min(sizes.big_protocol, sizes.assignments) if sizes.documents > 1 else 0
    big_index = int(sizes.documents * 0.95) if big else -1  # published some months ago: open and closed points
    per_document, extra = divmod(sizes.assignments - big, sizes.documents - (1 if big else 0))
    busy = _Busy(bodies, sizes)
    numbers: dict[tuple[str, int, int], int] = {}
    out = _Plan()
    for index in range(sizes.documents):
        # spread over YEARS, the newest last; the newest 2% are drafts
        day = today - timedelta(days=int((sizes.documents - index) * YEARS * 365 / sizes.documents))
        draft = index >= sizes.documents * 0.98
        department = bodies.departments[index % len(bodies.departments)]
        kind = kinds[rng.randrange(len(kinds))] if index != big_index else "protocol"
        document = ids.take("document")
        author = _pick(users, "secretary", department, rng)
        row = {"id": document, "doc_type": kind, "state": "draft" if draft else "published", "version": 1,
               "slug": f"load-{document}", "heading": HEADINGS[kind], "title": rng.choice(TITLES),
               "issuing_body_id": department, "author_id": author, "event_date": day,
               "created_at": _moment(day, rng), "updated_at": _moment(day, rng)}
        if not draft:
            key = (kind, department, day.year)
            numbers[key] = numbers.get(key, 0) + 1
            row.update(number=f"{numbers[key]}-{department}", reg_date=day)
            out.events.append({"at": _moment(day, rng), "actor_id": author, "action": "transition.publish",
                               "object_type": "document", "object_id": document, "document_id": document,
                               "before": SIGNED, "after": PUBLISHED})
        out.documents.append(row)
        count = big if index == big_index else per_document + (index - (index > big_index >= 0) < extra)
        agenda = None
        for position in range(count):
            if index == big_index and position % 30 == 0:  # a protocol's decisions come under its agenda items
                agenda = ids.take("agenda_item")
                out.agenda.append({"id": agenda, "document_id": document, "position": position // 30,
                                   "number": str(position // 30 + 1), "title": rng.choice(TITLES)})
            _assignment(out, ids, rng, document, position, day, draft, department, bodies, users, today,
                        busy, agenda)
        if len(out.assignments) >= BATCH * 4 or len(out.documents) >= BATCH:
            yield out
            out = _Plan()
    yield out


def _pick(users: _Users, role: str, department: int, rng: random.Random) -> int | None:
    candidates = users.by_role.get((role, department))
    return rng.choice(candidates) if candidates else None


class _Busy:
    """One school of the first department that gets `busy_body` of its department's assignments, spread evenly
    over the years (the department's count estimated low, so the school gets them all)."""

    def __init__(self, bodies: _Bodies, sizes: Sizes) -> None:
        self.department = bodies.departments[0]
        self.body = (bodies.schools[self.department] or [self.department])[0]
        self.quota = min(sizes.busy_body, sizes.assignments)
        self.total = max(self.quota, int(sizes.assignments * 0.95) // len(bodies.departments))
        self.seen = self.taken = 0

    def choose(self, department: int, schools: list[int], rng: random.Random) -> int:
        """The lead body of the department's next assignment: the busy school its quota's share, no more."""
        if department != self.department or not self.quota:
            return rng.choice(schools)
        self.seen += 1
        if self.taken < self.quota and self.taken * self.total <= (self.seen - 1) * self.quota:
            self.taken += 1
            return self.body
        return rng.choice(schools[1:] or schools)  # the busy school is the first


def _assignment(out: _Plan, ids: _Ids, rng: random.Random, document: int, position: int, day: date, draft: bool,
                department: int, bodies: _Bodies, users: _Users, today: date, busy: _Busy,
                agenda: int | None) -> None:
    point, assignment = ids.take("point"), ids.take("assignment")
    schools = bodies.schools.get(department) or [department]
    body = busy.choose(department, schools, rng)
    action = ACTIONS[(document + position) % len(ACTIONS)]
    deadline = day + timedelta(days=rng.randrange(10, 180))
    original = deadline
    out.points.append({"id": point, "document_id": document, "agenda_item_id": agenda,
                       "position": position % 30 if agenda else position,
                       "number": f"{position // 30 + 1}.{position % 30 + 1}" if agenda else str(position + 1),
                       "text": action, "is_assignment": True, "action": action, "deadline": deadline,
                       "deadline_kind": "by", "deadline_text": f"до {deadline:%d.%m.%Y}"})
    out.responsibles.append({"id": ids.take("point_responsible"), "point_id": point, "body_id": body, "position": 0})
    controller = _pick(users, "controller", department, rng)
    executor = _pick(users, "executor", department, rng)
    if draft:
        status = "draft"
    elif deadline >= today:
        status = rng.choice(("new", "in_work", "in_work", "reported"))
    else:
        status = rng.choice(("new", "in_work", "returned", "reported")) if rng.random() < OVERDUE_SHARE else "done"
    if status != "draft" and rng.random() < 0.05:  # extended once, with a reason
        original = deadline - timedelta(days=rng.randrange(7, 60))
        out.changes.append({"id": ids.take("deadline_change"), "assignment_id": assignment,
                            "requested_by_id": executor, "requested_at": _moment(original - timedelta(days=3), rng),
                            "reason": "Перенос сроков проведения регионального этапа", "requested_date": deadline,
                            "old_date": original, "new_date": deadline, "status": "approved",
                            "decided_by_id": controller, "decided_at": _moment(original - timedelta(days=2), rng)})
    row = {"id": assignment, "document_id": document, "point_id": point, "lead_body_id": body,
           "controller_id": controller, "action": action, "deadline": deadline, "original_deadline": original,
           "deadline_text": f"до {deadline:%d.%m.%Y}", "deadline_kind": "by", "status": status,
           "created_at": _moment(day, rng)}
    if status in ("done", "reported", "returned"):
        reported = min(deadline, today) - timedelta(days=rng.randrange(0, 5))
        decided = {"done": "accepted", "returned": "returned"}.get(status)
        out.reports.append({"id": ids.take("assignment_report"), "assignment_id": assignment, "author_id": executor,
                            "text": "Исполнено. Информация направлена.", "created_at": _moment(reported, rng),
                            "decision": decided, "decided_by_id": controller if decided else None,
                            "decided_at": _moment(reported, rng) if decided else None})
        if status == "done":
            row["completed_on"] = reported
            out.events.append({"at": _moment(reported, rng), "actor_id": controller, "action": "assignment.accept",
                               "object_type": "assignment", "object_id": assignment, "document_id": document,
                               "before": REPORTED, "after": DONE})
    out.assignments.append(row)


# --- the audit chain ----------------------------------------------------------------------------------------------


class _Events:
    """Appends generated events to the chain: in time order, each hashed with the previous one's hash."""

    def __init__(self, conn, ids: _Ids) -> None:
        self.conn, self.ids = conn, ids
        head = conn.execute(select(AuditHead.last_id, AuditHead.last_hash).where(AuditHead.id == 1)).first()
        self.had_head = head is not None
        self.last_id, self.last_hash = head if head else (0, GENESIS)
        self.key = audit_key(create=True)

    def chain(self, events: list[dict]) -> Iterator[dict]:
        for event in events:
            event.update(id=self.ids.take("audit_event"), comment=None, prev_hash=self.last_hash)
            event["hash"] = event_hash(SimpleNamespace(**event), self.key)
            self.last_id, self.last_hash = event["id"], event["hash"]
            yield event

    def close(self) -> None:
        table = AuditHead.__table__
        values = {"last_id": self.last_id, "last_hash": self.last_hash}
        if self.had_head:
            self.conn.execute(table.update().where(table.c.id == 1).values(**values))
        else:
            self.conn.execute(table.insert().values(id=1, **values))

