"""«По контролёрам» on the dashboard: the first CONTROLLERS_SHOWN controllers, the most overdue first (at
1,000,000 assignments the region's 400 controllers were half of the page), the heading saying how many there are,
and «показать всех» listing every one in the same order."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

import pytest
from sqlalchemy import select

from webapp import clock
from webapp.blueprints.assignments import dashboard as view
from webapp.extensions import db
from webapp.models import Assignment, DeadlineKind
from webapp.models.assignment import OPEN_STATUSES

ROW = re.compile(r"<tr><td>(.*?)</td><td><a [^>]*>([\d\s\u00a0]+)</a></td><td><a [^>]*>([\d\s\u00a0]+)</a></td></tr>")


def _rows(page: str) -> list[tuple[str, int, int]]:
    table = page[page.index('id="by-controller"'):]
    table = table[:table.index("</table>")]
    return [(unescape(name), int(re.sub(r"\D", "", opened)), int(re.sub(r"\D", "", late)))
            for name, opened, late in ROW.findall(table)]


@pytest.fixture
def controlled(demo_app, make_user):
    """Seven more controllers over the demo's open assignments, in runs of equal overdue figures (ties at every
    cut), two of three of them overdue, so that which rows come first is decided by the counts and then by the
    names."""
    with demo_app.app_context():
        ids = [make_user(f"ctl-{name}", "controller")
               for name in ["yakovleva", "borisov", "andreeva", "volkov", "zhuravleva", "gusev", "ershova"]]
        open_ = db.session.scalars(select(Assignment).where(Assignment.status.in_(OPEN_STATUSES))
                                   .order_by(Assignment.id)).all()
        assert len(open_) >= 14, "the demo has enough open assignments to share"
        for index, assignment in enumerate(open_[:14]):
            assignment.controller_id = ids[index % len(ids)]
            if index % 3:  # two of three overdue
                assignment.deadline_kind, assignment.deadline = DeadlineKind.by, clock.today() - timedelta(days=index)
        db.session.commit()
    return demo_app


def test_the_first_controllers_and_every_one(controlled, client, auth, monkeypatch):
    auth.login("auditor", "demo")
    everyone = _rows(client.get("/assignments/dashboard?controllers=all").get_data(as_text=True))
    assert len(everyone) >= 8
    assert everyone == sorted(everyone, key=lambda row: (-row[2], row[0]))  # most overdue first, then by name
    for shown in range(1, len(everyone) + 1):
        monkeypatch.setattr(view, "CONTROLLERS_SHOWN", shown)
        page = client.get("/assignments/dashboard").get_data(as_text=True)
        assert _rows(page) == everyone[:shown], shown
        if shown < len(everyone):
            heading = unescape(re.search(r'id="controllers-shown">(.*?)</span>', page, re.S).group(1))
            assert re.sub(r"<[^>]+>", "", heading) == f"(первые {shown} из {len(everyone)}; показать всех)"
            link = unescape(re.search(r'href="([^"]+)" id="every-controller"', page).group(1))
            assert "controllers=all" in link
            assert _rows(client.get(link).get_data(as_text=True)) == everyone
        else:
            assert 'id="controllers-shown"' not in page


def test_filters_travel_with_show_all(controlled, client, auth, monkeypatch):
    monkeypatch.setattr(view, "CONTROLLERS_SHOWN", 1)
    auth.login("auditor", "demo")
    page = client.get("/assignments/dashboard?overdue=y").get_data(as_text=True)
    link = unescape(re.search(r'href="([^"]+)" id="every-controller"', page).group(1))
    assert "overdue=y" in link
    shown = _rows(client.get(link).get_data(as_text=True))
    assert len(shown) > 1 and all(late > 0 for _, _, late in shown)  # only overdue, as the page it came from
