"""The overview «на дату» is kept per process under the data's version (services/versions.py): a second look with
the same filters counts nothing again, and every commit that changes what it counts — through a page, the ORM's
bulk statements, gen-load or a restore — shows at the next look; a transaction's own uncommitted changes are
counted, never kept; commits of other tables keep it."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, timedelta

import pytest
from sqlalchemy import select, update

from tests.conftest import TODAY, counted_statements
from webapp.extensions import db
from webapp.models import Assignment, AssignmentStatus, Body, KeptOverview, Notification, User
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


def _token(app) -> str:
    with app.app_context():
        return versions.current()


def _post(client, auth, login: str, path: str, **data):
    auth.logout()
    auth.login(login, "demo")
    return client.post(path, data={"csrf_token": auth.csrf("/documents"), **data},
                       content_type="multipart/form-data")


def test_the_day_s_work_that_no_figure_counts_keeps_it_and_what_a_figure_counts_replaces_it(demo_app, client,
                                                                                                auth):
    """An executor takes an assignment and asks for an extension, a secretary saves a new draft with directives:
    no figure changes, the token stays and the overview is not counted again. The controller approves the
    extension (the token is replaced), the executor reports (it stays: open as before), the controller accepts
    (replaced): the figures move."""
    from tests.web.test_documents import protocol_form

    with demo_app.app_context():
        executor = db.session.scalar(select(User).where(User.login == "executor"))
        bodies = [body.id for body in executor.bodies]
        aid, status, controller = db.session.execute(select(Assignment.id, Assignment.status, User.login).join(
            User, User.id == Assignment.controller_id).where(
            Assignment.lead_body_id.in_(bodies), Assignment.status.in_(["new", "in_work"]),
            Assignment.deadline.is_not(None), ~Assignment.deadline_changes.any(),
            ~Assignment.is_series).order_by(Assignment.id)).first()
    auth.login("auditor", "demo")
    before = _totals(client)
    token = _token(demo_app)
    if status == "new":
        assert _post(client, auth, "executor", f"/assignments/{aid}/take").status_code == 302
    assert _post(client, auth, "executor", f"/assignments/{aid}/extension", new_date="01.02.2030",
                 reason="Нет кадров").status_code == 302
    saved = _post(client, auth, "secretary", "/documents/new", **protocol_form("", bodies[0])
                  | {"csrf_token": auth.csrf("/documents/new")})
    assert saved.status_code == 302, saved.get_data(as_text=True)[:500]
    with demo_app.app_context():
        drafted = set(db.session.scalars(select(Assignment.action)
                                         .where(Assignment.status == AssignmentStatus.draft)))
        assert {"Создать методическую службу.", "Обеспечивать работу центра."} <= drafted  # its directives went in
        assert db.session.get(Assignment, aid).status == AssignmentStatus.in_work
    assert _token(demo_app) == token
    auth.logout()
    auth.login("auditor", "demo")
    kept, counting = _counted(demo_app, lambda: _totals(client))
    assert (kept, counting) == (before, 0)
    assert _post(client, auth, controller, f"/assignments/{aid}/extension/decide", decision="approve",
                 new_date="").status_code == 302
    assert _token(demo_app) != token
    token = _token(demo_app)
    assert _post(client, auth, "executor", f"/assignments/{aid}/report", text="Сделано.").status_code == 302
    assert _token(demo_app) == token  # reported: open as before
    assert _post(client, auth, controller, f"/assignments/{aid}/review", decision="accept",
                 comment="").status_code == 302
    assert _token(demo_app) != token
    auth.logout()
    auth.login("auditor", "demo")
    after, counting = _counted(demo_app, lambda: _totals(client))
    assert counting == 1 and after["done"] == before["done"] + 1 and after["open"] == before["open"] - 1


def test_a_body_s_requisites_keep_it_and_its_name_or_place_in_the_tree_replace_it(demo_app):
    with demo_app.app_context():
        token = versions.current()
        body = db.session.scalar(select(Body).where(Body.parent_id.is_not(None)).order_by(Body.id))
        body.address = ["628011, г. Ханты-Мансийск"]
        body.place = "г. Ханты-Мансийск"
        db.session.commit()
        assert versions.current() == token
        body.short_name = "Новое краткое имя"
        db.session.commit()
        renamed = versions.current()
        assert renamed != token
        body.parent_id = None
        db.session.commit()
        assert versions.current() not in (token, renamed)


def test_an_overview_written_for_other_processes_reads_back_the_same(demo_app):
    """What another process reads back (`_encoded`, `_decoded`) is the overview counted: totals, bodies, documents,
    controllers, buckets, the trend and the three lists with their documents, points, bodies and dates; and the key
    of its filters (`_key_of`), from which the filters are read again."""
    with demo_app.test_request_context():
        for f in (dashboard.Filters(as_of=TODAY), dashboard.Filters(as_of=date(2022, 3, 1)),
                  dashboard.Filters(as_of=date(2022, 3, 1), only_overdue=True)):
            counted = dashboard._overview(f)
            assert counted.overdue_rows and counted.by_body and counted.trend  # every part has something
            key = dashboard._Keeping.of(f).key
            payload = dashboard._encoded(counted, key)
            assert dashboard._decoded(payload) == replace(counted, filters=None)
            assert dashboard._key_of(payload) == key  # the worker's keep_fresh counts these filters again
        body = db.session.scalars(select(Body).order_by(Body.id)).first()
        every = dashboard.Filters(as_of=TODAY, only_overdue=True, body=body, controller_id=dashboard.NO_CONTROLLER,
                                  doc_type="protocol", since=date(2021, 1, 1), until=date(2022, 12, 31))
        key = dashboard._Keeping.of(every).key
        assert dashboard._key_of(dashboard._encoded(dashboard._overview(every), key)) == key
        assert dashboard._Keeping.of(dashboard._Keeping(None, None, key, False).filters()).key == key


@pytest.fixture
def one_process(monkeypatch):
    """A process of its own: what this one kept in memory is forgotten at each call."""
    def forget():
        monkeypatch.setattr(dashboard, "_OVERVIEWS", {})
        monkeypatch.setattr(dashboard, "_LATEST", {})
    return forget


def test_another_process_reads_the_overview_this_one_counted_while_the_token_holds(demo_app, one_process):
    with demo_app.test_request_context():
        if not versions.shared():
            pytest.skip("kept for other processes on PostgreSQL only")
        f = dashboard.Filters(as_of=TODAY)
        dashboard.overview(dashboard.Filters(as_of=TODAY, only_overdue=True))  # another row, under this token
        one_process()
        first, counting = _counted(demo_app, lambda: dashboard.overview(f))
        assert counting == 1
        one_process()
        again, counting = _counted(demo_app, lambda: dashboard.overview(f))
        assert counting == 0 and again == first
        token = versions.current()
        assert set(db.session.scalars(select(KeptOverview.token))) == {token}
        aid = _open_ids(1)[0]
        db.session.execute(update(Assignment).where(Assignment.id == aid).values(status=AssignmentStatus.done))
        db.session.commit()
        one_process()
        after, counting = _counted(demo_app, lambda: dashboard.overview(f))
        assert counting == 1 and after.totals["done"] == first.totals["done"] + 1
        digest = dashboard._Keeping.of(f).digest
        kept = dict(db.session.execute(select(KeptOverview.key, KeptOverview.token)).all())
        assert kept[digest] == versions.current()  # the filters' row holds the newest count
        assert set(kept.values()) == {token, versions.current()}  # the other filters' keeps its own newest
        # a count that began before the kept one does not replace it; one of a token no longer current is still
        # the newest of its filters (versions.latest), never the current one
        assert versions.keep(digest, token, "{}", after.counted_at - timedelta(seconds=1))
        assert versions.kept(digest, versions.current()) is not None
        assert versions.keep("x" * 64, token, "{}", after.counted_at)
        assert versions.kept("x" * 64, versions.current()) is None and versions.latest("x" * 64) == "{}"
