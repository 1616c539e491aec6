"""Real browser, issue 10: login lands on «Мои задачи»; the audit page stays inside the viewport however long
its values are."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from tests.e2e.conftest import CHROMIUM, login_as
from webapp.extensions import db

pytestmark = pytest.mark.skipif(not CHROMIUM, reason="no chromium binary on PATH")


def test_login_lands_on_the_inbox_and_the_audit_page_fits(page, live_server, demo_app):
    from webapp.models import User
    from webapp.services.documents import DraftData, create_draft

    with demo_app.app_context():
        secretary = db.session.scalar(select(User).where(User.login == "secretary"))
        create_draft(secretary, DraftData(doc_type="order", event_date=date(2026, 11, 20), title=(
            "Об утверждении " + "сверхдлинногонаименованиябезпробелов" * 12 + " " + "и очень длинного текста " * 20)))
        db.session.commit()
    page.set_viewport_size({"width": 1280, "height": 900})
    login_as(page, live_server, "auditor")
    assert page.url.endswith("/tasks")
    assert page.locator("#tasks-link").inner_text().startswith("Мои задачи")
    page.goto(live_server + "/audit")
    assert page.locator("#events").inner_text().count("Создан проект документа") >= 1
    widths = page.evaluate("""() => [document.documentElement.scrollWidth, window.innerWidth,
        document.querySelector('#events').scrollWidth, document.querySelector('.audit-events').clientWidth]""")
    assert widths[0] <= widths[1] and widths[2] <= widths[3], widths  # no page scroll, no table scroll
