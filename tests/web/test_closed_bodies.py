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


def test_the_cli_import_refuses_a_draft_naming_a_closed_body_and_keeps_it_in_an_archive_document(
        demo_app, client, runner, tmp_path):
    """A draft would make work for a body that is gone; an archive document names the bodies of its own day."""
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
    result = runner.invoke(args=["import", "--user", "admin", "--as-archive", str(path)])
    assert result.exit_code == 0 and "in force" in result.output, result.output
    assert _responsible_of(demo_app, result.output) == [closed]


def test_an_order_whose_point_s_body_closed_on_the_way_is_not_signed_until_mended(demo_app, client):
    """Drafted with an open body, closed while the order waits for signing: the head's «sign» is refused (the
    guard bodies_open), nothing is numbered or put under control; it goes back to the draft to be mended (an order
    whose bodies are open is signed: tests/web/test_api.py's publish_order)."""
    admin, secretary, head = (_api(demo_app, client, x) for x in ("admin", "secretary", "head"))
    users = {u["login"]: u for u in _ok(secretary.get("/users"))}
    going, staying = _body(admin, "Отдел упраздняемый"), _body(admin, "Отдел действующий")
    order = {**_draft([going]), "signatories": [{"job_title": "Начальник отдела", "name": "Л.В. Цулая"}]}
    doc = _ok(secretary.post("/documents", json=order), 201)
    _ok(secretary.post(f"/documents/{doc['id']}/approvers", json={"user_id": users["approver"]["id"]}))
    doc = _ok(secretary.get(f"/documents/{doc['id']}"))
    doc = _ok(secretary.post(f"/documents/{doc['id']}/transitions",
                             json={"transition": "submit", "version": doc["version"]}))
    approver = _api(demo_app, client, "approver")
    _ok(approver.post(f"/documents/{doc['id']}/approval", json={"decision": "approved", "version": doc["version"]}))
    doc = _ok(secretary.get(f"/documents/{doc['id']}"))
    doc = _ok(secretary.post(f"/documents/{doc['id']}/transitions",
                             json={"transition": "send_to_signing", "version": doc["version"]}))
    _ok(admin.post(f"/bodies/{going}/close"))
    before = _counts(demo_app)

    doc = _ok(head.get(f"/documents/{doc['id']}"))
    sign = next(t for t in doc["transitions"] if t["name"] == "sign")
    assert "«Отдел упраздняемый»" in sign["blocked_reason"]
    error = _error(head.post(f"/documents/{doc['id']}/transitions",
                             json={"transition": "sign", "version": doc["version"]}), 403, "forbidden")
    assert "«Отдел упраздняемый»" in error["detail"]
    after = _ok(head.get(f"/documents/{doc['id']}"))
    assert after["state"] == "on_signing" and after["number"] is None and _counts(demo_app) == before

    doc = _ok(head.post(f"/documents/{doc['id']}/transitions", json={
        "transition": "return_for_rework", "comment": "Орган упразднён", "version": after["version"]}))
    doc = _ok(secretary.put(f"/documents/{doc['id']}", json={**order, "points": [
        {"text": "Подготовить отчёт.", "responsible_body_ids": [staying]}], "version": doc["version"]}))
    assert [p["responsible_body_ids"] for p in doc["points"]] == [[staying]]
