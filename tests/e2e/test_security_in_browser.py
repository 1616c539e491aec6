"""Real browser: every page works under the Content-Security-Policy (Chromium reports a blocked inline script or
style in its console), the service cannot be framed, and a logged-out browser is signed out for good."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.e2e.conftest import CHROMIUM, login_as
from webapp.extensions import db

pytestmark = pytest.mark.skipif(not CHROMIUM, reason="no chromium binary on PATH")


def test_pages_run_under_the_csp_without_violations(page, live_server, demo_app):
    from webapp.models import Assignment, Document

    with demo_app.app_context():
        documents = list(db.session.scalars(select(Document.id).where(Document.parent_id.is_(None))))
        # a document's assignment under control (a draft document's are drafts, which no page shows), the first
        assignment = db.session.scalar(select(Assignment.id).where(
            Assignment.point_id.is_not(None), Assignment.status != "draft").order_by(Assignment.id))
    console: list[str] = []
    page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
    login_as(page, live_server, "admin")
    paths = ["/tasks", "/documents", "/documents/new", "/assignments", "/assignments/dashboard?as_of=2022-03-01",
             "/calendar",
             "/audit", "/notifications", "/admin/templates", "/admin/users", "/account/password",
             f"/assignments/{assignment}", *(f"/documents/{i}" for i in documents)]
    for path in paths:
        response = page.goto(live_server + path)
        assert response.status == 200, path
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    page.goto(live_server + "/assignments/dashboard?as_of=2022-03-01")
    # the charts, drawn by the local Chart.js from data- attributes: no inline script or style
    assert page.evaluate("Chart.getChart(document.getElementById('chart-ages')) !== undefined")
    violations = [line for line in console if "Content Security Policy" in line or "Refused to" in line]
    assert violations == []


def test_logout_in_the_browser_ends_the_session_for_a_copied_cookie(page, live_server, demo_app):
    login_as(page, live_server, "secretary")
    cookies = page.context.cookies()
    page.click("text=Выйти")
    page.context.add_cookies(cookies)  # the cookies as they were before logout
    page.goto(live_server + "/assignments")
    assert page.url.startswith(live_server + "/login")
