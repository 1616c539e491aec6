"""A closed body is refused wherever work is given to bodies, not only in the forms' pickers: the API's drafts and
hand-added assignments, and the command-line import (whose names find the open body that took a merged one over)."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from tests.web.test_api import Api as _Api
from tests.web.test_api import _error, _ok, make_token
from webapp.extensions import db
from webapp.models import Assignment, Body, Document, Point, PointResponsible


def _api(demo_app, client, login: str) -> _Api:
    return _Api(client, make_token(demo_app, login))


def _body(admin: _Api, name: str) -> int:
    return _ok(admin.post("/bodies", json={"name": name}), 201)["id"]


def _counts(demo_app) -> tuple[int, int]:
    with demo_app.app_context():
        return (db.session.scalar(select(func.count(Document.id))),
                db.session.scalar(select(func.count(Assignment.id))))


def _draft(point_bodies: list[int]) -> dict:
    return {"type": "order", "title": "О закрытом органе", "event_date": "2026-11-20",
            "points": [{"text": "Подготовить отчёт.", "responsible_body_ids": point_bodies}]}


def test_the_api_refuses_a_closed_body_in_a_draft_and_changes_nothing(demo_app, client):
    admin, secretary = _api(demo_app, client, "admin"), _api(demo_app, client, "secretary")
    closed, open_ = _body(admin, "Отдел упразднённый"), _body(admin, "Отдел действующий")
    _ok(admin.post(f"/bodies/{closed}/close"))
    before = _counts(demo_app)
    error = _error(secretary.post("/documents", json=_draft([open_, closed])), 422, "invalid")
    assert "is closed" in error["message"] and "«Отдел упразднённый» закрыт" in error["detail"]
    assert _counts(demo_app) == before
    error = _error(secretary.post("/documents", json=_draft([987654])), 422, "invalid")
    assert "unknown bodies" in error["message"] and _counts(demo_app) == before

    draft = _ok(secretary.post("/documents", json=_draft([open_])), 201)
    change = {**_draft([closed]), "title": "Правка", "version": draft["version"]}
    _error(secretary.put(f"/documents/{draft['id']}", json=change), 422, "invalid")
    kept = _ok(secretary.get(f"/documents/{draft['id']}"))
    assert kept["title"] == "О закрытом органе" and kept["version"] == draft["version"]
    assert [p["responsible_body_ids"] for p in kept["points"]] == [[open_]]


def test_the_api_refuses_a_closed_or_unknown_co_executor_of_a_hand_added_assignment(demo_app, client):
    admin, controller = _api(demo_app, client, "admin"), _api(demo_app, client, "controller")
    closed, open_ = _body(admin, "Отдел упразднённый"), _body(admin, "Отдел действующий")
    _ok(admin.post(f"/bodies/{closed}/close"))
    with demo_app.app_context():  # a demo document in force
        document = db.session.scalar(select(Document.id).where(Document.state == "published").order_by(Document.id))
    before = _counts(demo_app)
    for lead, coexecutors in ((open_, [closed]), (closed, []), (open_, [987654])):
        _error(controller.post(f"/documents/{document}/assignments", json={
            "action": "Подготовить справку.", "lead_body_id": lead, "coexecutor_ids": coexecutors,
            "deadline_text": "до 20.12.2026"}), 422, "invalid")
    assert _counts(demo_app) == before
    added = _ok(controller.post(f"/documents/{document}/assignments", json={
        "action": "Подготовить справку.", "lead_body_id": open_, "coexecutor_ids": [],
        "deadline_text": "до 20.12.2026"}), 201)
    assert added["lead_body_id"] == open_ and _counts(demo_app) == (before[0], before[1] + 1)


ORDER = ("ПРИКАЗ\n01.02.2026 № 77\nО подготовке отчёта\nПРИКАЗЫВАЮ:\n"
         "1. Подготовить отчёт о работе в срок до 01.03.2026.\nОтветственный: {name}\n").encode()


def _responsible_of(demo_app, output: str) -> list[int]:
    document_id = int(re.search(r"document (\d+) ", output).group(1))
    with demo_app.app_context():
        return list(db.session.scalars(select(PointResponsible.body_id)
                                       .join(Point, Point.id == PointResponsible.point_id)
                                       .where(Point.document_id == document_id)))


def test_the_cli_import_names_the_body_that_took_a_merged_one_over(demo_app, client, runner, tmp_path):
    """The merged body is older (a smaller id), so «the first by id» alone would have picked the closed one."""
    admin = _api(demo_app, client, "admin")
    merged, taker = _body(admin, "Комитет по делам молодёжи"), _body(admin, "Управление молодёжной политики")
    _ok(admin.post(f"/bodies/{merged}/merge", json={"into_id": taker}))
    path = tmp_path / "order.txt"
    path.write_bytes(ORDER.decode().format(name="Комитет по делам молодёжи").encode())
    result = runner.invoke(args=["import", "--user", "admin", str(path)])
    assert result.exit_code == 0, result.output
    assert _responsible_of(demo_app, result.output) == [taker]


def test_the_cli_import_refuses_a_text_naming_a_closed_body_only(demo_app, client, runner, tmp_path):
    admin = _api(demo_app, client, "admin")
    closed = _body(admin, "Комиссия по приёмке школ")
    _ok(admin.post(f"/bodies/{closed}/close"))
    path = tmp_path / "order.txt"
    path.write_bytes(ORDER.decode().format(name="Комиссия по приёмке школ").encode())
    before = _counts(demo_app)
    result = runner.invoke(args=["import", "--user", "admin", str(path)])
    assert result.exit_code == 1 and "not imported" in result.output
    assert "«Комиссия по приёмке школ» закрыт" in result.output
    assert _counts(demo_app) == before
    with demo_app.app_context():
        assert db.session.get(Body, closed).closed_at is not None
