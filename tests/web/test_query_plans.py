"""The queries that run on every request of a busy page can use their indexes as the service sends them, with
parameters bound: on PostgreSQL the generic plan of a prepared statement (psycopg prepares a query after a few
executions, and a generic plan cannot match a partial index's predicate to a parameter), with scans discouraged
(in a test's small tables a scan is always cheapest; the question is whether the index can serve the query)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from webapp.extensions import db
from webapp.models import Event
from webapp.services import dashboard, occurrences, paging


def plan(query, hide: tuple[str, ...] = (), sqlite_hide: tuple[str, ...] = ()) -> str:
    """The plan a database makes for a query whose parameters are bound, not written in: on PostgreSQL the generic
    plan of a prepared statement (what psycopg's prepared statements get after a few executions).

    `hide` names indexes (or constraints with their index) dropped for the question (inside a savepoint, restored
    after): on a test's tiny tables PostgreSQL takes any index that filters down to one row, so a test asking
    whether the index made for a query serves it takes the competing ones away. On SQLite only `sqlite_hide`
    (indexes) are, where a test asks what SQLite reads without them."""
    compiled = query.compile(dialect=db.engine.dialect, compile_kwargs={"render_postcompile": True})
    connection = db.session.connection()
    if db.engine.dialect.name == "sqlite":
        with _sqlite_without(connection, sqlite_hide):
            rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}", _sqlite_args(compiled)).all()
        return "\n".join(str(row[-1]) for row in rows)
    names: list[str] = []

    def number(match: re.Match) -> str:
        names.append(match[1])
        return f"${len(names)}"
    statement = re.sub(r"%\((\w+)\)s", number, str(compiled))
    connection.exec_driver_sql("SAVEPOINT docflow_plan")
    for index in hide:  # a primary key's index is its constraint's: dropped with it (and the foreign keys on it)
        table = connection.exec_driver_sql("SELECT conrelid::regclass::text FROM pg_constraint WHERE conname = %s",
                                           (index,)).scalar()
        connection.exec_driver_sql(f"ALTER TABLE {table} DROP CONSTRAINT {index} CASCADE" if table
                                   else f"DROP INDEX {index}")
    connection.exec_driver_sql(f"PREPARE docflow_plan AS {statement}")
    connection.exec_driver_sql("SET LOCAL plan_cache_mode = force_generic_plan")
    # Whether an index CAN serve the query: scans and sorts discouraged (on a test's tiny tables a scan, or a
    # bitmap scan and a sort of one row, is always cheapest; a sort still shows when no index gives the order)
    for setting in ("enable_seqscan", "enable_sort"):
        connection.exec_driver_sql(f"SET LOCAL {setting} = off")
    # untyped literals take the types PostgreSQL inferred for the parameters
    values = (getattr(compiled.params[name], "value", compiled.params[name]) for name in names)
    arguments = ", ".join("'{}'".format(str(value).replace("'", "''")) for value in values)
    rows = connection.exec_driver_sql(f"EXPLAIN EXECUTE docflow_plan{f'({arguments})' if names else ''}").all()
    connection.exec_driver_sql("DEALLOCATE docflow_plan")
    connection.exec_driver_sql("ROLLBACK TO SAVEPOINT docflow_plan")
    return "\n".join(row[0] for row in rows)


def sqlite_program(query, sqlite_hide: tuple[str, ...] = ()) -> tuple[list, dict[str, int]]:
    """SQLite's program for a query (its EXPLAIN: address, opcode, p1, p2, …), with `sqlite_hide` dropped as
    plan's are, and the cursor each table and index it reads was opened on, by name — where a plan does not show
    what a test asks (which columns are read from an index before the row is sought)."""
    compiled = query.compile(dialect=db.engine.dialect, compile_kwargs={"render_postcompile": True})
    connection = db.session.connection()
    with _sqlite_without(connection, sqlite_hide):
        program = connection.exec_driver_sql(f"EXPLAIN {compiled}", _sqlite_args(compiled)).all()
        roots = dict(connection.exec_driver_sql("SELECT rootpage, name FROM sqlite_master").all())
    return program, {roots[row[3]]: row[2] for row in program if row[1] == "OpenRead" and row[3] in roots}


def _sqlite_args(compiled) -> tuple:
    return tuple(compiled.params[name] for name in compiled.positiontup)


@contextmanager
def _sqlite_without(connection, indexes: tuple[str, ...]) -> Iterator[None]:
    """SQLite without these indexes for the block: dropped inside a savepoint, rolled back after."""
    connection.exec_driver_sql("SAVEPOINT docflow_plan")
    try:
        for index in indexes:
            connection.exec_driver_sql(f"DROP INDEX {index}")
        yield
    finally:
        connection.exec_driver_sql("ROLLBACK TO SAVEPOINT docflow_plan")


def _catch_up_ties(dialect: str) -> tuple[str, ...]:
    """The index the catch-up's plan is asked without: PostgreSQL over a test's tiny tables costs its partial index
    and ix_assignment_series_id alike and broke the tie either way (CI failed on it once); the question is whether
    the partial index serves."""
    return ("ix_assignment_series_id",) if dialect == "postgresql" else ()


def test_the_catch_up_of_periodic_series_probes_its_partial_index(app):
    with app.app_context():
        found = plan(occurrences.stale_series(date(2026, 12, 31)), hide=_catch_up_ties(db.engine.dialect.name))
    assert re.search(r"\bix_assignment_series\b", found), found  # the partial index, not ix_assignment_series_id


def test_the_catch_up_keeps_to_its_partial_index_under_sampled_statistics(app):
    """SQLite's nightly ANALYZE samples 1,000 rows an index: at 1M assignments it judged «series_id IS NULL» (nearly
    every row) a range of 1,001 rows of ix_assignment_series_id and read most assignments on every list (0.6 s).
    Those statistics written in, the catch-up still reads the partial index of the series alone."""
    with app.app_context():
        connection = db.session.connection()
        if connection.dialect.name == "sqlite":
            connection.exec_driver_sql("ANALYZE")  # makes sqlite_stat1
            connection.exec_driver_sql("DELETE FROM sqlite_stat1 WHERE tbl = 'assignment'")
            for index, stat in (("ix_assignment_series_id", "1008678 1001"), ("sqlite_autoindex_assignment_1",
                                "1068725 1001 15"), ("ix_assignment_status_deadline", "1094700 1001 23")):
                connection.exec_driver_sql("INSERT INTO sqlite_stat1 VALUES ('assignment', ?, ?)", (index, stat))
            connection.exec_driver_sql("ANALYZE sqlite_schema")  # the planner reads the statistics again
        found = plan(occurrences.stale_series(date(2026, 12, 31)), hide=_catch_up_ties(connection.dialect.name))
        db.session.rollback()
    assert re.search(r"\bix_assignment_series\b", found) and "ix_assignment_series_id" not in found, found


def test_a_journal_newest_first_reads_its_primary_key_backwards_without_sorting(app):
    """The audit page and notifications (keyset pages newest first) on page 1 and further: no sort of the table."""
    with app.app_context():
        for after in (None, "v1000_1000"):
            found = plan(paging.keyset_query(select(Event), paging.newest(Event.id), Event.id, after=after, size=50))
            assert "Sort" not in found and "TEMP B-TREE" not in found, found
            assert "pk_audit_event" in found or "INTEGER PRIMARY KEY" in found or "SCAN audit_event" in found, found


def test_an_actor_s_journal_is_a_range_of_her_index_in_order(app):
    """The audit page filtered by who acted, page 1 and further: a range of ix_audit_event_actor_id (actor_id, id;
    migration 0047) in the page's order. PostgreSQL's generic plan walked the primary key backwards testing each
    event's actor instead (its index of actor_id alone held an actor's events in no order): for a user with no
    events, all 1,026,750 of them read at 1M (0.24 s)."""
    with app.app_context():
        for after in (None, "v1000_1000"):
            found = plan(paging.keyset_query(select(Event).where(Event.actor_id == 5), paging.newest(Event.id),
                                             Event.id, after=after, size=50), hide=("uq_audit_event_hash",))
            assert "ix_audit_event_actor_id" in found, found
            assert "Sort" not in found and "TEMP B-TREE" not in found, found


def test_the_register_newest_first_reads_its_index_without_sorting(app):
    """The register's default order (migration 0026's index on coalesce(reg_date, event_date), id): page 1 reads
    the index in order, no sort of every document; a later page finds its rows through the index too (in order, or
    on PostgreSQL, where few rows are expected before the cursor, as a bitmap of them)."""
    from webapp.models import Document
    from webapp.services.documents import REGISTER_DEFAULT_SORT, REGISTER_SORTS

    order = paging.choose(REGISTER_SORTS, None, REGISTER_DEFAULT_SORT)[1]
    with app.app_context():
        query = select(Document).where(Document.parent_id.is_(None))
        first = plan(paging.keyset_query(query, order, Document.id, after=None, size=50))
        later = plan(paging.keyset_query(query, order, Document.id, after="v2026-11-20_1000", size=50))
    assert "ix_document_register_date" in first, first
    assert "Sort" not in first and "TEMP B-TREE" not in first, first
    assert "ix_document_register_date" in later, later


def test_the_register_of_one_type_newest_first_reads_its_index_without_sorting(app):
    """The register filtered by a type, in its default order: the first page is the first rows of the type's range
    of ix_document_type_register_date (migration 0048), under the 1M bench's sampled statistics too. With them
    SQLite read every document of the type through ix_document_doc_type_id and sorted them (140-170 ms at 200,000
    documents, for every user)."""
    from webapp.models import Document
    from webapp.services.documents import REGISTER_DEFAULT_SORT, REGISTER_SORTS

    order = paging.choose(REGISTER_SORTS, None, REGISTER_DEFAULT_SORT)[1]
    with app.app_context():
        connection = db.session.connection()
        if connection.dialect.name == "sqlite":
            _sampled_statistics(connection, "document", (
                *_DOCUMENT_STATS, ("ix_document_type_register_date", "172212 1001 7 1")))
        found = plan(paging.keyset_query(select(Document).where(Document.doc_type == "protocol"), order,
                                         Document.id, after=None, size=50), hide=("ix_document_doc_type_id",)
                     if connection.dialect.name == "postgresql" else ())
        db.session.rollback()
    assert "ix_document_type_register_date" in found, found
    assert "Sort" not in found and "TEMP B-TREE" not in found, found


def test_attachments_are_found_through_the_partial_parent_index(app):
    """ix_document_parent_id holds attachments only (migration 0026): a document's attachments still use it."""
    from webapp.models import Document

    with app.app_context():
        found = plan(select(Document).where(Document.parent_id == 7))
    assert "ix_document_parent_id" in found, found


def test_the_inbox_reads_a_bodys_open_assignments_from_its_index(app):
    """«Поручения на исполнение»: the lead half of the union reads body + status + deadline, not every open
    assignment of the organisation."""
    from webapp.models import Body, Membership, User
    from webapp.services import tasks

    with app.app_context():
        user = User(login="teacher", full_name="Учитель", password_hash="-")
        user.memberships = [Membership(body=Body(name="Школа № 1", dative="Школе № 1"))]
        db.session.add(user)
        db.session.flush()
        # (the status's own indexes taken away: with a few dozen rows left in the table by the tests before,
        # PostgreSQL read the open ones through one and joined the memberships — 1 run in 5, 30.11.2026)
        found = plan(tasks._queries(user)["execute"], hide=("ix_assignment_status_id", "ix_assignment_status_deadline"))
    # The lead half reads one body's rows through an index led by lead_body_id (on a test's tiny tables PostgreSQL
    # may take the single-column one or the body + status + deadline one), with the status tested in that half —
    # in the index condition or the scan's filter — not after the union over every open assignment.
    lines = found.splitlines()
    lead = [index for index, line in enumerate(lines) if "ix_assignment_lead_body" in line]
    assert lead, found
    assert any("status" in " ".join(lines[index:index + 3]) for index in lead), found


def test_pending_extension_requests_are_found_through_their_status(app):
    """«Запросы на перенос срока», in every inbox and menu counter: the pending requests through their status index
    (migration 0027), not a scan of every request ever made."""
    from webapp.models import User
    from webapp.services import tasks

    with app.app_context():
        user = User(login="controller", full_name="Контролёр", password_hash="-")
        db.session.add(user)
        db.session.flush()
        # the join's index on assignment_id filters a tiny table as well as the status index does
        found = plan(tasks._queries(user)["extensions"], hide=("ix_deadline_change_assignment_id",))
    assert "ix_deadline_change_status_decided" in found, found  # its leading column (migration 0031)


def test_documents_to_acknowledge_are_found_from_the_users_acknowledgments(app):
    """«Ознакомиться», in every inbox and menu counter: the user's own acknowledgments through their index, then
    their documents; as a correlated EXISTS, SQLite tested every document of the organisation (0.5 s at 1M)."""
    from webapp.models import User
    from webapp.services import tasks

    with app.app_context():
        user = User(login="reader", full_name="Читатель", password_hash="-")
        db.session.add(user)
        db.session.flush()
        found = plan(tasks._queries(user)["acknowledge"])
    assert "ix_acknowledgment_user_id" in found, found
    assert not re.search(r"SCAN document\b|Seq Scan on document\b", found), found


def test_the_dashboard_finds_what_happened_after_its_day_through_its_indexes(app):
    """The deadline in force at a day and the cancellations after it (every statement of the dashboard asks them):
    the approved extensions decided since, the cancel events since, each a range of an index made for it."""
    moment = datetime(2026, 3, 1, 21, 0, tzinfo=UTC)
    with app.app_context():
        extensions = plan(dashboard.approved_after(moment))
        cancels = plan(dashboard.cancelled_after(moment), hide=("ix_audit_event_at", "ix_audit_event_object"))
    assert "ix_deadline_change_status_decided" in extensions, extensions
    assert "ix_audit_event_action_at" in cancels, cancels


def test_the_dashboard_s_cancellations_keep_to_their_index_under_sampled_statistics(app):
    """SQLite's nightly ANALYZE samples 1,000 rows an index: at 1M it judged «object_type = 'assignment' AND object_id
    IS NOT NULL» a range of ix_audit_event_object as narrow as the cancellations since the day, and took it for
    the order of the trend's GROUP BY: it read every assignment event for a department's trend (0.6 s). Those
    statistics (taken from the 1M bench) written in, the cancellations are still a range of
    ix_audit_event_action_at."""
    with app.app_context():
        connection = db.session.connection()
        if connection.dialect.name != "sqlite":
            pytest.skip("SQLite's sampled statistics; PostgreSQL's plan: the test above")
        connection.exec_driver_sql("ANALYZE")  # makes sqlite_stat1
        connection.exec_driver_sql("DELETE FROM sqlite_stat1 WHERE tbl = 'audit_event'")
        for index, stat in (("ix_audit_event_action_at", "864320 1001 1"), ("ix_audit_event_object", "1182384 1001 1"),
                            ("ix_audit_event_at", "1063920 1"), ("ix_audit_event_document_id", "1429043 6"),
                            ("ix_audit_event_actor_id", "1083150 667")):
            connection.exec_driver_sql("INSERT INTO sqlite_stat1 VALUES ('audit_event', ?, ?)", (index, stat))
        connection.exec_driver_sql("ANALYZE sqlite_schema")  # the planner reads the statistics again
        # as the trend asks it: the last cancellation of each assignment (the object index gives that order)
        found = plan(dashboard.cancelled_after(datetime(2026, 3, 1, 21, 0, tzinfo=UTC), Event.object_id,
                                               func.max(Event.at)).group_by(Event.object_id))
        db.session.rollback()
    assert "ix_audit_event_action_at" in found and "ix_audit_event_object" not in found, found


def _sampled_statistics(connection, table: str, stats: tuple[tuple[str, str], ...], analyze: bool = True) -> None:
    """SQLite's nightly ANALYZE's statistics of `table` (1,000 rows sampled an index), as the 1M bench had them
    (`analyze`: the other tables' made first; False for a second table, whose ANALYZE would redo the first's)."""
    if analyze:
        connection.exec_driver_sql("ANALYZE")  # makes sqlite_stat1
    connection.exec_driver_sql("DELETE FROM sqlite_stat1 WHERE tbl = ?", (table,))
    for index, stat in stats:
        connection.exec_driver_sql("INSERT INTO sqlite_stat1 VALUES (?, ?, ?)", (table, index, stat))
    connection.exec_driver_sql("ANALYZE sqlite_schema")  # the planner reads the statistics again


#: ix_document_doc_type_id (migration 0038, the register by type) and ix_document_state_id (0043, by state) among
#: the others, from the 1M bench
_DOCUMENT_STATS = (("ix_document_doc_type_id", "192240 1001 1"), ("ix_document_unpublished_state", "3796 1001"),
                   ("ix_document_author_id", "116204 501"), ("ix_document_issuing_body_id", "130390 1001"),
                   ("ix_document_number_id", "243664 167 1"), ("ix_document_register_date", "187089 36 1"),
                   ("ix_document_state_id", "232902 1001 1"), ("sqlite_autoindex_document_1", "192374 1"))


#: The assignments' indexes as the 1M bench's nightly ANALYZE sampled them
_ASSIGNMENT_STATS = (
    ("ix_assignment_controller_id", "1085760 1001"), ("ix_assignment_deadline", "1038525 23"),
    ("ix_assignment_controller_status_deadline", "1065300 1001 1001 2"), ("ix_assignment_document_id", "1429043 5"),
    ("ix_assignment_lead_body_id", "1007370 167"), ("ix_assignment_lead_body_status_completed", "974070 167 33 2"),
    ("ix_assignment_lead_body_status_deadline", "1048917 167 33 1"), ("ix_assignment_point_id", "1265110 1"),
    ("ix_assignment_series_id", "1008678 1001"), ("ix_assignment_status_deadline", "1094700 1001 23"),
    ("ix_assignment_status_id", "1288056 1001 1"))


def _sqlite_assignments_at_1m():
    """The session's connection, SQLite's with the 1M bench's sampled statistics of `assignment` (the test skipped
    on PostgreSQL)."""
    connection = db.session.connection()
    if connection.dialect.name != "sqlite":
        pytest.skip("SQLite's sampled statistics")
    _sampled_statistics(connection, "assignment", _ASSIGNMENT_STATS)
    return connection

def test_documents_to_sign_are_found_through_the_unpublished_states_under_sampled_statistics(app):
    """«На подпись» and «На рассмотрение», in every head's and secretary's menu counter: the few documents of a
    state awaiting a signature through the unpublished states' partial index. With the sampled statistics SQLite
    took the document type's index (migration 0038) and read every protocol, order and decision (40-55 ms on every
    page of a head at 1M)."""
    from webapp.models import Body, Membership, User, UserRole
    from webapp.services import tasks

    with app.app_context():
        connection = db.session.connection()
        if connection.dialect.name != "sqlite":
            pytest.skip("SQLite's sampled statistics")
        _sampled_statistics(connection, "document", _DOCUMENT_STATS)
        head = User(login="head-of-plans", full_name="Руководитель", password_hash="-")
        head.role_rows = [UserRole(role="head")]
        department = Body(name="Департамент планов", dative="Департаменту планов")
        department.children = [Body(name=f"Школа № {n}", dative=f"Школе № {n}") for n in range(1, 51)]
        head.memberships = [Membership(body=department)]  # signs for its 50 schools, as at 1M
        db.session.add(head)
        db.session.flush()
        queries = tasks._queries(head)
        found = {key: plan(queries[key]) for key in ("sign", "review")}
        db.session.rollback()
    for key, text in found.items():  # a state's few documents, or the head's body's (an index either way)
        assert "ix_document_doc_type_id" not in text, (key, text)
        assert not re.search(r"SCAN document\b", text), (key, text)


def test_pending_extension_requests_of_a_controller_start_from_the_pending_ones_under_sampled_statistics(app):
    """A controller's «Запросы на перенос срока»: the few pending requests first, each one's assignment by its key —
    not each of her assignments (2,500 at 1M) probed for a pending request, which SQLite's sampled statistics
    chose."""
    from webapp.models import User, UserRole
    from webapp.services import tasks

    with app.app_context():
        connection = _sqlite_assignments_at_1m()
        _sampled_statistics(connection, "deadline_change", (
            ("ix_deadline_change_assignment_id", "56970 1"), ("ix_deadline_change_status_decided", "43120 1001 1")),
            analyze=False)
        controller = User(login="controller-of-plans", full_name="Контролёр", password_hash="-")
        controller.role_rows = [UserRole(role="controller")]
        db.session.add(controller)
        db.session.flush()
        found = plan(tasks._queries(controller)["extensions"])
        db.session.rollback()
    assert "ix_deadline_change_status_decided" in found, found
    assert "ix_assignment_controller" not in found, found


def _department_head(login: str):
    """A head of a department of 50 schools, one department of several (flushed, in the caller's session)."""
    from webapp.models import Body, Membership, User, UserRole

    department = Body(name="Департамент планов", dative="Департаменту планов")
    department.children = [Body(name=f"Школа № {n}", dative=f"Школе № {n}") for n in range(1, 51)]
    head = User(login=login, full_name="Руководитель", password_hash="-")
    head.role_rows = [UserRole(role="head")]
    head.memberships = [Membership(body=department)]
    db.session.add_all([head, Body(name="Департамент соседей", dative="Департаменту соседей")])
    db.session.flush()
    return head


@pytest.mark.parametrize("overdue", [True, False])
@pytest.mark.parametrize("after", [None, "v2026-11-09_10"])
@pytest.mark.parametrize("sort", ["deadline", "-deadline"])
def test_a_department_s_overdue_list_reads_its_bodies_rows_under_sampled_statistics(app, overdue, after, sort):
    """«Поручения», «Только просроченные» and not, of a department's head (her body and its 50 schools), first page
    and a later one: its bodies' rows, not every overdue assignment of the organisation through (status, deadline)
    — which SQLite's sampled statistics chose while the open statuses were an index term (265 ms at 1M; 40 ms
    reading the department's rows) — nor every row after the cursor through the deadline's index, which SQLite
    chose when the cursor's deadline stood as a range beside the OR (a second page 9 -> 388 ms at 1M), nor, newest
    deadline first, every overdue row before the cursor through (status, deadline), which it chose while the day's
    bound of «Только просроченные» stood as a range beside the cursor's (215-420 ms at 1M)."""
    from tests.web.test_assignment_list_branches import _bound
    from webapp.services import assignments

    with app.app_context():
        _sqlite_assignments_at_1m()
        head = _department_head("head-of-lists")
        statement, values = assignments.list_statement(head, status=assignments.OPEN, after=after, sort=sort,
                                                       overdue_on=date(2026, 11, 23) if overdue else None)
        found = plan(_bound(statement, values))
        db.session.rollback()
    # (after a cursor, the OR's «no deadline» arm is one probe of (status, deadline) per open status: 25 ms at 1M)
    assert after is not None or "ix_assignment_status_deadline" not in found, found
    assert "ix_assignment_deadline" not in found, found
    assert not re.search(r"SCAN assignment\b", found), found
    assert not re.search(r"ix_assignment_status_deadline \(status=\? AND deadline[<>]", found), found


@pytest.mark.parametrize("sort", ["deadline", "-deadline"])
@pytest.mark.parametrize("status", ["done", "new"])
def test_a_school_s_later_page_of_a_status_reads_her_rows_under_sampled_statistics(app, sort, status):
    """«Поручения» of a school's executor, one status, after a cursor: each way she reads them from her body's
    index (the co-executor's from her body's rows of assignment_coexecutor), not every row of the status after the
    cursor through (status, deadline) — which SQLite's sampled statistics chose for the co-executor's part while the
    status was an index term (a school's done assignments after a cursor: 50-54 ms at 1M, 6-7 reading hers)."""
    from tests.web.test_assignment_list_branches import _bound
    from webapp.models import Body, Membership, User, UserRole
    from webapp.services import assignments

    with app.app_context():
        connection = _sqlite_assignments_at_1m()
        # (made up: 400,000 co-executor rows, 134 a body — the 1M bench's data has none)
        _sampled_statistics(connection, "assignment_coexecutor", (
            ("ix_assignment_coexecutor_body_id", "399030 134"), ("sqlite_autoindex_assignment_coexecutor_1",
                                                                 "399030 2 1")), analyze=False)
        executor = User(login="school-executor", full_name="Исполнитель", password_hash="-")
        executor.role_rows = [UserRole(role="executor")]
        executor.memberships = [Membership(body=Body(name="Школа № 7", dative="Школе № 7"))]
        db.session.add_all([executor, Body(name="Школа № 8", dative="Школе № 8")])  # one school of several
        db.session.flush()
        statement, values = assignments.list_statement(executor, status=status, after="v2020-06-01_500000",
                                                       sort=sort)
        found = plan(_bound(statement, values))
        db.session.rollback()
    assert not re.search(r"ix_assignment_status_deadline \(status=\? AND deadline[<>]", found), found
    assert not re.search(r"ix_assignment_deadline \(deadline[<>]", found), found  # (a tie's probe: «deadline=?»)
    assert not re.search(r"SCAN assignment\b", found), found


def test_a_history_page_joins_who_acted_to_its_own_events_only(app):
    """A history page's events are limited first and only they are joined to their users: joined before the
    LIMIT, PostgreSQL merged a protocol's events with every user in id order (at 1M, 15,949 users read for 254
    events, and more as the users grow)."""
    from webapp.services.history import history_statement

    with app.app_context():
        found, engine = plan(history_statement("document").params(subject_id=1)), db.engine.dialect.name
    lines = found.splitlines()
    users = [line for line in lines if "user_account" in line]
    assert users, found
    if engine == "sqlite":  # the events a co-routine (or materialized) of their own, the users after
        inner = next(i for i, line in enumerate(lines) if line.startswith(("CO-ROUTINE", "MATERIALIZE")))
        assert "audit_event" in lines[inner + 1] and all(lines.index(line) > inner + 1 for line in users), found
    else:  # the Limit under the joins, not over them
        limit = next(line for line in lines if "Limit" in line)
        depth = len(limit) - len(limit.lstrip(" ->"))
        assert not lines[0].lstrip().startswith("Limit") and all(
            len(line) - len(line.lstrip(" ->")) <= depth for line in users), found


def test_a_department_s_bulk_workbook_reads_its_own_rows_under_sampled_statistics(app):
    """The bulk workbook of a department's head (her body and 50 schools): her rows read one way at a time, each
    through its own index (the lead bodies' with the open statuses, the co-executed by key, the controller's) — not
    every open assignment of the organisation through (status, id) with the OR tested on each, which SQLite's
    sampled statistics chose (`/assignments/bulk.xlsx` 420 ms of SQL at 1M)."""
    from sqlalchemy import func, select

    from webapp.models import Assignment
    from webapp.services import bulk

    with app.app_context():
        _sqlite_assignments_at_1m()
        head = _department_head("head-of-workbooks")
        found = plan(select(func.count(Assignment.id)).where(*bulk._exported(head)))
        db.session.rollback()
    assert "ix_assignment_status_id" not in found, found
    assert not re.search(r"SCAN assignment\b", found), found
    assert "ix_assignment_lead_body_status" in found and "ix_assignment_controller_status_deadline" in found, found
