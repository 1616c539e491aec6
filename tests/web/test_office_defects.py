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
    make_user("sec", "secretary", bodies=["Министерство образования"])  # the draft is issued by her body
    make_user("chair", "head", bodies=["Министерство образования"])
    auth.login("sec")
    form = protocol_form(auth.csrf("/documents/new"), body_id, event_date="15.01.2027",
                         **{"points-1-deadline": "в срок до 1 февраля 2027 года"})
    response = client.post("/documents/new", data=form)
    assert response.status_code == 302, response.get_data(as_text=True)
    document_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    _fire(client, auth, "sec", document_id, "submit")
    _fire(client, auth, "chair", document_id, "sign")
    _fire(client, auth, "sec", document_id, "countersign")  # the protocol's second signature: the secretary's
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


def _card_deadline(page: str) -> str:
    card = re.search(r'id="deadline">(.*?)</dd>', page, re.S).group(1)
    return " ".join(re.sub(r"<[^>]+>", " ", card).split())


def test_after_an_extension_the_card_shows_only_the_current_deadline(app, client, auth, make_user):
    document_id = _published_protocol(app, client, auth, make_user)
    with app.app_context():
        assignment = db.session.scalar(select(Assignment).where(Assignment.document_id == document_id,
                                                                Assignment.deadline.is_not(None)))
        aid, body, controller = assignment.id, assignment.lead_body.name, assignment.controller.login
    make_user("exe", "executor", bodies=[body])
    page = client.get(f"/assignments/{aid}").get_data(as_text=True)
    assert _card_deadline(page) == "1 февраля 2027 г. (в срок до 1 февраля 2027 года)"
    for login, action, data in (("exe", "extension", {"new_date": "15.03.2027", "reason": "Нет кадров"}),
                                (controller, "extension/decide", {"decision": "approve", "new_date": ""})):
        auth.logout()
        auth.login(login)
        response = client.post(f"/assignments/{aid}/{action}", data={"csrf_token": auth.csrf("/documents"), **data})
        assert response.status_code == 302
    page = client.get(f"/assignments/{aid}").get_data(as_text=True)
    assert _card_deadline(page) == "15 марта 2027 г. срок переносился 1 раз"
    assert "Первоначальный срок: 1 февраля 2027 г. («в срок до 1 февраля 2027 года»); перенесён 1 раз." in page
    assert "раз(а)" not in page


def test_counts_agree_with_their_nouns():
    from webapp.ru.morph import with_count

    assert [with_count(n, "раз") for n in (1, 2, 5, 11, 21, 22)] == [
        "1 раз", "2 раза", "5 раз", "11 раз", "21 раз", "22 раза"]
    assert [with_count(n, "поручение") for n in (1, 3, 12)] == ["1 поручение", "3 поручения", "12 поручений"]
