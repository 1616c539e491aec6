"""Render a docxtpl template in a Jinja sandbox within limits of time, loop steps and size, and check an uploaded
template before anything parses it."""

from __future__ import annotations

import functools
import html
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from docx.shared import Mm
from docxtpl import DocxTemplate, InlineImage
from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError, UndefinedError
from jinja2.sandbox import SandboxedEnvironment, SecurityError
from lxml import etree
from markupsafe import Markup

from webapp import archives
from webapp.archives import UnsafeArchive, check_archive, is_zip
from webapp.rendering import budget, prepared
from webapp.rendering.budget import BudgetExceeded, RenderLimits

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@dataclass(frozen=True)
class Limits(archives.Limits, RenderLimits):
    """What an uploaded template may be (the archive's limits) and what one render of it may spend (time, loop
    steps, characters): the defaults are in webapp.archives.Limits and webapp.rendering.budget.RenderLimits."""


class TemplateRejected(Exception):
    """A template that may not be used; `reason` is a sentence for the administrator (Russian)."""

    def __init__(self, reason: str, tag: str | None = None, paragraph: str | None = None):
        super().__init__(reason)
        self.reason = reason
        self.tag = tag
        self.paragraph = paragraph


class TemplateTooCostly(TemplateRejected):
    """Rendering the template went past a limit of time, loop steps or size (`reason` says which, in Russian,
    and where in the template when that is known). Raised at upload and by a render with real data."""


class TemplateSandbox(SandboxedEnvironment):
    """Jinja's sandbox (no attribute starting with `_`, no unsafe callables), no `**`, and a budget per render
    (webapp.rendering.budget): every loop iteration and call is a step, every string written or built is counted,
    and each filter, method and operator that could build a huge string or list is checked before it runs.
    A template can neither exhaust memory nor keep a worker busy past its deadline."""

    intercepted_binops = frozenset({"*", "**", "+", "%"})
    code_generator_class = budget.MeteredCodeGenerator
    template_class = budget.MeteredTemplate
    concat = staticmethod(budget.joined)  # type: ignore[assignment] - Jinja's is "".join
    concatenated = staticmethod(budget.concatenated)
    loop_step = staticmethod(budget.loop_step)

    def __init__(self, *args: Any, **kwargs: Any):
        kwargs.setdefault("finalize", budget.finalize)
        super().__init__(*args, **kwargs)
        self.globals["range"] = budget.bounded_range
        self.globals["lipsum"] = budget.bounded_lipsum
        self.filters = budget.metered_filters(self.filters)

    def call_binop(self, context, operator: str, left: Any, right: Any) -> Any:
        if operator == "**":
            raise SecurityError("the power operator is not allowed in templates")
        return budget.binop(operator, left, right, lambda: super(TemplateSandbox, self).call_binop(
            context, operator, left, right))

    def call(__self, __context, __obj, *args: Any, **kwargs: Any) -> Any:  # noqa: N805 - Jinja's own signature
        if not __self.is_safe_callable(__obj):
            raise SecurityError(f"{__obj!r} is not safely callable")
        return budget.call(__context, __obj, args, kwargs)

    def wrap_str_format(self, value: Any):
        """Jinja's sandboxed str.format and format_map, with each field measured before it is formatted."""
        if not callable(value) or getattr(value, "__name__", None) not in ("format", "format_map"):
            return None
        owner = getattr(value, "__self__", None)
        if not isinstance(owner, str):
            return None
        if isinstance(owner, Markup):
            formatter = budget.MeteredEscapeFormatter(self, escape=owner.escape)
        else:
            formatter = budget.MeteredFormatter(self)
        is_format_map = value.__name__ == "format_map"

        def wrapper(*args: Any, **kwargs: Any) -> str:
            if is_format_map:
                if kwargs:
                    raise TypeError("format_map() takes no keyword arguments")
                if len(args) != 1:
                    raise TypeError(f"format_map() takes exactly one argument ({len(args)} given)")
                kwargs = args[0]
                args = ()
            return type(owner)(formatter.vformat(owner, args, kwargs))

        return functools.update_wrapper(wrapper, value)

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
    template = SandboxedEnvironment.from_string(make_environment(), source)
    template.source_text = source  # the cache holds the source as its key already
    return template


@functools.lru_cache(maxsize=COMPILED_CACHE)
def _patched(xml: str) -> str:
    return DocxTemplate.patch_xml(None, xml)  # docxtpl's clean-up of tags split across runs; uses no state


class _Template(DocxTemplate):
    """docxtpl's template with the tag clean-up of each XML part remembered (it is a third of a render)."""

    def patch_xml(self, src_xml: str) -> str:
        return _patched(src_xml)


@dataclass(frozen=True)
class Picture:
    """A picture in a plain context (the body's emblem): its bytes and printed size; `render` makes it an image
    docxtpl inserts where a template prints it."""

    data: bytes = field(repr=False)
    width_mm: float
    height_mm: float
    description: str = ""

    def __bool__(self) -> bool:
        return bool(self.data)


class _InlinePicture(InlineImage):
    """docxtpl's inline image with its description (alt text), which screen readers and Word's checker want."""

    def __init__(self, tpl: DocxTemplate, picture: Picture):
        super().__init__(tpl, io.BytesIO(picture.data), width=Mm(picture.width_mm), height=Mm(picture.height_mm))
        self.description = picture.description

    def _insert_image(self) -> str:
        inline = self.tpl.current_rendering_part.new_pic_inline(self.image_descriptor, self.width, self.height)
        inline.docPr.set("descr", self.description)
        return ('</w:t></w:r><w:r><w:drawing>%s</w:drawing></w:r><w:r><w:t xml:space="preserve">'  # noqa: UP031
                % inline.xml)


def _with_pictures(value: Any, doc: DocxTemplate) -> Any:
    """The context with each Picture made an image of this template (the plain context stays as it was)."""
    if isinstance(value, Picture):
        return _InlinePicture(doc, value) if value else ""
    if isinstance(value, dict):
        return {key: _with_pictures(inner, doc) for key, inner in value.items()}
    if isinstance(value, list):
        return [_with_pictures(inner, doc) for inner in value]
    return value


@dataclass(frozen=True)
class Properties:
    """The core properties (docProps/core.xml) of one rendered document."""

    title: str
    author: str
    created: datetime
    modified: datetime
    application: str = "Docflow"


def render(template: bytes, context: dict[str, Any], limits: RenderLimits | None = None,
           properties: Properties | None = None) -> bytes:
    """Fill `template` (DOCX bytes with docxtpl tags) with a plain context; raise TemplateRejected on a bad tag,
    TemplateTooCostly when the render goes past `limits` (time, loop steps, size; RenderLimits() by default).
    `properties` replace the template's core properties (title, author, dates) with the document's.

    The template is taken apart once per content (webapp.rendering.prepared); a template or a context that needs
    the whole package (a picture to print) is rendered by docxtpl as a whole. Both write the same document."""
    try:
        with budget.spending(limits if isinstance(limits, RenderLimits) else None):
            taken_apart = prepared.prepare(template)
            plain = taken_apart.plain(context, Picture) if taken_apart is not None else None
            if plain is None:
                return _render_whole(template, context, properties)
            return taken_apart.render(plain, make_environment().from_string,
                                      lambda core: _set_properties(core, properties))
    except BudgetExceeded as exc:
        raise too_costly(exc.reason, exc.line, template) from exc
    except RecursionError as exc:
        raise TemplateTooCostly("Шаблон вызывает сам себя слишком глубоко (рекурсия макроса или loop()).") from exc
    except (TemplateError, SecurityError) as exc:
        raise describe_error(exc, template) from exc
    except (ArithmeticError, LookupError, TypeError, ValueError, AttributeError) as exc:
        # An administrator's template that fails on some document's data («{{ 1 / 0 }}», a number added to a
        # text): a message about the template, not a server error.
        raise TemplateRejected(f"Шаблон не удалось заполнить: {type(exc).__name__}: {exc}") from exc


def _set_properties(core, properties: Properties | None) -> None:
    if properties is not None:
        core.title, core.author, core.last_modified_by = properties.title[:255], properties.author, \
            properties.application
        core.created, core.modified = properties.created, properties.modified
        core.revision = 1


def _render_whole(template: bytes, context: dict[str, Any], properties: Properties | None) -> bytes:
    """docxtpl's own way: open the package, render, write every part again."""
    doc = _Template(io.BytesIO(template))
    doc.render(_with_pictures(context, doc), make_environment(), autoescape=True)
    _set_properties(doc.docx.core_properties, properties)
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
        misplaced = check_structure(paragraphs)
        if misplaced is not None:  # a tag unclosed, unmatched or unknown: said of the tag the author wrote
            return misplaced
        found = re.search(r"No (filter|test) named '([^']+)'", message)
        kind = {"filter": "неизвестный фильтр", "test": "неизвестная проверка"}.get(
            found.group(1) if found else "", "синтаксическая ошибка")
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
    where = f": тег {tag} (абзац: «{_excerpt(para)}»)" if tag else ""
    return TemplateRejected(f"Шаблон не прошёл проверку: {kind}{where}. Подробности: {message}", tag, para)


DOCXTPL_TAG = re.compile(r"(\{%)(?:p|tr|tc|r)\s")  # {%p for %} is {% for %} once docxtpl has moved it


def too_costly(reason: str, line: str | None, template: bytes) -> TemplateTooCostly:
    """The limit's reason, with the tag being rendered when it was reached and its paragraph as Word shows it."""
    segments = (html.unescape(re.sub(r"<[^>]+>", "", segment)) for segment in (line or "").split("</w:p>"))
    found = next(filter(None, (TAG.search(segment) for segment in segments)), None)
    if found is None:
        return TemplateTooCostly(reason)
    tag, paragraph = found.group(0), found.string.strip()
    for text in template_paragraphs(template):
        match = next((m for m in TAG.finditer(text) if DOCXTPL_TAG.sub(r"\1 ", m.group(0)) == tag), None)
        if match is not None:
            tag, paragraph = match.group(0), text
            break
    return TemplateTooCostly(f"{reason} Место в шаблоне: тег {tag} (абзац: «{_excerpt(paragraph)}»).", tag, paragraph)


# --- the structure of the tags, paragraph by paragraph ---------------------------------------------------

BLOCKS = {"for": "endfor", "if": "endif", "macro": "endmacro", "call": "endcall", "filter": "endfilter",
          "with": "endwith", "raw": "endraw"}
MIDDLES = {"else": ("if", "for"), "elif": ("if",)}
SIMPLE = frozenset({"set", "do", "break", "continue"})
STATEMENT = re.compile(r"\{%-?\s*(?:(?:p|tr|tc|r)\s+)?([a-zA-Z_]\w*)")
UNCLOSED = re.compile(r"\{\{(?:(?!\}\}).)*$|\{%(?:(?!%\}).)*$", re.S)


def _rejected(text: str, tag: str, paragraph: str) -> TemplateRejected:
    return TemplateRejected(f"Шаблон не прошёл проверку: {text} (абзац: «{_excerpt(paragraph)}»).", tag, paragraph)


def check_structure(paragraphs: list[str]) -> TemplateRejected | None:
    """The first unclosed, unmatched or unknown tag, named as the author wrote it with its paragraph; None when
    the tags nest properly (Jinja's own message names a line of the XML and, often, another tag)."""
    stack: list[tuple[str, str, str]] = []  # (block name, the tag as written, its paragraph)
    for text in paragraphs:
        for match in TAG.finditer(text):
            if not match.group(0).startswith("{%"):
                continue
            tag = match.group(0)
            found = STATEMENT.match(tag)
            name = found.group(1) if found else ""
            if name in BLOCKS or (name == "set" and "=" not in tag):  # {% set x %}…{% endset %} is a block
                stack.append((name, tag, text))
            elif name in MIDDLES:
                if not stack or stack[-1][0] not in MIDDLES[name]:
                    opener = " или ".join(f"{{% {block} %}}" for block in MIDDLES[name])
                    return _rejected(f"тег {tag} стоит вне {opener}", tag, text)
            elif name.startswith("end") and (name[3:] in BLOCKS or name == "endset"):
                if not stack:
                    return _rejected(f"лишний тег {tag}: открывающего {{% {name[3:]} %}} перед ним нет", tag, text)
                block, opened, where = stack.pop()
                if block != name[3:]:
                    return _rejected(f"тег {tag} закрывает {opened} (абзац: «{_excerpt(where)}»), а нужен "
                                     f"{{% end{block} %}}", tag, text)
            elif name not in SIMPLE:
                return _rejected(f"неизвестный тег {tag}", tag, text)
        unclosed = UNCLOSED.search(TAG.sub("", text))
        if unclosed is not None:
            tag = unclosed.group(0).strip()
            closer = "}}" if tag.startswith("{{") else "%}"
            return _rejected(f"тег «{tag}» не закрыт: в том же абзаце нет «{closer}»", tag, text)
    if stack:
        block, opened, where = stack[-1]
        return _rejected(f"тег {opened} не закрыт: нет {{% end{block} %}}", opened, where)
    return None


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

def check_upload(data: bytes, limits: archives.Limits | None = None) -> None:
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


def validate(data: bytes, sample_context: dict[str, Any], limits: archives.Limits | None = None) -> bytes:
    """Every check an uploaded template passes before it is stored; returns the sample rendering (within the
    render limits when `limits` is this module's Limits)."""
    check_upload(data, limits)
    try:
        check_tags(data)
        misplaced = check_structure(template_paragraphs(data))
        if misplaced is not None:
            raise misplaced
        return render(data, sample_context, limits)
    except (etree.XMLSyntaxError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise TemplateRejected(f"Файл не удалось прочитать как документ Word: {exc}") from exc
