"""Files attached to documents (приложения): uploaded on a draft and checked by their content, listed and downloaded
by whoever may read the document (Cyrillic names in RFC 5987's filename*), frozen once the document is published,
found by search through their text, shown as PDF where LibreOffice is present."""

from __future__ import annotations

import io
import re
import shutil

import docx
import pytest
from sqlalchemy import func, select

from tests.web.test_workflows import _draft, people  # noqa: F401  (people: a fixture)
from webapp.extensions import db
from webapp.models import Document, DocumentFile, StoredFile

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _docx(text: str) -> bytes:
    document = docx.Document()
    document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _upload(client, auth, document_id: int, *files: tuple[str, bytes]):
    data = {"csrf_token": auth.csrf(f"/documents/{document_id}"),
            "files": [(io.BytesIO(content), name) for name, content in files]}
    return client.post(f"/documents/{document_id}/files", data=data, content_type="multipart/form-data")


def _links(client, document_id: int) -> dict[str, str]:
    page = client.get(f"/documents/{document_id}").get_data(as_text=True)
    return {name: href for href, name in re.findall(r'<a href="([^"]+)" class="file-link">([^<]+)</a>', page)}


def _count() -> int:
    return db.session.scalar(select(func.count(DocumentFile.id)))


def test_the_author_attaches_files_and_readers_download_them(app, client, auth, people):  # noqa: F811
    document_id = _draft(app)
    auth.login("sec")
    response = _upload(client, auth, document_id, ("Смета работ.docx", _docx("Смета водоснабжения школы")),
                       ("план.pdf", PDF))
    assert response.status_code == 302
    assert "Приложено файлов: 2." in client.get(response.headers["Location"]).get_data(as_text=True)
    links = _links(client, document_id)
    assert sorted(links) == ["Смета работ.docx", "план.pdf"]

    auth.logout()
    auth.login("aud")  # an auditor reads every document, the draft too
    download = client.get(links["Смета работ.docx"])
    assert download.status_code == 200
    assert download.get_data() == _docx("Смета водоснабжения школы") or download.get_data()[:2] == b"PK"
    disposition = download.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''%D0%A1%D0%BC%D0%B5%D1%82%D0%B0%20%D1%80%D0%B0%D0%B1%D0%BE%D1%82.docx" in disposition
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in download.headers["Content-Security-Policy"]
    assert client.get(links["план.pdf"]).get_data() == PDF
    with app.app_context():  # the same bytes twice are kept once
        assert db.session.scalar(select(func.count(StoredFile.id)).where(StoredFile.size == len(PDF))) == 1


def test_search_finds_the_document_by_a_word_of_its_attachment(app, client, auth, people):  # noqa: F811
    document_id = _draft(app)
    auth.login("sec")
    assert "водоснабжению" not in client.get("/search", query_string={"q": "водоснабжение"}).get_data(as_text=True)
    _upload(client, auth, document_id, ("Справка.docx", _docx("Справка по водоснабжению сельских школ")),
            ("Заметка.txt", "Котельная требует ремонта кровли.".encode()))
    for query in ("водоснабжение", "котельной", "кровля"):
        page = client.get("/search", query_string={"q": query}).get_data(as_text=True)
        assert f'data-kind="document" data-id="{document_id}"' in page, query
    removed = _links(client, document_id)["Заметка.txt"].rsplit("/", 1)[1]
    client.post(f"/documents/{document_id}/files/{removed}/delete", data={"csrf_token": auth.csrf("/documents")})
    page = client.get("/search", query_string={"q": "котельной"}).get_data(as_text=True)
    assert f'data-id="{document_id}"' not in page  # the index follows a removal too
    assert "Заметка.txt" not in _links(client, document_id)


@pytest.mark.parametrize(("name", "data", "message"), [
    ("программа.exe", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64, "не принят"),
    ("страница.html", b"<!DOCTYPE html><html><script>alert(1)</script></html>", "не принят"),
    ("слайды.csv", "Срок;Орган\n01.02.2027;Минобр\n".encode(), "к документу прикладываются"),
    ("пусто.pdf", b"", "пуст"),
])
def test_a_refused_file_stores_nothing(app, client, auth, people, name, data, message):  # noqa: F811
    document_id = _draft(app)
    auth.login("sec")
    response = _upload(client, auth, document_id, ("годный.pdf", PDF), (name, data))
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert message in page
    with app.app_context():
        assert _count() == 0  # all or nothing: the good file was not kept either


def test_the_size_limit_is_said_in_russian(app, client, auth, people):  # noqa: F811
    app.config["UPLOAD_MAX_BYTES"] = 1024
    document_id = _draft(app)
    auth.login("sec")
    response = _upload(client, auth, document_id, ("большой.txt", ("Текст отчёта. " * 200).encode()))
    assert "слишком велик" in client.get(response.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        assert _count() == 0


@pytest.mark.parametrize(("login", "status"), [("exe", 403), ("aud", 200), ("adm", 200)])
def test_who_may_not_read_the_draft_gets_no_file(app, client, auth, people, login, status):  # noqa: F811
    document_id = _draft(app)
    auth.login("sec")
    _upload(client, auth, document_id, ("план.pdf", PDF))
    link = _links(client, document_id)["план.pdf"]
    auth.logout()
    auth.login(login)
    assert client.get(link).status_code == status
    assert client.get(link + "/preview").status_code == status


def test_a_file_is_served_only_under_its_own_document(app, client, auth, people):  # noqa: F811
    first, second = _draft(app), _draft(app)
    auth.login("sec")
    _upload(client, auth, first, ("план.pdf", PDF))
    attachment = _links(client, first)["план.pdf"].rsplit("/", 1)[1]
    assert client.get(f"/documents/{second}/files/{attachment}").status_code == 404
    assert client.get(f"/documents/{second}/files/999999").status_code == 404


def test_published_attachments_are_frozen_and_still_read(app, client, auth, people):  # noqa: F811
    document_id = _draft(app)
    auth.login("sec")
    _upload(client, auth, document_id, ("план.pdf", PDF))
    link = _links(client, document_id)["план.pdf"]
    with app.app_context():
        db.session.get(Document, document_id).state = "published"
        db.session.commit()
    page = client.get(f"/documents/{document_id}").get_data(as_text=True)
    assert 'id="attach-form"' not in page and "/delete" not in page.split('id="files"')[1].split("</section>")[0]
    assert _upload(client, auth, document_id, ("ещё.pdf", PDF + b" ")).status_code == 403
    attachment = link.rsplit("/", 1)[1]
    token = auth.csrf("/documents")
    assert client.post(f"/documents/{document_id}/files/{attachment}/delete",
                       data={"csrf_token": token}).status_code == 403
    with app.app_context():
        assert _count() == 1
    auth.logout()
    auth.login("exe")  # a published document is everyone's to read, its files too
    assert client.get(link).get_data() == PDF


def test_preview_shows_a_pdf_inline_and_says_when_libreoffice_is_absent(app, client, auth, people,  # noqa: F811
                                                                       monkeypatch):
    from webapp.services import rendering

    document_id = _draft(app)
    auth.login("sec")
    _upload(client, auth, document_id, ("план.pdf", PDF), ("Смета.docx", _docx("Смета")),
            ("Таблица.txt", "Срок исполнения".encode()))
    page = client.get(f"/documents/{document_id}").get_data(as_text=True)
    links = _links(client, document_id)
    assert page.count("Просмотр (PDF)") == 2  # the text file has no preview
    shown = client.get(links["план.pdf"] + "/preview")
    assert shown.status_code == 200 and shown.mimetype == "application/pdf" and shown.get_data() == PDF
    assert shown.headers["Content-Disposition"].startswith("inline")

    monkeypatch.setattr(rendering, "soffice_path", lambda: None)
    response = client.get(links["Смета.docx"] + "/preview")
    assert response.status_code == 302
    assert "не установлен LibreOffice" in client.get(response.headers["Location"]).get_data(as_text=True)

    monkeypatch.setattr(rendering, "docx_to_pdf", lambda data, timeout=None: PDF)  # LibreOffice present
    converted = client.get(links["Смета.docx"] + "/preview")
    assert converted.mimetype == "application/pdf" and converted.get_data() == PDF
    assert "%D0%A1%D0%BC%D0%B5%D1%82%D0%B0.pdf" in converted.headers["Content-Disposition"]
    assert client.get(links["Таблица.txt"] + "/preview").status_code == 302


def test_the_history_names_the_files(app, client, auth, people):  # noqa: F811
    document_id = _draft(app)
    auth.login("sec")
    _upload(client, auth, document_id, ("план.pdf", PDF))
    history = client.get(f"/documents/{document_id}").get_data(as_text=True).split('id="history"')[1]
    assert "Приложены файлы" in history and "план.pdf" in history


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_shows_a_docx_attachment_as_pdf(app, client, auth, people):  # noqa: F811
    document_id = _draft(app)
    auth.login("sec")
    _upload(client, auth, document_id, ("Смета.docx", _docx("Смета на ремонт кровли")))
    shown = client.get(_links(client, document_id)["Смета.docx"] + "/preview")
    assert shown.status_code == 200 and shown.mimetype == "application/pdf"
    assert shown.get_data().startswith(b"%PDF-")
    assert shown.headers["Content-Disposition"].startswith("inline")
