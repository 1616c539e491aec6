"""Uploaded templates: the Jinja sandbox, limits of time, loops and size, zip bombs, XXE, files that are not DOCX,
broken tags."""

from __future__ import annotations

import io
import random
import tracemalloc
import zipfile

import docx
import pytest
from jinja2.sandbox import SandboxedEnvironment

from tests.fidelity import docx_text
from webapp.rendering import defaults, engine
from webapp.rendering.budget import RenderLimits
from webapp.rendering.engine import Limits, TemplateRejected, TemplateTooCostly
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


@pytest.mark.parametrize("payload", ["{{ 'x' * 100000000 }}", "{{ 9 ** 9 ** 9 }}", "{{ range(10**9)|list }}",
                                     "{{ range(1000000000)|list }}"])
def test_templates_cannot_exhaust_memory(payload):
    with pytest.raises(TemplateRejected):
        engine.render(docx_with(payload), sample_for("order"))


# --- limits of one render: size, loop steps, time -----------------------------------------------------------

SIZE = "Шаблон порождает слишком большой документ: больше 5\u00a0000\u00a0000 знаков"
STEPS = "В шаблоне слишком много повторений цикла: больше 100\u00a0000 шагов"
TIME = "Шаблон слишком долго формируется"
LITERAL = "y" * 500  # template text repeated by a loop

COSTLY_PAYLOADS = {
    "center filter": ("{{ 'x'|center(100000000) }}", SIZE),
    "nested range loops": ("{% for i in range(10000) %}{% for j in range(10000) %}x{% endfor %}{% endfor %}", STEPS),
    "format filter width": ("{{ '%100000000s'|format('x') }}", SIZE),
    "format filter star width": ("{{ '%*s'|format(100000000, 'x') }}", SIZE),
    "format filter precision": ("{{ '%.100000000f'|format(1.5) }}", SIZE),
    "str.format width": ("{{ '{:>100000000}'.format('x') }}", SIZE),
    "str.format nested width": ("{{ '{0:>{1}}'.format('x', 100000000) }}", SIZE),
    "str.format_map width": ("{{ '{a:>100000000}'.format_map({'a': 'x'}) }}", SIZE),
    "replace filter chain": ("{{ 'x'" + "|replace('x', 'xxxxxxxxxx')" * 9 + " }}", SIZE),
    "str.replace": ("{{ ('x' * 10000).replace('x', 'x' * 10000) }}", SIZE),
    "str.center": ("{{ 'x'.center(100000000) }}", SIZE),
    "str.ljust": ("{{ 'x'.ljust(100000000) }}", SIZE),
    "str.rjust": ("{{ 'x'.rjust(100000000) }}", SIZE),
    "str.zfill": ("{{ '1'.zfill(100000000) }}", SIZE),
    "str.expandtabs": ("{{ ('\\t' * 1000).expandtabs(100000) }}", SIZE),
    "str.translate": ("{{ ('x' * 1000).translate({120: 'y' * 100000}) }}", SIZE),
    "str.join": ("{{ ','.join(['y' * 100000] * 100) }}", SIZE),
    "indent filter width": ("{{ 'x'|indent(100000000, true) }}", SIZE),
    "indent filter string": ("{{ ('x\\n' * 10000)|indent('y' * 10000) }}", SIZE),
    "wordwrap filter wrapstring": ("{{ ('a ' * 50000)|wordwrap(1, wrapstring='x' * 100000) }}", SIZE),
    "wordwrap filter long word": ("{{ ('x' * 90000)|wordwrap(1) }}", STEPS),
    "join filter of a range": ("{{ range(40000)|join('x' * 1000) }}", SIZE),
    "join filter of a list": ("{{ (['y' * 1000] * 10000)|join }}", SIZE),
    "map of center": ("{{ range(100)|map('center', 1000000)|join }}", SIZE),
    "urlize filter target": ("{{ ('a.com ' * 10000)|urlize(target='x' * 10000) }}", SIZE),
    "lipsum": ("{{ lipsum(100000) }}", SIZE),
    "% operator width": ("{{ '%100000000s' % 'x' }}", SIZE),
    "% operator star width": ("{{ '%*d' % (100000000, 1) }}", SIZE),
    "% operator mapping": ("{{ '%(a)100000000s' % {'a': 'x'} }}", SIZE),
    "% operator of a long list": ("{{ '%s' % ((['x' * 100000] * 1000),) }}", SIZE),
    "* operator": ("{{ 'x' * 100000000 }}", SIZE),
    "~ doubling": ("{% set s = 'x' * 100000 %}" + "{% set s = s ~ s %}" * 8 + "{{ s }}", SIZE),
    "+ doubling in a loop": ("{% set ns = namespace(s='x' * 1000) %}{% for i in range(30) %}"
                             "{% set ns.s = ns.s + ns.s %}{% endfor %}{{ ns.s }}", SIZE),
    "integer squaring": ("{% set ns = namespace(n=9) %}{% for i in range(30) %}{% set ns.n = ns.n * ns.n %}"
                         "{% endfor %}", SIZE),
    "list doubling with extend": ("{% set ns = namespace(l=[1]) %}{% for i in range(40) %}{{ ns.l.extend(ns.l) }}"
                                  "{% endfor %}", STEPS),
    "list growing with +": ("{% set ns = namespace(l=[]) %}{% for i in range(50000) %}{% set ns.l = ns.l + [i] %}"
                            "{% endfor %}", STEPS),
    "str.split into many pieces": ("{{ ('a ' * 100000).split() }}", STEPS),
    "batch filter padding": ("{{ [1]|batch(100000000, 0)|list }}", STEPS),
    "slice filter count": ("{{ [1]|slice(100000000)|list }}", STEPS),
    "a long list printed": ("{% set l = ['x' * 100000] * 1000 %}{{ l }}", SIZE),
    "a long list through string": ("{{ (['x' * 100000] * 1000)|string }}", SIZE),
    "a long list through tojson": ("{{ (['x' * 100000] * 1000)|tojson }}", SIZE),
    "output in a loop": ("{% for i in range(50000) %}{{ 'y' * 1000 }}{% endfor %}", SIZE),
    "template text in a loop": ("{% for i in range(20000) %}" + LITERAL + "{% endfor %}", SIZE),
    "template text in a macro": ("{% macro m() %}{% for i in range(20000) %}" + LITERAL + "{% endfor %}{% endmacro %}"
                                 "{{ m() }}", SIZE),
    "template text in a set block": ("{% set s %}{% for i in range(20000) %}" + LITERAL + "{% endfor %}{% endset %}",
                                     SIZE),
}


@pytest.mark.parametrize(("payload", "reason"), COSTLY_PAYLOADS.values(), ids=COSTLY_PAYLOADS.keys())
def test_costly_templates_are_refused_at_upload_with_the_reason(payload, reason):
    template = docx_with("Заголовок", f"Текст {payload} конец")
    tracemalloc.start()
    try:
        with pytest.raises(TemplateTooCostly) as caught:
            engine.validate(template, sample_for("order"))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert caught.value.reason.startswith(reason)
    assert caught.value.paragraph == f"Текст {payload} конец"
    assert peak < 40 * 1024 * 1024  # each size was checked before the string was built


def test_the_reason_names_the_tag_and_the_paragraph():
    loops = "{%p for i in range(100000) %}"
    with pytest.raises(TemplateRejected) as caught:
        engine.validate(docx_with("Заголовок", loops, "Строка {{ i }}", "{%p endfor %}"), sample_for("order"))
    assert caught.value.tag == caught.value.paragraph == loops
    assert caught.value.reason == (
        "В шаблоне слишком много повторений цикла: больше 100\u00a0000 шагов за один документ (считаются шаги "
        "циклов for, числа range(), элементы списков, которые шаблон строит или перебирает, и вызовы). "
        "Место в шаблоне: тег {%p for i in range(100000) %} (абзац: «{%p for i in range(100000) %}»).")


def test_a_render_past_its_deadline_is_refused():
    busy = "{% set text = 'x' * 1000000 %}{% for i in range(45000) %}{{ 'y' in text }}{% endfor %}"
    with pytest.raises(TemplateTooCostly) as caught:
        engine.validate(docx_with(busy), sample_for("order"), Limits(render_seconds=0.05))
    assert caught.value.reason.startswith(f"{TIME}: дольше 0.05 с.")


def test_macro_recursion_is_refused():
    with pytest.raises(TemplateTooCostly, match="вызывает сам себя"):
        engine.validate(docx_with("{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}"), sample_for("order"))


def test_loops_over_the_context_count_as_well():
    template = docx_with("{% for a in items %}{% for b in items %}{% for c in items %}.{% endfor %}{% endfor %}"
                         "{% endfor %}")
    assert docx_text(engine.render(template, {"items": [1, 2]})).count(".") == 8
    with pytest.raises(TemplateTooCostly, match=STEPS):
        engine.render(template, {"items": list(range(1000))})


def test_a_template_that_passes_upload_can_still_be_refused_at_render():
    """The sample has a few points; a document with many makes the same template go past the limit when it is
    rendered, and the service shows the reason."""
    template = docx_with("{% for a in doc.lines %}{% for b in doc.lines %}{% for c in doc.lines %}{{ c.number }}"
                         "{% endfor %}{% endfor %}{% endfor %}")
    sample = sample_for("order")
    engine.validate(template, sample)
    many = {**sample, "doc": {**sample["doc"], "lines": [{"number": str(n)} for n in range(100)]}}
    with pytest.raises(TemplateRejected) as caught:
        engine.render(template, many)
    assert isinstance(caught.value, TemplateTooCostly) and caught.value.reason.startswith(STEPS)


@pytest.mark.parametrize(("limits", "reason"), [
    (RenderLimits(max_output_chars=20_000), "больше 20\u00a0000 знаков"),
    (RenderLimits(max_loop_steps=50), "больше 50 шагов"),
])
def test_limits_are_taken_from_the_limits_given(limits, reason):
    template = docx_with("{% for i in range(100) %}{{ 'строка ' * 50 }}{% endfor %}")
    engine.render(template, {})
    with pytest.raises(TemplateTooCostly, match=reason):
        engine.render(template, {}, limits)


@pytest.mark.parametrize("name", [*defaults.DOCUMENT_TYPES, *defaults.SHEETS])
def test_default_templates_render_far_within_the_limits(name):
    small = RenderLimits(max_loop_steps=RenderLimits.max_loop_steps // 50,
                         max_output_chars=RenderLimits.max_output_chars // 50)
    assert "{{" not in docx_text(engine.render(defaults.build(name), sample_for(name), small))


SAME_AS_JINJA = [
    "{{ 'ab'|center(10) }}", "{{ 'a\nb\n\nc'|indent(3) }}", "{{ 'a\nb'|indent('--', true, true) }}",
    "{{ 'lorem ipsum dolor sit amet'|wordwrap(6) }}", "{{ 'a-b'|replace('-', '&') }}",
    "{{ 'aaa'|replace('a', 'b', 2) }}",
    "{{ '%05d|%-4s|%.2f'|format(42, 'x', 3.14159) }}", "{{ '%(a)s'|format(a='<b>') }}", "{{ [1, 2, 3]|join(', ') }}",
    "{{ [{'n': 'a'}, {'n': 'b'}]|join('/', attribute='n') }}", "{{ 'x'.center(7, '*') }}", "{{ '7'.zfill(4) }}",
    "{{ 'a\tb'.expandtabs(4) }}", "{{ '{:>6}|{:.3f}|{name}'.format('ab', 2.5, name='<b>') }}",
    "{{ '{a}'.format_map({'a': 5}) }}", "{{ '%s and %s' % ('a', '<b>') }}",
    "{{ '%(a)s-%(b)05d' % {'a': 'x', 'b': 3} }}",
    "{{ 'ab' ~ 1 ~ '<c>' }}", "{{ 'ab' + 'cd' }}", "{{ [1] + [2] }}", "{{ 'ab' * 3 }}", "{{ 7 * 6 }}", "{{ 7 % 4 }}",
    "{{ range(5)|list }}", "{{ [1, 2, 3, 4, 5]|batch(2, 0)|list }}", "{{ [1, 2, 3, 4, 5]|slice(2)|list }}",
    "{{ [[1], [2, 3]]|sum(start=[]) }}", "{{ [1, 2]|sum }}", "{{ 'a,b,c'.split(',') }}", "{{ 'a b  c'.split() }}",
    "{{ 'a\nb'.splitlines() }}", "{{ '-'.join(['a', 'b']) }}", "{{ 'abc'.translate({97: 'zz'}) }}",
    "{% set l = [1] %}{{ l.append(2) }}{{ l.extend([3, 4]) }}{{ l }}", "{{ 'x'|upper|e }}", "{{ {'a': 1}|xmlattr }}",
    "{{ 'see www.example.com now'|urlize }}", "{{ lipsum(2, false, 3, 5)|length > 0 }}", "{{ 'Привет мир'|title }}",
    "{% for x in [3, 1, 2]|sort %}{{ loop.index }}{{ x }}{% endfor %}", "{{ [1, 'a', none]|string }}",
    "{% for x in [[1, [2]]] recursive %}{{ x }}{% endfor %}",
    "{% macro m(a) %}<{{ a }}>{% endmacro %}{{ m('q') ~ m('r') }}",
    "{% for x in [] %}{{ x }}{% else %}пусто{% endfor %}", "{% for x in [1, 2, 3] if x > 1 %}{{ x }}{% endfor %}",
]


@pytest.mark.parametrize("source", SAME_AS_JINJA)
def test_bounded_operations_give_the_results_jinja_gives(source):
    expected = SandboxedEnvironment(autoescape=True).from_string(source).render()
    assert engine.make_environment().from_string(source).render() == expected


def test_unknown_tag_is_reported_with_its_paragraph():
    with pytest.raises(TemplateRejected) as caught:
        engine.validate(docx_with("Первый абзац", "Подписал {% signature doc.number %}", "Третий"),
                        sample_for("order"))
    assert caught.value.tag == "{% signature doc.number %}"
    assert caught.value.paragraph == "Подписал {% signature doc.number %}"
    assert "неизвестный тег {% signature doc.number %}" in caught.value.reason
    assert "«Подписал {% signature doc.number %}»" in caught.value.reason


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


@pytest.mark.parametrize("tag", ["{{ 1 / 0 }}", "{{ doc.title + 1 }}", "{{ doc.lines[999].text }}",
                                 "{{ '%d' % doc.title }}"])
def test_a_template_failing_on_its_data_is_refused_not_crashed(tag):
    template = docx_with(f"Текст {tag}")
    with pytest.raises(TemplateRejected):
        engine.render(template, {"doc": {"title": "О плане", "lines": []}})
