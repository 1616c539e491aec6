"""The REST API through HTTP alone: an order from draft to published, its assignment from created to accepted,
personal tokens (made once, scoped, revoked, expired), the JSON error shape, rate limits and the OpenAPI document."""

from __future__ import annotations

import base64
import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.conftest import TODAY
from webapp.extensions import db
from webapp.models import ApiToken, User
from webapp.services import policy, tokens

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def make_token(app, login: str, scopes=("read", "write"), days: int = 30) -> str:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.login == login))
        _row, secret = tokens.create_token(user, f"тест {login}", list(scopes), days)
        db.session.commit()
        return secret


class Api:
    """A program calling the API with one user's token."""

    def __init__(self, client, secret: str):
        self.client, self.headers = client, {"Authorization": f"Bearer {secret}"}

    def get(self, path: str, **kwargs):
        return self.client.get(f"/api/v1{path}", headers=self.headers, **kwargs)

    def post(self, path: str, json=None, **kwargs):
        return self.client.post(f"/api/v1{path}", headers=self.headers, json=json, **kwargs)

    def put(self, path: str, json=None):
        return self.client.put(f"/api/v1{path}", headers=self.headers, json=json)

    def delete(self, path: str):
        return self.client.delete(f"/api/v1{path}", headers=self.headers)


@pytest.fixture
def as_user(demo_app, client):
    return lambda login, scopes=("read", "write"): Api(client, make_token(demo_app, login, scopes))


def _ok(response, status: int = 200) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)[:800]
    assert response.is_json
    return response.get_json()


def _error(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)[:800]
    assert response.is_json, response.get_data(as_text=True)[:300]
    error = response.get_json()["error"]
    assert set(error) >= {"code", "message"} and error["message"]
    if code is not None:
        assert error["code"] == code
    return error


ORDER = {
    "type": "order", "title": "Об организации методической работы", "event_date": "2026-11-20",
    "controller_text": "Контроль исполнения приказа возложить на Суртаеву А.М.",
    "signatories": [{"job_title": "Начальник отдела", "name": "Л.В. Цулая"}],
}


def publish_order(as_user) -> dict:
    """An order from draft to published by the API alone: the ids of what it made."""
    secretary, head = as_user("secretary"), as_user("head")
    directory = {u["login"]: u for u in _ok(secretary.get("/users"))}
    institute = directory["executor"]["body_ids"][0]  # the executor's body answers for the point
    assert institute in {b["id"] for b in _ok(secretary.get("/bodies"))}
    points = [{"number": "1", "text": "Разработать план методической работы.", "responsible_body_ids": [institute],
               "deadline_text": "в срок до 1 февраля 2027 года"}]

    draft = _ok(secretary.post("/documents", json={**ORDER, "points": points}), 201)
    doc_id = draft["id"]
    assert draft["state"] == "draft" and draft["points"][0]["deadline"] == "2027-02-01"
    assert draft["points"][0]["responsible_body_ids"] == [institute]
    edited = _ok(secretary.put(f"/documents/{doc_id}", json={
        **ORDER, "title": ORDER["title"] + " в 2027 году", "points": points, "version": draft["version"]}))
    assert edited["title"].endswith("в 2027 году") and edited["version"] > draft["version"]
    for login in ("approver", "approver2"):
        _ok(secretary.post(f"/documents/{doc_id}/approvers", json={"user_id": directory[login]["id"]}))
    doc = _ok(secretary.get(f"/documents/{doc_id}"))
    assert "submit" in [t["name"] for t in doc["transitions"] if t["blocked_reason"] is None]
    doc = _ok(secretary.post(f"/documents/{doc_id}/transitions", json={
        "transition": "submit", "comment": "Прошу согласовать", "version": doc["version"]}))
    assert doc["state"] == "on_approval"
    for login in ("approver", "approver2"):
        who = as_user(login)
        doc = _ok(who.get(f"/documents/{doc_id}"))
        _ok(who.post(f"/documents/{doc_id}/approval", json={"decision": "approved", "version": doc["version"]}))
    doc = _ok(secretary.get(f"/documents/{doc_id}"))
    doc = _ok(secretary.post(f"/documents/{doc_id}/transitions",
                             json={"transition": "send_to_signing", "version": doc["version"]}))
    assert doc["state"] == "on_signing"
    doc = _ok(head.post(f"/documents/{doc_id}/transitions", json={"transition": "sign", "version": doc["version"]}))
    assert doc["state"] == "published" and doc["number"]
    docx = head.get(f"/documents/{doc_id}/docx")
    assert docx.status_code == 200 and docx.data[:2] == b"PK"
    listed = _ok(as_user("executor").get(f"/assignments?document_id={doc_id}"))["items"]
    assert len(listed) == 1 and listed[0]["status"] == "new"
    assert listed[0]["controller_id"] == directory["controller"]["id"]
    return {"document": doc_id, "assignment": listed[0]["id"]}


def test_an_order_walks_from_draft_to_published_and_its_assignment_to_accepted(as_user):
    assignment_id = publish_order(as_user)["assignment"]
    executor, controller = as_user("executor"), as_user("controller")
    assert _ok(executor.get(f"/assignments/{assignment_id}"))["actions"] == ["take", "request_extension"]
    assert _ok(executor.post(f"/assignments/{assignment_id}/take"))["status"] == "in_work"
    plan = {"name": "план.pdf", "content_base64": base64.b64encode(PDF).decode()}
    _error(executor.post(f"/assignments/{assignment_id}/report", json={
        "text": "План", "files": [{"name": "x.pdf", "content_base64": "не base64"}]}), 422, "validation_failed")
    _error(executor.post(f"/assignments/{assignment_id}/report", json={
        "text": "План", "files": [{"name": "x.exe", "content_base64": base64.b64encode(b"MZ\x90\x00").decode()}]}),
        422, "invalid")
    reported = _ok(executor.post(f"/assignments/{assignment_id}/report",
                                 json={"text": "План разработан.", "files": [plan]}))
    assert reported["status"] == "reported" and reported["reports"][0]["text"] == "План разработан."
    assert reported["reports"][0]["file_names"] == ["план.pdf"]
    _error(executor.post(f"/assignments/{assignment_id}/accept", json={}), 403, "forbidden")
    done = _ok(controller.post(f"/assignments/{assignment_id}/accept", json={"comment": "Принято"}))
    assert done["status"] == "done" and done["completed_on"] == TODAY.isoformat() and done["actions"] == []


def test_a_returned_report_goes_back_to_the_executor(as_user):
    assignment_id = publish_order(as_user)["assignment"]
    executor, controller = as_user("executor"), as_user("controller")
    _error(executor.post(f"/assignments/{assignment_id}/report", json={"text": "Рано"}), 403, "forbidden")
    _ok(executor.post(f"/assignments/{assignment_id}/take"))
    _ok(executor.post(f"/assignments/{assignment_id}/report", json={"text": "Готово"}))
    _error(controller.post(f"/assignments/{assignment_id}/return", json={}), 422, "validation_failed")
    back = _ok(controller.post(f"/assignments/{assignment_id}/return", json={"comment": "Добавьте цифры"}))
    assert back["status"] == "returned" and back["actions"] == ["cancel"]
    assert _ok(executor.get(f"/assignments/{assignment_id}"))["actions"][0] == "report"


def test_route_acknowledgment_amendment_and_a_hand_made_assignment(as_user):
    secretary, head, executor, controller = (as_user(x) for x in ("secretary", "head", "executor", "controller"))
    users = {u["login"]: u for u in _ok(secretary.get("/users"))}
    draft = _ok(secretary.post("/documents", json={**ORDER, "title": "О маршруте"}), 201)
    doc = _ok(secretary.post(f"/documents/{draft['id']}/approvers", json={"user_id": users["approver"]["id"]}))
    step = doc["approval_steps"][0]["id"]
    assert _ok(secretary.put(f"/documents/{draft['id']}/approval-mode",
                             json={"mode": "parallel"}))["approval_mode"] == "parallel"
    assert _ok(secretary.delete(f"/documents/{draft['id']}/approvers/{step}"))["approval_steps"] == []

    published = publish_order(as_user)["document"]
    doc = _ok(head.post(f"/documents/{published}/acknowledgments", json={"user_ids": [users["executor"]["id"]]}))
    assert [a["user_id"] for a in doc["acknowledgments"]] == [users["executor"]["id"]]
    _error(head.post(f"/documents/{published}/acknowledge"), 403, "forbidden")
    doc = _ok(executor.post(f"/documents/{published}/acknowledge"))
    assert doc["acknowledgments"][0]["acknowledged_at"] is not None
    added = _ok(controller.post(f"/documents/{published}/assignments", json={
        "action": "Подготовить справку.", "lead_body_id": users["executor"]["body_ids"][0],
        "deadline_text": "до 20.12.2026"}), 201)
    assert added["deadline"] == "2026-12-20" and added["controller_id"] == users["controller"]["id"]
    amendment = _ok(secretary.post(f"/documents/{published}/amendments"), 201)
    assert amendment["state"] == "draft" and amendment["amends_id"] == published


def test_a_stale_version_is_a_conflict(as_user):
    secretary = as_user("secretary")
    doc = _ok(secretary.post("/documents", json={"type": "order", "title": "О версии", "event_date": "2026-11-20"}),
              201)
    body = {"type": "order", "title": "Правка", "version": doc["version"]}
    _ok(secretary.put(f"/documents/{doc['id']}", json=body))
    _error(secretary.put(f"/documents/{doc['id']}", json=body), 409, "conflict")
    _error(secretary.post(f"/documents/{doc['id']}/transitions",
                          json={"transition": "submit", "version": doc["version"]}), 409, "conflict")


# --- tokens ---------------------------------------------------------------------------------------------------------


def test_a_read_token_cannot_write_and_a_revoked_one_opens_nothing(demo_app, client, auth):
    auth.login("secretary", "demo")
    page = client.post("/account/tokens", data={"csrf_token": auth.csrf("/account/tokens"), "name": "Отчёты",
                                                "scopes": "read", "days": "30"})
    secret = re.search(r'id="new-token">(dfl_[A-Za-z0-9_-]+)<', page.get_data(as_text=True)).group(1)
    auth.logout()
    api = Api(client, secret)
    me = _ok(api.get("/me"))
    assert me["login"] == "secretary" and me["scopes"] == ["read"]
    _error(api.post("/documents", json={"type": "order", "title": "x"}), 403, "insufficient_scope")
    _error(api.put("/documents/1", json={}), 403, "insufficient_scope")
    with demo_app.app_context():
        token_id = db.session.scalar(select(ApiToken.id))
    auth.login("secretary", "demo")
    client.post(f"/account/tokens/{token_id}/revoke", data={"csrf_token": auth.csrf("/account/tokens")})
    auth.logout()
    _error(api.get("/me"), 401, "invalid_token")


def test_expired_tokens_and_deactivated_users_are_refused(demo_app, client, frozen_clock):
    secret = make_token(demo_app, "head", days=30)
    api = Api(client, secret)
    _ok(api.get("/me"))
    frozen_clock.move_to(TODAY + timedelta(days=31))
    _error(api.get("/me"), 401, "invalid_token")
    frozen_clock.move_to(TODAY)
    _ok(api.get("/me"))
    with demo_app.app_context():
        db.session.scalar(select(User).where(User.login == "head")).active = False
        db.session.commit()
    response = api.get("/me")
    _error(response, 401, "invalid_token")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("header", ["", "Bearer", "Bearer dfl_nope", "Basic c2VjcmV0YXJ5OmRlbW8=",
                                    "Bearer " + "x" * 300])
def test_bad_credentials_are_401(demo_app, client, header):
    _error(client.get("/api/v1/me", headers={"Authorization": header}), 401)


def test_no_credentials_is_401(demo_app, client):
    _error(client.get("/api/v1/documents"), 401, "unauthorized")


def test_the_rate_limit_answers_429_with_retry_after(demo_app, client):
    demo_app.config.update(API_RATE_LIMIT=3, API_RATE_WINDOW=60)
    api = Api(client, make_token(demo_app, "auditor"))
    for _ in range(3):
        _ok(api.get("/me"))
    response = api.get("/me")
    _error(response, 429, "rate_limited")
    assert 1 <= int(response.headers["Retry-After"]) <= 60
    _ok(Api(client, make_token(demo_app, "auditor")).get("/me"))  # another token has its own window


# --- the session ----------------------------------------------------------------------------------------------------


def test_the_session_reads_and_writes_only_with_the_csrf_header(demo_app, client, auth):
    auth.login("secretary", "demo")
    assert _ok(client.get("/api/v1/me"))["login"] == "secretary"
    body = {"type": "order", "title": "Из браузера", "event_date": "2026-11-20"}
    _error(client.post("/api/v1/documents", json=body), 403, "csrf_failed")
    created = client.post("/api/v1/documents", json=body, headers={"X-CSRFToken": auth.csrf("/documents")})
    _ok(created, 201)


# --- errors ---------------------------------------------------------------------------------------------------------


def test_errors_are_json_in_one_shape(as_user, client):
    api = as_user("secretary")
    _error(api.get("/no/such/thing"), 404, "not_found")
    _error(api.get("/documents/999999"), 404, "not_found")
    _error(api.get("/documents/99999999999999"), 404, "not_found")
    response = api.client.delete("/api/v1/documents", headers=api.headers)
    _error(response, 405, "method_not_allowed")
    assert "GET" in response.headers["Allow"]
    _error(api.post("/documents", data="{not json", content_type="application/json"), 400, "invalid_json")
    error = _error(api.post("/documents", json={"type": "memo"}), 422, "validation_failed")
    assert {"type", "title"} <= set(error["detail"]["json"])
    _error(api.get("/documents?limit=0"), 422, "validation_failed")
    _error(api.get("/documents?after=abc"), 422, "validation_failed")
    _error(api.get("/assignments?after=9624883855"), 422, "validation_failed")  # past PostgreSQL's integer
    _error(api.get("/documents?state=dr%00aft"), 422, "validation_failed")  # PostgreSQL's text has no NUL
    _error(api.post("/documents", json={"type": "order", "title": "x", "attendees": [{"name": "a\u0000b"}]}),
           422, "validation_failed")
    _error(api.post("/documents", json={"type": "order", "title": "x",
                                        "points": [{"text": "Сделать", "deadline_text": "когда-нибудь потом"}]}),
           422, "invalid")
    big = "x" * (21 * 1024 * 1024)
    _error(api.post("/documents", data=big, content_type="application/json"), 413, "payload_too_large")


def test_an_unreadable_draft_is_403_and_a_foreign_write_changes_nothing(as_user):
    secretary, executor = as_user("secretary"), as_user("executor")
    doc = _ok(secretary.post("/documents", json={"type": "order", "title": "Черновик", "event_date": "2026-11-20"}),
              201)
    error = _error(executor.get(f"/documents/{doc['id']}"), 403, "forbidden")
    assert error["detail"]  # the policy's reason, as the page shows it
    _error(executor.put(f"/documents/{doc['id']}", json={"type": "order", "title": "Чужая", "version": doc["version"]}),
           403)
    assert doc["id"] not in [d["id"] for d in _ok(executor.get("/documents?limit=200"))["items"]]
    assert _ok(secretary.get(f"/documents/{doc['id']}"))["title"] == "Черновик"


# --- lists ----------------------------------------------------------------------------------------------------------


def test_documents_page_by_cursor_and_filter(as_user):
    api = as_user("auditor")
    everything = _ok(api.get("/documents?limit=200"))["items"]
    assert len(everything) >= 3
    seen, cursor = [], None
    while True:
        page = _ok(api.get("/documents?limit=2" + (f"&after={cursor}" if cursor else "")))
        seen += [d["id"] for d in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [d["id"] for d in everything] == sorted(seen, reverse=True)
    orders = _ok(api.get("/documents?type=order&limit=200"))["items"]
    assert orders and all(d["type"] == "order" for d in orders)
    year = everything[0]["date"][:4]
    assert all(d["date"].startswith(year) for d in _ok(api.get(f"/documents?year={year}&limit=200"))["items"])
    published = _ok(api.get("/documents?state=published&limit=200"))["items"]
    assert all(d["state"] == "published" for d in published)


def test_assignments_page_by_cursor(as_user):
    api = as_user("auditor")
    everything = _ok(api.get("/assignments?limit=200"))["items"]
    first = _ok(api.get("/assignments?limit=3"))
    second = _ok(api.get(f"/assignments?limit=3&after={first['next_cursor']}"))
    assert [a["id"] for a in first["items"] + second["items"]] == [a["id"] for a in everything[:6]]


def test_the_overdue_summary_on_a_date_and_notifications(as_user):
    """The demo's protocol on 1 March 2022: point 1.2.2 is 28 days overdue, 3.3.1-3.3.6 181 days (README)."""
    rows = _ok(as_user("auditor").get("/overdue?as_of=2022-03-01"))
    assert [r["days_overdue"] for r in rows] == [181] * 6 + [28]
    assert rows[-1]["point"] == "1.2.2" and rows[0]["deadline"] < "2022-03-01"
    assert _ok(as_user("approver").get("/overdue?as_of=2022-03-01")) == []  # nothing of theirs to read
    _error(as_user("auditor").get("/overdue?body_id=2147483647"), 404, "not_found")
    publish_order(as_user)
    notes = _ok(as_user("secretary").get("/notifications?limit=200"))["items"]
    assert notes and [n["id"] for n in notes] == sorted((n["id"] for n in notes), reverse=True)
    assert _ok(as_user("auditor").get("/notifications"))["items"] == []  # only the caller's own


def test_notifications_are_marked_read_by_id_or_all_and_only_the_callers(as_user):
    secretary, head = as_user("secretary"), as_user("head")
    publish_order(as_user)
    publish_order(as_user)  # the secretary is told of each publication
    unread = [n["id"] for n in _ok(secretary.get("/notifications?limit=200"))["items"] if n["read_at"] is None]
    assert len(unread) >= 2
    assert _ok(head.post("/notifications/read", json={"ids": unread})) == {"marked": 0}  # not hers
    assert _ok(secretary.post("/notifications/read", json={"ids": [unread[0], 2147483647]})) == {"marked": 1}
    after = {n["id"]: n["read_at"] for n in _ok(secretary.get("/notifications?limit=200"))["items"]}
    assert after[unread[0]] is not None and after[unread[1]] is None
    assert _ok(secretary.post("/notifications/read", json={})) == {"marked": len(unread) - 1}
    assert all(n["read_at"] for n in _ok(secretary.get("/notifications?limit=200"))["items"])
    _error(secretary.post("/notifications/read", json={"ids": ["x"]}), 422)
    _error(as_user("secretary", scopes=("read",)).post("/notifications/read", json={}), 403, "insufficient_scope")


def test_search_finds_only_what_the_caller_may_read(as_user):
    secretary, executor = as_user("secretary"), as_user("executor")
    draft = _ok(secretary.post("/documents", json={"type": "order", "title": "О зимнем фестивале хороводов",
                                                   "event_date": "2026-11-20"}), 201)
    found = _ok(secretary.get("/search?q=хоровод&kind=document"))  # another form of the word
    assert [h["document_id"] for h in found["hits"]] == [draft["id"]] and found["total"] == 1
    assert any(piece["hit"] for piece in found["hits"][0]["snippet"])
    assert _ok(executor.get("/search?q=хоровод"))["total"] == 0  # a draft of another body
    _error(secretary.get("/search"), 422, "validation_failed")
    # a state is one of the workflows' (the search writes it into its statements), not any text
    assert _ok(secretary.get("/search?q=хоровод&state=draft"))["total"] == 1
    error = _error(secretary.get("/search?q=хоровод&state=x'); --"), 422, "validation_failed")
    assert "Not a document state" in str(error)


def test_pdf_without_libreoffice_is_503(as_user, demo_app, monkeypatch, tmp_path):
    demo_app.config["SOFFICE"] = "soffice"
    monkeypatch.setenv("PATH", str(tmp_path))  # neither soffice nor libreoffice to be found
    api = as_user("auditor")
    doc_id = _ok(api.get("/documents?limit=1"))["items"][0]["id"]
    error = _error(api.get(f"/documents/{doc_id}/pdf"), 503, "pdf_unavailable")
    assert "LibreOffice" in error["detail"]


# --- the description ------------------------------------------------------------------------------------------------


def test_openapi_document_and_docs_page(demo_app, client):
    spec = _ok(client.get("/api/v1/openapi.json"))
    assert spec["openapi"] == "3.1.0"
    assert {"/api/v1/documents", "/api/v1/assignments/{assignment_id}/accept"} <= set(spec["paths"])
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    # every reference resolves, the default error response among them (written when the document is first read)
    refs = set(re.findall(r'"\$ref": "#/components/(\w+)/(\w+)"', json.dumps(spec)))
    assert ("responses", "DEFAULT_ERROR") in refs
    assert [ref for ref in sorted(refs) if ref[1] not in spec["components"].get(ref[0], {})] == []
    page = client.get("/api/v1/docs")
    assert page.status_code == 200 and "/api/v1/documents/{document_id}/transitions" in page.get_data(as_text=True)
    assert "cdn" not in page.get_data(as_text=True).lower()


def test_administrators_keep_the_directory_through_the_api(as_user, client):
    admin = as_user("admin")
    region = _ok(admin.post("/bodies", json={"name": "Управление дошкольного образования", "short_name": "УДО",
                                             "aliases": ["Дошкольное управление"]}), 201)
    assert region["aliases"] == ["Дошкольное управление"] and region["closed"] is False
    branch = _ok(admin.post("/bodies", json={"name": "Отдел мониторинга", "parent_id": region["id"]}), 201)
    assert _ok(admin.get(f"/bodies/{branch['id']}"))["parent_id"] == region["id"]
    error = _error(admin.post("/bodies", json={"name": "Отдел мониторинга"}), 409)  # the same name twice
    assert error["message"].endswith(").") and error["detail"]
    closing = _error(admin.post(f"/bodies/{region['id']}/close"), 409)  # an open sub-body first
    assert "sub-bodies" in closing["message"] and "Отдел мониторинга" in closing["detail"]
    _error(as_user("secretary").post("/bodies", json={"name": "Чужой орган"}), 403, "forbidden")

    made = _ok(admin.post("/users", json={
        "login": "novikova", "full_name": "Новикова Анна Петровна", "roles": ["executor"],
        "bodies": [{"body_id": branch["id"], "position": "методист"}], "email": "novikova@example.org"}), 201)
    assert made["user"]["body_ids"] == [branch["id"]] and "/welcome/" in made["invitation_url"]
    page = client.get(made["invitation_url"].split("localhost", 1)[1])
    assert page.status_code == 200 and "Новикова" in page.get_data(as_text=True)
    _error(admin.post("/users", json={"login": "novikova", "full_name": "Другая", "roles": ["executor"]}), 409)
    _error(admin.post("/users", json={"login": "x y", "full_name": "Пробел", "roles": ["executor"]}), 422, "invalid")
    _error(admin.post("/users", json={"login": "z", "full_name": "Роль", "roles": ["wizard"]}), 422, "invalid")
    user_id = made["user"]["id"]
    changed = _ok(admin.put(f"/users/{user_id}", json={
        "login": "novikova", "full_name": "Новикова Анна Петровна", "roles": ["executor", "controller"],
        "bodies": [{"body_id": region["id"]}]}))
    assert changed["roles"] == ["controller", "executor"] and changed["body_ids"] == [region["id"]]
    _error(as_user("head").put(f"/users/{user_id}", json={"login": "novikova", "full_name": "Х", "roles": []}), 403)

    merged = _ok(admin.post(f"/bodies/{branch['id']}/merge", json={"into_id": region["id"]}))
    assert merged["body"]["id"] == region["id"] and "Отдел мониторинга" in merged["body"]["aliases"]
    assert _ok(admin.get(f"/bodies/{branch['id']}"))["closed"] is True

    executor = _ok(admin.get("/users"))
    executor_id = next(u["id"] for u in executor if u["login"] == "executor")
    token = make_token(client.application, "executor")
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert _ok(admin.post(f"/users/{executor_id}/deactivate"))["active"] is False
    _error(client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}), 401, "invalid_token")
    assert _ok(admin.post(f"/users/{executor_id}/activate"))["active"] is True
    _error(admin.post(f"/users/{_ok(admin.get('/me'))['id']}/deactivate"), 422, "invalid")  # not herself


def test_a_protocol_keeps_who_spoke_through_the_api(as_user):
    secretary = as_user("secretary")
    draft = _ok(secretary.post("/documents", json={
        "type": "protocol", "title": "совещания о методической службе", "event_date": "2026-11-20",
        "chair": "Цулая Л.В.", "secretary": "Матвейчук Е.Н.",
        "agenda": [{"title": "О методической службе", "speakers": "Цулая Л.В.", "heard": ["О ходе работы."],
                    "discussion": [{"speaker": "Клюсова В.В.", "text": "предложила перенести срок на март"},
                                   {"speaker": "Петров А.Н."}]}],
        "points": [{"number": "1.1", "text": "Принять к сведению.", "agenda_index": 0}]}), 201)
    assert draft["agenda"][0]["discussion"] == [
        {"speaker": "Клюсова В.В.", "text": "предложила перенести срок на март"},
        {"speaker": "Петров А.Н.", "text": ""}]
    _error(secretary.post("/documents", json={"type": "protocol", "title": "x", "agenda": [
        {"title": "y", "discussion": [{"text": "без выступающего"}]}]}), 422)


def test_the_users_list_holds_whom_the_caller_may_find(as_user, demo_app):
    """A drafter or an overseer lists everyone (approvers are chosen from it); anyone else the people of her bodies."""
    everyone = {u["login"] for u in _ok(as_user("admin").get("/users"))}
    assert {u["login"] for u in _ok(as_user("secretary").get("/users"))} == everyone
    theirs = {u["login"] for u in _ok(as_user("executor").get("/users"))}
    assert "executor" in theirs and theirs < everyone and "auditor" not in theirs
    with demo_app.app_context():
        scope = policy.scope_ids(db.session.scalar(select(User).where(User.login == "executor")))
        for login in theirs - {"executor"}:
            other = db.session.scalar(select(User).where(User.login == login))
            assert scope & {m.body_id for m in other.memberships}, login
