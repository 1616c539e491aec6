"""Import through HTTP and the command line: upload, review beside the source, save as an archive document in
force or as a draft, bodies matched or created, bad files refused with nothing stored, who may."""

from __future__ import annotations

import io
import json
import re
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.conftest import AuthActions
from webapp.extensions import db
from webapp.models import Assignment, Body, Document, Event, ImportItem, StoredFile

SEEDS = Path(__file__).resolve().parents[1] / "data" / "seeds"
PROTOCOL = (SEEDS / "004_91dc62e67ca8c96b.txt").read_bytes()
ORDER = (SEEDS / "003_4c206afcc321b513.txt").read_bytes()


def _upload(client, *files, token=None):
    token = token or AuthActions(client).csrf("/import")
    return client.post("/import", content_type="multipart/form-data", data={
        "csrf_token": token, "files": [(io.BytesIO(data), name) for name, data in files]})


def _review_form(client, item_id: int) -> dict:
    """The review page's form as a browser would send it back (inputs, textareas, selected options)."""
    page = client.get(f"/import/{item_id}").get_data(as_text=True)
    form = page[page.index('id="document-form"'):]
    data: dict = {}
    for name, value in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', form):
        data.setdefault(name, value)
    for checked in re.findall(r'<input[^>]*checked[^>]*name="([^"]+)"[^>]*value="([^"]*)"', form) + \
            re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"[^>]*checked', form):
        data[checked[0]] = checked[1]
    for name, value in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>([^<]*)</textarea>', form):
        data[name] = _unescape(value.removeprefix("\r\n").removeprefix("\n"))
    for name, options in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
        chosen = re.findall(r'<option selected value="([^"]*)"|<option value="([^"]*)" selected', options)
        values = [a or b for a, b in chosen]
        if values:
            data[name] = values if name.endswith("responsible") else values[0]
    return {k: _unescape(v) if isinstance(v, str) else v for k, v in data.items()}


def _unescape(value: str) -> str:
    return (value.replace("&#34;", '"').replace("&#39;", "'").replace("&lt;", "<").replace("&gt;", ">")
            .replace("&quot;", '"').replace("&amp;", "&"))


@pytest.fixture
def secretary(demo_app, client):
    AuthActions(client).login("secretary", "demo")
    return client


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_upload_shows_the_review_and_saves_nothing(demo_app, secretary):
    with demo_app.app_context():
        before = (_count(Document), _count(Assignment), _count(Body))
    response = _upload(secretary, ("protocol.txt", PROTOCOL))
    assert response.status_code == 302 and "/import/" in response.headers["Location"]
    page = secretary.get(response.headers["Location"]).get_data(as_text=True)
    assert 'id="source-text"' in page and '<mark class="source-span"' in page
    assert "Создать структуру в составе муниципального органа управления образованием" in page
    with demo_app.app_context():
        assert (_count(Document), _count(Assignment), _count(Body)) == before
        assert _count(ImportItem) == 1


def test_saved_as_an_archive_document_its_assignments_are_under_control(demo_app, secretary):
    item = int(_upload(secretary, ("protocol.txt", PROTOCOL)).headers["Location"].rsplit("/", 1)[1])
    form = _review_form(secretary, item)
    assert form["number"] == "1" and form["event_date"] == "10.06.2021" and form["save_as"] == "archive"
    assert form["title"].startswith("совещания по реализации проекта")  # «ПРОТОКОЛ» is the heading, printed apart
    assert "Клюсова Виктория Викторовна, заместитель директора" in form["attendees"]
    form.update({"csrf_token": AuthActions(secretary).csrf(f"/import/{item}"), "op": "save", "number": "17"})
    response = secretary.post(f"/import/{item}", data=form)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    document_id = int(response.headers["Location"].rsplit("/", 1)[1])
    with demo_app.app_context():
        document = db.session.get(Document, document_id)
        assert (document.state, document.number, document.reg_date) == ("published", "17", date(2021, 6, 10))
        rows = {a.point_number: a for a in db.session.scalars(select(Assignment).where(
            Assignment.document_id == document_id))}
        assert rows["1.2.2"].deadline == date(2022, 2, 1) and rows["1.2.2"].status == "new"
        assert rows["2.2"].deadline_kind == "from" and rows["2.2"].start_date == date(2021, 9, 1)
        assert all(a.controller_id for a in rows.values())
        assert db.session.get(ImportItem, item).status == "saved"
        assert db.session.scalar(select(Event).where(Event.action == "document.import")).after["archive"] is True
    # The same archive document again: refused, nothing saved.
    again = int(_upload(secretary, ("protocol.txt", PROTOCOL)).headers["Location"].rsplit("/", 1)[1])
    form = _review_form(secretary, again)
    form.update({"csrf_token": AuthActions(secretary).csrf(f"/import/{again}"), "op": "save", "number": "17"})
    response = secretary.post(f"/import/{again}", data=form)
    assert response.status_code == 400 and "уже есть в системе" in response.get_data(as_text=True)


def test_an_archive_number_is_refused_when_its_year_holds_it_whatever_other_years_hold(demo_app, secretary):
    """The series' same number of another year, stored first, does not hide the same year's: with № 17 of 2020 and
    № 17 of 2021 of the same body in the system, importing № 17 of 2021 again is refused."""
    item = int(_upload(secretary, ("protocol.txt", PROTOCOL)).headers["Location"].rsplit("/", 1)[1])
    form = _review_form(secretary, item)
    form.update({"csrf_token": AuthActions(secretary).csrf(f"/import/{item}"), "op": "save", "number": "17"})
    response = secretary.post(f"/import/{item}", data=form)
    assert response.status_code == 302
    with demo_app.app_context():  # the first one becomes last year's № 17; this year's is another document
        first = db.session.get(Document, int(response.headers["Location"].rsplit("/", 1)[1]))
        first.event_date = first.reg_date = date(2020, 6, 10)
        db.session.add(Document(doc_type="protocol", title="Протокол 2021 года", number="17", state="published",
                                issuing_body_id=first.issuing_body_id, event_date=date(2021, 6, 10),
                                reg_date=date(2021, 6, 10)))
        db.session.commit()
    again = int(_upload(secretary, ("protocol.txt", PROTOCOL)).headers["Location"].rsplit("/", 1)[1])
    form = _review_form(secretary, again)
    form.update({"csrf_token": AuthActions(secretary).csrf(f"/import/{again}"), "op": "save", "number": "17"})
    response = secretary.post(f"/import/{again}", data=form)
    assert response.status_code == 400 and "за 2021 год уже есть в системе" in response.get_data(as_text=True)
    with demo_app.app_context():
        assert db.session.scalar(select(func.count()).where(Document.number == "17")) == 2


def test_saved_as_a_draft_with_a_body_chosen_and_a_new_one_created(demo_app, secretary):
    item = int(_upload(secretary, ("protocol.txt", PROTOCOL)).headers["Location"].rsplit("/", 1)[1])
    form = _review_form(secretary, item)
    with demo_app.app_context():
        institute = db.session.scalar(select(Body).where(Body.name.like("Автономное учреждение%")))
        institute_id = institute.id
    rows = sorted({int(k.split("-")[1]) for k in form if k.startswith("points-") and k.endswith("-text")})
    first_directive = next(i for i in rows if form.get(f"points-{i}-deadline"))
    form[f"points-{first_directive}-responsible"] = [str(institute_id)]  # the secretary fixes one body
    form[f"points-{first_directive}-new_body"] = ""
    last = rows[-1]
    form[f"points-{last}-responsible"] = []
    form[f"points-{last}-new_body"] = "Отдел опеки и попечительства"
    form.update({"csrf_token": AuthActions(secretary).csrf(f"/import/{item}"), "op": "save", "save_as": "draft"})
    response = secretary.post(f"/import/{item}", data=form)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    document_id = int(response.headers["Location"].rsplit("/", 1)[1])
    with demo_app.app_context():
        document = db.session.get(Document, document_id)
        assert document.state == "draft" and document.number is None
        assignments = list(db.session.scalars(select(Assignment).where(Assignment.document_id == document_id)
                                              .order_by(Assignment.id)))
        assert all(a.status == "draft" for a in assignments)
        assert institute_id in {a.lead_body_id for a in assignments}
        created = db.session.scalar(select(Body).where(Body.name == "Отдел опеки и попечительства"))
        assert created is not None and created.dative == "Отделу опеки и попечительства"
        assert created.id in {a.lead_body_id for a in assignments}


def test_merge_and_split_points_in_the_review(demo_app, secretary):
    item = int(_upload(secretary, ("protocol.txt", PROTOCOL)).headers["Location"].rsplit("/", 1)[1])
    form = _review_form(secretary, item)
    token = AuthActions(secretary).csrf(f"/import/{item}")
    count = len([k for k in form if k.startswith("points-") and k.endswith("-text")])
    first, second = form["points-0-text"], form["points-1-text"]
    page = secretary.post(f"/import/{item}", data={**form, "csrf_token": token, "op": "merge:0"}).get_data(as_text=True)
    assert page.count('class="border rounded p-2 mb-2 point-row"') == count - 1
    assert f"{first} {second}"[:60] in _unescape(page)
    page = secretary.post(f"/import/{item}", data={**form, "csrf_token": token, "op": "split:0"}).get_data(as_text=True)
    assert page.count('class="border rounded p-2 mb-2 point-row"') == count + 1


@pytest.mark.parametrize("name, data, reason", [
    ("empty.txt", b"", "пуст"),
    ("broken.docx", b"PK\x03\x04 not really a zip", "повреждён"),
    ("picture.docx", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "изображение"),
    ("scan.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", "PDF"),
])
def test_bad_files_are_refused_with_a_message_and_nothing_stored(demo_app, secretary, name, data, reason):
    response = _upload(secretary, (name, data))
    page = secretary.get(response.headers["Location"]).get_data(as_text=True)
    assert f"«{name}» не загружен" in page and reason.lower() in page.lower()
    with demo_app.app_context():
        assert _count(ImportItem) == 0 and _count(StoredFile) == 0


def test_a_batch_keeps_the_good_files_and_names_the_bad(demo_app, secretary):
    response = _upload(secretary, ("protocol.txt", PROTOCOL), ("order.txt", ORDER), ("empty.txt", b""))
    page = secretary.get(response.headers["Location"]).get_data(as_text=True)
    assert "Загружено документов: 2" in page and "«empty.txt» не загружен" in page
    assert page.count('href="/import/') == 2


def test_who_may_import_and_review(demo_app, client, secretary):
    item = int(_upload(secretary, ("protocol.txt", PROTOCOL)).headers["Location"].rsplit("/", 1)[1])
    other = demo_app.test_client()
    AuthActions(other).login("executor", "demo")
    assert other.get("/import").status_code == 403
    assert _upload(other, ("protocol.txt", PROTOCOL), token=AuthActions(other).csrf("/documents")).status_code == 403
    head = demo_app.test_client()
    AuthActions(head).login("head", "demo")
    assert head.get(f"/import/{item}").status_code == 403  # the secretary's upload, not the head's
    admin = demo_app.test_client()
    AuthActions(admin).login("admin", "demo")
    assert admin.get(f"/import/{item}").status_code == 200


def test_discard(demo_app, secretary):
    item = int(_upload(secretary, ("protocol.txt", PROTOCOL)).headers["Location"].rsplit("/", 1)[1])
    token = AuthActions(secretary).csrf("/import")
    assert secretary.post(f"/import/{item}/discard", data={"csrf_token": token}).status_code == 302
    assert 'id="no-pending"' in secretary.get("/import").get_data(as_text=True)
    with demo_app.app_context():
        assert db.session.get(ImportItem, item).status == "discarded"


def test_cli_extract_prints_the_schema(runner, tmp_path):
    path = tmp_path / "004_91dc62e67ca8c96b.txt"
    path.write_bytes(PROTOCOL)
    result = runner.invoke(args=["extract", "--json", str(path)])
    assert result.exit_code == 0, result.output
    found = json.loads(result.output.splitlines()[0])
    assert (found["file"], found["doc_type"], found["number"], found["date"]) == (
        "004_91dc62e67ca8c96b.txt", "protocol", "1", "2021-06-10")
    assert any(a["point"] == "1.2.2" and a["deadline"] == "2022-02-01" for a in found["assignments"])
    bad = tmp_path / "bad.docx"
    bad.write_bytes(b"PK\x03\x04broken")
    result = runner.invoke(args=["extract", str(bad)])
    assert result.exit_code == 1 and "bad.docx" in result.output


def test_cli_import_as_archive(demo_app, runner, tmp_path):
    """The order of Усть-Коксинский district: the demo secretary's scope does not hold it, the admin imports it."""
    path = tmp_path / "order.txt"
    path.write_bytes(ORDER)
    with demo_app.app_context():
        db.session.query(Document).filter(Document.number == "339").update({"number": "339-демо"})
        db.session.commit()
    result = runner.invoke(args=["import", "--user", "admin", "--as-archive", str(path)])
    assert result.exit_code == 0, result.output
    assert "in force" in result.output
    with demo_app.app_context():
        document = db.session.scalar(select(Document).where(Document.number == "339"))
        assert document.state == "published" and document.reg_date == date(2020, 12, 26)
        assert db.session.scalar(select(func.count(Assignment.id)).where(Assignment.document_id == document.id))
    result = runner.invoke(args=["import", "--user", "admin", "--as-archive", str(path)])
    assert result.exit_code == 1 and "not imported" in result.output
    result = runner.invoke(args=["import", "--user", "secretary", str(path)])
    assert result.exit_code == 1 and "не входит в органы, от имени которых вы работаете" in result.output


def test_a_person_named_responsible_gives_her_body_or_a_question(demo_app, secretary):
    """«Ответственный: Клюсова В.В.» is a person: the body of the user she is, not a new body named after her."""
    text = ("ПРИКАЗ\n01.02.2026 № 5\nО подготовке отчёта\nПРИКАЗЫВАЮ:\n"
            "1. Подготовить отчёт о методической работе в срок до 01.03.2026.\nОтветственный: Клюсова В.В.\n"
            "2. Провести семинар в срок до 01.04.2026.\nОтветственный: Незнакомова А.А.\n").encode()
    item = int(_upload(secretary, ("order.txt", text)).headers["Location"].rsplit("/", 1)[1])
    page = secretary.get(f"/import/{item}").get_data(as_text=True)
    form = _review_form(secretary, item)
    with demo_app.app_context():
        institute = db.session.scalar(select(Body).where(Body.name.like("Автономное учреждение%")))
        assert form["points-0-responsible"] == [str(institute.id)] and form["points-0-new_body"] == ""
    assert form["points-1-new_body"] == "" and "Ответственное лицо «Незнакомова А.А.»" in _unescape(page)
