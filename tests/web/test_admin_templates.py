"""The admin templates page: only administrators; uploads checked before anything is stored; versions;
the active template used for new renders while published DOCX stay as they were."""

from __future__ import annotations

import io

import docx
import pytest
from sqlalchemy import func, select

from tests.conftest import AuthActions, audit_events
from tests.fidelity import docx_text
from tests.unit.test_template_safety import XXE, docx_with, rezip
from webapp.extensions import db
from webapp.models import Body, DocTemplate, Document, Event, StoredFile
from webapp.rendering import defaults
from webapp.services import rendering


@pytest.fixture
def admin_client(demo_app):
    client = demo_app.test_client()
    AuthActions(client).login("admin", "demo")
    return client


def _csrf(client) -> str:
    return AuthActions(client).csrf("/admin/templates")


def _upload(client, data: bytes, kind="order", body=0, name="шаблон.docx", token=None):
    return client.post("/admin/templates", content_type="multipart/form-data", data={
        "csrf_token": token if token is not None else _csrf(client), "kind": kind, "body": str(body),
        "file": (io.BytesIO(data), name)})


def _custom_order(marker: str = "ОСОБЫЙ БЛАНК") -> bytes:
    """The default order template with one more paragraph at the top."""
    book = docx.Document(io.BytesIO(defaults.build("order")))
    book.paragraphs[0].insert_paragraph_before(f"{marker} {{{{ doc.issuing_body_short }}}}")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _counts():
    return (db.session.scalar(select(func.count(DocTemplate.id))),
            db.session.scalar(select(func.count(StoredFile.id))))


@pytest.mark.parametrize("login", ["secretary", "head", "approver", "executor", "controller", "auditor"])
def test_only_administrators_reach_the_templates_page(demo_app, login):
    client = demo_app.test_client()
    assert client.get("/admin/templates").status_code == 302  # anonymous: to the login page
    AuthActions(client).login(login, "demo")
    assert client.get("/admin/templates").status_code == 403
    token = AuthActions(client).csrf("/documents")
    assert _upload(client, _custom_order(), token=token).status_code == 403
    assert client.post("/admin/templates/1/activate", data={"csrf_token": token}).status_code == 403
    assert client.get("/admin/templates/default/order.docx").status_code == 403
    assert 'href="/admin/templates"' not in client.get("/documents").get_data(as_text=True)
    with demo_app.app_context():
        assert _counts()[0] == 0


def test_page_shows_upload_form_versions_and_the_documented_context(admin_client):
    page = admin_client.get("/admin/templates?kind=protocol").get_data(as_text=True)
    assert 'id="upload-template"' in page and 'enctype="multipart/form-data"' in page
    assert "doc.agenda[i].heading" in page and "doc.signatories[i].name" in page and "С.П. Бочкарева" in page
    assert "Загруженных версий нет" in page
    sheet = admin_client.get("/admin/templates?kind=approval_sheet").get_data(as_text=True)
    assert "rounds[i].steps[i].name" in sheet
    default = admin_client.get("/admin/templates/default/order.docx")
    assert default.status_code == 200 and "{{ doc.title }}" in docx_text(default.data)


def test_upload_versions_and_use_for_new_renders(demo_app, admin_client):
    with demo_app.app_context():
        draft = db.session.scalar(select(Document).where(Document.slug == "001_af90b7f0e0abd48d"))
        draft.doc_type = "order"  # a draft order to render
        published = db.session.scalar(select(Document).where(Document.slug == "003_4c206afcc321b513"))
        before_published = rendering.docx_bytes(published)
        db.session.commit()
        draft_id = draft.id
    response = _upload(admin_client, _custom_order("ВЕРСИЯ ОДИН"))
    assert response.status_code == 302
    assert "версия 1" in admin_client.get(response.headers["Location"]).get_data(as_text=True)
    with demo_app.app_context():
        draft = db.session.get(Document, draft_id)
        assert "ВЕРСИЯ ОДИН" in docx_text(rendering.render_document(draft))
        # the published order was stored before: it does not change with the template
        published = db.session.scalar(select(Document).where(Document.slug == "003_4c206afcc321b513"))
        assert rendering.docx_bytes(published) == before_published
    assert _upload(admin_client, _custom_order("ВЕРСИЯ ДВА")).status_code == 302
    with demo_app.app_context():
        rows = list(db.session.scalars(select(DocTemplate).order_by(DocTemplate.version)))
        assert [(r.version, r.active) for r in rows] == [(1, False), (2, True)]
        assert "ВЕРСИЯ ДВА" in docx_text(rendering.render_document(db.session.get(Document, draft_id)))
        first_id = rows[0].id
        events = [e.action for e in audit_events(Event.action.like("template.%"))]
        assert events == ["template.upload", "template.upload"]
    response = admin_client.post(f"/admin/templates/{first_id}/activate", data={"csrf_token": _csrf(admin_client)})
    assert response.status_code == 302
    with demo_app.app_context():
        assert "ВЕРСИЯ ОДИН" in docx_text(rendering.render_document(db.session.get(Document, draft_id)))
    response = admin_client.post("/admin/templates/default", data={"csrf_token": _csrf(admin_client),
                                                                   "kind": "order", "body": "0"})
    assert response.status_code == 302
    with demo_app.app_context():
        text = docx_text(rendering.render_document(db.session.get(Document, draft_id)))
        assert "ВЕРСИЯ" not in text
    assert admin_client.get(f"/admin/templates/{first_id}/file").status_code == 200


def test_a_body_template_wins_over_the_organisation_wide_one(demo_app, admin_client):
    with demo_app.app_context():
        order = db.session.scalar(select(Document).where(Document.slug == "003_4c206afcc321b513"))
        order.state = "draft"  # rendered fresh
        body_id = order.issuing_body_id
        other = db.session.scalar(select(Body).where(Body.id != body_id))
        db.session.commit()
        order_id, other_id = order.id, other.id
    assert _upload(admin_client, _custom_order("ДЛЯ ВСЕХ")).status_code == 302
    assert _upload(admin_client, _custom_order("ДЛЯ ЧУЖОГО ОРГАНА"), body=other_id).status_code == 302
    with demo_app.app_context():
        assert "ДЛЯ ВСЕХ" in docx_text(rendering.render_document(db.session.get(Document, order_id)))
    assert _upload(admin_client, _custom_order("ДЛЯ СВОЕГО ОРГАНА"), body=body_id).status_code == 302
    with demo_app.app_context():
        text = docx_text(rendering.render_document(db.session.get(Document, order_id)))
        assert "ДЛЯ СВОЕГО ОРГАНА" in text and "ДЛЯ ВСЕХ" not in text


BOMB = rezip(docx_with("x"), add={"word/media/padding.xml": b" " * (30 * 1024 * 1024)})

REFUSED = [
    pytest.param(docx_with("{{ ''.__class__.__mro__ }}"), "шаблон.docx", "недопустимое обращение", id="mro"),
    pytest.param(docx_with("{{ cycler.__init__.__globals__ }}"), "шаблон.docx", "недопустимое обращение",
                 id="globals"),
    pytest.param(BOMB, "шаблон.docx", "zip-бомб", id="zip-bomb"),
    pytest.param(rezip(docx_with("x"), replace={"word/document.xml": XXE}), "шаблон.docx", "DOCTYPE", id="xxe"),
    pytest.param(b"%PDF-1.4 renamed", "шаблон.docx", "не файл DOCX", id="renamed-pdf"),
    pytest.param("обычный текст".encode(), "шаблон.docx", "не файл DOCX", id="renamed-text"),
    pytest.param(docx_with("Текст {% podpis %}"), "шаблон.docx", "{% podpis %}", id="unknown-tag"),
    pytest.param(docx_with("Номер {{ doc.nomer }}"), "шаблон.docx", "{{ doc.nomer }}", id="unknown-variable"),
    pytest.param(docx_with("x"), "шаблон.doc", "должен быть файлом .docx", id="wrong-extension"),
]


@pytest.mark.parametrize(("data", "name", "message"), REFUSED)
def test_refused_uploads_say_why_and_store_nothing(demo_app, admin_client, data, name, message, tmp_path):
    with demo_app.app_context():
        before = _counts()
        files_dir = demo_app.config["FILES_DIR"]
    from pathlib import Path

    files_before = sorted(p for p in Path(files_dir).rglob("*") if p.is_file())
    response = _upload(admin_client, data, name=name)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    with demo_app.app_context():
        assert _counts() == before
        assert db.session.scalar(select(func.count(Event.id)).where(Event.action.like("template.%"))) == 0
    assert sorted(p for p in Path(files_dir).rglob("*") if p.is_file()) == files_before


def test_upload_without_csrf_or_file_is_refused(demo_app, admin_client):
    assert _upload(admin_client, _custom_order(), token="").status_code == 400
    response = admin_client.post("/admin/templates", data={"csrf_token": _csrf(admin_client), "kind": "order",
                                                           "body": "0"})
    assert response.status_code == 400 and "Выберите файл шаблона" in response.get_data(as_text=True)
    with demo_app.app_context():
        assert _counts()[0] == 0


def test_menu_link_for_administrators(admin_client):
    assert 'href="/admin/templates"' in admin_client.get("/documents").get_data(as_text=True)
