"""A broken tag in an uploaded template is reported as the author wrote it, with its paragraph, and nothing else
is blamed: unclosed, unmatched, misplaced and unknown tags, unknown variables and filters."""

from __future__ import annotations

import pytest

from tests.unit.test_template_safety import docx_with
from webapp.rendering import engine
from webapp.rendering.engine import TemplateRejected
from webapp.rendering.samples import sample_for

GOOD = "{{ doc.title }}"
PREFIX = "Шаблон не прошёл проверку: "

# (paragraphs of the template, the tag named, the paragraph named, the words of the message)
BROKEN = [
    ([GOOD, "Номер {{ unclosed", "{%p if doc.number %}", "x", "{%p endif %}"],
     "{{ unclosed", "Номер {{ unclosed", "тег «{{ unclosed» не закрыт: в том же абзаце нет «}}»"),
    (["Дата {{ doc.date }", GOOD], "{{ doc.date }", "Дата {{ doc.date }", "тег «{{ doc.date }» не закрыт"),
    (["{% if doc.title", GOOD], "{% if doc.title", "{% if doc.title", "тег «{% if doc.title» не закрыт: в том же "
                                                                       "абзаце нет «%}»"),
    ([GOOD, "{%p for line in doc.lines %}", "{{ line.full }}"], "{%p for line in doc.lines %}",
     "{%p for line in doc.lines %}", "тег {%p for line in doc.lines %} не закрыт: нет {% endfor %}"),
    ([GOOD, "{%p endfor %}"], "{%p endfor %}", "{%p endfor %}",
     "лишний тег {%p endfor %}: открывающего {% for %} перед ним нет"),
    (["{%p for line in doc.lines %}", "{%p if line.label %}", "{{ line.full }}", "{%p endfor %}"],
     "{%p endfor %}", "{%p endfor %}", "тег {%p endfor %} закрывает {%p if line.label %} (абзац: «{%p if "
                                       "line.label %}»), а нужен {% endif %}"),
    (["Подписал {% signature doc.number %}"], "{% signature doc.number %}", "Подписал {% signature doc.number %}",
     "неизвестный тег {% signature doc.number %}"),
    ([GOOD, "{%p else %}", "Нет"], "{%p else %}", "{%p else %}", "тег {%p else %} стоит вне {% if %} или {% for %}"),
    (["{%p for line in doc.lines %}", "{%p elif line.label %}", "{%p endfor %}"], "{%p elif line.label %}",
     "{%p elif line.label %}", "тег {%p elif line.label %} стоит вне {% if %}"),
    (["Итого {{ doc.nosuch }}"], "{{ doc.nosuch }}", "Итого {{ doc.nosuch }}", "неизвестная переменная"),
    (["{{ doc.title | shout }}"], "{{ doc.title | shout }}", "{{ doc.title | shout }}", "неизвестный фильтр"),
    (["{% endif %} в начале", GOOD], "{% endif %}", "{% endif %} в начале", "лишний тег {% endif %}"),
]


@pytest.mark.parametrize(("paragraphs", "tag", "paragraph", "words"), BROKEN)
def test_a_broken_template_names_the_tag_and_its_paragraph(paragraphs, tag, paragraph, words):
    with pytest.raises(TemplateRejected) as caught:
        engine.validate(docx_with(*paragraphs), sample_for("order"))
    rejected = caught.value
    assert rejected.reason.startswith(PREFIX) and words in rejected.reason
    assert (rejected.tag, rejected.paragraph) == (tag, paragraph)
    assert f"(абзац: «{paragraph}»)" in rejected.reason
    assert "в теге в теге" not in rejected.reason


def test_well_nested_tags_pass_the_structure_check():
    paragraphs = ["{%p for line in doc.lines %}", "{%p if line.label %}", "{{ line.full }}", "{%p elif line.text %}",
                  "x", "{%p else %}", "y", "{%p endif %}", "{%p endfor %}", "{% set n = 1 %}{{ n }}"]
    assert engine.check_structure(paragraphs) is None
    engine.validate(docx_with(*paragraphs), sample_for("order"))
