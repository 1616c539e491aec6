"""Workflows through HTTP: every transition with a right and a wrong role, the approval route,
registration numbers, freezing, acknowledgment, and the audit trail."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select, text

from webapp.extensions import db
from webapp.models import ApprovalStep, Assignment, Body, Document, Event, User
from webapp.services import transitions
from webapp.services.documents import DraftData, PointData, create_draft, update_draft
from webapp.services.errors import NotAllowed
from webapp.services.workflows import registry

USERS = {
    "sec": ("secretary",), "head": ("head",), "a1": ("approver",), "a2": ("approver",),
    "exe": ("executor",), "aud": ("auditor",), "adm": ("admin",),
}


@pytest.fixture
def people(app, make_user):
    ids = {login: make_user(login, *roles) for login, roles in USERS.items()}
    with app.app_context():
        db.session.add(Body(name="Министерство образования", dative="Министерству образования"))
        db.session.commit()
    return ids



def _draft(app, doc_type="order", author="sec") -> int:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.login == author))
        body = db.session.scalar(select(Body))
        doc = create_draft(user, DraftData(
            doc_type=doc_type, title="Об организации методической работы", event_date=date(2026, 11, 20),
            points=[PointData(text="Создать методическую службу.", number="1", responsible_ids=[body.id],
                              deadline_text="в срок до 1 февраля 2027 года")]))
        doc.issuing_body = body  # the author belongs to no body; one is required before approval
        db.session.commit()
        return doc.id


def _get(app, document_id) -> Document:
    doc = db.session.get(Document, document_id)
    db.session.refresh(doc)
    return doc


def _fire(client, auth, login, document_id, name, comment="Нужно уточнить сроки.", version=None):
    auth.logout()
    auth.login(login)
    token = auth.csrf(f"/documents/{document_id}")
    if version is None:
        page = client.get(f"/documents/{document_id}").get_data(as_text=True)
        version = re.search(r'name="version" type="hidden" value="(\d+)"', page)
        if version is None:  # no buttons for this user: send the current version, so the refusal is the rule's
            with client.application.app_context():
                version = str(db.session.get(Document, document_id).version)
        else:
            version = version.group(1)
    # confirmed: the page's «are you sure?» step (tests/web/test_drafts.py) is answered at once here
    return client.post(f"/documents/{document_id}/transition", data={
        "csrf_token": token, "transition": name, "comment": comment, "version": version, "confirmed": "1"})


def _arrange(app, document_id, state, transition, people):
    """Put a draft into `state` with the approval route the transition needs."""
    with app.app_context():
        doc = _get(app, document_id)
        doc.state = state
        if state != "draft" and transitions.uses_route(doc):
            doc.approval_round = 1
            approved = "all_approvals_given" in transition.guards
            for i, login in enumerate(("a1", "a2")):
                doc.approval_steps.append(ApprovalStep(
                    user_id=people[login], round=1, position=i, decision="approved" if approved else None))
        elif state == "draft" and transitions.uses_route(doc):
            doc.approval_steps.append(ApprovalStep(user_id=people["a1"], round=1, position=0))
        db.session.commit()


def _right_user(transition) -> str:
    if "author" in transition.roles:
        return "sec"
    if "head" in transition.roles:
        return "head"
    if "current_approver" in transition.roles:
        return "a1"
    return "adm"


def _cases():
    from webapp.services.workflows import SHIPPED_DIR
    from webapp.workflow import load_registry

    reg = load_registry(SHIPPED_DIR)
    for doc_type in ("order", "protocol", "decision", "resolution"):
        workflow = reg.for_type(doc_type)
        for transition in workflow.transitions.values():
            for source in transition.sources:
                yield pytest.param(doc_type, transition.name, source, id=f"{doc_type}-{transition.name}-{source}")


@pytest.mark.parametrize(("doc_type", "name", "source"), list(_cases()))
def test_every_transition_with_right_and_wrong_role(app, client, auth, people, doc_type, name, source):
    document_id = _draft(app, doc_type)
    with app.app_context():
        transition = registry().for_type(doc_type).transition(name)
    _arrange(app, document_id, source, transition, people)

    response = _fire(client, auth, "exe", document_id, name)  # an executor fires nothing
    assert response.status_code == 403
    with app.app_context():
        assert _get(app, document_id).state == source

    response = _fire(client, auth, _right_user(transition), document_id, name)
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        doc = _get(app, document_id)
        assert doc.state == transition.target
        event = db.session.scalars(select(Event).where(Event.document_id == document_id)
                                   .order_by(Event.id.desc())).first()
        assert event.action == f"transition.{name}" and event.before["state"] == source
        if "assign_number" in transition.effects:
            assert doc.number == "1" and doc.reg_date is not None
        if "create_assignments" in transition.effects:
            assert [a.status for a in db.session.scalars(select(Assignment).where(
                Assignment.document_id == document_id))] == ["new"]


def test_stale_and_forbidden_transitions_change_nothing(app, client, auth, people):
    document_id = _draft(app)
    with app.app_context():
        _arrange(app, document_id, "draft", registry().for_type("order").transition("submit"), people)
    response = _fire(client, auth, "sec", document_id, "submit", version="0")
    assert response.status_code == 409 and "Документ изменился" in response.get_data(as_text=True)
    response = _fire(client, auth, "aud", document_id, "submit")
    assert response.status_code == 403
    response = _fire(client, auth, "sec", document_id, "sign")  # not from a draft
    assert response.status_code == 409
    response = _fire(client, auth, "head", document_id, "cancel", comment="")  # comment required
    assert response.status_code == 302
    assert "нужен комментарий" in client.get(f"/documents/{document_id}").get_data(as_text=True)
    with app.app_context():
        assert _get(app, document_id).state == "draft"
        assert not db.session.scalars(select(Event).where(Event.action.like("transition.%"))).first()


def test_submit_needs_complete_content_and_an_approver(app, client, auth, people):
    document_id = _draft(app)
    response = _fire(client, auth, "sec", document_id, "submit")
    assert response.status_code == 403
    assert "хотя бы одного согласующего" in response.get_data(as_text=True)
    with app.app_context():
        doc = _get(app, document_id)
        doc.event_date = None
        db.session.commit()
    token = auth.csrf(f"/documents/{document_id}")
    client.post(f"/documents/{document_id}/approval/approvers", data={"csrf_token": token, "approver": people["a1"]})
    response = _fire(client, auth, "sec", document_id, "submit")
    assert response.status_code == 403 and "Документ не заполнен: дата" in response.get_data(as_text=True)


def _decide(client, auth, login, document_id, decision="approved", comment=""):
    auth.logout()
    auth.login(login)
    page = client.get(f"/documents/{document_id}").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    with client.application.app_context():
        version = db.session.get(Document, document_id).version  # the form is not shown to whom it is not for
    return client.post(f"/documents/{document_id}/approval/decide",
                       data={"csrf_token": token, "decision": decision, "comment": comment, "version": version})


def test_order_approval_route_return_rework_and_signing(app, client, auth, people):
    document_id = _draft(app)
    auth.login("sec")
    for login in ("a1", "a2"):
        token = auth.csrf(f"/documents/{document_id}")
        client.post(f"/documents/{document_id}/approval/approvers",
                    data={"csrf_token": token, "approver": people[login]})
    assert _fire(client, auth, "sec", document_id, "submit").status_code == 302

    assert _decide(client, auth, "a2", document_id).status_code == 403  # sequential: a1 first
    assert _decide(client, auth, "a1", document_id).status_code == 302
    assert _fire(client, auth, "a2", document_id, "return_for_rework", comment="").status_code == 302
    with app.app_context():
        assert _get(app, document_id).state == "on_approval"  # no comment: nothing happened
    assert _fire(client, auth, "a2", document_id, "return_for_rework", comment="Уточнить п. 1").status_code == 302
    with app.app_context():
        doc = _get(app, document_id)
        assert doc.state == "draft"
        assert [(s.user.login, s.decision, s.comment) for s in doc.approval_steps] == [
            ("a1", "approved", None), ("a2", "returned", "Уточнить п. 1")]
        user = db.session.get(User, people["sec"])
        update_draft(user, doc, DraftData(doc_type="order", title="Об организации методической работы (ред.)",
                                          event_date=date(2026, 11, 21)), doc.version)
        db.session.commit()

    assert _fire(client, auth, "sec", document_id, "submit").status_code == 302  # round 2, same approvers
    assert _decide(client, auth, "a1", document_id).status_code == 302
    response = _decide(client, auth, "a2", document_id, "approved_with_remarks", "")
    assert "требует текста замечаний" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert _decide(client, auth, "a2", document_id, "approved_with_remarks", "Мелкие правки").status_code == 302
    assert _fire(client, auth, "head", document_id, "sign").status_code == 409  # not on signing yet
    assert _fire(client, auth, "sec", document_id, "send_to_signing").status_code == 302
    assert _fire(client, auth, "head", document_id, "sign").status_code == 302

    page = client.get(f"/documents/{document_id}").get_data(as_text=True)
    assert 'id="doc-number">1<' in page and "Зарегистрирован и опубликован" in page
    assert "Мелкие правки" in page and "Уточнить п. 1" in page  # the approval sheet, both rounds
    auth.logout()
    auth.login("sec")  # the author hears of every step
    page = client.get("/notifications").get_data(as_text=True)
    assert "подписан и зарегистрирован (Пользователь head)" in page
    assert "возвращён на доработку (Пользователь a2). Комментарий: Уточнить п. 1" in page
    assert '<span class="badge text-bg-danger">' in page
    client.post("/notifications/read", data={"csrf_token": auth.csrf("/notifications")})
    assert '<span class="badge text-bg-danger">' not in client.get("/notifications").get_data(as_text=True)
    with app.app_context():
        doc = _get(app, document_id)
        assert doc.approval_round == 2 and doc.reg_date is not None and not doc.draft_mark


def test_parallel_route_and_approver_added_while_running(app, client, auth, people, make_user):
    make_user("a3", "approver")
    document_id = _draft(app)
    auth.login("sec")
    token = auth.csrf(f"/documents/{document_id}")
    client.post(f"/documents/{document_id}/approval/mode", data={"csrf_token": token, "mode": "parallel"})
    client.post(f"/documents/{document_id}/approval/approvers", data={"csrf_token": token, "approver": people["a1"]})
    client.post(f"/documents/{document_id}/approval/approvers", data={"csrf_token": token, "approver": people["a2"]})
    assert _fire(client, auth, "sec", document_id, "submit").status_code == 302
    assert _decide(client, auth, "a2", document_id).status_code == 302  # any order
    auth.logout()
    auth.login("sec")
    with app.app_context():
        a3 = db.session.scalar(select(User).where(User.login == "a3")).id
    token = auth.csrf(f"/documents/{document_id}")
    client.post(f"/documents/{document_id}/approval/approvers", data={"csrf_token": token, "approver": a3})
    assert _decide(client, auth, "a1", document_id).status_code == 302
    assert _fire(client, auth, "sec", document_id, "send_to_signing").status_code == 403  # a3 has not decided
    assert _decide(client, auth, "a3", document_id).status_code == 302
    assert _fire(client, auth, "sec", document_id, "send_to_signing").status_code == 302
    with app.app_context():
        steps = _get(app, document_id).approval_steps
        assert [(s.user.login, s.added_while_running) for s in steps] == [("a1", False), ("a2", False), ("a3", True)]


def test_numbers_follow_the_pattern_per_type_body_and_year(app, client, auth, people):
    app.config["NUMBER_PATTERNS"] = {**app.config["NUMBER_PATTERNS"], "protocol": "01-29/{seq}"}
    numbers = []
    for _ in range(3):
        document_id = _draft(app, "protocol")
        for login, name in (("sec", "submit"), ("head", "sign"), ("sec", "countersign"), ("sec", "publish")):
            assert _fire(client, auth, login, document_id, name).status_code == 302
        with app.app_context():
            numbers.append(_get(app, document_id).number)
    assert numbers == ["01-29/1", "01-29/2", "01-29/3"]
    order_id = _draft(app, "order")
    _arrange(app, order_id, "on_signing", registry_transition(app, "order", "sign"), people)
    assert _fire(client, auth, "head", order_id, "sign").status_code == 302
    with app.app_context():
        assert _get(app, order_id).number == "1"  # orders count on their own


def registry_transition(app, doc_type, name):
    with app.app_context():
        return registry().for_type(doc_type).transition(name)


def test_published_document_cannot_be_edited_by_any_route(app, client, auth, people):
    document_id = _draft(app)
    _arrange(app, document_id, "on_signing", registry_transition(app, "order", "sign"), people)
    assert _fire(client, auth, "head", document_id, "sign").status_code == 302
    for login in ("sec", "head", "adm"):
        auth.logout()
        auth.login(login)
        assert client.get(f"/documents/{document_id}/edit").status_code == 403
        token = auth.csrf(f"/documents/{document_id}")
        response = client.post(f"/documents/{document_id}/edit", data={
            "csrf_token": token, "op": "save", "doc_type": "order", "title": "Подмена", "version": "99"})
        assert response.status_code == 403
        response = client.post(f"/documents/{document_id}/approval/approvers",
                               data={"csrf_token": token, "approver": people["a1"]})
        assert response.status_code == 403
        assert 'id="edit-document"' not in client.get(f"/documents/{document_id}").get_data(as_text=True)
    token = auth.csrf(f"/documents/{document_id}")
    response = client.post(f"/documents/{document_id}/amend", data={"csrf_token": token, "confirmed": "1"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/edit")
    with app.app_context():
        amendment = db.session.scalars(select(Document).where(Document.amends_id == document_id)).one()
        assert amendment.state == "draft" and amendment.title.startswith("О внесении изменений в приказ от ")
    with app.app_context():
        doc = _get(app, document_id)
        with pytest.raises(NotAllowed):
            update_draft(db.session.get(User, people["sec"]), doc, DraftData(doc_type="order", title="x"), doc.version)
        db.session.rollback()
        assert _get(app, document_id).title == "Об организации методической работы"


def test_attached_regulation_follows_its_order(app, client, auth, people):
    document_id = _draft(app)
    with app.app_context():
        order = _get(app, document_id)
        order.attachments.append(Document(doc_type="regulation", title="Положение о службе", state="draft",
                                          draft_mark=True))
        db.session.commit()
    _arrange(app, document_id, "on_signing", registry_transition(app, "order", "sign"), people)
    assert _fire(client, auth, "head", document_id, "sign").status_code == 302
    with app.app_context():
        attachment = _get(app, document_id).attachments[0]
        assert attachment.state == "published" and not attachment.draft_mark
        assert not transitions.available_transitions(db.session.get(User, people["head"]), attachment)


def test_acknowledgment_list_marks_and_export(app, client, auth, people):
    document_id = _draft(app)
    _arrange(app, document_id, "on_signing", registry_transition(app, "order", "sign"), people)
    assert _fire(client, auth, "head", document_id, "sign").status_code == 302
    token = auth.csrf(f"/documents/{document_id}")
    response = client.post(f"/documents/{document_id}/acknowledgments",
                           data={"csrf_token": token, "people": [people["exe"], people["a1"]]})
    assert response.status_code == 302
    auth.logout()
    auth.login("aud")
    token = auth.csrf(f"/documents/{document_id}")
    assert client.post(f"/documents/{document_id}/acknowledge", data={"csrf_token": token}).status_code == 403
    auth.logout()
    auth.login("exe")
    page = client.get(f"/documents/{document_id}").get_data(as_text=True)
    assert 'id="acknowledge"' in page
    token = auth.csrf(f"/documents/{document_id}")
    assert client.post(f"/documents/{document_id}/acknowledge", data={"csrf_token": token}).status_code == 302
    assert client.post(f"/documents/{document_id}/acknowledge", data={"csrf_token": token}).status_code == 403
    csv_text = client.get(f"/documents/{document_id}/acknowledgments.csv").get_data(as_text=True)
    rows = csv_text.lstrip("\ufeff").splitlines()
    assert rows[0] == "№;ФИО;Должность;Дата ознакомления"
    assert sorted(row.split(";", 1)[1] for row in rows[1:])[0] == "Пользователь a1;;"
    assert re.fullmatch(r"Пользователь exe;;\d\d\.\d\d\.\d{4} \d\d:\d\d",
                        sorted(row.split(";", 1)[1] for row in rows[1:])[1])


def test_audit_page_for_auditors_only(app, client, auth, people):
    document_id = _draft(app)
    auth.login("sec")
    assert client.get("/audit").status_code == 403
    auth.logout()
    auth.login("aud")
    page = client.get(f"/audit?document={document_id}&user={people['sec']}").get_data(as_text=True)
    assert "Создан проект документа" in page and "document.create" not in page
    page = client.get(f"/audit?user={people['head']}").get_data(as_text=True)
    assert "Создан проект документа" not in page and "Событий нет" in page
    page = client.get("/audit?since=2001-01-01&until=2001-01-02").get_data(as_text=True)
    assert "Событий нет" in page


def _verify(app):
    return app.test_cli_runner().invoke(args=["audit", "verify"])


def test_audit_verify_catches_changed_deleted_and_truncated_rows(app, client, auth, people):
    for _ in range(2):
        document_id = _draft(app, "protocol")
        for login, name in (("sec", "submit"), ("head", "sign")):
            assert _fire(client, auth, login, document_id, name).status_code == 302
    result = _verify(app)
    assert result.exit_code == 0 and "intact: 6 events" in result.output
    with app.app_context():
        ids = list(db.session.scalars(select(Event.id).order_by(Event.id)))
        original = db.session.get(Event, ids[2]).comment
        db.session.execute(text("UPDATE audit_event SET comment = 'подделка' WHERE id = :id"), {"id": ids[2]})
        db.session.commit()
    result = _verify(app)
    assert result.exit_code == 1 and f"event {ids[2]}: its content does not match its hash" in result.output
    with app.app_context():
        db.session.execute(text("UPDATE audit_event SET comment = :c WHERE id = :id"), {"id": ids[2], "c": original})
        db.session.commit()
    assert _verify(app).exit_code == 0
    with app.app_context():
        db.session.execute(text("DELETE FROM audit_event WHERE id = :id"), {"id": ids[3]})
        db.session.commit()
    result = _verify(app)
    assert result.exit_code == 1 and f"event {ids[4]}: does not follow event {ids[2]}" in result.output
    with app.app_context():
        db.session.execute(text("DELETE FROM audit_event WHERE id >= :id"), {"id": ids[3]})
        db.session.commit()
    result = _verify(app)
    assert result.exit_code == 1 and "rows at the end were deleted" in result.output


@pytest.mark.parametrize(("clause", "signatory", "expected"), [
    # the control clause names the controller, in the accusative and with initials
    ("Контроль за исполнением приказа возложить на начальника отдела Суртаеву А.М.", "С.П. Бочкарева", "ctl"),
    # «оставляю за собой»: nobody named, so the signatory, found by name
    ("Контроль за исполнением приказа оставляю за собой.", "Л.В. Цулая", "head"),
    # nobody with an account: whoever signed it
    (None, "С.П. Бочкарева", "head2"),
])
def test_signing_picks_the_controller_the_document_names(app, client, auth, people, make_user, clause,
                                                         signatory, expected):
    make_user("ctl", "controller")
    make_user("head2", "head")  # signs every time; the named people are others
    with app.app_context():
        for login, name in (("ctl", "Суртаева Анна Михайловна"), ("head", "Цулая Лариса Владимировна")):
            db.session.scalar(select(User).where(User.login == login)).full_name = name
        db.session.commit()
    document_id = _draft(app)
    with app.app_context():
        doc = _get(app, document_id)
        doc.controller_text, doc.state = clause, "on_signing"
        from webapp.models import Signatory

        doc.signatories = [Signatory(position=0, job_title="Начальник управления", name=signatory)]
        db.session.commit()
    assert _fire(client, auth, "head2", document_id, "sign").status_code == 302
    with app.app_context():
        assignment = db.session.scalar(select(Assignment).where(Assignment.document_id == document_id))
        assert assignment.controller.login == expected
