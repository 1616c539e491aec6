"""DOCX of documents through the service and HTTP: fidelity to the samples, the stored published DOCX,
downloads and who may have them, PDF, the approval and acknowledgment sheets."""

from __future__ import annotations

import hashlib
import io
import shutil
from pathlib import Path

import docx
import pytest
from pdfminer.high_level import extract_text
from sqlalchemy import func, select

from tests.fidelity import docx_text, reproduced
from webapp.extensions import db
from webapp.models import Document, Event, RenderedDocument, StoredFile
from webapp.rendering.samples import sample_for
from webapp.services import rendering

SEEDS = Path(__file__).parents[1] / "data" / "seeds"
SLUGS = sorted(p.stem for p in SEEDS.glob("*.txt"))


def _doc(slug: str) -> Document:
    return db.session.scalar(select(Document).where(Document.slug == slug))


@pytest.mark.parametrize("slug", SLUGS)
def test_each_demo_document_reproduces_its_sample(demo_app, slug):
    with demo_app.app_context():
        data = rendering.render_document(_doc(slug))
    score = reproduced(data, (SEEDS / f"{slug}.txt").read_text(encoding="utf-8"))
    assert score >= 0.97, f"{slug}: reproduced {score:.3f}"


def test_fidelity_measure_can_fail(demo_app):
    with demo_app.app_context():
        data = rendering.render_document(_doc("000_1ab9ce94162d62bd"))
    assert reproduced(data, (SEEDS / "004_91dc62e67ca8c96b.txt").read_text(encoding="utf-8")) < 0.5


def _keys(value, prefix="") -> set[str]:
    """Every key path of a context; list elements are merged, and a point's children have the point's shape."""
    out: set[str] = set()
    if isinstance(value, dict):
        for key, inner in value.items():
            path = prefix if key == "children" else f"{prefix}{key}"
            out.add(path.rstrip("."))
            out |= _keys(inner, prefix if key == "children" else f"{path}.")
    elif isinstance(value, list):
        for item in value:
            out |= _keys(item, prefix if prefix.endswith("[].") else f"{prefix}[].")
    return out


def test_the_documented_sample_has_exactly_the_keys_of_a_real_context(demo_app):
    with demo_app.app_context():
        produced = set()
        for slug in SLUGS:
            produced |= _keys(rendering.render_context(_doc(slug)))
    sample = _keys(sample_for("order"))
    assert produced <= sample, produced - sample

    def as_document(keys):  # an attachment has the shape of a document
        return {k.replace("doc.attachments.[].", "doc.") for k in keys}

    missing = as_document(sample) - as_document(produced)
    # what no demo document has: secretaries, invited people, speakers in a discussion, a list of many attendees
    assert {k for k in missing if not k.startswith(("doc.secretaries.", "doc.invited.", "doc.agenda.[].discussion.",
                                                    "doc.attendance_sheet."))} == set()


def test_context_is_plain_data(demo_app):
    with demo_app.app_context():
        context = rendering.render_context(_doc("004_91dc62e67ca8c96b"))

    def plain(value):
        if isinstance(value, dict):
            return all(isinstance(k, str) and plain(v) for k, v in value.items())
        if isinstance(value, list):
            return all(plain(v) for v in value)
        return value is None or isinstance(value, str | int | bool)

    assert plain(context)
    assert context["doc"]["agenda"][0]["heading"].endswith("(Шулая Л.В.)")
    assert context["doc"]["date"] == "10.06.2021" and context["doc"]["number"] == "1"


def test_draft_mark_and_attachment_stamp(demo_app):
    with demo_app.app_context():
        draft = docx.Document(io.BytesIO(rendering.render_document(_doc("001_af90b7f0e0abd48d"))))
        published = docx.Document(io.BytesIO(rendering.render_document(_doc("003_4c206afcc321b513"))))
        attachment = _doc("003_4c206afcc321b513_att1")
        attachment.approval_stamp = []  # a new attachment has no printed stamp: it is made from the order
        stamp = rendering.document_context(attachment)["approval_stamp"]
    assert draft.sections[0].first_page_header.paragraphs[0].text == "Проект"
    assert published.sections[0].first_page_header.paragraphs[0].text == ""
    # the гриф in capitals, agreed with «Положение», with the organisation; the reference «от … № …»
    assert stamp == ["УТВЕРЖДЕНО", "приказом Управления образования администрации МО «Усть-Коксинский район»",
                     "от 26.12.2020 № 339"]


def _count(model) -> int:
    return db.session.scalar(select(func.count(model.id)))


def test_published_docx_is_stored_once_and_served_unchanged(demo_app, client, auth):
    auth.login("secretary", "demo")
    with demo_app.app_context():
        doc = _doc("003_4c206afcc321b513")
        doc_id = doc.id
        assert rendering.stored_docx(doc) is None
    first = client.get(f"/documents/{doc_id}/docx")
    assert first.status_code == 200
    assert first.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    assert first.headers["Content-Disposition"].startswith("attachment;")
    with demo_app.app_context():
        doc = _doc("003_4c206afcc321b513")
        stored = rendering.stored_docx(doc)
        assert stored.sha256 == hashlib.sha256(first.data).hexdigest()
        files = _count(StoredFile)
        # the content changes behind the service's back: the published DOCX must not
        doc.title = "Изменённый заголовок"
        db.session.commit()
    second = client.get(f"/documents/{doc_id}/docx")
    assert second.data == first.data
    with demo_app.app_context():
        assert _count(StoredFile) == files and _count(RenderedDocument) == 1
        assert db.session.scalar(select(func.count(Event.id)).where(Event.action == "document.docx_stored")) == 1
        assert "Изменённый заголовок" in docx_text(rendering.render_document(_doc("003_4c206afcc321b513")))


def test_a_draft_is_rendered_fresh_each_time(demo_app, client, auth):
    auth.login("admin", "demo")  # the draft resolution belongs to no body of the demo secretary
    with demo_app.app_context():
        doc_id = _doc("001_af90b7f0e0abd48d").id
    before = client.get(f"/documents/{doc_id}/docx").data
    with demo_app.app_context():
        _doc("001_af90b7f0e0abd48d").title = "по новой теме"
        db.session.commit()
    after = client.get(f"/documents/{doc_id}/docx").data
    assert "по новой теме" in docx_text(after) and "по новой теме" not in docx_text(before)
    with demo_app.app_context():
        assert _count(RenderedDocument) == 0


def test_store_published_docx_refuses_a_draft(demo_app):
    from webapp.services.errors import Invalid

    with demo_app.app_context(), pytest.raises(Invalid):
        rendering.store_published_docx(_doc("001_af90b7f0e0abd48d"))


def test_document_page_has_download_buttons_and_sheets(demo_app, client, auth):
    auth.login("secretary", "demo")
    with demo_app.app_context():
        doc_id = _doc("003_4c206afcc321b513").id
    page = client.get(f"/documents/{doc_id}").get_data(as_text=True)
    assert 'id="download-docx"' in page and 'id="download-pdf"' in page
    assert 'id="download-acknowledgment-sheet"' in page
    sheet = client.get(f"/documents/{doc_id}/acknowledgment-sheet.docx")
    assert sheet.status_code == 200 and "А.М.Суртаева" in docx_text(sheet.data)
    approval = client.get(f"/documents/{doc_id}/approval-sheet.docx")
    assert approval.status_code == 200 and "Согласование не проводилось" in docx_text(approval.data)


def test_downloads_need_the_right_to_see_the_document(demo_app, client, auth):
    with demo_app.app_context():
        draft_id = _doc("001_af90b7f0e0abd48d").id
        published_id = _doc("003_4c206afcc321b513").id
    for path in (f"/documents/{draft_id}/docx", f"/documents/{draft_id}/pdf"):
        assert client.get(path).status_code == 302  # to the login page
    auth.login("executor", "demo")  # an executor does not see others' drafts
    for path in ("docx", "pdf", "approval-sheet.docx", "acknowledgment-sheet.docx"):
        assert client.get(f"/documents/{draft_id}/{path}").status_code == 403
    assert client.get(f"/documents/{published_id}/docx").status_code == 200
    assert client.get("/documents/99999/docx").status_code == 404


def test_pdf_without_libreoffice_gives_a_clear_message(demo_app, client, auth, monkeypatch):
    monkeypatch.setattr(rendering, "soffice_path", lambda: None)
    auth.login("secretary", "demo")
    with demo_app.app_context():
        doc_id = _doc("004_91dc62e67ca8c96b").id
    response = client.get(f"/documents/{doc_id}/pdf", follow_redirects=True)
    assert response.status_code == 200
    assert "не установлен LibreOffice" in response.get_data(as_text=True)


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_every_rendered_demo_document_converts_to_pdf(demo_app, tmp_path):
    """All in one LibreOffice start (docx_to_pdfs; docx_to_pdf is the same with one), each PDF its own document's."""
    from webapp.rendering import engine

    sheets = ("approval_sheet", "acknowledgment_sheet", "assignments_report")
    with demo_app.app_context():
        titles = [_doc(slug).title for slug in SLUGS]
        documents = [rendering.render_document(_doc(slug)) for slug in SLUGS]
        documents += [engine.render(rendering.default_template(name), sample_for(name)) for name in sheets]
        pdfs = rendering.docx_to_pdfs(documents)
    assert len(pdfs) == len(SLUGS) + len(sheets)
    for slug, title, pdf in zip(SLUGS, titles, pdfs, strict=False):
        assert pdf.startswith(b"%PDF-") and len(pdf) > 5000, slug
        first_page = " ".join(extract_text(io.BytesIO(pdf), page_numbers=[0]).split()).lower()
        assert " ".join(title.split()[:3]).lower() in first_page, slug  # its own document's PDF, not another's
    for name, pdf in zip(sheets, pdfs[len(SLUGS):], strict=True):
        assert pdf.startswith(b"%PDF-"), name


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_pdf_download(demo_app, client, auth):
    """The page's PDF is a job (LibreOffice takes seconds); once made, the same DOCX's PDF is sent at once."""
    auth.login("secretary", "demo")
    with demo_app.app_context():
        doc_id = _doc("000_1ab9ce94162d62bd").id
    url = f"/documents/{doc_id}/pdf"
    assert 'id="start-job-button"' in client.get(url).get_data(as_text=True)
    started = client.post(url, data={"csrf_token": auth.csrf(url)})
    assert started.status_code == 303 and started.headers["Location"].startswith("/jobs/")
    assert demo_app.test_cli_runner().invoke(args=["worker", "--burst"]).exit_code == 0
    state = client.get(started.headers["Location"] + ".json").get_json()
    assert state["status"] == "done", state
    response = client.get(url)
    assert response.status_code == 200 and response.data.startswith(b"%PDF-")
    assert response.headers["Content-Type"] == "application/pdf"
    assert client.get(state["download"]).data == response.data


def test_report_and_sheets_from_plain_lists(app):
    from datetime import date

    with app.app_context():
        report = rendering.render_assignments_report(
            [{"document": "Приказ № 5", "point": "2", "action": "Разместить положение", "responsible": "ИМО",
              "deadline": "01.02.2026", "status": "исполнено", "days_overdue": 0, "done": True}],
            date(2026, 3, 1), signer="Контролёр А.М. Суртаева")
        sheet = rendering.render_approval_sheet({"type_title": "Приказ", "title": "О плане"}, [])
    text = docx_text(report).replace("\xa0", " ")  # typography holds «А.М. Суртаева» together
    assert "Всего поручений: 1, исполнено: 1, просрочено: 0." in text and "Контролёр А.М. Суртаева" in text
    assert "Согласование не проводилось" in docx_text(sheet)


def test_signing_an_order_stores_its_docx_through_the_workflow(app, client, auth, make_user):
    """The `render_docx` effect of the order workflow's `sign` stores the DOCX at publication."""
    from tests.web.test_workflows import USERS, _arrange, _draft, _fire, registry_transition
    from webapp.models import Body

    people = {login: make_user(login, *roles) for login, roles in USERS.items()}
    with app.app_context():
        db.session.add(Body(name="Министерство образования", dative="Министерству образования"))
        db.session.commit()
    document_id = _draft(app)
    _arrange(app, document_id, "on_signing", registry_transition(app, "order", "sign"), people)
    assert _fire(client, auth, "head", document_id, "sign").status_code == 302
    with app.app_context():
        doc = db.session.get(Document, document_id)
        assert doc.state == "published" and doc.number
        stored = rendering.stored_docx(doc)
        assert stored is not None
        text = docx_text(rendering.docx_bytes(doc))
        assert f"№\u00a0{doc.number}" in text and "Проект" not in text
        assert "1. Создать методическую службу." in text
    downloaded = client.get(f"/documents/{document_id}/docx").data
    assert hashlib.sha256(downloaded).hexdigest() == stored.sha256
