"""Uploaded templates: the Jinja sandbox, zip bombs, XXE, files that are not DOCX, broken tags."""

from __future__ import annotations

import io
import random
import zipfile

import docx
import pytest

from webapp.rendering import defaults, engine
from webapp.rendering.engine import Limits, TemplateRejected
from webapp.rendering.samples import sample_for


def docx_with(*paragraphs: str) -> bytes:
    book = docx.Document()
    for text in paragraphs:
        book.add_paragraph(text)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def rezip(data: bytes, replace: dict[str, bytes] | None = None, add: dict[str, bytes] | None = None) -> bytes:
    """A copy of a DOCX with some parts replaced or added."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, (replace or {}).get(info.filename, src.read(info.filename)))
        for name, content in (add or {}).items():
            dst.writestr(name, content)
    return out.getvalue()


SANDBOX_PAYLOADS = [
    "{{ ''.__class__.__mro__ }}",
    "{{ cycler.__init__.__globals__ }}",
    "{{ joiner.__init__.__globals__['os'] }}",
    "{{ doc.title|attr('__class__') }}",
    "{% for c in ''.__class__.__mro__[1].__subclasses__() %}{{ c }}{% endfor %}",
]


@pytest.mark.parametrize("payload", SANDBOX_PAYLOADS)
def test_sandbox_payloads_are_refused_with_the_tag_and_paragraph(payload):
    template = docx_with("Заголовок", f"Текст {payload} конец")
    with pytest.raises(TemplateRejected) as caught:
        engine.validate(template, sample_for("order"))
    assert "недопустимое обращение" in caught.value.reason
    assert caught.value.paragraph == f"Текст {payload} конец"


@pytest.mark.parametrize("payload", SANDBOX_PAYLOADS[:2])
def test_the_sandbox_itself_refuses_them_when_the_tag_scan_is_bypassed(payload):
    with pytest.raises(TemplateRejected) as caught:
        engine.render(docx_with(f"Текст {payload}"), sample_for("order"))
    assert "недопустимое обращение" in caught.value.reason
    assert "__" in caught.value.reason


@pytest.mark.parametrize("payload", ["{{ 'x' * 100000000 }}", "{{ 9 ** 9 ** 9 }}", "{{ range(10**9)|list }}"])
def test_templates_cannot_exhaust_memory(payload):
    with pytest.raises(TemplateRejected):
        engine.render(docx_with(payload), sample_for("order"))


def test_unknown_tag_is_reported_with_its_paragraph():
    with pytest.raises(TemplateRejected) as caught:
        engine.validate(docx_with("Первый абзац", "Подписал {% signature doc.number %}", "Третий"),
                        sample_for("order"))
    assert caught.value.tag == "{% signature doc.number %}"
    assert caught.value.paragraph == "Подписал {% signature doc.number %}"
    assert "ошибка в теге" in caught.value.reason and "«Подписал {% signature doc.number %}»" in caught.value.reason


def test_unknown_variable_is_reported_with_its_paragraph():
    with pytest.raises(TemplateRejected) as caught:
        engine.validate(docx_with("Номер: {{ doc.numbr }}"), sample_for("order"))
    assert caught.value.tag == "{{ doc.numbr }}"
    assert "неизвестная переменная" in caught.value.reason and "Номер: {{ doc.numbr }}" in caught.value.reason


def test_unclosed_tag_is_reported():
    with pytest.raises(TemplateRejected) as caught:
        engine.validate(docx_with("Начало", "{%p if doc.number %}", "Номер {{ doc.number }}"), sample_for("order"))
    assert "Шаблон не прошёл проверку" in caught.value.reason


def test_a_good_template_passes_and_renders():
    rendered = engine.validate(docx_with("Приказ № {{ doc.number }} от {{ doc.date }}"), sample_for("order"))
    assert "Приказ № 339 от 26.12.2020" in [p.text for p in docx.Document(io.BytesIO(rendered)).paragraphs]
    engine.validate(defaults.build("order"), sample_for("order"))


def test_zip_bomb_is_refused_before_parsing():
    bomb = rezip(docx_with("x"), add={"word/media/padding.xml": b" " * (30 * 1024 * 1024)})
    assert len(bomb) < 1024 * 1024  # small on disk, huge when unpacked
    with pytest.raises(TemplateRejected) as caught:
        engine.check_upload(bomb)
    assert "слишком велика" in caught.value.reason or "zip-бомб" in caught.value.reason


def test_high_compression_ratio_alone_is_refused():
    bomb = rezip(docx_with("x"), add={"word/padding.xml": b"<a>" + b" " * (5 * 1024 * 1024) + b"</a>"})
    with pytest.raises(TemplateRejected) as caught:
        engine.check_upload(bomb)
    assert "zip-бомб" in caught.value.reason


def test_too_many_members_and_too_large_total_are_refused():
    many = rezip(docx_with("x"), add={f"word/extra/part{i}.xml": b"<a/>" for i in range(400)})
    with pytest.raises(TemplateRejected, match="слишком много частей"):
        engine.check_upload(many)
    noise = {f"word/media/i{i}.bin": random.Random(i).randbytes(1024 * 1024) for i in range(4)}  # incompressible
    several = rezip(docx_with("x"), add=noise)
    with pytest.raises(TemplateRejected, match="слишком велик"):
        engine.check_upload(several, Limits(max_total_bytes=3 * 1024 * 1024))


XXE = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
       b'<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
       b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
       b'<w:body><w:p><w:r><w:t>&xxe;</w:t></w:r></w:p></w:body></w:document>')


@pytest.mark.parametrize("part", ["word/document.xml", "word/_rels/document.xml.rels", "[Content_Types].xml"])
def test_xxe_doctype_in_any_xml_part_is_refused(part):
    with pytest.raises(TemplateRejected) as caught:
        engine.check_upload(rezip(docx_with("x"), replace={part: XXE}))
    assert "DOCTYPE" in caught.value.reason


def test_xxe_spelt_in_utf16_is_refused():
    utf16 = XXE.decode().replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16")
    with pytest.raises(TemplateRejected, match="DOCTYPE"):
        engine.check_upload(rezip(docx_with("x"), replace={"word/document.xml": utf16}))


@pytest.mark.parametrize("data", [
    b"%PDF-1.7 not a word document",
    "Просто текст, переименованный в .docx".encode(),
    b"\x89PNG\r\n\x1a\n" + b"\x00" * 64,
    b"",
])
def test_non_docx_renamed_to_docx_is_refused(data):
    with pytest.raises(TemplateRejected) as caught:
        engine.check_upload(data)
    assert "не файл DOCX" in caught.value.reason or "пуст" in caught.value.reason


def test_a_zip_that_is_not_a_word_document_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises(TemplateRejected, match="word/document.xml"):
        engine.check_upload(buffer.getvalue())


def test_macros_and_path_tricks_are_refused():
    with pytest.raises(TemplateRejected, match="макрос"):
        engine.check_upload(rezip(docx_with("x"), add={"word/vbaProject.bin": b"\x00" * 10}))
    with pytest.raises(TemplateRejected, match="имя части"):
        engine.check_upload(rezip(docx_with("x"), add={"../evil.xml": b"<a/>"}))


def test_oversized_file_is_refused():
    with pytest.raises(TemplateRejected, match="слишком велик"):
        engine.check_upload(docx_with("x"), Limits(max_bytes=1024))
