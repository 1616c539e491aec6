"""History and the audit page in Russian: action names instead of codes, «было → стало» instead of JSON."""

from __future__ import annotations

import ast
import re
from datetime import date
from pathlib import Path

import webapp
from tests.web.test_workflows import _draft, _fire, _get, people  # noqa: F401  (people: a fixture)
from webapp.extensions import db
from webapp.models import Document, User
from webapp.services.documents import DraftData, update_draft
from webapp.services.history import ACTIONS

CODE = re.compile(r"\b(?:document|transition|approval|assignments?|acknowledgment)\.[a-z_]+\b")


def _visible(page: str) -> str:
    """The text a reader sees (tags dropped)."""
    return " ".join(re.sub(r"<[^>]+>", " ", page).split())


def test_document_history_and_audit_page_speak_russian(app, client, auth, people):  # noqa: F811
    document_id = _draft(app)
    auth.login("sec")
    client.post(f"/documents/{document_id}/approval/approvers",
                data={"csrf_token": auth.csrf(f"/documents/{document_id}"), "approver": people["a1"]})
    assert _fire(client, auth, "sec", document_id, "submit").status_code == 302
    assert _fire(client, auth, "a1", document_id, "return_for_rework", comment="Уточнить п. 1").status_code == 302
    with app.app_context():
        doc = _get(app, document_id)
        update_draft(db.session.get(User, people["sec"]), doc, DraftData(
            doc_type="order", title="Об организации методической работы (ред.)", event_date=date(2026, 11, 21)),
            doc.version)
        db.session.commit()
    auth.logout()
    auth.login("sec")
    history = _visible(client.get(f"/documents/{document_id}").get_data(as_text=True).split('id="history"')[1])
    for text in ("Создан проект документа", "Добавлен согласующий Согласующий: Пользователь a1",
                 "Отправить на согласование Состояние: Проект → На согласовании",
                 "Вернуть на доработку Состояние: На согласовании → Проект Уточнить п. 1",
                 "Проект изменён Заголовок: Об организации методической работы → "
                 "Об организации методической работы (ред.)", "Дата: 20.11.2026 → 21.11.2026"):
        assert text in history, text
    assert not CODE.search(history)
    assert "было —" not in history and "Место издания" not in history  # empty fields of the new draft say nothing
    edit = history.split("Проект изменён")[1]
    assert "Пункты: 1 пункт → 0 пунктов; удалены: 1" in edit
    assert "Вид документа" not in edit  # unchanged fields of an edit are not listed

    auth.logout()
    auth.login("aud")
    page = client.get(f"/audit?document={document_id}").get_data(as_text=True)
    visible = _visible(page)
    assert "Вернуть на доработку" in visible and "Состояние: На согласовании → Проект" in visible
    assert not CODE.search(visible) and "\\u04" not in page and "{&#34;" not in page and '{"' not in visible
    assert 'class="audit-events"' in page  # the wrapping container (docflow.css keeps it inside the viewport)
    css = Path(webapp.__file__).parent / "static" / "docflow.css"
    assert "overflow-wrap: anywhere" in css.read_text(encoding="utf-8")


def test_every_recorded_action_has_a_russian_name():
    """A new `record_event(..., "area.verb", ...)` without a name in services/history.py fails here."""
    codes = set()
    for path in Path(webapp.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "record_event" and len(node.args) > 1:
                action = node.args[1]
                if isinstance(action, ast.Constant):
                    codes.add(action.value)
    assert codes and codes <= set(ACTIONS), sorted(codes - set(ACTIONS))
    assert {"assignment.extension_approved", "assignment.extension_rejected", "approval.approved",
            "approval.approved_with_remarks", "assignment.take", "assignment.report", "assignment.accept",
            "assignment.return", "assignment.cancel"} <= set(ACTIONS)


def test_messages_and_notices_are_natural_russian(app, client, auth, people):  # noqa: F811
    """Notices name the document by type, number and date and say what happened, agreed with its type; the flash
    after an action says the same; the register and the page name a state alike."""
    document_id = _draft(app, "decision")
    auth.login("sec")
    client.post(f"/documents/{document_id}/approval/approvers",
                data={"csrf_token": auth.csrf(f"/documents/{document_id}"), "approver": people["a1"]})
    response = _fire(client, auth, "sec", document_id, "submit")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Решение отправлено на согласование." in page and "Готово" not in page
    auth.logout()
    auth.login("a1")
    notices = _visible(client.get("/notifications").get_data(as_text=True))
    assert ("Решение от 20.11.2026 «Об организации методической работы» отправлено на согласование "
            "(Пользователь sec).") in notices
    assert "отправить на согласование" not in notices
    with app.app_context():
        doc = _get(app, document_id)
        doc.state = "approved"
        db.session.add(Document(doc_type="order", title="О приказе в силе", state="published", number="5",
                                reg_date=date(2026, 11, 2)))
        db.session.commit()
    listing = _visible(client.get("/documents").get_data(as_text=True))
    assert "Об организации методической работы Утверждено" in listing
    assert "О приказе в силе Зарегистрирован и опубликован" in listing
    page = client.get(f"/documents/{document_id}").get_data(as_text=True)
    assert re.search(r'id="doc-state">Утверждено<', page)
