"""A protocol written in the form: per item «1. СЛУШАЛИ:», «ВЫСТУПИЛИ:» (speaker – what was said), «РЕШИЛИ:» only
from the data; many attendees are counted («23 человека (список прилагается)», agreed by pymorphy3) and listed with
their positions on an attachment page «Приложение к протоколу от … № …»."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.web.test_gost_rendering import NBSP, PROTOCOL_FORM, _create, _download, _text, _xml
from webapp.extensions import db
from webapp.models import Body, Document

DISCUSSION = {
    "agenda-0-discussion": "Клюсова В.В. – предложила перенести срок на март\nЗахожая Т.М.: поддержала\nПетров А.Н.",
    "agenda-1-discussion": "Сидоров А.В. – сообщил о готовности центра",
}


def _lines(client, auth, form: dict) -> list[str]:
    return _text(_xml(_download(client, _create(client, auth, form)))).split("\n")


def test_speakers_in_the_discussion_are_stored_shown_and_printed_per_item(demo_app, client, auth):
    document_id = _create(client, auth, {**PROTOCOL_FORM, **DISCUSSION})
    with demo_app.app_context():
        items = db.session.get(Document, document_id).agenda_items
        assert items[0].discussion == [
            {"speaker": "Клюсова В.В.", "text": "предложила перенести срок на март"},
            {"speaker": "Захожая Т.М.", "text": "поддержала"}, {"speaker": "Петров А.Н.", "text": ""}]
    page = client.get(f"/documents/{document_id}").get_data(as_text=True)
    assert "ВЫСТУПИЛИ:" in page and "Клюсова В.В. – предложила перенести срок на март" in page
    form = client.get(f"/documents/{document_id}/edit").get_data(as_text=True)  # the form gives it back as typed
    assert "Клюсова В.В. – предложила перенести срок на март\nЗахожая Т.М. – поддержала\nПетров А.Н." in form
    lines = _text(_xml(_download(client, document_id))).split("\n")
    first = lines.index("1. СЛУШАЛИ:")
    spoke = lines.index("ВЫСТУПИЛИ:", first)
    decided = lines.index("РЕШИЛИ:", spoke)
    assert first < spoke < decided < lines.index("1.1. Принять информацию к сведению.")
    assert lines[spoke + 1:spoke + 4] == [f"Клюсова{NBSP}В.В.{NBSP}– предложила перенести срок на март",
                                          f"Захожая{NBSP}Т.М.{NBSP}– поддержала", f"Петров{NBSP}А.Н."]
    # the second item: nothing heard, so its number goes on «ВЫСТУПИЛИ:» and «РЕШИЛИ:» has none
    second = lines.index("2. ВЫСТУПИЛИ:")
    assert lines[second + 1] == f"Сидоров{NBSP}А.В.{NBSP}– сообщил о готовности центра"
    assert lines[second + 2] == "РЕШИЛИ:" and "2. РЕШИЛИ:" not in lines and "2. СЛУШАЛИ:" not in lines


def test_no_discussion_no_heading(demo_app, client, auth):
    lines = _lines(client, auth, PROTOCOL_FORM)
    assert not any("ВЫСТУПИЛИ" in line for line in lines)
    assert "2. РЕШИЛИ:" in lines


def test_a_body_that_resolves_prints_postanovili(demo_app, client, auth):
    with demo_app.app_context():
        body = db.session.scalar(select(Body).where(Body.name.like("Департамент образования%")))
        body.formulas = {**body.formulas, "protocol": "ПОСТАНОВИЛИ:"}
        db.session.commit()
    lines = _lines(client, auth, PROTOCOL_FORM)
    assert "2. ПОСТАНОВИЛИ:" in lines and "РЕШИЛИ:" not in "\n".join(lines)


def _attendees(count: int) -> str:
    return "\n".join(f"Участникова{chr(0x430 + i % 20)} Анна Петровна, специалист {i + 1} категории"
                     for i in range(count))


@pytest.mark.parametrize(("count", "phrase"), [(16, "16 человек"), (23, "23 человека"), (21, "21 человек")])
def test_many_attendees_are_counted_and_listed_on_an_attachment_page(demo_app, client, auth, count, phrase):
    lines = _lines(client, auth, {**PROTOCOL_FORM, "attendees": _attendees(count)})
    assert f"Присутствовали: {phrase} (список прилагается)" in lines
    assert "– Участниковаа Анна Петровна, специалист 1 категории" not in lines  # not listed in the text
    sheet = lines.index("Список присутствовавших")
    assert lines[sheet - 2:sheet] == ["Приложение", f"к протоколу от 10.06.2021 №{NBSP}____"]
    assert lines[sheet + 1] == "1. Участниковаа Анна Петровна, специалист 1 категории"
    assert lines[sheet + count] == f"{count}. {_attendees(count).splitlines()[-1]}"
    assert sheet > lines.index("Председатель")  # after the signatures, on a page of its own


def test_fifteen_attendees_are_listed_in_the_text_and_the_limit_is_configurable(demo_app, client, auth):
    lines = _lines(client, auth, {**PROTOCOL_FORM, "attendees": _attendees(15)})
    assert "Присутствовали:" in lines and "Список присутствовавших" not in lines
    assert "– Участниковаа Анна Петровна, специалист 1 категории" in lines
    demo_app.config["PROTOCOL_ATTENDEES_LISTED"] = 1
    document_id = _create_again(client, auth)
    lines = _text(_xml(_download(client, document_id))).split("\n")
    assert "Присутствовали: 2 человека (список прилагается)" in lines


def _create_again(client, auth) -> int:
    """A second draft in the same session (already signed in)."""
    import re

    response = client.post("/documents/new", data={"csrf_token": auth.csrf("/documents/new"), "op": "save",
                                                    **PROTOCOL_FORM})
    assert response.status_code == 302
    return int(re.search(r"/documents/(\d+)", response.headers["Location"]).group(1))
