"""The permission matrix: every route of the app, called anonymously and as every role in the body that owns the
object and in another body, against one declared table of who may.

The world: bodies «Управление А» (own, with «Отдел А-1» below it) and «Управление Б» (other); for every role a user
in each («secretary_a», «secretary_b», ...); in А an order in draft (author secretary_a, approver_a planned), one on
approval (approver_a's turn), one published with an acknowledgment list and assignments in each status (controller
controller_a). A route missing from the table fails `test_every_route_has_a_row`.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from flask import current_app
from flask_wtf.csrf import generate_csrf
from sqlalchemy import select

from tests.app_factory import make_app
from tests.conftest import TEST_PASSWORD, TODAY, AuthActions, _test_config, moment
from webapp.extensions import db
from webapp.models import (
    Acknowledgment,
    ApiToken,
    ApprovalStep,
    Assignment,
    Body,
    CalendarToken,
    DeadlineChange,
    Document,
    DocumentFile,
    ImportItem,
    Job,
    Report,
    ReportFile,
    Role,
    User,
)
from webapp.services.files import store_bytes
from webapp.services.users import create_user

ROLES = [role.value for role in Role]
SUBJECTS = ["anonymous"] + [f"{role}@{where}" for role in ROLES for where in ("own", "other")]
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def build_world() -> dict:
    """The objects every row refers to (ids), built once per test process into a template database."""
    import hashlib

    own, other = Body(name="Управление А", dative="Управлению А"), Body(name="Управление Б", dative="Управлению Б")
    child = Body(name="Отдел А-1", dative="Отделу А-1", parent=own)
    db.session.add_all([own, other, child])
    db.session.flush()
    users = {}
    for role in ROLES:
        for suffix, body in (("a", own), ("b", other)):
            users[f"{role}_{suffix}"] = create_user(f"{role}_{suffix}", f"{role} {suffix}", TEST_PASSWORD, [role],
                                                    [body.name])
    db.session.flush()

    def order(title: str, state: str, **extra) -> Document:
        document = Document(doc_type="order", title=title, state=state, issuing_body=own, event_date=date(2026, 11, 20),
                            author=users["secretary_a"], draft_mark=state != "published", **extra)
        db.session.add(document)
        db.session.flush()
        return document

    draft = order("О проекте", "draft")
    step = ApprovalStep(document_id=draft.id, user_id=users["approver_a"].id, round=1, position=1)
    on_approval = order("На согласовании", "on_approval", approval_round=1)
    db.session.add_all([step, ApprovalStep(document_id=on_approval.id, user_id=users["approver_a"].id, round=1,
                                           position=1)])
    published = order("Действующий", "published", number="7", reg_date=date(2026, 11, 21))
    db.session.add(Acknowledgment(document_id=published.id, person_name="executor a", user_id=users["executor_a"].id,
                                  position=1))

    def assignment(status: str, **extra) -> Assignment:
        row = Assignment(document_id=published.id, lead_body_id=own.id, controller_id=users["controller_a"].id,
                         action=f"Поручение ({status})", status=status, deadline=date(2026, 12, 20),
                         original_deadline=date(2026, 12, 20), deadline_kind="by", **extra)
        db.session.add(row)
        db.session.flush()
        return row

    new, in_work, reported, pending = (assignment(s) for s in ("new", "in_work", "reported", "in_work"))
    report = Report(assignment_id=reported.id, author_id=users["executor_a"].id, text="Сделано")
    db.session.add(report)
    db.session.flush()
    stored = store_bytes(PDF, "отчёт.pdf", "application/pdf")
    report_file = ReportFile(report_id=report.id, file_id=stored.id, filename="отчёт.pdf")
    draft_file = DocumentFile(document_id=draft.id, file_id=stored.id, filename="план.pdf")
    db.session.add(draft_file)
    db.session.add_all([report_file, DeadlineChange(assignment_id=pending.id, requested_by_id=users["executor_a"].id,
                                                    reason="Нет кадров", old_date=date(2026, 12, 20),
                                                    requested_date=date(2027, 1, 20))])
    from webapp.ru.extract import extract

    text = "ПРИКАЗ\n01.02.2026 № 5\nО работе\nПРИКАЗЫВАЮ:\n1. Управлению А обеспечить работу в срок до 01.03.2026."
    upload = ImportItem(user_id=users["secretary_a"].id, filename="приказ.txt", kind="text", source_text=text,
                        extraction=extract(text, "приказ.txt").as_dict(), status="pending")
    db.session.add(upload)
    feed = "world-calendar-token"
    token = CalendarToken(token_hash=hashlib.sha256(feed.encode()).hexdigest(), owner_id=users["executor_a"].id)
    db.session.add(token)
    # Rows, not services: an audit event here would need the template's audit key in every copy of the world.
    api_token = ApiToken(user_id=users["executor_a"].id, name="Отчёты", token_hash=hashlib.sha256(b"w").hexdigest(),
                         prefix="dfl_world", scopes="read", expires_at=datetime(2027, 1, 1, tzinfo=UTC))
    db.session.add(api_token)
    job = Job(kind="export.bulk", owner_id=users["secretary_a"].id, title="Выгрузка", params={}, status="done",
              progress_done=1, progress_total=1, result_id=stored.id, result_name="выгрузка.pdf",
              result_type="application/pdf")
    db.session.add(job)
    bearer = {}
    for login, user in users.items():  # rows, as above: create_token would record an audit event
        bearer[login] = f"dfl_matrix_{login}"
        db.session.add(ApiToken(user_id=user.id, name="Матрица", prefix=bearer[login][:12], scopes="read write",
                                token_hash=hashlib.sha256(bearer[login].encode()).hexdigest(),
                                expires_at=datetime(2027, 1, 1, tzinfo=UTC)))
    db.session.flush()
    world = {"own": own.id, "other": other.id, "draft": draft.id, "step": step.id, "on_approval": on_approval.id,
            "published": published.id, "new": new.id, "in_work": in_work.id, "reported": reported.id,
            "pending": pending.id, "report_file": report_file.id, "draft_file": draft_file.id, "calendar": token.id,
            "feed": feed, "import": upload.id, "api_token": api_token.id, "job": job.id,
            "users": {login: user.id for login, user in users.items()}, "bearer": bearer}
    db.session.commit()
    world["cookies"] = _signed_in(list(users))
    return world


def _signed_in(logins: list[str]) -> dict[str, str]:
    """Everyone signed in once through the login form, in the template: the session rows are in every copy of the
    world, and a test starts from its subject's cookie (three requests fewer: the login page, the login, and a page
    for a form's CSRF token)."""
    name = current_app.config["SESSION_COOKIE_NAME"]
    cookies = {}
    # Half a minute before the tests' clock starts: a signed cookie from a later moment is refused (a negative age),
    # and a session seen less than a minute ago is not written to again by each request.
    with time_machine.travel(moment(TODAY) - timedelta(seconds=30), tick=False):
        for login in logins:
            client = current_app.test_client()
            with current_app.app_context():  # its own `g`: the requests would share the template's signed-in user
                assert AuthActions(client).login(login).status_code == 302, login
            cookies[login] = client.get_cookie(name).value
    return cookies


# --- the table -------------------------------------------------------------------------------------------------------


def own(*roles: str) -> set[str]:
    return {f"{role}@own" for role in roles}


def anywhere(*roles: str) -> set[str]:
    return {f"{role}@{where}" for role in roles for where in ("own", "other")}


EVERYONE = set(SUBJECTS) - {"anonymous"}
OVERSEERS = anywhere("auditor", "admin")
DRAFTERS_OF_A = own("secretary", "head") | anywhere("admin")  # draft roles in scope of А (admins everywhere)
MEMBERS_OF_A = own(*ROLES)  # everyone in А answers for А's assignments


@dataclass
class Row:
    endpoint: str
    method: str
    path: Callable[[dict], str]
    allowed: set[str]
    data: Callable[[dict], dict] = field(default=lambda w: {})
    ok: int | None = None  # the status of an allowed call (default: 200 for GET, 302 for POST)
    expect: Callable[[str], int] | None = None  # the status per subject, where the rule is not allowed/refused
    note: str = ""
    api: bool = False  # called with the subject's bearer token and a JSON body; no token: 401

    def expected(self, subject: str) -> int:
        if self.expect is not None:
            return self.expect(subject)
        if subject == "anonymous":
            return 401 if self.api else 302  # the API asks for a token; a page sends to the login page
        if subject in self.allowed:
            return self.ok or (200 if self.method == "GET" or self.api else 302)
        return 403

    @property
    def id(self) -> str:
        return f"{self.endpoint}:{self.method}{':' + self.note if self.note else ''}"


def _version(world: dict, key: str) -> str:
    return str(db.session.get(Document, world[key]).version)


def api(endpoint: str, method: str, path: Callable[[dict], str], allowed: set[str], **kwargs) -> Row:
    """A row of the REST API (webapp/blueprints/api): the same rules as the pages, through a token."""
    return Row(f"api.{endpoint}", method, lambda w: "/api/v1" + path(w), allowed, api=True, **kwargs)


def public(status: int) -> Callable[[str], int]:
    return lambda subject: status


def login_page(subject: str) -> int:
    return 200 if subject == "anonymous" else 302  # a signed-in user is sent on to the register


ROWS = [
    # The register and drafting
    Row("documents.home", "GET", lambda w: "/", EVERYONE, expect=public(302)),
    Row("healthz", "GET", lambda w: "/healthz", set(), expect=public(200)),
    Row("tasks.index", "GET", lambda w: "/tasks", EVERYONE),  # «Мои задачи»: everyone's own
    Row("documents.index", "GET", lambda w: "/documents", EVERYONE),
    Row("search.index", "GET", lambda w: "/search?q=педагог", EVERYONE),
    # the pickers' suggestions: anyone signed in asks; what each one finds is the policy's (tests/web/test_pickers.py)
    Row("suggest.users", "GET", lambda w: "/suggest/users?q=а", EVERYONE),
    Row("suggest.bodies", "GET", lambda w: "/suggest/bodies?q=о", EVERYONE),
    Row("documents.new", "GET", lambda w: "/documents/new", anywhere("secretary", "head", "admin")),
    Row("documents.new", "POST", lambda w: "/documents/new", anywhere("secretary", "head", "admin"),
        data=lambda w: {"op": "save", "doc_type": "order", "title": "Новый"}),
    Row("documents.detail", "GET", lambda w: f"/documents/{w['draft']}", note="draft",
        allowed=own("secretary", "head", "approver", "controller") | OVERSEERS),
    Row("documents.detail", "GET", lambda w: f"/documents/{w['published']}", EVERYONE, note="published"),
    Row("documents.edit", "GET", lambda w: f"/documents/{w['draft']}/edit", DRAFTERS_OF_A),
    Row("documents.edit", "POST", lambda w: f"/documents/{w['draft']}/edit", DRAFTERS_OF_A,
        data=lambda w: {"op": "save", "doc_type": "order", "title": "Правка", "event_date": "20.11.2026",
                        "version": _version(w, "draft")}),
    # Workflow
    Row("documents.transition", "POST", lambda w: f"/documents/{w['draft']}/transition", DRAFTERS_OF_A,
        data=lambda w: {"transition": "submit", "version": _version(w, "draft")}, note="submit"),
    Row("documents.transition", "POST", lambda w: f"/documents/{w['draft']}/transition",
        own("head") | anywhere("admin"), note="cancel",
        data=lambda w: {"transition": "cancel", "comment": "Не нужен", "version": _version(w, "draft"),
                        "confirmed": "1"}),
    Row("documents.transition", "POST", lambda w: f"/documents/{w['draft']}/transition",
        own("head") | anywhere("admin"), note="cancel, asked first", ok=200,
        data=lambda w: {"transition": "cancel", "comment": "Не нужен", "version": _version(w, "draft")}),
    Row("documents.transition", "POST", lambda w: f"/documents/{w['draft']}/transition",
        own("secretary"), note="withdraw (the author only)",  # secretary_a wrote the draft
        data=lambda w: {"transition": "withdraw", "version": _version(w, "draft"), "confirmed": "1"}),
    Row("documents.transition", "POST", lambda w: f"/documents/{w['on_approval']}/transition",
        own("approver", "head"), note="return",
        data=lambda w: {"transition": "return_for_rework", "comment": "Доработать",
                        "version": _version(w, "on_approval")}),
    Row("documents.decide", "POST", lambda w: f"/documents/{w['on_approval']}/approval/decide", own("approver"),
        data=lambda w: {"decision": "approved", "version": _version(w, "on_approval")}),
    Row("documents.add_approver", "POST", lambda w: f"/documents/{w['draft']}/approval/approvers", DRAFTERS_OF_A,
        data=lambda w: {"approver": str(w["users"]["approver_b"])}),
    Row("documents.remove_approver", "POST",
        lambda w: f"/documents/{w['draft']}/approval/approvers/{w['step']}/remove", DRAFTERS_OF_A),
    Row("documents.approval_mode", "POST", lambda w: f"/documents/{w['draft']}/approval/mode", DRAFTERS_OF_A,
        data=lambda w: {"mode": "parallel"}),
    Row("documents.approval_sheet", "GET", lambda w: f"/documents/{w['draft']}/approval-sheet.docx",
        allowed=own("secretary", "head", "approver", "controller") | OVERSEERS),
    # A document in force
    Row("documents.download_docx", "GET", lambda w: f"/documents/{w['draft']}/docx", note="draft",
        allowed=own("secretary", "head", "approver", "controller") | OVERSEERS),
    Row("documents.download_pdf", "GET", lambda w: f"/documents/{w['draft']}/pdf", note="draft",
        allowed=own("secretary", "head", "approver", "controller") | OVERSEERS),
    Row("documents.download_pdf", "POST", lambda w: f"/documents/{w['draft']}/pdf", note="draft: starts a job",
        allowed=own("secretary", "head", "approver", "controller") | OVERSEERS, ok=303),
    # Attached files (приложения): read with the document, changed only on a draft by its drafters
    Row("documents.download_file", "GET", lambda w: f"/documents/{w['draft']}/files/{w['draft_file']}",
        allowed=own("secretary", "head", "approver", "controller") | OVERSEERS),
    Row("documents.preview_file", "GET", lambda w: f"/documents/{w['draft']}/files/{w['draft_file']}/preview",
        allowed=own("secretary", "head", "approver", "controller") | OVERSEERS),
    Row("documents.attach", "POST", lambda w: f"/documents/{w['draft']}/files", DRAFTERS_OF_A),
    Row("documents.detach", "POST", lambda w: f"/documents/{w['draft']}/files/{w['draft_file']}/delete",
        DRAFTERS_OF_A),
    Row("documents.add_acknowledgers", "POST", lambda w: f"/documents/{w['published']}/acknowledgments",
        DRAFTERS_OF_A, data=lambda w: {"people": str(w["users"]["head_a"])}),
    Row("documents.acknowledge", "POST", lambda w: f"/documents/{w['published']}/acknowledge", own("executor")),
    Row("documents.acknowledgments_csv", "GET", lambda w: f"/documents/{w['published']}/acknowledgments.csv",
        EVERYONE),
    Row("documents.acknowledgment_sheet", "GET",
        lambda w: f"/documents/{w['published']}/acknowledgment-sheet.docx", EVERYONE),
    Row("documents.amend", "POST", lambda w: f"/documents/{w['published']}/amend", DRAFTERS_OF_A,
        data=lambda w: {"confirmed": "1"}),
    Row("documents.amend", "POST", lambda w: f"/documents/{w['published']}/amend", DRAFTERS_OF_A, ok=200,
        note="asked first"),
    Row("assignments.add", "GET", lambda w: f"/documents/{w['published']}/assignments/new",
        own("controller") | anywhere("admin")),
    Row("assignments.add", "POST", lambda w: f"/documents/{w['published']}/assignments/new",
        own("controller") | anywhere("admin"),
        data=lambda w: {"action": "Подготовить справку.", "lead_body": str(w["own"]), "deadline": "до 20.12.2026"}),
    # Notifications
    Row("documents.notifications", "GET", lambda w: "/notifications", EVERYONE),
    Row("documents.notifications_read", "POST", lambda w: "/notifications/read", EVERYONE),
    # Assignments
    Row("assignments.index", "GET", lambda w: "/assignments", EVERYONE),
    Row("assignments.detail", "GET", lambda w: f"/assignments/{w['new']}", MEMBERS_OF_A | OVERSEERS),
    Row("assignments.take", "POST", lambda w: f"/assignments/{w['new']}/take", MEMBERS_OF_A),
    Row("assignments.report", "POST", lambda w: f"/assignments/{w['in_work']}/report", MEMBERS_OF_A,
        data=lambda w: {"text": "Сделано"}),
    Row("assignments.review", "POST", lambda w: f"/assignments/{w['reported']}/review", own("controller"),
        data=lambda w: {"decision": "accept"}),
    Row("assignments.cancel", "POST", lambda w: f"/assignments/{w['new']}/cancel",
        own("controller") | anywhere("admin"), data=lambda w: {"reason": "Не актуально", "confirmed": "1"}),
    Row("assignments.cancel", "POST", lambda w: f"/assignments/{w['new']}/cancel", note="asked first", ok=200,
        allowed=own("controller") | anywhere("admin"), data=lambda w: {"reason": "Не актуально"}),
    Row("assignments.request_extension", "POST", lambda w: f"/assignments/{w['in_work']}/extension", MEMBERS_OF_A,
        data=lambda w: {"reason": "Нет кадров", "new_date": "20.01.2027"}),
    Row("assignments.decide_extension", "POST", lambda w: f"/assignments/{w['pending']}/extension/decide",
        own("controller"), data=lambda w: {"decision": "approve"}),
    Row("assignments.report_file", "GET", lambda w: f"/assignments/{w['reported']}/files/{w['report_file']}",
        MEMBERS_OF_A | OVERSEERS),
    Row("assignments.dashboard", "GET", lambda w: "/assignments/dashboard", OVERSEERS),
    Row("assignments.dashboard_counted", "GET",
        lambda w: "/assignments/dashboard/counted?after=2026-01-01T00:00:00%2B00:00", OVERSEERS),
    Row("assignments.export", "GET", lambda w: "/assignments/export.xlsx", OVERSEERS),
    Row("assignments.bulk_export", "GET", lambda w: "/assignments/bulk.xlsx", EVERYONE),
    Row("assignments.export", "POST", lambda w: "/assignments/export.xlsx", OVERSEERS, ok=200,
        note="a small export: the file at once"),
    Row("assignments.bulk_export", "POST", lambda w: "/assignments/bulk.xlsx", EVERYONE, ok=200,
        note="a small export: the file at once"),
    # Jobs
    Row("jobs.index", "GET", lambda w: "/jobs", EVERYONE),
    Row("jobs.detail", "GET", lambda w: f"/jobs/{w['job']}", own("secretary") | anywhere("admin"),
        note="its owner's, and administrators'"),
    Row("jobs.status", "GET", lambda w: f"/jobs/{w['job']}.json", own("secretary") | anywhere("admin")),
    Row("jobs.result", "GET", lambda w: f"/jobs/{w['job']}/result", own("secretary") | anywhere("admin")),
    Row("assignments.bulk_import", "GET", lambda w: "/assignments/bulk", EVERYONE),
    Row("assignments.bulk_import", "POST", lambda w: "/assignments/bulk", EVERYONE, ok=400,
        note="no file: the form's message, not a refusal"),
    Row("assignments.calendars", "GET", lambda w: "/calendar", EVERYONE),
    Row("assignments.create_calendar", "POST", lambda w: "/calendar", EVERYONE, note="own feed"),
    Row("assignments.create_calendar", "POST", lambda w: "/calendar", note="a body's feed",
        allowed=MEMBERS_OF_A | OVERSEERS, data=lambda w: {"body": str(w["own"])}),
    Row("assignments.revoke_calendar", "POST", lambda w: f"/calendar/{w['calendar']}/revoke", set(),
        expect=lambda s: 302 if s in ("anonymous", "executor@own") else 404, note="only its owner"),
    Row("assignments.calendar_feed", "GET", lambda w: f"/calendar/{w['feed']}.ics", set(), expect=public(200),
        note="the secret token is the key"),
    # Import
    Row("imports.index", "GET", lambda w: "/import", anywhere("secretary", "head", "admin")),
    Row("imports.index", "POST", lambda w: "/import", anywhere("secretary", "head", "admin"), ok=400,
        note="no file: the form's message"),
    Row("imports.review", "GET", lambda w: f"/import/{w['import']}", own("secretary") | anywhere("admin"),
        note="the uploader's, and administrators'"),
    Row("imports.review", "POST", lambda w: f"/import/{w['import']}", own("secretary") | anywhere("admin"), ok=200,
        data=lambda w: {"op": "add_point", "doc_type": "order", "title": "О работе"}, note="an edit of the form"),
    Row("imports.discard", "POST", lambda w: f"/import/{w['import']}/discard", own("secretary") | anywhere("admin")),
    # Audit and administration
    Row("audit.index", "GET", lambda w: "/audit", OVERSEERS),
    Row("admin.templates", "GET", lambda w: "/admin/templates", anywhere("admin")),
    Row("admin.upload", "POST", lambda w: "/admin/templates", anywhere("admin"), ok=400, note="no file"),
    Row("admin.activate", "POST", lambda w: "/admin/templates/999/activate", anywhere("admin"), ok=404),
    Row("admin.use_default", "POST", lambda w: "/admin/templates/default", anywhere("admin"),
        data=lambda w: {"kind": "order", "body": "0"}),
    Row("admin.download", "GET", lambda w: "/admin/templates/999/file", anywhere("admin"), ok=404),
    Row("admin.default_file", "GET", lambda w: "/admin/templates/default/order.docx", anywhere("admin")),
    Row("admin.user_list", "GET", lambda w: "/admin/users", anywhere("admin")),
    Row("admin.end_sessions", "POST", lambda w: f"/admin/users/{w['users']['executor_a']}/end-sessions",
        anywhere("admin")),
    Row("admin.user_new", "GET", lambda w: "/admin/users/new", anywhere("admin")),
    Row("admin.user_new", "POST", lambda w: "/admin/users/new", anywhere("admin"), ok=400, note="no data"),
    Row("admin.user_detail", "GET", lambda w: f"/admin/users/{w['users']['executor_a']}", anywhere("admin")),
    Row("admin.user_update", "POST", lambda w: f"/admin/users/{w['users']['executor_a']}", anywhere("admin"),
        ok=400, note="no data"),
    Row("admin.user_active", "POST", lambda w: f"/admin/users/{w['users']['executor_a']}/active", anywhere("admin")),
    Row("admin.user_link", "POST", lambda w: f"/admin/users/{w['users']['executor_a']}/reset", anywhere("admin"),
        ok=200, note="the link's page"),
    Row("admin.body_list", "GET", lambda w: "/admin/bodies", anywhere("admin")),
    Row("admin.body_create", "POST", lambda w: "/admin/bodies", anywhere("admin"), ok=400, note="no name"),
    Row("admin.body_detail", "GET", lambda w: "/admin/bodies/999", anywhere("admin"), ok=404),
    Row("admin.body_update", "POST", lambda w: "/admin/bodies/999", anywhere("admin"), ok=404),
    Row("admin.body_merge", "POST", lambda w: "/admin/bodies/999/merge", anywhere("admin"), ok=404),
    Row("admin.body_close", "POST", lambda w: "/admin/bodies/999/close", anywhere("admin"), ok=404),
    Row("admin.deputy_list", "GET", lambda w: "/admin/deputies", anywhere("admin")),
    Row("admin.deputy_list", "POST", lambda w: "/admin/deputies", anywhere("admin"), ok=400, note="no data"),
    Row("admin.deputy_end", "POST", lambda w: "/admin/deputies/999/end", anywhere("admin"), ok=404),
    Row("admin.directory_import_page", "GET", lambda w: "/admin/import", anywhere("admin")),
    Row("admin.directory_preview", "POST", lambda w: "/admin/import", anywhere("admin"), ok=400, note="no file"),
    Row("admin.directory_save", "POST", lambda w: "/admin/import/save", anywhere("admin"), ok=400, note="no file"),
    Row("absence.own_deputies", "GET", lambda w: "/account/deputies", EVERYONE),
    Row("absence.own_deputies", "POST", lambda w: "/account/deputies", EVERYONE, ok=400, note="no data"),
    Row("absence.own_deputy_end", "POST", lambda w: "/account/deputies/999/end", EVERYONE, ok=404),
    Row("welcome.set_password", "GET", lambda w: "/welcome/no-such-link", set(), expect=public(404)),
    Row("welcome.set_password", "POST", lambda w: "/welcome/no-such-link", set(), expect=public(404)),
    Row("admin.webhook_list", "GET", lambda w: "/admin/webhooks", anywhere("admin")),
    Row("admin.webhook_list", "POST", lambda w: "/admin/webhooks", anywhere("admin"), ok=200, note="no events",
        data=lambda w: {"url": "https://example.org/hook"}),
    Row("admin.webhook_detail", "GET", lambda w: "/admin/webhooks/999", anywhere("admin"), ok=404),
    Row("admin.webhook_toggle", "POST", lambda w: "/admin/webhooks/999/active", anywhere("admin"), ok=404),
    Row("admin.webhook_resend", "POST", lambda w: "/admin/webhooks/deliveries/999/resend", anywhere("admin"), ok=404),
    # Signing in
    Row("auth.login", "GET", lambda w: "/login", set(), expect=login_page),
    Row("auth.login", "POST", lambda w: "/login", set(), data=lambda w: {"login": "nobody", "password": "x"},
        expect=lambda s: 401 if s == "anonymous" else 302),
    Row("auth.logout", "POST", lambda w: "/logout", EVERYONE),
    Row("auth.change_password", "GET", lambda w: "/account/password", EVERYONE),
    Row("auth.change_password", "POST", lambda w: "/account/password", EVERYONE, ok=400,
        data=lambda w: {"current": "неверный", "new": "x", "repeat": "x"}, note="wrong current password"),
    Row("auth.mail_settings", "GET", lambda w: "/account/mail", EVERYONE),
    Row("auth.mail_settings", "POST", lambda w: "/account/mail", EVERYONE, data=lambda w: {"mode": "digest"}),
    Row("auth.api_tokens", "GET", lambda w: "/account/tokens", EVERYONE),
    Row("auth.api_tokens", "POST", lambda w: "/account/tokens", EVERYONE, ok=201,
        data=lambda w: {"name": "Отчёты", "scopes": "read", "days": "30"}, note="the secret shown once"),
    Row("auth.revoke_api_token", "POST", lambda w: f"/account/tokens/{w['api_token']}/revoke", set(),
        expect=lambda s: 302 if s in ("anonymous", "executor@own") else 404, note="only its owner"),
    # The REST API: the same rules through a token
    api("list_documents", "GET", lambda w: "/documents", EVERYONE),
    api("create_document", "POST", lambda w: "/documents", anywhere("secretary", "head", "admin"), ok=201,
        data=lambda w: {"type": "order", "title": "Новый"}),
    api("get_document", "GET", lambda w: f"/documents/{w['draft']}", note="draft",
        allowed=own("secretary", "head", "approver", "controller") | OVERSEERS),
    api("get_document", "GET", lambda w: f"/documents/{w['published']}", EVERYONE, note="published"),
    api("update_document", "PUT", lambda w: f"/documents/{w['draft']}", DRAFTERS_OF_A,
        data=lambda w: {"type": "order", "title": "Правка", "event_date": "2026-11-20",
                        "version": int(_version(w, "draft"))}),
    api("fire_transition", "POST", lambda w: f"/documents/{w['draft']}/transitions", DRAFTERS_OF_A,
        data=lambda w: {"transition": "submit", "version": int(_version(w, "draft"))}, note="submit"),
    api("fire_transition", "POST", lambda w: f"/documents/{w['draft']}/transitions",
        own("head") | anywhere("admin"), note="cancel",
        data=lambda w: {"transition": "cancel", "comment": "Не нужен", "version": int(_version(w, "draft"))}),
    api("fire_transition", "POST", lambda w: f"/documents/{w['on_approval']}/transitions",
        own("approver", "head"), note="return",
        data=lambda w: {"transition": "return_for_rework", "comment": "Доработать",
                        "version": int(_version(w, "on_approval"))}),
    api("add_approver", "POST", lambda w: f"/documents/{w['draft']}/approvers", DRAFTERS_OF_A,
        data=lambda w: {"user_id": w["users"]["approver_b"]}),
    api("remove_approver", "DELETE", lambda w: f"/documents/{w['draft']}/approvers/{w['step']}", DRAFTERS_OF_A),
    api("approval_mode", "PUT", lambda w: f"/documents/{w['draft']}/approval-mode", DRAFTERS_OF_A,
        data=lambda w: {"mode": "parallel"}),
    api("add_acknowledgers", "POST", lambda w: f"/documents/{w['published']}/acknowledgments", DRAFTERS_OF_A,
        data=lambda w: {"user_ids": [w["users"]["head_a"]]}),
    api("acknowledge", "POST", lambda w: f"/documents/{w['published']}/acknowledge", own("executor")),
    api("amend", "POST", lambda w: f"/documents/{w['published']}/amendments", DRAFTERS_OF_A, ok=201),
    api("add_assignment", "POST", lambda w: f"/documents/{w['published']}/assignments",
        own("controller") | anywhere("admin"), ok=201,
        data=lambda w: {"action": "Подготовить справку.", "lead_body_id": w["own"], "deadline_text": "до 20.12.2026"}),
    api("decide_approval", "POST", lambda w: f"/documents/{w['on_approval']}/approval", own("approver"),
        data=lambda w: {"decision": "approved", "version": int(_version(w, "on_approval"))}),
    api("download_docx", "GET", lambda w: f"/documents/{w['draft']}/docx", note="draft",
        allowed=own("secretary", "head", "approver", "controller") | OVERSEERS),
    api("download_pdf", "GET", lambda w: f"/documents/{w['draft']}/pdf", note="draft: 202, a job makes it",
        allowed=own("secretary", "head", "approver", "controller") | OVERSEERS, ok=202),
    api("list_jobs", "GET", lambda w: "/jobs", EVERYONE, note="each sees their own"),
    api("get_job", "GET", lambda w: f"/jobs/{w['job']}", own("secretary") | anywhere("admin")),
    api("job_result", "GET", lambda w: f"/jobs/{w['job']}/result", own("secretary") | anywhere("admin")),
    api("list_assignments", "GET", lambda w: "/assignments", EVERYONE),
    api("overdue", "GET", lambda w: "/overdue?as_of=2027-01-10", EVERYONE, note="each sees what they may read"),
    api("list_notifications", "GET", lambda w: "/notifications", EVERYONE),
    api("read_notifications", "POST", lambda w: "/notifications/read", EVERYONE, data=lambda w: {},
        note="each marks only their own"),
    api("search_all", "GET", lambda w: "/search?q=поручение", EVERYONE),
    api("get_assignment", "GET", lambda w: f"/assignments/{w['new']}", MEMBERS_OF_A | OVERSEERS),
    api("take", "POST", lambda w: f"/assignments/{w['new']}/take", MEMBERS_OF_A),
    api("report", "POST", lambda w: f"/assignments/{w['in_work']}/report", MEMBERS_OF_A,
        data=lambda w: {"text": "Сделано"}),
    api("accept", "POST", lambda w: f"/assignments/{w['reported']}/accept", own("controller")),
    api("return_report", "POST", lambda w: f"/assignments/{w['reported']}/return", own("controller"),
        data=lambda w: {"comment": "Доработать"}),
    api("cancel", "POST", lambda w: f"/assignments/{w['new']}/cancel", own("controller") | anywhere("admin"),
        data=lambda w: {"reason": "Не актуально"}),
    api("request_extension", "POST", lambda w: f"/assignments/{w['in_work']}/extension", MEMBERS_OF_A,
        data=lambda w: {"reason": "Нет кадров", "new_date": "2027-01-20"}),
    api("decide_extension", "POST", lambda w: f"/assignments/{w['pending']}/extension/decision",
        own("controller"), data=lambda w: {"approve": True}),
    api("list_bodies", "GET", lambda w: "/bodies", EVERYONE),
    api("get_body", "GET", lambda w: f"/bodies/{w['own']}", EVERYONE),
    api("list_users", "GET", lambda w: "/users", EVERYONE),
    api("get_user", "GET", lambda w: f"/users/{w['users']['head_a']}", EVERYONE),
    api("me", "GET", lambda w: "/me", EVERYONE),
    api("create_body", "POST", lambda w: "/bodies", anywhere("admin"), ok=201, data=lambda w: {"name": "Новый орган"}),
    api("update_body", "PUT", lambda w: f"/bodies/{w['own']}", anywhere("admin"),
        data=lambda w: {"name": "Управление А", "dative": "Управлению А"}),
    api("close_body", "POST", lambda w: f"/bodies/{w['other']}/close", anywhere("admin")),
    api("merge_body", "POST", lambda w: f"/bodies/{w['other']}/merge", anywhere("admin"),
        data=lambda w: {"into_id": w["own"]}),
    api("create_user", "POST", lambda w: "/users", anywhere("admin"), ok=201,
        data=lambda w: {"login": "newcomer", "full_name": "Новикова Анна Петровна", "roles": ["executor"],
                        "bodies": [{"body_id": w["own"], "position": "методист"}]}),
    api("update_user", "PUT", lambda w: f"/users/{w['users']['executor_a']}", anywhere("admin"),
        data=lambda w: {"login": "executor_a", "full_name": "executor a", "roles": ["executor"],
                        "bodies": [{"body_id": w["own"]}]}),
    api("deactivate_user", "POST", lambda w: f"/users/{w['users']['executor_b']}/deactivate", anywhere("admin")),
    api("activate_user", "POST", lambda w: f"/users/{w['users']['executor_b']}/activate", anywhere("admin")),
    Row("api_meta.openapi_json", "GET", lambda w: "/api/v1/openapi.json", set(), expect=public(200)),
    Row("api_meta.docs", "GET", lambda w: "/api/v1/docs", set(), expect=public(200)),
    *[Row("api_meta.unknown", method, lambda w: "/api/v1/no-such-thing", set(), expect=public(404), api=True)
      for method in ("GET", "POST", "PUT", "PATCH", "DELETE")],
    # Static files
    Row("static", "GET", lambda w: "/static/docflow.css", set(), expect=public(200)),
    Row("bootstrap.static", "GET", lambda w: "/bootstrap/static/css/bootstrap.min.css", set(), expect=public(200)),
]


# --- running it --------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def world_app(databases, tmp_path_factory):
    """One app on one private copy of the world, put back before every call."""
    tmp = tmp_path_factory.mktemp("matrix")
    url, drop = databases.copy("world", tmp, build_world)
    soffice = tmp / "soffice"  # stands in for LibreOffice: writes <outdir>/<name>.pdf at once
    soffice.write_text('#!/bin/sh\nwhile [ $# -gt 0 ]; do [ "$1" = --outdir ] && out="$2"; f="$1"; shift; done\n'
                       'name=$(basename "$f" .docx); printf "%%PDF-1.4 fake\\n" > "$out/$name.pdf"\n')
    soffice.chmod(0o755)
    with pytest.MonkeyPatch.context() as mp:  # module-scoped: the per-test private instance is not set yet
        mp.setenv("DOCFLOW_INSTANCE_PATH", str(tmp / "instance"))
        app = make_app({**_test_config(url, tmp / "files"), "SOFFICE": str(soffice)})
    yield app, databases.built["world"], url
    databases.let_go(app)
    drop()


_changed = {"world": True}  # whether a call since the last restore may have changed the world


def _reset(app, databases, url, method: str = "POST") -> None:
    """Put the world back when the last call may have changed it: not after a GET, whose own small writes (notices
    marked read, a catch-up of periodic assignments) are taken to move no later call's status."""
    if _changed["world"]:
        databases.let_go(app)
        databases.restore("world", url)
    _changed["world"] = method != "GET"


def _login_name(subject: str) -> str:
    role, where = subject.split("@")
    return f"{role}_{'a' if where == 'own' else 'b'}"


def _signed_in_as(app, client, cookie: str) -> str:
    """The client carries a subject's session cookie from the template; returns a CSRF token of that session (what
    its pages' forms would hold: Flask-WTF's own token, made now)."""
    name = app.config["SESSION_COOKIE_NAME"]
    client.set_cookie(name, cookie)
    with app.test_request_context(headers={"Cookie": f"{name}={cookie}"}):
        return generate_csrf()


@pytest.mark.parametrize("subject", SUBJECTS)
@pytest.mark.parametrize("row", ROWS, ids=[row.id for row in ROWS])
def test_permission_matrix(world_app, databases, row: Row, subject: str):
    app, world, url = world_app
    _reset(app, databases, url, row.method)
    client = app.test_client()
    with app.app_context():
        path, data = row.path(world), row.data(world)
    if row.api:
        headers = {} if subject == "anonymous" else {"Authorization": "Bearer " + world["bearer"][_login_name(subject)]}
        response = client.open(path, method=row.method, headers=headers,
                               json=data if row.method != "GET" else None)
        assert response.status_code == row.expected(subject), (
            f"{row.id} as {subject}: {response.status_code}\n{response.get_data()[:600]!r}")
        assert response.mimetype == "application/json" or response.status_code == 200, "an API error is JSON"
        return
    if subject == "anonymous":
        token = AuthActions(client).csrf("/login")
    else:
        token = _signed_in_as(app, client, world["cookies"][_login_name(subject)])
    if row.method == "GET":
        response = client.get(path)
    else:
        files = {}
        if row.endpoint == "assignments.report":
            files = {"files": (io.BytesIO(PDF), "итог.pdf")}
        response = client.post(path, data={"csrf_token": token, **data, **files},
                               content_type="multipart/form-data")
    with response:  # a static file's response holds the file open until closed
        assert response.status_code == row.expected(subject), (
            f"{row.id} as {subject}: {response.status_code}\n{response.get_data()[:600]!r}")


def test_every_route_has_a_row(databases, tmp_path):
    """A new route without a row in the table fails here: the table is the whole application."""
    url, drop = databases.copy("migrated", tmp_path)
    app = make_app(_test_config(url, tmp_path / "files"))
    try:
        declared = {(row.endpoint, row.method) for row in ROWS}
        routes = {(rule.endpoint, method) for rule in app.url_map.iter_rules()
                  for method in rule.methods - {"HEAD", "OPTIONS"}}
        assert routes - declared == set(), "routes without a row in the permission table"
        assert declared - routes == set(), "rows for routes that do not exist"
    finally:
        with app.app_context():
            db.engine.dispose()
        drop()


def test_a_refused_post_changes_nothing(world_app, databases):
    """A head of another body cancels nothing, a secretary of another body edits nothing (the defects found)."""
    app, world, url = world_app
    _reset(app, databases, url)
    client = app.test_client()
    auth = AuthActions(client)
    auth.login("head_b")
    token = auth.csrf("/notifications")
    with app.app_context():
        version = _version(world, "draft")
    assert client.post(f"/documents/{world['draft']}/transition", data={
        "csrf_token": token, "transition": "cancel", "comment": "чужой", "version": version}).status_code == 403
    auth.logout()
    auth.login("secretary_b")
    token = auth.csrf("/notifications")
    assert client.post(f"/documents/{world['draft']}/edit", data={
        "csrf_token": token, "op": "save", "doc_type": "order", "title": "Чужая правка", "version": version,
    }).status_code == 403
    with app.app_context():
        draft = db.session.get(Document, world["draft"])
        assert (draft.state, draft.title) == ("draft", "О проекте")
        assert db.session.scalar(select(User).where(User.login == "head_b")) is not None


def test_lists_show_exactly_what_the_rules_let_read(world_app, databases):
    """The register's query and the assignment list's query agree with read_document / read_assignment."""
    from webapp.services import policy
    from webapp.services.assignments import visible_query

    app, world, url = world_app
    _reset(app, databases, url)
    with app.app_context():
        documents = list(db.session.scalars(select(Document)))
        assignments = list(db.session.scalars(select(Assignment)))
        for user in db.session.scalars(select(User)):
            listed = set(db.session.scalars(select(Document.id).where(policy.readable_documents(user))))
            assert listed == {d.id for d in documents if policy.can(user, "read_document", d)}, user.login
            visible = {a.id for a in db.session.scalars(visible_query(user))}
            assert visible == {a.id for a in assignments if policy.can(user, "read_assignment", a)}, user.login


def test_a_published_document_is_everyones(world_app, databases):
    """Every user, whatever her roles and bodies, reads every published document, by the rule and by the lists'
    clause: search reads the published documents' entries without testing them (services/search)."""
    from webapp.services import policy

    app, world, url = world_app
    _reset(app, databases, url)
    with app.app_context():
        published = list(db.session.scalars(select(Document).where(Document.state == "published")))
        assert published
        for user in db.session.scalars(select(User)):
            listed = set(db.session.scalars(select(Document.id).where(policy.readable_documents(user))))
            assert {d.id for d in published} <= listed, user.login
            assert all(policy.can(user, "read_document", d) for d in published), user.login
