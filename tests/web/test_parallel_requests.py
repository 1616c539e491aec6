"""Many users press the same button at the same moment, through HTTP: one wins, the others are told 409; nothing
answers 500, one number is given, the audit chain holds. Runs on SQLite and on PostgreSQL (as CI does)."""

from __future__ import annotations

import re
import threading
from collections import Counter
from datetime import date

from sqlalchemy import select

from tests.conftest import AuthActions
from webapp.extensions import db
from webapp.models import ApprovalStep, Body, Document
from webapp.services.audit import verify_chain

PARALLEL = 10


def _press_at_once(app, logins: list[str], path: str, form: dict) -> Counter:
    """Each login in its own client and thread; all POST the same form at the same moment."""
    clients = []
    for login in logins:
        client = app.test_client()
        auth = AuthActions(client)
        assert auth.login(login).status_code == 302
        clients.append((client, auth.csrf("/notifications")))
    barrier = threading.Barrier(len(clients))
    statuses: list[int] = []
    errors: list[BaseException] = []

    def press(client, token):
        try:
            barrier.wait()
            statuses.append(client.post(path, data={"csrf_token": token, **form}).status_code)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=press, args=pair) for pair in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not [t for t in threads if t.is_alive()], "a request never finished"
    assert not errors, errors
    return Counter(statuses)


def _order(app, state: str, **extra) -> int:
    with app.app_context():
        body = db.session.scalar(select(Body))
        doc = Document(doc_type="order", title="О параллельных нажатиях", state=state, issuing_body=body,
                       event_date=date(2026, 11, 20), **extra)
        db.session.add(doc)
        db.session.commit()
        return doc.id


def test_parallel_signs_give_one_number_and_409s(app, make_user):
    with app.app_context():
        db.session.add(Body(name="Управление", dative="Управлению"))
        db.session.commit()
    heads = [f"head{i}" for i in range(PARALLEL)]
    for login in heads:
        make_user(login, "head", bodies=["Управление"])
    doc = _order(app, "on_signing")
    with app.app_context():
        version = str(db.session.get(Document, doc).version)
    statuses = _press_at_once(app, heads, f"/documents/{doc}/transition", {"transition": "sign", "version": version})
    assert statuses[302] == 1 and statuses[409] == PARALLEL - 1, statuses
    with app.app_context():
        signed = db.session.get(Document, doc)
        assert signed.state == "published" and signed.number == "1"
        assert verify_chain() is None


def test_different_orders_signed_at_once_all_succeed_with_consecutive_numbers(app, make_user):
    """Writers of different documents wait for each other (SQLite: one writer at a time) instead of failing."""
    with app.app_context():
        db.session.add(Body(name="Управление", dative="Управлению"))
        db.session.commit()
    make_user("head", "head", bodies=["Управление"])
    docs = [_order(app, "on_signing") for _ in range(PARALLEL)]
    clients = []
    for doc in docs:
        client = app.test_client()
        auth = AuthActions(client)
        auth.login("head")
        clients.append((client, auth.csrf("/notifications"), doc))
    barrier = threading.Barrier(len(clients))
    statuses: list[int] = []

    def sign(client, token, doc):
        barrier.wait()
        statuses.append(client.post(f"/documents/{doc}/transition", data={
            "csrf_token": token, "transition": "sign", "version": "1"}).status_code)

    threads = [threading.Thread(target=sign, args=args) for args in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert statuses == [302] * PARALLEL
    with app.app_context():
        numbers = sorted(int(d.number) for d in db.session.scalars(select(Document).where(Document.id.in_(docs))))
        assert numbers == list(range(1, PARALLEL + 1)) and verify_chain() is None


def test_parallel_approvals_of_a_parallel_route_are_all_recorded(app, make_user):
    with app.app_context():
        db.session.add(Body(name="Управление", dative="Управлению"))
        db.session.commit()
    approvers = [f"appr{i}" for i in range(PARALLEL)]
    ids = [make_user(login, "approver") for login in approvers]
    doc = _order(app, "on_approval", approval_round=1, approval_mode="parallel")
    with app.app_context():
        db.session.add_all([ApprovalStep(document_id=doc, user_id=user_id, round=1, position=i)
                            for i, user_id in enumerate(ids, 1)])
        db.session.commit()
        version = str(db.session.get(Document, doc).version)
    statuses = _press_at_once(app, approvers, f"/documents/{doc}/approval/decide",
                              {"decision": "approved", "version": version})
    assert statuses == Counter({302: PARALLEL}), statuses  # each approver decides on a step of their own
    with app.app_context():
        steps = db.session.scalars(select(ApprovalStep).where(ApprovalStep.document_id == doc)).all()
        assert [s.decision for s in steps] == ["approved"] * PARALLEL
        assert verify_chain() is None


def test_a_conflict_page_says_what_to_do(app, make_user):
    """The 409 page is in Russian and names the way out."""
    with app.app_context():
        db.session.add(Body(name="Управление", dative="Управлению"))
        db.session.commit()
    make_user("head", "head", bodies=["Управление"])
    doc = _order(app, "on_signing")
    client = app.test_client()
    auth = AuthActions(client)
    auth.login("head")
    response = client.post(f"/documents/{doc}/transition", data={
        "csrf_token": auth.csrf("/notifications"), "transition": "sign", "version": "0"})
    page = response.get_data(as_text=True)
    assert response.status_code == 409 and re.search(r"Обновите страницу", page)
