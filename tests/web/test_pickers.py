"""Pickers of users and bodies instead of selects of the whole directory: /suggest/users and /suggest/bodies (what
matches, how many, who may find whom), and the filters that use them (the audit by user, the dashboard by body with
the bodies below it), with the chosen id, an exact name typed by hand, or a bad value."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from tests.web import test_workflows
from webapp.extensions import db
from webapp.models import (
    Acknowledgment,
    ApprovalStep,
    Assignment,
    AssignmentStatus,
    Body,
    DeadlineKind,
    Document,
    DocumentType,
    Membership,
    User,
)
from webapp.services.audit import record_event

people = test_workflows.people  # the users of the workflow tests (a fixture) and their ministry
_draft = test_workflows._draft


@pytest.fixture
def directory(app, make_user):
    """An education department over two schools; 25 «Иванов NN» in school 1, «Петров Иван» in school 2,
    «Абрамов Иван» of no body; an auditor, and an executor of each school. Returns {name: id}."""
    with app.app_context():
        department = Body(name="Управление образования", short_name="УО")
        first = Body(name="Муниципальная школа № 1", short_name="Школа № 1", parent=department)
        second = Body(name="Муниципальная школа № 2", short_name="Школа № 2", parent=department)
        db.session.add_all([department, first, second])
        db.session.flush()
        people = [User(login=f"ivanov{n:02}", full_name=f"Иванов {n:02}", password_hash="-") for n in range(1, 26)]
        petrov = User(login="petrov", full_name="Петров Иван", password_hash="-")
        abramov = User(login="abramov", full_name="Абрамов Иван", password_hash="-")  # of no body
        db.session.add_all([*people, petrov, abramov])
        db.session.flush()
        db.session.add_all([Membership(user_id=u.id, body_id=first.id) for u in people])
        db.session.add(Membership(user_id=petrov.id, body_id=second.id))
        ids = {"department": department.id, "first": first.id, "second": second.id, "petrov": petrov.id,
               "ivanov01": people[0].id}
        db.session.commit()
    ids["auditor"] = make_user("auditor", "auditor")
    ids["exec1"] = make_user("exec1", "executor", bodies=["Муниципальная школа № 1"])
    ids["exec2"] = make_user("exec2", "executor", bodies=["Муниципальная школа № 2"])
    return ids


def _labels(client, path: str) -> list[str]:
    answer = client.get(path)
    assert answer.status_code == 200 and answer.is_json
    return [item["label"] for item in answer.get_json()["items"]]


def test_users_match_in_any_case_names_starting_with_the_text_first_at_most_20(client, auth, directory):
    auth.login("auditor")
    found = _labels(client, "/suggest/users?q=ИВАН")  # «Абрамов Иван» and «Петров Иван» too, after the 20
    assert found == [f"Иванов {n:02}" for n in range(1, 21)]
    assert _labels(client, "/suggest/users?q=ван") == ["Абрамов Иван", *(f"Иванов {n:02}" for n in range(1, 20))]
    assert _labels(client, "/suggest/users?q=петров%20и") == ["Петров Иван"]
    assert _labels(client, "/suggest/users?q=%25") == []  # a wildcard is a character like any other
    assert _labels(client, "/suggest/users?q=") == []


def test_one_s_own_deputy_is_picked_among_the_others(client, auth, directory):
    """«Моё замещение» asks with others=1: the executor is not offered as her own deputy; her colleagues are."""
    auth.login("exec1")
    page = client.get("/account/deputies").get_data(as_text=True)
    asked = re.findall(r'data-picker="([^"]*)"', page)[-1].replace("&amp;", "&")  # the deputy's picker
    assert "others=1" in asked
    assert _labels(client, "/suggest/users?q=пользователь%20exec") == ["Пользователь exec1"]
    assert _labels(client, f"{asked}&q=пользователь%20exec") == []
    assert _labels(client, f"{asked}&q=иванов%2001") == ["Иванов 01"]


def test_bodies_match_name_or_short_name_with_the_body_above_as_a_hint(client, auth, directory):
    auth.login("auditor")
    answer = client.get("/suggest/bodies?q=школа").get_json()["items"]
    assert [b["label"] for b in answer] == ["Школа № 1", "Школа № 2"]
    assert answer[0]["id"] == directory["first"] and "в составе: УО" in answer[0]["hint"]
    assert _labels(client, "/suggest/bodies?q=уо") == ["УО"]


def test_a_schools_executor_finds_only_her_schools_people_and_bodies(client, auth, directory):
    auth.login("exec2")
    assert _labels(client, "/suggest/users?q=иван") == ["Петров Иван"]  # not the 25 of school 1
    assert _labels(client, "/suggest/bodies?q=школа") == ["Школа № 2"]
    auth.logout()
    auth.login("exec1")
    assert "Петров Иван" not in _labels(client, "/suggest/users?q=иван")


def test_nothing_for_anonymous(client, directory):
    answer = client.get("/suggest/users?q=иван")
    assert answer.status_code in (302, 401) and "Иванов" not in answer.get_data(as_text=True)
    assert "Школа" not in client.get("/suggest/bodies?q=школа").get_data(as_text=True)


def test_suggestions_count_against_the_rate_limit(app, client, auth, directory):
    app.config["API_RATE_LIMIT"] = 3
    auth.login("auditor")
    answers = [client.get("/suggest/users?q=иван").status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]


def _events(app, directory) -> None:
    with app.app_context():
        for login in ("ivanov01", "petrov"):
            user = db.session.get(User, directory[login])
            record_event(user, "test_event", user, comment=f"событие {login}")
        db.session.commit()


def _comments(page: str) -> set[str]:
    return set(re.findall(r"событие \w+", page))


def test_the_audit_filters_by_the_picked_user_by_id_or_by_exact_name(app, client, auth, directory):
    _events(app, directory)
    auth.login("auditor")
    assert _comments(client.get("/audit").get_data(as_text=True)) == {"событие ivanov01", "событие petrov"}
    page = client.get(f"/audit?user={directory['petrov']}").get_data(as_text=True)
    assert _comments(page) == {"событие petrov"}
    assert 'value="Петров Иван"' in page  # the choice is shown again from the URL
    # without JavaScript: the name typed by hand wins over a stale id
    page = client.get(f"/audit?user={directory['petrov']}&user_name=иванов+01").get_data(as_text=True)
    assert _comments(page) == {"событие ivanov01"} and 'value="Иванов 01"' in page
    page = client.get("/audit?user=&user_name=Сидоров").get_data(as_text=True)
    assert "Пользователь «Сидоров» не найден" in page and 'value="Сидоров"' in page
    assert _comments(page) == {"событие ivanov01", "событие petrov"}  # the bad filter applied nothing
    page = client.get("/audit?user=2147483647").get_data(as_text=True)
    assert "Пользователь не найден" in page
    page = client.get("/audit?user=abc").get_data(as_text=True)
    assert "Пользователь не найден" in page
    form = page.split('id="audit-filter"')[1].split("</form>")[0]
    assert '<input type="hidden" name="user"' in form and "Иванов 02" not in form  # no list of every user


@pytest.fixture
def assignments(app, directory):
    """One open overdue assignment of each school."""
    with app.app_context():
        doc = Document(doc_type=DocumentType.order, title="О проверке", state="published", version=1,
                       event_date=date(2026, 10, 1))
        db.session.add(doc)
        for key, action in (("first", "Поручение школе один"), ("second", "Поручение школе два")):
            deadline = date(2026, 11, 1)
            db.session.add(Assignment(document=doc, lead_body_id=directory[key], action=action,
                                      status=AssignmentStatus.in_work, deadline=deadline, original_deadline=deadline,
                                      deadline_kind=DeadlineKind.by))
        db.session.commit()


def test_the_dashboard_filters_by_the_picked_body_with_the_bodies_below(app, client, auth, directory, assignments):
    auth.login("auditor")
    everything = client.get("/assignments/dashboard?overdue=1").get_data(as_text=True)
    assert "Поручение школе один" in everything and "Поручение школе два" in everything
    page = client.get(f"/assignments/dashboard?overdue=1&body={directory['department']}").get_data(as_text=True)
    assert "Поручение школе один" in page and "Поручение школе два" in page and 'value="УО"' in page
    page = client.get("/assignments/dashboard?overdue=1&body=&body_name=школа+№+2").get_data(as_text=True)
    assert "Поручение школе один" not in page and "Поручение школе два" in page
    export = re.search(r'href="([^"]*)" id="export-xlsx"', page).group(1)
    assert f"body={directory['second']}" in export and "body_name" not in export  # the links carry the typed body
    page = client.get("/assignments/dashboard?overdue=1&body=&body_name=Школа+№+9").get_data(as_text=True)
    assert "Орган «Школа № 9» не найден" in page and "Поручение школе один" in page
    form = page.split('id="dashboard-filter"')[1].split("</form>")[0]
    assert 'name="body"' in form and "Муниципальная школа № 1" not in form  # no list of every body



def test_the_approver_picker_offers_approvers_only_and_takes_a_typed_name(app, client, auth, people):
    document_id = _draft(app)
    auth.login("sec")
    assert _labels(client, "/suggest/users?q=пользователь&role=approver") == [
        "Пользователь a1", "Пользователь a2", "Пользователь head"]  # approvers and heads (policy.APPROVERS)
    page = client.get(f"/documents/{document_id}").get_data(as_text=True)
    route_form = page.split('id="add-approver"')[1].split("</form>")[0]
    assert "Пользователь a1" not in route_form  # suggested when typed, not listed
    url, token = f"/documents/{document_id}/approval/approvers", auth.csrf(f"/documents/{document_id}")
    answer = client.post(url, data={"csrf_token": token, "approver": "", "approver_name": "пользователь exe"},
                         follow_redirects=True)
    assert "Согласующий «пользователь exe» не найден" in answer.get_data(as_text=True)  # an executor approves not
    answer = client.post(url, data={"csrf_token": token, "approver": "", "approver_name": "Пользователь  A2"},
                         follow_redirects=True)
    assert "добавлен согласующий: Пользователь a2" in answer.get_data(as_text=True)
    with app.app_context():
        steps = db.session.scalars(select(ApprovalStep.user_id).where(ApprovalStep.document_id == document_id))
        assert list(steps) == [people["a2"]]


def test_acknowledgers_are_suggested_not_listed_and_typed_names_work_without_javascript(app, client, auth, people):
    document_id = _draft(app)
    test_workflows._arrange(app, document_id, "on_signing", test_workflows.registry_transition(app, "order", "sign"),
                            people)
    assert test_workflows._fire(client, auth, "head", document_id, "sign").status_code == 302
    page = client.get(f"/documents/{document_id}").get_data(as_text=True)
    box = page.split('name="people"')[1].split("</select>")[0]
    assert "<option" not in box and 'data-suggest="/suggest/users"' in page and 'name="people_names"' in page
    url, token = f"/documents/{document_id}/acknowledgments", auth.csrf(f"/documents/{document_id}")
    answer = client.post(url, data={"csrf_token": token, "people_names": "Пользователь exe\nНикто Никтович"},
                         follow_redirects=True)
    assert "Пользователь «Никто Никтович» не найден" in answer.get_data(as_text=True)
    answer = client.post(url, data={"csrf_token": token, "people": [people["a1"]],
                                    "people_names": "пользователь  EXE; Пользователь a1"}, follow_redirects=True)
    assert "В список ознакомления добавлено: 2" in answer.get_data(as_text=True)
    with app.app_context():
        named = db.session.scalars(select(Acknowledgment.user_id).where(Acknowledgment.document_id == document_id))
        assert sorted(named) == sorted([people["exe"], people["a1"]])


def test_a_number_typed_finds_the_body_of_that_whole_number_first(app, client, auth, directory):
    """A region's schools by number: «школа № 12» offers № 12 first, then the others holding «№ 12» (by name,
    at most 20). Before, by name alone, «№ 12»» came after the 35 names with a digit after «№ 12» («»» sorts
    after the digits) and was never offered."""
    with app.app_context():
        department = db.session.get(Body, directory["department"])
        numbers = [12, *range(120, 130), *range(1200, 1225)]
        db.session.add_all([Body(name=f"МБОУ «Средняя школа № {n}»", parent=department) for n in numbers])
        db.session.commit()
    auth.login("auditor")
    found = _labels(client, "/suggest/bodies?q=школа%20№%2012")
    assert found[0] == "МБОУ «Средняя школа № 12»" and len(found) == 20
    assert all("№ 12" in label for label in found) and len(set(found)) == 20
    assert _labels(client, "/suggest/bodies?q=№%20120")[0] == "МБОУ «Средняя школа № 120»"
    assert _labels(client, "/suggest/bodies?q=школа%20№%201")[0] == "Школа № 1"
    # a text not ending in a number keeps the order it had: names starting with it first, then by name
    assert _labels(client, "/suggest/bodies?q=школа")[:2] == ["Школа № 1", "Школа № 2"]
