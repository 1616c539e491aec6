"""The draft editor's, the import review's and the hand-added assignment's bodies are pickers, not selects of the whole
directory: a page of a draft (the review, the assignment form) holds the bodies its points name and nothing else, so
its size and statements do not grow with the directory; bodies are chosen by id (a suggestion picked,
/suggest/bodies?for=draft) or, without JavaScript, by an exact name typed; an unknown, shared or closed body is
refused in Russian at its point, nothing saved and nothing typed lost."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select

from tests.conftest import counted_statements
from tests.web.test_import import PROTOCOL
from webapp import clock
from webapp.extensions import db
from webapp.models import Body, Document, ImportItem, User
from webapp.services.documents import DraftData, PointData, create_draft
from webapp.services.errors import Invalid


@pytest.fixture
def directory(app, make_user):
    """A department over two schools (short names «Школа № 1», «Школа № 2»), a closed body, another district's
    «Школа № 1» (same short name, another full name); a secretary of school 2 and an executor of school 2."""
    with app.app_context():
        department = Body(name="Управление образования", short_name="УО")
        first = Body(name="Муниципальная школа № 1", short_name="Школа № 1", parent=department)
        second = Body(name="Муниципальная школа № 2", short_name="Школа № 2", parent=department)
        other = Body(name="Школа № 1 посёлка Лесной", short_name="Школа № 1")
        closed = Body(name="Отдел опеки", closed_at=clock.now())
        db.session.add_all([department, first, second, other, closed])
        db.session.commit()
        ids = {"department": department.id, "first": first.id, "second": second.id, "other": other.id,
               "closed": closed.id}
    make_user("sec", "secretary", "controller", bodies=["Муниципальная школа № 2"])
    make_user("exec", "executor", bodies=["Муниципальная школа № 2"])
    return ids


def _form(token: str, **points) -> dict:
    """A draft's form as a browser sends it; `points` adds or overrides the points' fields (points_0_text=…)."""
    data = {"csrf_token": token, "op": "save", "doc_type": "order", "title": "О проведении олимпиады",
            "points-0-number": "1", "points-0-text": "Провести олимпиаду.", "points-0-deadline": "",
            "points-1-number": "2", "points-1-text": "Принять к сведению.", "points-1-deadline": ""}
    data.update({key.replace("_", "-", 2): value for key, value in points.items()})
    return data


def _saved(app) -> dict[str, list[str]]:
    """Each saved draft's points with their responsible bodies' full names."""
    with app.app_context():
        return {p.number: [b.name for b in p.responsible_bodies]
                for d in db.session.scalars(select(Document)) for p in d.points}


def _documents(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Document))


def test_suggestions_for_a_draft_offer_every_open_body_to_a_drafter_and_no_closed_one(client, auth, directory):
    auth.login("sec")  # school 2's secretary: a draft may assign work to any body of the organisation
    found = client.get("/suggest/bodies?q=школа&for=draft").get_json()["items"]
    assert {b["id"] for b in found} == {directory["first"], directory["second"], directory["other"]}
    assert client.get("/suggest/bodies?q=опеки&for=draft").get_json()["items"] == []  # closed
    assert [b["id"] for b in client.get("/suggest/bodies?q=опеки").get_json()["items"]] == []  # not hers to find
    auth.logout()
    auth.login("exec")  # no drafter: what she may find anyway, open ones only
    found = client.get("/suggest/bodies?q=школа&for=draft").get_json()["items"]
    assert [b["id"] for b in found] == [directory["second"]]


def test_chosen_ids_and_names_typed_without_javascript_are_saved(app, client, auth, directory):
    auth.login("sec")
    page = client.get("/documents/new").get_data(as_text=True)
    assert 'data-suggest="/suggest/bodies?for=draft"' in page and 'name="points-0-responsible_names"' in page
    answer = client.post("/documents/new", data=_form(
        auth.csrf("/documents/new"), points_0_responsible=[str(directory["department"])],
        points_0_responsible_names="школа № 2; Школа № 1 посёлка   Лесной",  # short or full name, any case
        points_1_responsible_names="УО"))  # already chosen elsewhere: no matter
    assert answer.status_code == 302, answer.get_data(as_text=True)
    assert _saved(app) == {"1": ["Управление образования", "Муниципальная школа № 2", "Школа № 1 посёлка Лесной"],
                           "2": ["Управление образования"]}


@pytest.mark.parametrize(("typed", "message"), [
    ("Школа № 9", "Орган «Школа № 9»: не найден среди действующих органов"),
    ("Отдел опеки", "Орган «Отдел опеки»: не найден среди действующих органов"),  # closed
    ("школа № 1", "Орган «школа № 1»: найдено несколько с таким названием, напишите полное название."),
])
def test_an_unknown_closed_or_shared_name_is_refused_at_its_point_and_nothing_is_lost(app, client, auth, directory,
                                                                                        typed, message):
    auth.login("sec")
    answer = client.post("/documents/new", data=_form(
        auth.csrf("/documents/new"), points_0_responsible=[str(directory["first"])],
        points_1_responsible_names=f"УО\n{typed}"))
    page = answer.get_data(as_text=True)
    assert answer.status_code == 400 and message in page and "Проект не сохранён" in page
    assert _documents(app) == 0
    box = re.search(r'<textarea[^>]*name="points-1-responsible_names"[^>]*>([^<]*)</textarea>', page).group(1)
    assert box.strip() == typed  # the name not found stays to be corrected; «УО» became a chosen body
    chosen = re.findall(r'<option selected value="(\d+)"', page)
    assert chosen == [str(directory["first"]), str(directory["department"])]
    assert "Провести олимпиаду." in page and "Принять к сведению." in page


def test_a_closed_or_unknown_body_id_is_refused(app, client, auth, directory):
    auth.login("sec")
    for body_id, message in ((directory["closed"], "Орган «Отдел опеки» закрыт: уберите его или выберите "
                                                   "действующий."),
                             (2147483647, "Орган не найден: выберите из подсказок.")):
        answer = client.post("/documents/new", data=_form(auth.csrf("/documents/new"),
                                                          points_0_responsible=[str(body_id)]))
        assert answer.status_code == 400 and message in answer.get_data(as_text=True)
    assert _documents(app) == 0


def test_a_draft_naming_a_body_closed_since_shows_it_and_asks_to_replace_it(app, client, auth, directory):
    with app.app_context():
        sec = db.session.scalar(select(User).where(User.login == "sec"))
        document = create_draft(sec, DraftData(doc_type="order", title="О ремонте", points=[
            PointData(text="Отремонтировать.", number="1", responsible_ids=[directory["first"]])]))
        db.session.commit()
        document_id = document.id
        db.session.get(Body, directory["first"]).closed_at = clock.now()
        db.session.commit()
    auth.login("sec")
    page = client.get(f"/documents/{document_id}/edit").get_data(as_text=True)
    assert f'<option selected value="{directory["first"]}">Школа № 1 (закрыт)</option>' in page
    form = _form(auth.csrf(f"/documents/{document_id}/edit"), points_0_responsible=[str(directory["first"])])
    form["version"] = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)
    answer = client.post(f"/documents/{document_id}/edit", data=form)
    assert answer.status_code == 400 and "Орган «Школа № 1» закрыт" in answer.get_data(as_text=True)
    form["points-0-responsible"] = [str(directory["second"])]
    assert client.post(f"/documents/{document_id}/edit", data=form).status_code == 302
    assert _saved(app)["1"] == ["Муниципальная школа № 2"]


def test_typed_names_become_choices_when_rows_are_added_or_merged(app, client, auth, directory):
    auth.login("sec")
    form = _form(auth.csrf("/documents/new"), points_0_responsible_names="Школа № 2", op="add_point")
    page = client.post("/documents/new", data=form).get_data(as_text=True)
    assert 'name="points-2-text"' in page  # the row added
    assert re.findall(r'<option selected value="(\d+)">([^<]+)</option>', page) == [
        (str(directory["second"]), "Школа № 2")]
    form = _form(auth.csrf("/documents/new"), points_0_responsible=[str(directory["first"])],
                 points_1_responsible_names="УО", op="merge:0")
    page = client.post("/documents/new", data=form).get_data(as_text=True)
    assert re.findall(r'<option selected value="(\d+)"', page) == [str(directory["first"]),
                                                                    str(directory["department"])]
    assert _documents(app) == 0


def test_without_the_csrf_token_nothing_is_saved(app, client, auth, directory):
    auth.login("sec")
    form = _form("", points_0_responsible=[str(directory["first"])])
    del form["csrf_token"]
    assert client.post("/documents/new", data=form).status_code == 400
    assert _documents(app) == 0


def _grow(app, total: int) -> None:
    """Bodies up to `total` in the directory (long names, as a region's are; none like the protocol's)."""
    with app.app_context():
        have = db.session.scalar(select(func.count()).select_from(Body))
        db.session.add_all([Body(name=f"Фельдшерско-акушерский пункт деревни Верхние Луга № {n}")
                            for n in range(have, total)])
        db.session.commit()


def _measure(app, client, path: str) -> tuple[int, int, int]:
    """The page's bytes, its <option>s and its statements."""
    client.get(path)  # warm: the first request of a process loads what later ones do not
    with counted_statements(app) as statements:
        answer = client.get(path)
    assert answer.status_code == 200
    html = answer.get_data(as_text=True)
    html = re.sub(r'name="csrf_token" type="hidden" value="[^"]+"', "", html)
    return len(html.encode()), html.count("<option"), len(statements)


def test_the_draft_the_review_and_the_assignment_form_do_not_grow_with_the_directory(app, client, auth, directory):
    with app.app_context():
        sec = db.session.scalar(select(User).where(User.login == "sec"))
        document = create_draft(sec, DraftData(doc_type="protocol", title="совещания руководителей", points=[
            PointData(text=f"Обеспечить {n}.", number=str(n), responsible_ids=[directory["first"], directory["second"]])
            for n in range(1, 11)]))
        published = Document(doc_type="order", title="О приёмке школ", state="published", number="1",
                             issuing_body_id=directory["second"])
        db.session.add(published)
        db.session.commit()
        document_id, published_id = document.id, published.id
    auth.login("sec")
    answer = client.post("/import", content_type="multipart/form-data", data={
        "csrf_token": auth.csrf("/import"), "files": [(io.BytesIO(PROTOCOL), "protocol.txt")]})
    review = answer.headers["Location"]
    pages = ["/documents/new", f"/documents/{document_id}/edit", review, f"/documents/{published_id}/assignments/new"]
    _grow(app, 30)
    small = [_measure(app, client, path) for path in pages]
    _grow(app, 300)
    large = [_measure(app, client, path) for path in pages]
    assert large == small
    assert small[1][1] == small[0][1] + 20  # a new draft's selects, and the ten points' two bodies each
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ImportItem)) == 1


def test_the_service_refuses_a_body_that_is_not_there(app, directory):
    with app.app_context():
        sec = db.session.scalar(select(User).where(User.login == "sec"))
        for ids in ([directory["first"], 2147483647], [2147483646]):
            with pytest.raises(Invalid, match="Выбран неизвестный ответственный орган."):
                create_draft(sec, DraftData(doc_type="order", title="О ремонте", points=[
                    PointData(text="Отремонтировать.", number="1", responsible_ids=ids)]))
        create_draft(sec, DraftData(doc_type="order", title="О ремонте", points=[
            PointData(text="Отремонтировать.", number="1", responsible_ids=[directory["first"]])]))


def test_editing_a_draft_asks_as_many_statements_for_30_points_as_for_3(app, client, auth, directory):
    with app.app_context():
        sec = db.session.scalar(select(User).where(User.login == "sec"))
        extra = [Body(name=f"Детский сад № {n}") for n in range(30)]
        db.session.add_all(extra)
        db.session.flush()
        ids = {}
        for size in (3, 30):  # each point names bodies of its own
            document = create_draft(sec, DraftData(doc_type="protocol", title=f"совещания ({size})", points=[
                PointData(text=f"Обеспечить {n}.", number=str(n + 1), responsible_ids=[extra[n].id, directory["first"]])
                for n in range(size)]))
            ids[size] = document.id
        db.session.commit()
    auth.login("sec")
    counts = [_measure(app, client, f"/documents/{ids[size]}/edit")[2] for size in (3, 30)]
    assert counts[0] == counts[1]


def test_the_reviews_issuing_body_and_a_points_body_typed_by_name(app, client, auth, directory):
    from tests.web.test_import import _review_form

    auth.login("sec")
    answer = client.post("/import", content_type="multipart/form-data", data={
        "csrf_token": auth.csrf("/import"), "files": [(io.BytesIO(PROTOCOL), "protocol.txt")]})
    review = answer.headers["Location"]
    page = client.get(review).get_data(as_text=True)
    assert 'id="issuing_body-name"' in page and 'data-picker="/suggest/bodies?for=draft"' in page
    form = _review_form(client, int(review.rsplit("/", 1)[1]))
    rows = sorted({int(k.split("-")[1]) for k in form if k.startswith("points-") and k.endswith("-text")})
    form.update({f"points-{i}-new_body": "" for i in rows})
    form.update({"csrf_token": auth.csrf(review), "op": "save", "save_as": "draft", "issuing_body": "",
                 "issuing_body_name": "Школа № 9", f"points-{rows[0]}-responsible_names": "школа № 2"})
    refused = client.post(review, data=form)
    text = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "Орган «Школа № 9» не найден" in text and _documents(app) == 0
    assert f'<option selected value="{directory["second"]}">Школа № 2</option>' in text  # the typed one kept
    form["issuing_body_name"] = "Муниципальная школа № 2"  # her own body, by its full name
    saved = client.post(review, data=form)
    assert saved.status_code == 302, saved.get_data(as_text=True)[:2000]
    with app.app_context():
        document = db.session.scalar(select(Document))
        assert document.issuing_body_id == directory["second"]
        assert directory["second"] in {b.id for p in document.points for b in p.responsible_bodies}
