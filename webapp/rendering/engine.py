"""Render a docxtpl template in a Jinja sandbox, and check an uploaded template before anything parses it."""

from __future__ import annotations

import functools
import io
import re
import zipfile
from typing import Any

from docxtpl import DocxTemplate
from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError, UndefinedError
from jinja2.sandbox import SandboxedEnvironment, SecurityError
from lxml import etree

from webapp.archives import Limits, UnsafeArchive, check_archive, is_zip

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MAX_SEQUENCE = 100_000  # the longest string or list a template may build with `*`


class TemplateRejected(Exception):
    """A template that may not be used; `reason` is a sentence for the administrator (Russian)."""

    def __init__(self, reason: str, tag: str | None = None, paragraph: str | None = None):
        super().__init__(reason)
        self.reason = reason
        self.tag = tag
        self.paragraph = paragraph


class TemplateSandbox(SandboxedEnvironment):
    """Jinja's sandbox (no attribute starting with `_`, no unsafe callables, range() capped), plus
    no `**` and no `*` that would build a huge string or list: a template cannot exhaust memory."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context, operator: str, left: Any, right: Any) -> Any:
        if operator == "**":
            raise SecurityError("the power operator is not allowed in templates")
        if operator == "*":
            for sequence, times in ((left, right), (right, left)):
                if isinstance(sequence, str | list | tuple) and isinstance(times, int) \
                        and len(sequence) * times > MAX_SEQUENCE:
                    raise SecurityError("a repeated string or list would be too long")
        return super().call_binop(context, operator, left, right)

    def from_string(self, source, globals=None, template_class=None):  # noqa: A002 - Jinja's own signature
        """Compiling a template's XML costs far more than filling it: the shared environment keeps the compiled
        parts of recent templates."""
        if self is make_environment() and globals is None and template_class is None and isinstance(source, str):
            return _compiled(source)
        return super().from_string(source, globals, template_class)


COMPILED_CACHE = 256  # compiled XML parts; a template has a body, headers, footers and properties


@functools.cache
def make_environment() -> TemplateSandbox:
    """Undefined names are errors (a typo in a tag is reported, not printed as nothing); output is XML-escaped.

    One environment per process, so compiled templates are shared; its settings never change after creation.
    """
    return TemplateSandbox(undefined=StrictUndefined, autoescape=True)


@functools.lru_cache(maxsize=COMPILED_CACHE)
def _compiled(source: str):
    return SandboxedEnvironment.from_string(make_environment(), source)


@functools.lru_cache(maxsize=COMPILED_CACHE)
def _patched(xml: str) -> str:
    return DocxTemplate.patch_xml(None, xml)  # docxtpl's clean-up of tags split across runs; uses no state


class _Template(DocxTemplate):
    """docxtpl's template with the tag clean-up of each XML part remembered (it is a third of a render)."""

    def patch_xml(self, src_xml: str) -> str:
        return _patched(src_xml)


def render(template: bytes, context: dict[str, Any]) -> bytes:
    """Fill `template` (DOCX bytes with docxtpl tags) with a plain context; raise TemplateRejected on a bad tag."""
    doc = _Template(io.BytesIO(template))
    try:
        doc.render(context, make_environment(), autoescape=True)
    except (TemplateError, SecurityError) as exc:
        raise describe_error(exc, template) from exc
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


# --- finding the tag that failed ----------------------------------------------------------------------------

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
TEXT_PARTS = re.compile(r"word/(document|header\d*|footer\d*|footnotes|endnotes)\.xml$")
TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
PRIVATE = re.compile(r"\._|\[\s*['\"]_|\b__\w+|\|\s*attr\b")


def template_paragraphs(template: bytes) -> list[str]:
    """The text of every paragraph of the template's text parts, as Word shows it."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    out = []
    with zipfile.ZipFile(io.BytesIO(template)) as archive:
        for name in sorted(n for n in archive.namelist() if TEXT_PARTS.match(n)):
            root = etree.fromstring(archive.read(name), parser)
            for para in root.iter(W + "p"):
                out.append("".join(t.text or "" for t in para.iter(W + "t")))
    return out


def _find(paragraphs: list[str], needle: str) -> tuple[str | None, str | None]:
    for text in paragraphs:
        for match in TAG.finditer(text):
            if re.search(rf"(?<!\w){re.escape(needle)}(?!\w)", match.group(0)):
                return match.group(0), text
    return None, None


def _excerpt(text: str | None) -> str | None:
    return None if text is None else (text if len(text) <= 300 else text[:297] + "...")


def describe_error(exc: Exception, template: bytes) -> TemplateRejected:
    """Name the failing tag and the paragraph that holds it, so an administrator can fix it in Word."""
    paragraphs = template_paragraphs(template)
    message = str(exc)
    needle = None
    if isinstance(exc, SecurityError) or "unsafe" in message:
        kind = ("недопустимое обращение (шаблон не может читать файлы, импортировать модули "
                "и видеть внутренности Python)")
        found = re.search(r"attribute '([^']+)'", message)
        needle = found.group(1) if found else None
    elif isinstance(exc, UndefinedError):
        kind = "неизвестная переменная"
        found = re.search(r"has no attribute '([^']+)'", message) or re.search(r"'([^']+)' is undefined", message)
        needle = found.group(1) if found else None
    elif isinstance(exc, TemplateSyntaxError):
        kind = "ошибка в теге"
        found = re.search(r"unknown tag '([^']+)'", message) or re.search(r"'([^']+)'", message)
        needle = found.group(1) if found else None
    else:
        kind = "ошибка шаблона"
    tag, para = _find(paragraphs, needle) if needle else (None, None)
    if tag is None:
        context = [line.strip() for line in getattr(exc, "docx_context", []) or []]
        candidates = [line for line in context if TAG.search(line)]
        if candidates:
            para = candidates[len(candidates) // 2]
            tag = TAG.search(para).group(0)
    where = f" в теге {tag} (абзац: «{_excerpt(para)}»)" if tag else ""
    return TemplateRejected(f"Шаблон не прошёл проверку: {kind}{where}. Подробности: {message}", tag, para)


def check_tags(template: bytes) -> None:
    """Refuse tags that reach for private attributes before Jinja even sees them (the sandbox would too)."""
    for text in template_paragraphs(template):
        for match in TAG.finditer(text):
            if PRIVATE.search(match.group(0)):
                raise TemplateRejected(
                    f"Шаблон не прошёл проверку: недопустимое обращение к служебному атрибуту в теге {match.group(0)} "
                    f"(абзац: «{_excerpt(text)}»). Шаблон может использовать только переменные контекста.",
                    match.group(0), text)


# --- checks before parsing an upload ----------------------------------------------------------------------

def check_upload(data: bytes, limits: Limits | None = None) -> None:
    """A real DOCX of sane size: checked on the zip directory and raw bytes only, before any XML parser runs."""
    limits = limits or Limits()
    if not data:
        raise TemplateRejected("Файл пуст.")
    if len(data) > limits.max_bytes:
        raise TemplateRejected(f"Файл слишком велик: {len(data) // 1024} КБ, допустимо не более "
                               f"{limits.max_bytes // 1024} КБ.")
    if not is_zip(data):
        raise TemplateRejected("Это не файл DOCX: файл не является ZIP-архивом документа Word. "
                               "Сохраните шаблон в Word или LibreOffice в формате .docx.")
    try:
        names = check_archive(data, limits)
    except UnsafeArchive as exc:
        raise TemplateRejected(exc.reason) from exc
    if "word/document.xml" not in names or "[Content_Types].xml" not in names:
        raise TemplateRejected("Это не файл DOCX: в архиве нет word/document.xml.")
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        raise TemplateRejected("Шаблон содержит макросы; макросы в шаблонах запрещены.")


def validate(data: bytes, sample_context: dict[str, Any], limits: Limits | None = None) -> bytes:
    """Every check an uploaded template passes before it is stored; returns the sample rendering."""
    check_upload(data, limits)
    try:
        check_tags(data)
        return render(data, sample_context)
    except (etree.XMLSyntaxError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise TemplateRejected(f"Файл не удалось прочитать как документ Word: {exc}") from exc
