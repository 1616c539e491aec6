"""Hardening shared by every page: security headers, no inline code, values out of range refused with a message
(never a 500), the size of a document bounded, and the CLI's commands for passwords and sessions."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from tests.conftest import TEST_PASSWORD, AuthActions
from webapp.extensions import db
from webapp.models import Assignment, Body, Document, User, UserSession
from webapp.security import CONTENT_SECURITY_POLICY

PAGES = ["/documents", "/documents/new", "/assignments", "/assignments/dashboard", "/calendar", "/audit",
         "/notifications", "/admin/templates", "/admin/users", "/account/password", "/assignments/bulk"]


@pytest.fixture
def admin(client, auth, make_user):
    make_user("adm", "admin")
    auth.login("adm")
    return client


def test_every_page_sends_the_security_headers(demo_app, client, auth):
    anonymous = client.get("/login")
    auth.login("admin", "demo")
    for response in [anonymous, *(client.get(path) for path in PAGES)]:
        headers = response.headers
        assert headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
        assert "unsafe-inline" not in headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assert headers["X-Frame-Options"] == "DENY" and headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"
        assert headers["Cache-Control"] == "no-store"
        assert "Strict-Transport-Security" not in headers  # plain HTTP: HSTS would be ignored anyway
    with client.get("/static/docflow.css") as static:
        assert static.headers["X-Content-Type-Options"] == "nosniff" and static.headers["Cache-Control"] != "no-store"


def test_hsts_over_https(client):
    response = client.get("/login", base_url="https://docflow.example")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


INLINE = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle=|\son[a-z]+=|javascript:", re.IGNORECASE)


def test_no_page_has_inline_scripts_styles_or_handlers(demo_app, client, auth):
    """The CSP forbids them, so a page that used them would be broken in the browser."""
    auth.login("admin", "demo")
    with demo_app.app_context():
        documents = list(db.session.scalars(select(Document.id)))
        assignments = list(db.session.scalars(select(Assignment.id).limit(5)))
    pages = PAGES + [f"/documents/{i}" for i in documents] + [f"/documents/{documents[0]}/edit"] \
        + [f"/assignments/{i}" for i in assignments] + ["/assignments/dashboard?as_of=2022-03-01"]
    for path in pages:
        page = client.get(path).get_data(as_text=True)
        found = INLINE.search(page)
        assert found is None, f"{path}: {found and page[max(0, found.start() - 80):found.end() + 80]}"


@pytest.mark.parametrize("path", [
    "/documents/99999999999999999999", "/documents/9223372036854775808", "/documents/2147483648",
    "/documents/2147483648/edit", "/assignments/99999999999999999999", "/assignments/1/files/99999999999999999999",
    "/calendar/99999999999999999999/revoke", "/admin/templates/99999999999999999999/file",
])
def test_ids_past_the_databases_range_are_not_found(admin, path):
    response = admin.post(path, data={"csrf_token": AuthActions(admin).csrf("/documents")}) \
        if path.endswith("revoke") else admin.get(path)
    assert response.status_code == 404


@pytest.mark.parametrize("query, message", [
    ("document=99999999999999999999", "Номер — целое число"),
    ("document=9223372036854775808", "Номер — целое число"),
    ("user=99999999999999999999", "Пользователь не найден"),
    ("since=31.12.9999", "Дата вне допустимого диапазона"),
    ("since=0001-01-01", "Дата вне допустимого диапазона"),
    ("until=٠١.٠١.٢٠٢٢", "Не удалось распознать дату"),
])
def test_audit_filters_out_of_range_are_refused_with_a_message(make_user, client, auth, query, message):
    make_user("aud", "auditor")
    auth.login("aud")
    response = client.get(f"/audit?{query}")
    assert response.status_code == 200 and message in response.get_data(as_text=True)


@pytest.mark.parametrize("query", ["as_of=31.12.9999", "body=99999999999999999999", "since=0001-01-01"])
def test_dashboard_filters_out_of_range_do_not_break_it(demo_app, client, auth, query):
    auth.login("auditor", "demo")
    assert client.get(f"/assignments/dashboard?{query}").status_code == 200
    assert client.get(f"/assignments/export.xlsx?{query}").status_code == 200


@pytest.fixture
def assignment(app, make_user):
    with app.app_context():
        db.session.add(Body(name="Отдел", dative="Отделу"))
        db.session.commit()
    ids = {"exe": make_user("exe", "executor", bodies=["Отдел"]), "ctl": make_user("ctl", "controller")}
    with app.app_context():
        body = db.session.scalar(select(Body))
        doc = Document(doc_type="order", title="О работе", state="published", number="1", reg_date=date(2026, 11, 1))
        db.session.add(doc)
        db.session.flush()
        row = Assignment(document=doc, lead_body=body, controller_id=ids["ctl"], action="Сделать.", status="in_work",
                         deadline=date(2026, 12, 1), original_deadline=date(2026, 12, 1), deadline_kind="by")
        db.session.add(row)
        db.session.commit()
        return {**ids, "id": row.id, "doc": doc.id, "body": body.id}


@pytest.mark.parametrize("new_date, message", [
    ("31.12.9999", "Дата вне допустимого диапазона"), ("01.01.0001", "Дата вне допустимого диапазона"),
    ("٠١.٠١.٢٠٢٢", "Не удалось распознать дату"),
])
def test_an_extension_past_the_years_allowed_is_refused(app, client, auth, assignment, new_date, message):
    auth.login("exe")
    response = client.post(f"/assignments/{assignment['id']}/extension", data={
        "csrf_token": auth.csrf("/documents"), "reason": "Нет кадров", "new_date": new_date})
    assert message in client.get(response.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Assignment, assignment["id"]).deadline_changes == []


@pytest.mark.parametrize("deadline, message", [
    ("в течение 99999999999 дней", "Дата вне допустимого диапазона"),
    ("до 31.12.9999", "Дата вне допустимого диапазона"),
    ("до ٠١.٠١.٢٠٢٢", "Не удалось распознать срок"),
])
def test_deadlines_out_of_range_are_refused_in_the_draft_form(app, client, auth, make_user, deadline, message):
    with app.app_context():
        db.session.add(Body(name="Отдел", dative="Отделу"))
        db.session.commit()
        body = db.session.scalar(select(Body.id))
    make_user("sec", "secretary")
    auth.login("sec")
    response = client.post("/documents/new", data={
        "csrf_token": auth.csrf("/documents/new"), "op": "save", "doc_type": "order", "title": "О сроках",
        "points-0-text": "Сделать.", "points-0-responsible": str(body), "points-0-deadline": deadline})
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.query(Document).count() == 0


def test_a_document_has_at_most_max_points(app, client, auth, make_user):
    app.config["MAX_POINTS"] = 50
    make_user("sec", "secretary")
    auth.login("sec")
    data = {"csrf_token": auth.csrf("/documents/new"), "op": "save", "doc_type": "order", "title": "Большой"}
    data.update({f"points-{i}-text": f"Пункт {i}." for i in range(51)})
    response = client.post("/documents/new", data=data)
    assert response.status_code == 400 and "не может быть больше 50 пунктов" in response.get_data(as_text=True)
    del data["points-50-text"]
    assert client.post("/documents/new", data=data).status_code == 302
    with app.app_context():
        assert [len(d.points) for d in db.session.scalars(select(Document))] == [50]


def test_a_stale_write_is_a_conflict_not_an_error(app, client, auth, make_user):
    """Two saves from pages loaded at the same version: the second is told, and changes nothing."""
    make_user("sec", "secretary")
    auth.login("sec")
    form = {"csrf_token": auth.csrf("/documents/new"), "op": "save", "doc_type": "order", "title": "Первый"}
    doc = int(client.post("/documents/new", data=form).headers["Location"].rsplit("/", 1)[1])
    with app.app_context():
        version = str(db.session.get(Document, doc).version)
    assert client.post(f"/documents/{doc}/edit", data={**form, "version": version, "title": "Правка 1"}
                       ).status_code == 302
    response = client.post(f"/documents/{doc}/transition", data={
        "csrf_token": form["csrf_token"], "transition": "cancel", "comment": "x", "version": version})
    assert response.status_code in (403, 409)  # the secretary may not cancel; a head would get 409 below
    make_user("head", "head")
    auth.logout()
    auth.login("head")
    response = client.post(f"/documents/{doc}/transition", data={
        "csrf_token": auth.csrf("/documents"), "transition": "cancel", "comment": "x", "version": version})
    assert response.status_code == 409 and "Документ изменился" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Document, doc).state == "draft"


def test_cli_sets_a_password_under_the_policy_and_ends_sessions(app, runner, make_user, monkeypatch):
    make_user("sec", "secretary")
    client = app.test_client()
    AuthActions(client).login("sec")
    monkeypatch.setenv("DOCFLOW_PASSWORD", "qwerty123456")
    result = runner.invoke(args=["user", "password", "sec"])
    assert result.exit_code == 1 and "easy to guess" in result.output
    assert client.get("/documents").status_code == 200
    monkeypatch.setenv("DOCFLOW_PASSWORD", "Новый-пароль-из-консоли")
    result = runner.invoke(args=["user", "password", "SEC"])
    assert result.exit_code == 0 and "1 session(s) ended" in result.output
    assert client.get("/documents").status_code == 302
    assert AuthActions(client).login("sec", TEST_PASSWORD).status_code == 401
    assert AuthActions(client).login("sec", "Новый-пароль-из-консоли").status_code == 302
    result = runner.invoke(args=["user", "end-sessions", "sec"])
    assert result.exit_code == 0 and "1 session(s) of sec ended" in result.output
    assert client.get("/documents").status_code == 302
    assert runner.invoke(args=["user", "end-sessions", "nobody"]).exit_code == 1
    with app.app_context():
        user = db.session.scalar(select(User).where(User.login == "sec"))
        assert all(s.ended_at is not None for s in db.session.scalars(select(UserSession).where(
            UserSession.user_id == user.id)))


@pytest.mark.parametrize("as_of", ["9999-12-31", "0001-01-01", "٢٠٢٢-٠١-٠١", "2022-13-01"])
def test_cli_as_of_out_of_range_is_refused(runner, as_of):
    result = runner.invoke(args=["overdue", "--as-of", as_of])
    assert result.exit_code == 2 and "--as-of" in result.output and "Traceback" not in result.output
