"""Defects a clerk meets first (issue 10): a protocol keeps its meeting date through publication, and an
assignment's card shows only its current deadline after an extension."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select

from tests.fidelity import docx_text
from tests.web.test_documents import _body_id, protocol_form
from webapp.extensions import db
from webapp.models import Assignment, Document


def _fire(client, auth, login, document_id, name, comment=""):
    auth.logout()
    auth.login(login)
    page = client.get(f"/documents/{document_id}").get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)
    response = client.post(f"/documents/{document_id}/transition", data={
        "csrf_token": auth.csrf(f"/documents/{document_id}"), "transition": name, "comment": comment,
        "version": version})
    assert response.status_code == 302, response.get_data(as_text=True)


def _published_protocol(app, client, auth, make_user) -> int:
    body_id = _body_id(app)
    make_user("sec", "secretary")
    make_user("chair", "head")
    auth.login("sec")
    form = protocol_form(auth.csrf("/documents/new"), body_id, event_date="15.01.2027",
                         **{"points-1-deadline": "в срок до 1 февраля 2027 года"})
    response = client.post("/documents/new", data=form)
    assert response.status_code == 302, response.get_data(as_text=True)
    document_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    _fire(client, auth, "sec", document_id, "submit")
    _fire(client, auth, "chair", document_id, "sign")
    _fire(client, auth, "sec", document_id, "publish")
    return document_id


def test_publishing_a_protocol_keeps_its_meeting_date(app, client, auth, make_user):
    document_id = _published_protocol(app, client, auth, make_user)
    with app.app_context():
        doc = db.session.get(Document, document_id)
        assert doc.state == "published" and doc.number
        assert doc.event_date.isoformat() == "2027-01-15" and doc.reg_date.isoformat() == "2026-11-23"
    page = client.get(f"/documents/{document_id}").get_data(as_text=True)
    requisites = re.search(r'class="doc-requisites[^"]*">(.*?)</div>', page, re.S).group(1)
    assert "15.01.2027" in requisites and "23.11.2026" not in requisites
    assert "Зарегистрирован 23 ноября 2026 г." in page  # the registration date is shown apart
    listing = client.get("/documents").get_data(as_text=True)
    assert "15.01.2027" in listing
    response = client.get(f"/documents/{document_id}/docx")
    assert response.status_code == 200
    text = docx_text(response.data)
    assert "15.01.2027" in text and "23.11.2026" not in text


def test_an_order_is_still_dated_by_its_signing():
    """An order is dated on registration (the day the head signs); a protocol by its meeting."""
    order = Document(doc_type="order", title="Об организации", event_date=date(2026, 11, 20))
    protocol = Document(doc_type="protocol", title="совещания", event_date=date(2027, 1, 15))
    assert order.doc_date == date(2026, 11, 20) and protocol.doc_date == date(2027, 1, 15)
    order.reg_date = protocol.reg_date = date(2026, 11, 23)
    assert order.doc_date == date(2026, 11, 23) and protocol.doc_date == date(2027, 1, 15)


def _assignment_id(app, document_id) -> int:
    with app.app_context():
        return db.session.scalar(select(Assignment.id).where(Assignment.document_id == document_id,
                                                             Assignment.deadline.is_not(None)))
