"""The menu's counter «Мои задачи N» on pages other than the inbox, through HTTP: for every kind of user it counts
what the inbox lists (approvers in a sequential route's turn, the head's signature and review, the lead body's and
a co-executor's open assignments, the controller's reports and extension requests, acknowledgments, and for a
deputy the tasks of the colleague she stands in for), asked in one statement."""

from __future__ import annotations

import re
from datetime import date, timedelta

from sqlalchemy import event, select

from tests.conftest import TODAY, AuthActions
from webapp.extensions import db
from webapp.models import Assignment, Body, Document, User
from webapp.services import assignments, deputies, tasks, transitions
from webapp.services.documents import DraftData, PointData, create_draft

COEXECUTING = "Отдел соисполнителей"
LOGINS = ("approver", "approver2", "head", "executor", "controller", "auditor", "coexec")


def _user(login: str) -> User:
    return db.session.scalar(select(User).where(User.login == login))


def _signed_in(app, login: str):
    """A client of its own, signed in as this demo user."""
    client = app.test_client()
    assert AuthActions(client).login(login, "demo").status_code == 302
    return client


def _menu(client, path: str = "/documents") -> tuple[int, int]:
    """(the menu's counter on `path`, the sum of the inbox's groups) for the client's user."""
    page = client.get(path).get_data(as_text=True)
    menu = re.search(r'id="tasks-counter">(\d+)<', page)
    inbox = client.get("/tasks").get_data(as_text=True)
    groups = [int(n) for n in re.findall(r'id="count-\w+">[^<]*<span class="badge[^"]*">(\d+)<', inbox)]
    assert len(groups) == len(tasks.GROUPS)
    return (int(menu.group(1)) if menu else 0), sum(groups)


def _order(title: str, approvers: tuple[str, ...]) -> Document:
    """An order of the department, its points for the executor's institute, submitted to a sequential route."""
    secretary = _user("secretary")
    doc = create_draft(secretary, DraftData(
        doc_type="order", title=title, event_date=date(2026, 11, 20),
        points=[PointData(text=f"Подготовить справку {i}.", number=str(i),
                          responsible_ids=[_user("executor").bodies[0].id], deadline_text="до 20.12.2026")
                for i in (1, 2)]))
    for login in approvers:
        transitions.add_approver(secretary, doc, _user(login))
    transitions.fire(secretary, doc, "submit", None, doc.version)
    return doc


def _decide(login: str, doc: Document) -> None:
    transitions.decide(_user(login), doc, "approved", None, doc.version)


def _build_world(app) -> None:
    """Something in every group of the inbox, for a different person each (see EXPECTED)."""
    with app.app_context():
        secretary, head, executor = _user("secretary"), _user("head"), _user("executor")
        # approver2's turn on the first (approver decided), approver's on the second: a sequential route asks
        # each document's own earlier steps, not another document's
        first = _order("О первом маршруте", ("approver", "approver2"))
        _decide("approver", first)
        _order("О втором маршруте", ("approver", "approver2"))
        signing = _order("О подписи", ("approver",))
        _decide("approver", signing)
        transitions.fire(secretary, signing, "send_to_signing", None, signing.version)  # the head signs
        signed = _order("Об исполнении", ("approver",))
        _decide("approver", signed)
        transitions.fire(secretary, signed, "send_to_signing", None, signed.version)
        transitions.fire(head, signed, "sign", None, signed.version)
        protocol = create_draft(secretary, DraftData(doc_type="protocol", title="совещания",
                                                     event_date=date(2026, 11, 20),
                                                     points=[PointData(text="Принять к сведению.", number="1")]))
        transitions.fire(secretary, protocol, "submit", None, protocol.version)  # the head reviews it
        coexecuting = db.session.scalar(select(Body).where(Body.name == COEXECUTING)) or Body(
            name=COEXECUTING, dative="Отделу соисполнителей")
        rows = db.session.scalars(select(Assignment).where(Assignment.document_id == signed.id)
                                  .order_by(Assignment.id)).all()
        assert len(rows) == 2
        for row in rows:
            row.controller_id = _user("controller").id
        rows[1].coexecutors.append(coexecuting)
        db.session.flush()
        assignments.take_into_work(executor, rows[0])
        assignments.submit_report(executor, rows[0], "Справка готова.")  # waits for the controller now
        assignments.request_extension(executor, rows[1], date(2027, 1, 20), "Нет данных")
        transitions.add_acknowledgers(head, signed, [executor])
        deputies.add_deputy(None, _user("approver2"), head, TODAY - timedelta(days=1), TODAY + timedelta(days=3))
        db.session.commit()


#: What the world adds to each user's count: approver — the second order; approver2 — the first order, and as the
#: head's deputy the order to sign and the protocol to review (not the head's acknowledgments: those are her own);
#: the head — those two; the executor — the assignment not reported and the order to acknowledge; the controller —
#: the report and the extension request; the co-executor's member — the assignment her body co-executes.
EXPECTED = {"approver": 1, "approver2": 3, "head": 2, "executor": 2, "controller": 2, "auditor": 0, "coexec": 1}


def test_the_menus_counter_counts_what_waits_for_each_user_in_one_statement(demo_app, make_user):
    with demo_app.app_context():
        db.session.add(Body(name=COEXECUTING, dative="Отделу соисполнителей"))
        db.session.commit()
    make_user("coexec", "executor", bodies=[COEXECUTING])
    with demo_app.app_context():
        _user("coexec").password_hash = _user("executor").password_hash  # the demo's password
        db.session.commit()
    clients = {login: _signed_in(demo_app, login) for login in LOGINS}
    before = {login: _menu(clients[login]) for login in LOGINS}
    assert all(menu == inbox for menu, inbox in before.values()), before
    _build_world(demo_app)
    after = {login: _menu(clients[login]) for login in LOGINS}
    assert {login: after[login][0] - before[login][0] for login in LOGINS} == EXPECTED
    assert all(menu == inbox for menu, inbox in after.values()), after  # the menu says what the inbox lists
    assert _menu(clients["executor"], "/assignments")[0] == after["executor"][0]  # on another page alike
    statements: list[str] = []
    with demo_app.app_context():
        engine = db.engine
    listen = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listen)
    try:
        page = clients["approver2"].get("/documents").get_data(as_text=True)
    finally:
        event.remove(engine, "before_cursor_execute", listen)
    assert f'id="tasks-counter">{after["approver2"][0]}<' in page
    assert len([s for s in statements if s.count("count(") >= len(tasks.GROUPS)]) == 1, statements  # one statement


def test_a_heads_documents_to_sign_and_review_come_from_the_unpublished_states_index(app):
    """The groups a head's counter asks of documents to sign and to review find the few not published through
    ix_document_unpublished_state (migration 0030) as the service sends them (a generic plan on PostgreSQL), not
    by reading every document of her bodies (2,021 documents, 18 ms at 1,000,000 assignments, on every page)."""
    from tests.web.test_query_plans import plan
    from webapp.models import Membership, UserRole

    with app.app_context():
        head = User(login="chief", full_name="Начальник", password_hash="-")
        head.memberships = [Membership(body=Body(name="Управление", dative="Управлению"))]
        head.role_rows = [UserRole(role="head")]
        db.session.add_all([head, Body(name="Другое управление", dative="Другому управлению")])  # one of several
        db.session.flush()
        queries = tasks._queries(head)
        # (the register's: 0026, 0038, 0043 and 0048 — on tiny tables PostgreSQL takes any of them)
        found = {key: plan(queries[key], hide=("ix_document_issuing_body_id", "ix_document_author_id",
                                               "ix_document_register_date", "ix_document_doc_type_id",
                                               "ix_document_number_id", "ix_document_state_id",
                                               "ix_document_type_register_date"))
                 for key in ("sign", "review")}
        sqlite = db.engine.dialect.name == "sqlite"
    for key, text in found.items():
        if sqlite:  # without statistics SQLite looks the body's documents up by issuing body: no scan either
            assert "SCAN document" not in text, (key, text)
        else:
            assert "ix_document_unpublished_state" in text, (key, text)


def test_an_approvers_turn_is_found_from_her_own_undecided_steps(app):
    """The group «На согласование» reads the user's own undecided steps (ix_approval_step_user_id) and their
    documents by key, on both databases as the service sends it; with the correlated EXISTS alone SQLite probed the
    steps of every document not yet published (4,000 at 1,000,000 assignments: 1.2 ms on every page)."""
    from tests.web.test_query_plans import plan

    with app.app_context():
        approver = User(login="approver9", full_name="Согласующий", password_hash="-")
        db.session.add(approver)
        db.session.flush()
        found = plan(tasks._queries(approver)["approve"])
    assert "ix_approval_step_user_id" in found, found
    assert "SCAN document" not in found and "Seq Scan on document" not in found, found
