"""Line-length limits of ГОСТ Р 7.0.97 (2016 p. 5.3) in the rendered XML: the title (заголовок к тексту) is centred
within 12 cm in the lengthwise layout; the гриф утверждения is a 7.5 cm block flush with the right margin."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from sqlalchemy import select

from tests.web.test_gost_rendering import ORDER_FORM, PROTOCOL_FORM, _create, _download
from webapp.extensions import db
from webapp.models import Document
from webapp.services import rendering

TWIPS_PER_CM = 1440 / 2.54


def _parts(data: bytes) -> tuple[str, str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read("word/document.xml").decode(), archive.read("word/styles.xml").decode()


def _text_block(document_xml: str) -> tuple[int, int, int]:
    """(page width, left margin, right margin) in twips, from the section."""
    width = int(re.search(r'<w:pgSz [^>]*w:w="(\d+)"', document_xml).group(1))
    left = int(re.search(r'<w:pgMar [^>]*w:left="(\d+)"', document_xml).group(1))
    right = int(re.search(r'<w:pgMar [^>]*w:right="(\d+)"', document_xml).group(1))
    return width, left, right


def _indents(styles_xml: str, style_id: str) -> tuple[int, int]:
    style = re.search(rf'<w:style [^>]*w:styleId="{style_id}".*?</w:style>', styles_xml, re.S).group(0)
    ind = re.search(r"<w:ind [^>]*/>", style)
    left = re.search(r'w:left="(\d+)"', ind.group(0)) if ind else None
    right = re.search(r'w:right="(\d+)"', ind.group(0)) if ind else None
    return int(left.group(1)) if left else 0, int(right.group(1)) if right else 0


def _paragraphs_of_style(document_xml: str, style_id: str) -> list[str]:
    return [p for p in re.findall(r"<w:p[ >].*?</w:p>", document_xml, re.S) if f'w:val="{style_id}"' in p]


def _width_cm(data: bytes, style_id: str) -> tuple[float, float, list[str]]:
    """The line length a style leaves and its distance from the right margin (cm), and the paragraphs using it
    (which must not set indents of their own)."""
    document_xml, styles_xml = _parts(data)
    page, left_margin, right_margin = _text_block(document_xml)
    left, right = _indents(styles_xml, style_id)
    paragraphs = _paragraphs_of_style(document_xml, style_id)
    assert all("<w:ind " not in p for p in paragraphs)
    return (page - left_margin - right_margin - left - right) / TWIPS_PER_CM, right / TWIPS_PER_CM, paragraphs


@pytest.mark.parametrize("form", [ORDER_FORM, PROTOCOL_FORM])
def test_the_title_is_at_most_12_cm_wide_and_centred(demo_app, client, auth, form):
    data = _download(client, _create(client, auth, form))
    width, _, paragraphs = _width_cm(data, "DocflowTitle")
    assert width == pytest.approx(12.0, abs=0.01)
    assert any(form["title"] in "".join(re.findall(r"<w:t[^>]*>([^<]*)", p)) for p in paragraphs)
    _, styles_xml = _parts(data)
    left, right = _indents(styles_xml, "DocflowTitle")
    assert left == right  # centred within the text block


def test_the_title_limit_follows_the_configured_margins(demo_app, client, auth):
    demo_app.config["DOCX_MARGINS_MM"] = {"left": 30, "right": 15}
    data = _download(client, _create(client, auth, ORDER_FORM))
    width, _, _ = _width_cm(data, "DocflowTitle")
    assert width == pytest.approx(12.0, abs=0.01)
    document_xml, _ = _parts(data)
    assert _text_block(document_xml)[1] == round(3 * TWIPS_PER_CM)


def test_the_approval_stamp_is_a_75_cm_block_at_the_right(demo_app):
    """The order approving a Положение: the attachment's «УТВЕРЖДЕНО …» lines."""
    with demo_app.app_context():
        order = db.session.scalar(select(Document).where(Document.slug == "003_4c206afcc321b513"))
        assert order.attachments
        data = rendering.render_document(order)
    width, from_right, paragraphs = _width_cm(data, "DocflowStamp")
    assert width == pytest.approx(7.5, abs=0.01) and from_right == 0
    assert paragraphs and any("Утвержден" in p or "УТВЕРЖД" in p for p in paragraphs)
