"""Notifications and the audit journal in keyset pages, newest first: every row once, a filter and the page size
kept from page to page, rows added meanwhile repeat nothing, a broken page link starts again."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from webapp.extensions import db
from webapp.models import Event, Notification, User
from webapp.services.audit import record_event

NOTICE = re.compile(r'<a href="/documents/(\d+)">Уведомление (\d+)</a>')
EVENT = re.compile(r"<tr><td>(\d+)</td>")


def _next(html: str) -> str | None:
    link = re.search(r'href="([^"]+)" id="next-page"', html)
    return link.group(1).replace("&amp;", "&") if link else None


def _walk(client, url: str, row: re.Pattern, limit: int = 20) -> tuple[list[str], list[str]]:
    """Rows seen through every page, and the URLs visited."""
    seen, urls = [], []
    while url and len(urls) < limit:
        urls.append(url)
        html = client.get(url).get_data(as_text=True)
        seen += [m if isinstance(m, str) else m[1] for m in row.findall(html)]
        url = _next(html)
    return seen, urls


def _notify(app, login: str, count: int, start: int = 0) -> None:
    from webapp.models import Document

    with app.app_context():
        user = db.session.scalar(select(User).where(User.login == login))
        document = db.session.scalar(select(Document)) or Document(doc_type="order", title="О мерах",
                                                                   state="published")
        db.session.add(document)
        db.session.flush()
        for n in range(start, start + count):
            db.session.add(Notification(user_id=user.id, document_id=document.id, text=f"Уведомление {n}",
                                        read_at=None if n % 3 else document.created_at))
        db.session.commit()


@pytest.fixture
def reader(app, make_user, auth):
    make_user("reader", "executor")
    make_user("other", "executor")
    auth.login("reader")


def test_notifications_page_newest_first_each_once(app, client, reader):
    _notify(app, "reader", 60)
    _notify(app, "other", 5, start=100)  # someone else's: never shown
    seen, urls = _walk(client, "/notifications?size=25", NOTICE)
    assert [int(n) for n in seen] == list(range(59, -1, -1))
    assert len(urls) == 3 and all("size=25" in url for url in urls)


def test_only_unread_is_kept_from_page_to_page(app, client, reader):
    _notify(app, "reader", 60)
    seen, urls = _walk(client, "/notifications?size=25&unread=1", NOTICE)
    assert [int(n) for n in seen] == [n for n in range(59, -1, -1) if n % 3]
    assert len(urls) == 2 and all("unread=1" in url for url in urls)
    html = client.get(urls[-1]).get_data(as_text=True)
    assert 'id="only-unread" checked' in html and '<option value="25" selected>' in html
    first = re.search(r'href="([^"]+)" id="first-page"', html).group(1).replace("&amp;", "&")
    assert "after=" not in first and "unread=1" in first  # «В начало» goes back with the filter


def test_new_notifications_do_not_move_a_page(app, client, reader):
    _notify(app, "reader", 60)
    html = client.get("/notifications?size=25").get_data(as_text=True)
    first = [int(n) for _d, n in NOTICE.findall(html)]
    _notify(app, "reader", 10, start=60)  # they go before the first page
    rest, _urls = _walk(client, _next(html), NOTICE)
    assert first + [int(n) for n in rest] == list(range(59, -1, -1))


def test_a_deputy_pages_her_principals_notifications_too(app, client, reader, make_user, auth):
    from datetime import timedelta

    from webapp import clock
    from webapp.models import Deputy

    with app.app_context():
        people = {u.login: u.id for u in db.session.scalars(select(User))}
        db.session.add(Deputy(principal_id=people["other"], deputy_id=people["reader"], starts_on=clock.today(),
                              ends_on=clock.today() + timedelta(days=3), created_at=clock.now()))
        db.session.commit()
    _notify(app, "reader", 20)
    _notify(app, "other", 20, start=100)
    seen, _urls = _walk(client, "/notifications?size=25", NOTICE)
    assert sorted(int(n) for n in seen) == list(range(20)) + list(range(100, 120))


@pytest.mark.parametrize("path", ["/notifications", "/audit"])
def test_a_broken_page_link_starts_again(app, client, make_user, auth, path):
    make_user("adm", "admin")
    auth.login("adm")
    response = client.get(path, query_string={"after": "v1_x", "size": "25"})
    assert response.status_code == 302 and "after=" not in response.headers["Location"]
    assert "size=25" in response.headers["Location"]
    assert "Неверная ссылка на страницу" in client.get(response.headers["Location"]).get_data(as_text=True)


def _events(app, login: str, count: int) -> list[int]:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.login == login))
        ids = [record_event(user, "user.update", user, after={"position": f"Должность {n}"}).id for n in range(count)]
        db.session.commit()
        return ids


def test_the_audit_pages_newest_first_with_its_filter_kept(app, client, make_user, auth):
    make_user("aud", "auditor")
    clerk = make_user("clerk", "secretary")
    ids = _events(app, "clerk", 60)
    _events(app, "aud", 5)  # filtered out
    auth.login("aud")
    seen, urls = _walk(client, f"/audit?user={clerk}&size=25", EVENT)
    assert [int(i) for i in seen] == sorted(ids, reverse=True)
    assert len(urls) == 3 and all(f"user={clerk}" in url and "size=25" in url for url in urls)
    with app.app_context():
        assert db.session.query(Event).count() > len(ids)


def test_new_events_do_not_move_an_audit_page(app, client, make_user, auth):
    make_user("aud", "auditor")
    ids = _events(app, "aud", 60)
    auth.login("aud")
    html = client.get("/audit?size=25").get_data(as_text=True)
    first = [int(i) for i in EVENT.findall(html)]
    _events(app, "aud", 7)
    rest, _urls = _walk(client, _next(html), EVENT)
    seen = first + [int(i) for i in rest]
    assert len(seen) == len(set(seen)) and set(ids) <= set(seen)
    assert seen == sorted(seen, reverse=True)


def test_a_long_document_history_pages_oldest_first(app, client, make_user, auth):
    from webapp.models import Document

    make_user("aud", "auditor")
    with app.app_context():
        user = db.session.scalar(select(User).where(User.login == "aud"))
        document = Document(doc_type="order", title="О мерах", state="published")
        db.session.add(document)
        db.session.flush()
        for n in range(230):  # an order acknowledged by hundreds: one event each
            record_event(user, "acknowledgment.mark", document, comment=f"отметка {n}")
        db.session.commit()
        document_id = document.id
    auth.login("aud")
    url, seen, pages = f"/documents/{document_id}", [], []
    while url:
        html = client.get(url).get_data(as_text=True).split('id="history"')[1]
        pages.append(html)
        seen += [int(n) for n in re.findall(r"<td>отметка (\d+)</td>", html)]
        link = re.search(r'id="history-next" href="([^"]+)"', html)
        url = link.group(1).replace("&amp;", "&") if link else None
    assert seen == list(range(230)) and len(pages) == 3
    assert 'id="history-first"' in pages[-1] and 'id="history-first"' not in pages[0]
    assert client.get(f"/documents/{document_id}?after=junk").status_code == 400  # said in Russian, never a 500
