"""Every default template and every rendered document is valid Office Open XML (openxml-audit: the ECMA-376
schemas and the Open XML SDK's semantic checks) and carries clean package parts and the document's properties."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime

import docx
import pytest
from lxml import etree
from openxml_audit import OpenXmlValidator
from sqlalchemy import select

from tests.web.test_gost_rendering import ORDER_FORM, PROTOCOL_FORM, _create, _download
from webapp.extensions import db
from webapp.models import Document
from webapp.rendering import defaults
from webapp.services import rendering

STALE = ("docProps/thumbnail.jpeg", "word/stylesWithEffects.xml", "customXml/item1.xml")


def _audit(data: bytes, tmp_path, name: str) -> list[str]:
    path = tmp_path / f"{name}.docx"
    path.write_bytes(data)
    result = OpenXmlValidator().validate(path)
    return [str(error) for error in result.errors]


def _clean(data: bytes) -> None:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = set(archive.namelist())
        settings = archive.read("word/settings.xml").decode()
        app = archive.read("docProps/app.xml").decode()
    assert not names & set(STALE)
    assert 'w:name="compatibilityMode" w:uri="http://schemas.microsoft.com/office/word" w:val="15"' in settings
    assert "<Application>Docflow</Application>" in app


@pytest.mark.parametrize("name", [*defaults.DOCUMENT_TYPES, *defaults.SHEETS])
def test_every_default_template_is_valid_and_clean(name, tmp_path):
    data = defaults.build(name)
    assert _audit(data, tmp_path, name) == []
    _clean(data)
    book = docx.Document(io.BytesIO(data))
    # docDefaults are the body text, so unstyled text is not Calibri 11
    defaults_xml = etree.tostring(book.styles.element.find(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}docDefaults")).decode()
    assert 'w:ascii="Times New Roman"' in defaults_xml and '<w:sz w:val="28"/>' in defaults_xml
    # Word's own headings in the document's type; a section title is one (the navigation pane shows it)
    heading = book.styles["Heading 2"]
    assert heading.font.name == "Times New Roman" and book.styles["Docflow Section"].base_style == heading
    gallery = {style.name for style in book.styles if style.quick_style}
    assert "Docflow Tag" not in gallery and len(gallery) <= 10


def test_every_rendered_demo_document_and_sheet_is_valid(demo_app, tmp_path):
    with demo_app.app_context():
        documents = list(db.session.scalars(select(Document).where(Document.parent_id.is_(None))))
        rendered = [(f"doc-{d.id}", rendering.render_document(d)) for d in documents]
        rendered += [(f"approval-{d.id}", rendering.approval_sheet_docx(d)) for d in documents[:2]]
        rendered += [(f"ack-{d.id}", rendering.acknowledgment_sheet_docx(d)) for d in documents[:2]]
    assert len(rendered) >= 5
    for name, data in rendered:
        assert _audit(data, tmp_path, name) == [], name
        _clean(data)


@pytest.mark.parametrize(("form", "type_word"), [(ORDER_FORM, "Приказ"), (PROTOCOL_FORM, "Протокол")])
def test_a_form_document_is_valid_and_carries_its_own_properties(demo_app, client, auth, tmp_path, form, type_word):
    data = _download(client, _create(client, auth, form))
    assert _audit(data, tmp_path, "form") == []
    core = docx.Document(io.BytesIO(data)).core_properties
    assert core.title == f"{type_word} {form['title']}" and core.author == "Матвейчук Елена Николаевна"
    # the frozen clock of the tests (2026-11-23), not python-docx's 2013 default
    assert core.created.date() == core.modified.date() == datetime(2026, 11, 23).date()
    assert core.last_modified_by == "Docflow"


def test_a_document_with_the_body_emblem_is_valid(demo_app, client, auth, tmp_path):
    from tests.cli.test_body_emblem import png
    from tests.web.test_gost_rendering import YUGRA

    (tmp_path / "gerb.png").write_bytes(png(60, 72))
    result = demo_app.test_cli_runner().invoke(args=["body", "emblem", YUGRA, str(tmp_path / "gerb.png")])
    assert result.exit_code == 0, result.output
    data = _download(client, _create(client, auth, ORDER_FORM))
    assert "word/media/image1.png" in zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert _audit(data, tmp_path, "emblem") == []
