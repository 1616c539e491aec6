"""Editing in two tabs: the second save finds the document changed, keeps everything typed, shows the fields that
differ beside the saved version, and lets the user merge them field by field or keep hers."""

from __future__ import annotations

import re

from sqlalchemy import select

from tests.web.test_documents import _body_id, protocol_form
from webapp.extensions import db
from webapp.models import Document


def _version(page: str) -> str:
    return re.search(r'name="version"[^>]*value="(\d+)"', page).group(1)


def _csrf(page: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


def _draft(app, client, auth, make_user) -> tuple[int, int]:
    body_id = _body_id(app)
    make_user("sec", "secretary")
    auth.login("sec")
    answer = client.post("/documents/new", data=protocol_form(auth.csrf("/documents/new"), body_id))
    assert answer.status_code == 302
    return int(answer.headers["Location"].rsplit("/", 1)[1]), body_id


def test_a_stale_save_keeps_the_typed_text_and_merges_field_by_field(app, client, auth, make_user):
    doc_id, body_id = _draft(app, client, auth, make_user)
    first_tab = client.get(f"/documents/{doc_id}/edit").get_data(as_text=True)
    version, token = _version(first_tab), _csrf(first_tab)
    # The second tab saves a new title first.
    saved = client.post(f"/documents/{doc_id}/edit", data=protocol_form(
        token, body_id, version=version, title="совещания по методической службе (уточнено)"))
    assert saved.status_code == 302
    # The first tab, still on the old version, saves a new place and a new point text.
    typed = protocol_form(token, body_id, version=version, place="г. Сургут",
                          **{"points-0-text": "Информацию принять к сведению и учесть в работе."})
    answer = client.post(f"/documents/{doc_id}/edit", data=typed)
    page = answer.get_data(as_text=True)
    assert answer.status_code == 409
    assert 'value="г. Сургут"' in page and "учесть в работе." in page  # nothing typed is lost
    rows = dict(re.findall(r'<tr id="conflict-(\w+)">\s*<th scope="row">([^<]+)</th>', page))
    assert rows == {"title": "Заголовок", "place": "Место", "points": "Пункты"}
    assert "(уточнено)" in page and "Сохранённая версия: " in page
    with app.app_context():
        doc = db.session.get(Document, doc_id)
        assert doc.place == "г. Ханты-Мансийск" and doc.title.endswith("(уточнено)")  # nothing half-saved

    merged = client.post(f"/documents/{doc_id}/edit", data={**typed, "op": "merge", "take_title": "theirs",
                                                            "take_place": "mine"})
    form = merged.get_data(as_text=True)
    assert merged.status_code == 200 and "(уточнено)" in form and 'value="г. Сургут"' in form
    fresh = _version(form)
    assert fresh != version
    final = protocol_form(_csrf(form), body_id, version=fresh, place="г. Сургут",
                          title="совещания по методической службе (уточнено)",
                          **{"points-0-text": "Информацию принять к сведению и учесть в работе."})
    assert client.post(f"/documents/{doc_id}/edit", data=final).status_code == 302
    with app.app_context():
        doc = db.session.get(Document, doc_id)
        assert doc.place == "г. Сургут" and doc.title.endswith("(уточнено)")
        assert doc.points[0].text == "Информацию принять к сведению и учесть в работе."


def test_keep_mine_saves_over_the_other_version_knowingly(app, client, auth, make_user):
    doc_id, body_id = _draft(app, client, auth, make_user)
    tab = client.get(f"/documents/{doc_id}/edit").get_data(as_text=True)
    version, token = _version(tab), _csrf(tab)
    client.post(f"/documents/{doc_id}/edit", data=protocol_form(token, body_id, version=version, place="г. Нягань"))
    typed = protocol_form(token, body_id, version=version, place="г. Сургут")
    assert client.post(f"/documents/{doc_id}/edit", data=typed).status_code == 409
    assert client.post(f"/documents/{doc_id}/edit", data={**typed, "op": "keep_mine"}).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Document.place).where(Document.id == doc_id)) == "г. Сургут"
