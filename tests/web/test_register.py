"""The register: keyset pages, newest first, every readable document once; a type filter that finds attached
documents (an order's Положение); a broken page link starts again."""

from __future__ import annotations

import re
from datetime import date, timedelta

from webapp.extensions import db
from webapp.models import Document

ROW = re.compile(r'<a href="/documents/(\d+)">')


def _walk(client, url: str) -> list[int]:
    seen = []
    while url:
        html = client.get(url).get_data(as_text=True)
        seen += [int(i) for i in ROW.findall(html)]
        link = re.search(r'href="([^"]+)" id="next-page"', html)
        url = link.group(1).replace("&amp;", "&") if link else None
    return seen


def test_pages_newest_first_each_document_once(app, client, auth, make_user):
    with app.app_context():
        for n in range(70):
            day = date(2026, 1, 1) + timedelta(days=n % 9)
            db.session.add(Document(doc_type="order", title=f"Приказ {n}", state="published", number=str(n),
                                    reg_date=None if n % 10 == 3 else day, event_date=None))
        db.session.commit()
        rows = db.session.query(Document).all()
        rows.sort(key=lambda d: (d.reg_date is None, -(d.reg_date or date.min).toordinal(), -d.id))
        expected = [d.id for d in rows]
    make_user("aud", "auditor")
    auth.login("aud")
    assert _walk(client, "/documents?size=25") == expected


def test_a_type_filter_finds_attached_documents(demo_app, client, auth):
    auth.login("auditor", "demo")
    with demo_app.app_context():
        regulation = db.session.query(Document).filter(Document.doc_type == "regulation",
                                                       Document.parent_id.isnot(None)).first()
    assert regulation is not None
    assert regulation.id in _walk(client, "/documents?type=regulation")
    assert regulation.id not in _walk(client, "/documents")  # the register lists it under its order


def test_a_broken_page_link_starts_again(app, client, auth, make_user):
    make_user("aud", "auditor")
    auth.login("aud")
    response = client.get("/documents", query_string={"after": "2026-99-01_x", "type": "order"})
    assert response.status_code == 302 and "after=" not in response.headers["Location"]
    assert "Неверная ссылка на страницу реестра" in client.get(response.headers["Location"]).get_data(as_text=True)
