"""A protocol is signed by two: the chair checks and signs it, then the secretary signs it (ГОСТ Р 7.0.97-2016,
5.21). Each learns of their turn in «Мои задачи», in the notifications and by e-mail; the history keeps both
signatures."""

from __future__ import annotations

import re

from sqlalchemy import func, select, update

from tests.cli.test_remind import smtp_inbox
from tests.web.test_documents import protocol_form
from tests.web.test_tasks import _counts, _links
from webapp.extensions import db
from webapp.models import Document, Notification, User


def _fire(client, document_id: int, name: str):
    page = client.get(f"/documents/{document_id}").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    version = re.search(r'name="version"[^>]*value="(\d+)"', page).group(1)
    answer = client.post(f"/documents/{document_id}/transition", data={"csrf_token": token, "transition": name,
                                                                      "version": version})
    assert answer.status_code == 302, answer.get_data(as_text=True)[:500]


def _send_mail(app) -> str:
    return app.test_cli_runner().invoke(args=["notify", "send"]).output


def test_chair_then_secretary_sign_a_protocol(demo_app, client, auth):
    with demo_app.app_context():
        db.session.execute(update(Notification).values(mailed_at=func.now()))  # the demo's own are not ours
        db.session.commit()
        body_id = db.session.scalar(select(User).where(User.login == "executor")).memberships[0].body_id
    auth.login("secretary", "demo")
    answer = client.post("/documents/new", data=protocol_form(auth.csrf("/documents/new"), body_id))
    assert answer.status_code == 302
    doc_id = int(answer.headers["Location"].rsplit("/", 1)[1])
    _fire(client, doc_id, "submit")

    with smtp_inbox(demo_app) as inbox:
        # The chair: the protocol waits for her check in the inbox, in the notifications and by e-mail.
        assert _counts(client, auth, "head")["review"] >= 1 and f"/documents/{doc_id}" in _links(client, "review")
        assert "передан председателю на проверку" in client.get("/notifications").get_data(as_text=True)
        assert "sent: 1" in _send_mail(demo_app)
        assert [to for to, _ in inbox.messages] == [["head@docflow.example"]]
        page = client.get(f"/documents/{doc_id}").get_data(as_text=True)
        assert 'id="t-sign"' in page and "Подписать как председатель" in page and 'id="t-countersign"' not in page
        _fire(client, doc_id, "sign")
        with demo_app.app_context():
            assert db.session.get(Document, doc_id).state == "chair_signed"

        # The secretary: now her signature waits.
        counts = _counts(client, auth, "secretary")
        assert counts["sign"] >= 1 and f"/documents/{doc_id}" in _links(client, "sign")
        assert "подписан председателем и передан на подпись секретарю" in client.get("/notifications").get_data(
            as_text=True)
        assert "sent: 1" in _send_mail(demo_app)
        assert inbox.messages[-1][0] == ["secretary@docflow.example"]
        page = client.get(f"/documents/{doc_id}").get_data(as_text=True)
        assert "Подписан председателем, на подписи у секретаря" in page and 'id="t-countersign"' in page
        _fire(client, doc_id, "countersign")
        with demo_app.app_context():
            assert db.session.get(Document, doc_id).state == "signed"
        history = client.get(f"/documents/{doc_id}").get_data(as_text=True)
        assert "Подписать как председатель" in history and "Подписать как секретарь" in history
        _counts(client, auth, "head")
        assert f"/documents/{doc_id}" not in _links(client, "review")  # done: off the chair's list
