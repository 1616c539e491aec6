"""Periodic assignments: dated occurrences, each tracked on its own, through HTTP and the CLI."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
from sqlalchemy import func, select

from webapp.extensions import db
from webapp.models import Assignment, Body, Document
from webapp.services import assignments as service
from webapp.services.documents import DraftData, PointData, create_draft


@pytest.fixture
def setup(app, make_user, frozen_clock):
    """A published order of 1 November 2026, today 23 November 2026."""
    frozen_clock.move_to(date(2026, 11, 23))
    with app.app_context():
        db.session.add_all([Body(name="Отдел образования", dative="Отделу образования")])
        db.session.commit()
    ids = {"exe": make_user("exe", "executor", bodies=["Отдел образования"]), "ctl": make_user("ctl", "controller"),
           "aud": make_user("aud", "auditor")}
    with app.app_context():
        doc = Document(doc_type="order", title="О мониторинге", state="published", number="9",
                       reg_date=date(2026, 11, 1))
        db.session.add(doc)
        db.session.commit()
        ids["doc"] = doc.id
        ids["body"] = db.session.scalar(select(Body.id))
    return ids



def _as(auth, login):
    auth.logout()
    auth.login(login)


def _add(client, auth, setup, deadline: str, action: str = "Представлять сведения о мониторинге.") -> int:
    _as(auth, "ctl")
    path = f"/documents/{setup['doc']}/assignments/new"
    response = client.post(path, data={"csrf_token": auth.csrf(path), "action": action,
                                       "lead_body": setup["body"], "deadline": deadline})
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])


def _post(client, auth, login, assignment_id, action, **data):
    _as(auth, login)
    return client.post(f"/assignments/{assignment_id}/{action}",
                       data={"csrf_token": auth.csrf("/documents"), **data}, content_type="multipart/form-data")


def _occurrences(app, series_id) -> list[tuple[date, str]]:
    with app.app_context():
        rows = db.session.scalars(select(Assignment).where(Assignment.series_id == series_id)
                                  .order_by(Assignment.original_deadline))
        return [(a.deadline, a.status) for a in rows]


def _complete(client, auth, occurrence_id):
    assert _post(client, auth, "exe", occurrence_id, "take").status_code == 302
    assert _post(client, auth, "exe", occurrence_id, "report", text="Сведения представлены.").status_code == 302
    assert _post(client, auth, "ctl", occurrence_id, "review", decision="accept").status_code == 302


def _ids(app, series_id) -> list[int]:
    with app.app_context():
        return list(db.session.scalars(select(Assignment.id).where(Assignment.series_id == series_id)
                                       .order_by(Assignment.original_deadline)))


def _overdue(runner, as_of):
    result = runner.invoke(args=["overdue", "--as-of", as_of, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


@pytest.mark.parametrize(("phrase", "expected"), [
    # added on 23 Nov 2026 to an order of 1 Nov: the duty runs from the day it is added (no 5 Nov date,
    # already past), with a 92-day horizon: due dates up to 23 Feb 2027
    ("ежемесячно до 5 числа", [date(2026, 12, 5), date(2027, 1, 5), date(2027, 2, 5)]),
    ("ежеквартально", [date(2026, 12, 31)]),
    ("до 15 числа месяца, следующего за отчётным кварталом", [date(2027, 1, 15)]),
    ("2 раза в год (май, декабрь)", [date(2026, 12, 31)]),
])
def test_a_periodic_assignment_produces_dated_occurrences(app, client, auth, setup, phrase, expected):
    series_id = _add(client, auth, setup, phrase)
    assert _occurrences(app, series_id) == [(day, "new") for day in expected]
    with app.app_context():
        series = db.session.get(Assignment, series_id)
        assert series.deadline_kind == "periodic" and series.deadline is None
        assert all(o.lead_body_id == setup["body"] and o.controller_id == setup["ctl"] and o.deadline_kind == "by"
                   for o in series.occurrences)
    page = client.get(f"/assignments/{series_id}").get_data(as_text=True)
    assert "Сроки исполнения" in page and page.count("открыть") == len(expected)


def test_each_occurrence_is_tracked_on_its_own(app, client, auth, setup, runner, frozen_clock):
    series_id = _add(client, auth, setup, "ежемесячно до 5 числа")
    first, second, *_ = _ids(app, series_id)
    # The series itself is not taken or reported on: its due dates are.
    response = _post(client, auth, "exe", series_id, "take")
    assert response.status_code == 302
    assert "по нужному сроку" in client.get(response.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Assignment, series_id).status == "new"

    frozen_clock.move_to(date(2027, 1, 10))
    _complete(client, auth, first)  # due 5 Dec, accepted on 10 Jan: late
    assert _occurrences(app, series_id)[:2] == [(date(2026, 12, 5), "done"), (date(2027, 1, 5), "new")]
    page = client.get(f"/assignments/{first}").get_data(as_text=True)
    assert "исполнено с опозданием" in page and 'id="series-link"' in page

    rows = _overdue(runner, "2027-01-10")
    assert [(r["assignment_id"], r["days_overdue"], r["deadline"]) for r in rows] == [(second, 5, "2027-01-05")]
    assert _overdue(runner, "2027-01-05") == []  # the deadline day has not ended

    _as(auth, "aud")
    page = re.sub(r"<[^>]+>", "", client.get(f"/assignments/{series_id}").get_data(as_text=True))
    # the CLI run for 10 Jan brought 5 March and 5 April in
    assert re.search(r"Наступило сроков: 2, исполнено: 1,\s+просрочено: 1; впереди: 3", page)
    assert client.get("/assignments/dashboard?as_of=2027-01-10").status_code == 200


def test_occurrences_follow_the_calendar_once(app, client, auth, setup, runner):
    series_id = _add(client, auth, setup, "ежемесячно до 5 числа")
    assert len(_occurrences(app, series_id)) == 3
    # A run later on brings the next due dates in; running it again adds nothing.
    _overdue(runner, "2027-02-01")
    dates = [d for d, _ in _occurrences(app, series_id)]
    assert dates == [date(2026, 12, 5), date(2027, 1, 5), date(2027, 2, 5), date(2027, 3, 5), date(2027, 4, 5)]
    _overdue(runner, "2027-02-01")
    result = runner.invoke(args=["remind", "--as-of", "2027-02-01", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert len(_occurrences(app, series_id)) == 5
    rows = _overdue(runner, "2027-02-01")
    assert [(r["deadline"], r["days_overdue"]) for r in rows] == [("2026-12-05", 58), ("2027-01-05", 27)]


def test_cancelling_a_series_cancels_its_open_occurrences(app, client, auth, setup):
    series_id = _add(client, auth, setup, "ежемесячно до 5 числа")
    first = _ids(app, series_id)[0]
    _complete(client, auth, first)
    assert _post(client, auth, "ctl", series_id, "cancel", reason="Мониторинг прекращён.",
                 confirmed="1").status_code == 302
    assert [s for _, s in _occurrences(app, series_id)] == ["done", "cancelled", "cancelled"]
    with app.app_context():
        assert db.session.get(Assignment, series_id).status == "cancelled"


def test_a_bounded_series_is_done_when_every_occurrence_is(app, client, auth, setup, runner):
    series_id = _add(client, auth, setup, "ежеквартально в течение 2027 года")
    assert _occurrences(app, series_id) == []  # the first due date, 31 March 2027, is past the horizon
    _overdue(runner, "2027-12-01")
    assert [d for d, _ in _occurrences(app, series_id)] == [
        date(2027, 3, 31), date(2027, 6, 30), date(2027, 9, 30), date(2027, 12, 31)]
    for index, occurrence_id in enumerate(_ids(app, series_id)):
        _complete(client, auth, occurrence_id)
        with app.app_context():
            assert db.session.get(Assignment, series_id).status == ("done" if index == 3 else "new")


def test_periodic_points_of_a_published_document_become_series(app, client, auth, make_user, frozen_clock):
    """The workflow's create_assignments effect: a periodic point gives a series with its occurrences,
    and a parent point's roll-up counts that series once."""
    from tests.web.test_workflows import _fire

    frozen_clock.move_to(date(2026, 11, 23))  # signed today: the first quarterly date is 31 December
    make_user("sec", "secretary")
    make_user("head", "head")
    with app.app_context():
        body = Body(name="Отдел образования", dative="Отделу образования")
        db.session.add(body)
        db.session.flush()
        from webapp.models import User

        author = db.session.scalar(select(User).where(User.login == "sec"))
        doc = create_draft(author, DraftData(doc_type="order", title="О мониторинге", event_date=date(2026, 11, 20),
                                             points=[
            PointData(text="Организовать мониторинг:", number="1"),
            PointData(text="представлять сведения ежеквартально;", number="1.1", responsible_ids=[body.id],
                      deadline_text="ежеквартально"),
            PointData(text="подготовить доклад в срок до 1 марта 2027 года.", number="1.2",
                      responsible_ids=[body.id], deadline_text="в срок до 1 марта 2027 года"),
        ]))
        doc.state = "on_signing"
        doc.issuing_body = body  # signing needs the issuing body (the author belongs to none)
        db.session.commit()
        doc_id = doc.id
    response = _fire(client, auth, "head", doc_id, "sign")
    assert response.status_code == 302
    with app.app_context():
        series = db.session.scalar(select(Assignment).where(Assignment.document_id == doc_id,
                                                            Assignment.deadline_kind == "periodic"))
        assert series.status == "new" and [o.deadline for o in series.occurrences] == [date(2026, 12, 31)]
        assert db.session.scalar(select(func.count(Assignment.id)).where(Assignment.document_id == doc_id)) == 3
        parent_point = series.point.parent
        parent = Assignment(document_id=doc_id, point=parent_point, action="Организовать мониторинг",
                            status="new", deadline_kind="none")
        db.session.add(parent)
        db.session.commit()
        assert service.rollup(parent) == (0, 2)


def test_a_series_added_to_an_old_document_starts_when_it_is_added(app, client, auth, setup):
    """A controller adding «ежеквартально» to a 2021 protocol gets the next due date, not five years of
    overdue ones."""
    with app.app_context():
        db.session.get(Document, setup["doc"]).reg_date = date(2021, 6, 10)
        db.session.commit()
    series_id = _add(client, auth, setup, "ежеквартально")
    assert _occurrences(app, series_id) == [(date(2026, 12, 31), "new")]
    page = client.get(f"/assignments/{series_id}").get_data(as_text=True)
    assert "с 23 ноября 2026" in page
