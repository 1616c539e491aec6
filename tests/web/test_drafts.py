"""Drafts: the author withdraws her own draft; destructive and document-creating actions ask first (a page, no
scripts); notifications about a document are read once it is opened."""

from __future__ import annotations

import re

from sqlalchemy import event, func, select, update

from tests.web.test_workflows import _draft, _get, people  # noqa: F401  (people: a fixture)
from webapp.extensions import db
from webapp.models import Body, Document, Notification, User


def _post_transition(client, auth, login, document_id, name, comment="", **extra):
    auth.logout()
    auth.login(login)
    with client.application.app_context():
        version = db.session.get(Document, document_id).version
    return client.post(f"/documents/{document_id}/transition", data={
        "csrf_token": auth.csrf(f"/documents/{document_id}"), "transition": name, "comment": comment,
        "version": version, **extra})


def _in_body(app, *logins):
    with app.app_context():
        body = db.session.scalar(select(Body))
        for login in logins:
            db.session.scalar(select(User).where(User.login == login)).bodies.append(body)
        db.session.commit()


def test_the_author_withdraws_her_draft_after_confirming(app, client, auth, people, make_user):  # noqa: F811
    make_user("sec2", "secretary")
    document_id = _draft(app)
    auth.login("sec")
    page = client.get(f"/documents/{document_id}").get_data(as_text=True)
    assert 'id="t-withdraw"' in page and "Отозвать проект" in page

    response = _post_transition(client, auth, "sec", document_id, "withdraw")
    asked = response.get_data(as_text=True)
    assert response.status_code == 200 and 'id="confirm"' in asked and "Отозвать проект?" in asked
    assert 'name="confirmed" value="1"' in asked and 'name="csrf_token"' in asked
    with app.app_context():
        assert _get(app, document_id).state == "draft"  # asking changes nothing

    response = _post_transition(client, auth, "sec", document_id, "withdraw", confirmed="1")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Приказ отозван автором." in page
    with app.app_context():
        assert _get(app, document_id).state == "cancelled"
    assert "Отозвать проект" in page.split('id="history"')[1]


def test_only_the_author_withdraws_and_only_a_draft(app, client, auth, people, make_user):  # noqa: F811
    make_user("sec2", "secretary")
    _in_body(app, "sec", "sec2", "head")
    document_id = _draft(app)
    auth.login("sec2")
    assert 'id="t-withdraw"' not in client.get(f"/documents/{document_id}").get_data(as_text=True)
    for login in ("sec2", "head"):  # the same body, not the author: refused, also when asking
        for extra in ({}, {"confirmed": "1"}):
            response = _post_transition(client, auth, login, document_id, "withdraw", **extra)
            assert response.status_code == 403
            assert "Это может только автор документа." in response.get_data(as_text=True)
    with app.app_context():
        doc = _get(app, document_id)
        doc.state = "on_approval"
        db.session.commit()
    assert _post_transition(client, auth, "sec", document_id, "withdraw", confirmed="1").status_code == 409
    with app.app_context():
        assert _get(app, document_id).state == "on_approval"


def test_cancelling_asks_first_and_needs_its_comment_before_asking(app, client, auth, people):  # noqa: F811
    document_id = _draft(app)
    response = _post_transition(client, auth, "head", document_id, "cancel")
    assert response.status_code == 302  # no comment: said at once, nothing asked
    assert "нужен комментарий" in client.get(response.headers["Location"]).get_data(as_text=True)
    response = _post_transition(client, auth, "head", document_id, "cancel", comment="Не нужен")
    asked = response.get_data(as_text=True)
    assert response.status_code == 200 and "Отменить?" in asked and 'value="Не нужен"' in asked
    assert "будет отменён" in asked
    with app.app_context():
        assert _get(app, document_id).state == "draft"
    assert _post_transition(client, auth, "head", document_id, "cancel", comment="Не нужен",
                            confirmed="1").status_code == 302
    with app.app_context():
        assert _get(app, document_id).state == "cancelled"


def test_creating_an_amending_document_asks_first(app, client, auth, people):  # noqa: F811
    document_id = _draft(app)
    with app.app_context():
        doc = _get(app, document_id)
        doc.state, doc.number = "published", "7"
        db.session.commit()

    def count():
        with app.app_context():
            return db.session.scalar(select(func.count(Document.id)))

    before = count()
    auth.login("exe")
    response = client.post(f"/documents/{document_id}/amend", data={"csrf_token": auth.csrf("/documents")})
    assert response.status_code == 403  # who may not is not even asked
    auth.logout()
    auth.login("sec")
    token = auth.csrf(f"/documents/{document_id}")
    response = client.post(f"/documents/{document_id}/amend", data={"csrf_token": token})
    asked = response.get_data(as_text=True)
    assert response.status_code == 200 and "Создать изменяющий документ?" in asked and count() == before
    response = client.post(f"/documents/{document_id}/amend", data={"csrf_token": token, "confirmed": "1"})
    assert response.status_code == 302 and count() == before + 1
    response = client.post(f"/documents/{document_id}/amend", data={"confirmed": "1"})  # no CSRF token
    assert response.status_code == 400 and count() == before + 1


def test_notifications_about_a_document_are_read_when_it_is_opened(app, client, auth, people):  # noqa: F811
    document_id, other_id = _draft(app), _draft(app)
    with app.app_context():
        for doc_id in (document_id, document_id, other_id):
            db.session.add(Notification(user_id=people["a1"], document_id=doc_id, text="Посмотрите документ."))
        db.session.add(Notification(user_id=people["a2"], document_id=document_id, text="И вы."))
        db.session.commit()
    auth.login("a1")
    page = client.get("/notifications").get_data(as_text=True)
    assert re.search(r'id="notifications-link">Уведомления <span class="badge[^"]*">3<', page)
    assert client.get(f"/documents/{document_id}").status_code == 200  # an approver of the organisation reads it
    with app.app_context():
        unread = db.session.scalars(select(Notification.document_id).where(Notification.read_at.is_(None))
                                    .order_by(Notification.user_id)).all()
    assert sorted(unread) == sorted([other_id, document_id])  # a1's other one and a2's stay unread


def test_opening_a_document_while_someone_else_writes_still_marks_it_read(app, client, auth, people):  # noqa: F811
    """Another user's write lands between the page's reads and its one write (marking the reader's notices read).
    On SQLite a transaction that has read cannot then take the writer lock after someone else wrote ("database is
    locked" at once, the page a 409): the write goes in a transaction of its own."""
    document_id = _draft(app)
    with app.app_context():
        db.session.add(Notification(user_id=people["a1"], document_id=document_id, text="Посмотрите документ."))
        db.session.commit()
    auth.login("a1")
    written = []

    def someone_else_writes(_conn, _cursor, statement, *_args):
        if not written and statement.lstrip().upper().startswith("SELECT") and "FROM document" in statement:
            written.append(True)
            with db.engine.connect() as other:  # another request's connection, committed at once
                other.execute(update(Document).where(Document.id == document_id).values(title="Изменено"))
                other.commit()

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", someone_else_writes)
        try:
            response = client.get(f"/documents/{document_id}")
        finally:
            event.remove(db.engine, "before_cursor_execute", someone_else_writes)
        assert written and response.status_code == 200
        assert db.session.scalar(select(func.count()).select_from(Notification)
                                 .where(Notification.read_at.is_(None))) == 0
