"""An assignment added by hand names its ответственный исполнитель and соисполнители: the card shows both, the
co-executing body's members find it among their assignments and are told; «Снять с контроля» closes it with a
reason, after a confirmation, and tells them too."""

from __future__ import annotations

import re

from sqlalchemy import select

from webapp.extensions import db
from webapp.models import Assignment, Body, Document, User


def _csrf(page: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


def test_lead_and_coexecutors_from_the_form_to_the_card_and_closing(demo_app, client, auth):
    with demo_app.app_context():
        protocol = db.session.scalar(select(Document.id).where(Document.doc_type == "protocol",
                                                               Document.state == "published"))
        executor = db.session.scalar(select(User).where(User.login == "executor"))
        institute = executor.memberships[0].body_id
        lead, other = db.session.scalars(select(Body.id).where(Body.id != institute, Body.closed_at.is_(None))
                                         .order_by(Body.id).limit(2))
    auth.login("controller", "demo")
    form = client.get(f"/documents/{protocol}/assignments/new").get_data(as_text=True)
    assert 'name="coexecutors"' in form and "Соисполнители" in form
    assert "<option" not in form.split('name="coexecutors"')[1].split("</select>")[0]  # suggested, not listed
    data = {"csrf_token": _csrf(form), "action": "Провести совместный семинар.", "lead_body": lead,
            "coexecutors": [institute, other, lead, 2147483647], "deadline": "до 1 марта 2031 года"}
    refused = client.post(f"/documents/{protocol}/assignments/new", data=data)  # a body that is not there
    assert refused.status_code == 400 and "Орган не найден: выберите из подсказок." in refused.get_data(as_text=True)
    data["coexecutors"] = [institute, lead]
    with demo_app.app_context():
        data["coexecutor_names"] = db.session.get(Body, other).name  # typed without JavaScript
    answer = client.post(f"/documents/{protocol}/assignments/new", data=data)
    assert answer.status_code == 302
    card_url = answer.headers["Location"]
    card = client.get(card_url).get_data(as_text=True)
    with demo_app.app_context():
        added = db.session.scalar(select(Assignment).where(Assignment.action == "Провести совместный семинар."))
        assert added.lead_body_id == lead and sorted(b.id for b in added.coexecutors) == sorted([institute, other])
        names = {b.id: b.name for b in db.session.scalars(select(Body))}
    coexecutors = re.search(r'id="coexecutors">(.*?)</dd>', card, re.S).group(1)
    assert names[institute] in coexecutors and names[other] in coexecutors and names[lead] not in coexecutors

    auth.logout()
    auth.login("executor", "demo")
    assert "Провести совместный семинар." in client.get("/assignments?scope=mine").get_data(as_text=True)
    assert "Новое поручение вашему органу" in client.get("/notifications").get_data(as_text=True)

    auth.logout()
    auth.login("controller", "demo")
    page = client.get(card_url).get_data(as_text=True)
    assert "Снять с контроля" in page
    empty = client.post(f"{card_url}/cancel", data={"csrf_token": _csrf(page), "reason": " "}, follow_redirects=True)
    assert "Укажите причину снятия с контроля." in empty.get_data(as_text=True)
    asked = client.post(f"{card_url}/cancel", data={"csrf_token": _csrf(page), "reason": "Семинар перенесён в план"})
    assert asked.status_code == 200 and "Снять поручение с контроля?" in asked.get_data(as_text=True)
    done = client.post(f"{card_url}/cancel", data={"csrf_token": _csrf(page), "reason": "Семинар перенесён в план",
                                                   "confirmed": "1"}, follow_redirects=True)
    text = done.get_data(as_text=True)
    assert "Поручение снято с контроля." in text and "Снято с контроля" in text and "Семинар перенесён в план" in text
    auth.logout()
    auth.login("executor", "demo")
    assert "Поручение снято с контроля: " in client.get("/notifications").get_data(as_text=True)
