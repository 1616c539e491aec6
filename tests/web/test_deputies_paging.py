"""«Замещения» of a whole organisation in keyset pages, the soonest first: every period not over once, the past and
the ended ones on none; a cursor not made here is refused in Russian."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from tests.conftest import TODAY
from webapp import clock
from webapp.extensions import db
from webapp.models import Deputy, User


def _periods(app, count: int) -> list[int]:
    """`count` periods not over, starting on different days (ties too), plus a past and an ended one."""
    with app.app_context():
        people = list(db.session.scalars(select(User).order_by(User.id).limit(2)))
        first, second = people
        ids = []
        for i in range(count):
            row = Deputy(deputy_id=first.id, principal_id=second.id, starts_on=TODAY + timedelta(days=i // 2),
                         ends_on=TODAY + timedelta(days=60), created_at=clock.now())
            db.session.add(row)
            db.session.flush()
            ids.append(row.id)
        db.session.add(Deputy(deputy_id=first.id, principal_id=second.id, starts_on=TODAY - timedelta(days=9),
                              ends_on=TODAY - timedelta(days=1), created_at=clock.now()))  # over
        db.session.commit()
        return ids


def _shown(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'/admin/deputies/(\d+)/end', html)]


def test_the_periods_come_in_pages_soonest_first(demo_app, client, auth):
    ids = _periods(demo_app, 30)
    auth.login("admin", "demo")
    page = client.get("/admin/deputies?size=25").get_data(as_text=True)
    first = _shown(page)
    link = re.search(r'href="([^"]+)" id="next-page"', page).group(1).replace("&amp;", "&")
    rest = _shown(client.get(link).get_data(as_text=True))
    with demo_app.app_context():
        expected = list(db.session.scalars(select(Deputy.id).where(Deputy.ends_on >= TODAY, Deputy.ended_at.is_(None))
                                           .order_by(Deputy.starts_on, Deputy.id)))
    assert len(first) == 25 and first + rest == expected and set(ids) <= set(expected)


def test_a_forged_cursor_is_refused_in_russian(demo_app, client, auth):
    auth.login("admin", "demo")
    response = client.get("/admin/deputies?after=nonsense", follow_redirects=True)
    assert response.status_code == 200
    assert "Неверная ссылка на страницу замещений: откройте список заново." in response.get_data(as_text=True)
