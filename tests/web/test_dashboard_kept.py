"""The overview «на дату» is kept per process under the data's version (services/versions.py): a second look with
the same filters counts nothing again, and every commit that changes what it counts — through a page, the ORM's
bulk statements, gen-load or a restore — shows at the next look; a transaction's own uncommitted changes are
counted, never kept; commits of other tables keep it."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select, update

from tests.conftest import TODAY, counted_statements
from webapp.extensions import db
from webapp.models import Assignment, AssignmentStatus, Body, Notification, User
from webapp.models.assignment import OPEN_STATUSES
from webapp.services import dashboard, versions


def _totals(client) -> dict[str, int]:
    response = client.get("/assignments/dashboard")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    return {key: int(re.search(rf'id="total-{key}"[^>]*>(\d+)<', page).group(1))
            for key in ("all", "open", "overdue", "done", "cancelled")}


def _counted(app, look) -> tuple[object, int]:
    """What `look()` returns and how many of its statements counted the figures (read the snapshot's rows)."""
    with counted_statements(app) as seen:
        result = look()
    return result, sum("snapshot" in statement for statement in seen)


def test_a_second_look_counts_nothing_and_a_controller_s_cancel_shows_at_the_next(demo_app, client, auth):
    auth.login("auditor", "demo")
    first, counting = _counted(demo_app, lambda: _totals(client))
    assert counting == 1 and first["open"] > 0
    again, counting = _counted(demo_app, lambda: _totals(client))
    assert (again, counting) == (first, 0)
    with demo_app.app_context():
        controller = db.session.scalar(select(User.id).where(User.login == "controller"))
        aid = db.session.scalar(select(Assignment.id).where(Assignment.controller_id == controller,
                                                            Assignment.status.in_(OPEN_STATUSES),
                                                            ~Assignment.is_series).order_by(Assignment.id))
    auth.logout()
    auth.login("controller", "demo")
    token = auth.csrf(f"/assignments/{aid}")
    assert client.post(f"/assignments/{aid}/cancel", data={"csrf_token": token, "reason": "Утратило актуальность",
                                                           "confirmed": "1"}).status_code == 302
    auth.logout()
    auth.login("auditor", "demo")
    after, counting = _counted(demo_app, lambda: _totals(client))
    assert counting == 1
    assert after == {**first, "open": first["open"] - 1, "cancelled": first["cancelled"] + 1,
                     "overdue": after["overdue"]}
    assert after["overdue"] in (first["overdue"], first["overdue"] - 1)


def _open_ids(count: int) -> list[int]:
    return list(db.session.scalars(select(Assignment.id).where(Assignment.status.in_(OPEN_STATUSES),
                                                               ~Assignment.is_series)
                                   .order_by(Assignment.id).limit(count)))


def test_a_bulk_update_through_the_session_shows_and_uncommitted_changes_are_counted_not_kept(demo_app):
    with demo_app.test_request_context():
        f = dashboard.Filters(as_of=TODAY)
        before = dashboard.overview(f).totals
        first, second = _open_ids(2)
        db.session.execute(update(Assignment).where(Assignment.id == first).values(status=AssignmentStatus.done))
        assert versions.current() is None  # not committed: nothing counted now may be kept
        pending = dashboard.overview(f).totals
        assert pending["done"] == before["done"] + 1
        db.session.rollback()
        assert dashboard.overview(f).totals == before  # what was counted uncommitted was not kept
        db.session.execute(update(Assignment).where(Assignment.id == second)
                           .values(status=AssignmentStatus.cancelled))
        db.session.commit()
        assert dashboard.overview(f).totals["cancelled"] == before["cancelled"] + 1


def test_only_commits_of_tracked_tables_replace_the_token_and_a_savepoint_waits_for_the_commit(demo_app):
    with demo_app.app_context():
        token = versions.current()
        assert token
        user = db.session.scalar(select(User).order_by(User.id))
        db.session.add(Notification(user_id=user.id, text="Проверка"))
        db.session.commit()
        assert versions.current() == token
        aid = _open_ids(1)[0]
        with db.session.begin_nested():
            db.session.get(Assignment, aid).action += " (уточнено)"
        assert versions.current() is None  # flushed in the transaction, not committed yet
        with counted_statements(demo_app) as seen:
            db.session.commit()
        assert sum("data_version" in statement for statement in seen) == 1
        assert seen[-1].startswith("UPDATE data_version")  # the transaction's last statement
        assert versions.current() not in (None, token)


def test_gen_load_replaces_the_token(app, runner, monkeypatch):
    monkeypatch.setenv("DOCFLOW_PASSWORD", "Нагрузка-на-сервис-2026")
    with app.app_context():
        token = versions.current()
    result = runner.invoke(args=["gen-load", "--documents", "20", "--assignments", "100", "--bodies", "10",
                                 "--users", "20", "--seed", "3"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert versions.current() not in (None, token)


@pytest.mark.parametrize("figure", ["open", "overdue"])
def test_a_department_s_look_is_kept_apart_from_the_organisation_s(demo_app, figure):
    """The kept overviews are told apart by their filters: a body's never answers the whole organisation's."""
    with demo_app.test_request_context():
        whole = dashboard.overview(dashboard.Filters(as_of=TODAY))
        body = max(whole.by_body, key=lambda row: (row[1] if figure == "open" else row[2], row[0].id))[0]
        narrowed = dashboard.overview(dashboard.Filters(as_of=TODAY, body=db.session.get(Body, body.id)))
        assert narrowed.totals[figure] < whole.totals[figure]
        assert dashboard.overview(dashboard.Filters(as_of=TODAY)).totals == whole.totals
