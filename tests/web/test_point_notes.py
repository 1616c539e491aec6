"""A point's responsible bodies and deadline typed in its fields are printed after its text («Срок: до 01.02.2022»,
«Ответственные: …»), once, and not when the text (or the point leading into it) says them already
(webapp/rendering/point_notes.py). Through the draft form and the DOCX download, read with python-docx."""

from __future__ import annotations

import io
import re

import docx
from sqlalchemy import select

from tests.conftest import AuthActions
from tests.unit.test_template_safety import docx_with
from tests.web.test_admin_templates import _upload
from webapp.extensions import db
from webapp.models import Body, Document
from webapp.services import rendering

INSTITUTE = "Автономное учреждение дополнительного профессионального образования Ханты-Мансийского автономного " \
            "округа – Югры «Институт развития образования»"
MUNICIPAL = "Органы местного самоуправления Ханты-Мансийского автономного округа – Югры, осуществляющие управление " \
            "в сфере образования"
SURGUT = "Бюджетное учреждение высшего образования Ханты-Мансийского автономного округа – Югры «Сургутский " \
         "государственный университет»"
INSTITUTE_SHOWN = "АУ ДПО «Институт развития образования»"  # its short name, as the service shows it
NOTES = ("Срок:", "Ответственный:", "Ответственные:")
MUNICIPAL_TEXT = ("Органам местного самоуправления Ханты-Мансийского автономного округа – Югры, осуществляющим "
                  "управление в сфере образования, создать муниципальную методическую службу в срок до 1 февраля "
                  "2022 года.")


def _ids(app) -> dict[str, str]:
    with app.app_context():
        return {name: str(db.session.scalar(select(Body.id).where(Body.name == name)))
                for name in (INSTITUTE, MUNICIPAL, SURGUT)}


def _protocol_form(ids: dict[str, str]) -> dict:
    return {
        "doc_type": "protocol", "title": "совещания по методической службе", "event_date": "10.06.2021",
        "chair": "Цулая Лариса Владимировна", "secretary": "Матвейчук Е.Н.",
        "agenda-0-title": "О методической службе",
        # nothing typed in the fields: nothing after the text
        "points-0-agenda": "1", "points-0-number": "1.1", "points-0-text": "Принять информацию к сведению.",
        # bodies and a dated deadline only in the fields: printed after the text
        "points-1-agenda": "1", "points-1-number": "1.2",
        "points-1-text": "Подготовить предложения по развитию методической службы.",
        "points-1-responsible": [ids[INSTITUTE], ids[SURGUT]], "points-1-deadline": "в срок до 1 февраля 2022 года",
        # the text names the body (in the dative) and the deadline: nothing more
        "points-2-agenda": "1", "points-2-number": "1.3", "points-2-text": MUNICIPAL_TEXT,
        "points-2-responsible": ids[MUNICIPAL], "points-2-deadline": "01.02.2022",
        # a periodic deadline: printed as typed
        "points-3-agenda": "1", "points-3-number": "1.4", "points-3-text": "Представлять информацию о ходе работы.",
        "points-3-responsible": ids[INSTITUTE], "points-3-deadline": "Ежеквартально до 5 числа",
        # the point leading into 1.5.1 names the body and the deadline: its sub-point prints none
        "points-4-agenda": "1", "points-4-number": "1.5",
        "points-4-text": "АУ ДПО «Институт развития образования» в срок до 1 сентября 2021 года разработать:",
        "points-5-agenda": "1", "points-5-number": "1.5.1", "points-5-text": "Концепцию методической службы.",
        "points-5-responsible": ids[INSTITUTE], "points-5-deadline": "до 01.09.2021",
        # the text names the deadline, the fields a body it does not name: only the body
        "points-6-agenda": "1", "points-6-number": "1.6", "points-6-text": "Направить отчёт до 1 марта 2022 г.",
        "points-6-responsible": ids[SURGUT], "points-6-deadline": "01.03.2022",
        # a start date; a deadline that hangs on the date of signing, printed as typed
        "points-7-agenda": "1", "points-7-number": "1.7", "points-7-text": "Обеспечить работу центра.",
        "points-7-responsible": ids[SURGUT], "points-7-deadline": "с 1 сентября 2021 года",
        "points-8-agenda": "1", "points-8-number": "1.8", "points-8-text": "Подготовить доклад.",
        "points-8-responsible": ids[SURGUT], "points-8-deadline": "в течение 10 дней",
    }


def _create(client, auth, form: dict) -> int:
    auth.login("secretary", "demo")
    response = client.post("/documents/new", data={"csrf_token": auth.csrf("/documents/new"), "op": "save", **form})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return int(re.search(r"/documents/(\d+)", response.headers["Location"]).group(1))


def _paragraphs(client, document_id: int) -> list[str]:
    """The downloaded DOCX's paragraphs as python-docx reads them, non-breaking spaces as spaces."""
    response = client.get(f"/documents/{document_id}/docx")
    assert response.status_code == 200
    book = docx.Document(io.BytesIO(response.data))
    return [p.text.replace("\u00a0", " ") for p in book.paragraphs]


def _after(lines: list[str], start: str) -> list[str]:
    """The «Срок:» and «Ответственные:» paragraphs right after the one starting with `start`."""
    index = next(i for i, line in enumerate(lines) if line.startswith(start))
    out = []
    for line in lines[index + 1:]:
        if not line.startswith(NOTES):
            break
        out.append(line)
    return out


def test_a_typed_point_prints_its_bodies_and_deadline_once_and_none_its_text_says(demo_app, client, auth):
    lines = _paragraphs(client, _create(client, auth, _protocol_form(_ids(demo_app))))
    surgut = SURGUT
    assert _after(lines, "1.1. ") == []
    assert _after(lines, "1.2. Подготовить") == [
        "Срок: до 01.02.2022", f"Ответственные: {INSTITUTE_SHOWN}, {surgut}"]
    assert _after(lines, "1.3. Органам местного самоуправления") == []
    assert _after(lines, "1.4. Представлять") == [
        "Срок: ежеквартально до 5 числа", f"Ответственный: {INSTITUTE_SHOWN}"]
    assert _after(lines, "1.5. АУ ДПО") == [] and _after(lines, "1.5.1. Концепцию") == []
    assert _after(lines, "1.6. Направить") == [f"Ответственный: {surgut}"]
    assert _after(lines, "1.7. Обеспечить") == ["Срок: с 01.09.2021", f"Ответственный: {surgut}"]
    assert _after(lines, "1.8. Подготовить") == ["Срок: в течение 10 дней", f"Ответственный: {surgut}"]
    # once each in the whole document
    assert lines.count("Срок: до 01.02.2022") == 1 and lines.count("Срок: ежеквартально до 5 числа") == 1
    assert sum(line.startswith("Срок:") for line in lines) == 4
    assert sum(line.startswith(NOTES[1:]) for line in lines) == 5


def test_unnumbered_points_after_a_line_ending_with_a_colon_take_its_bodies(demo_app, client, auth):
    """A flat list under an addressee line (as an import without numbering leaves it) names its bodies there; a
    numbered point after it ends that list."""
    ids = _ids(demo_app)
    form = {
        "doc_type": "decision", "title": "О развитии методической службы",
        "points-0-text": "Автономному учреждению дополнительного профессионального образования Ханты-Мансийского "
                         "автономного округа – Югры «Институт развития образования»:",
        "points-1-text": "обеспечить работу центра;", "points-1-responsible": ids[INSTITUTE],
        "points-2-text": "проводить семинары.", "points-2-responsible": ids[INSTITUTE],
        "points-2-deadline": "ежемесячно",
        "points-3-number": "2", "points-3-text": "Подготовить доклад.", "points-3-responsible": ids[INSTITUTE],
    }
    lines = _paragraphs(client, _create(client, auth, form))
    first = lines.index("обеспечить работу центра;")
    assert lines[first + 1:first + 4] == ["проводить семинары.", "Срок: ежемесячно", "2. Подготовить доклад."]
    assert _after(lines, "2. Подготовить доклад.") == [f"Ответственный: {INSTITUTE_SHOWN}"]


def _all_lines(doc: dict) -> list[dict]:
    lines = [*doc["lines"], *(line for item in doc["agenda"] for line in item["lines"]),
             *(line for stage in doc["stages"] for line in stage["lines"])]
    return lines + [line for attachment in doc["attachments"] for line in _all_lines(attachment)]


def test_the_five_samples_name_their_bodies_and_deadlines_in_their_text(demo_app):
    """The samples carry bodies and deadlines on many points, named by an addressee block, the point leading in,
    the point's own text or a plan's stage: none gets a line of its own."""
    with demo_app.app_context():
        documents = list(db.session.scalars(select(Document).where(Document.slug.is_not(None))))
        lines = [line for d in documents for line in _all_lines(rendering.render_context(d)["doc"])]
    assert len([d for d in documents if d.parent_id is None]) == 5
    assert sum(bool(line["responsible"]) for line in lines) == 36
    assert sum(bool(line["deadline_text"]) for line in lines) == 23
    assert [line["full"] for line in lines if line["notes"]] == []


def test_an_uploaded_template_prints_the_notes_it_asks_for(demo_app, client, auth):
    """An administrator's template gets the same context: its own tags for the deadline and the bodies."""
    document_id = _create(client, auth, _protocol_form(_ids(demo_app)))
    admin = demo_app.test_client()
    AuthActions(admin).login("admin", "demo")
    template = docx_with("{%p for item in doc.agenda %}", "{%p for line in item.lines %}",
                         "{{ line.label }} [{{ line.deadline_note }}] [{{ line.responsible_note }}]",
                         "{%p endfor %}", "{%p endfor %}")
    assert _upload(admin, template, kind="protocol").status_code == 302
    lines = _paragraphs(client, document_id)
    assert "1.4. [ежеквартально до 5 числа] [АУ ДПО «Институт развития образования»]" in lines
    assert "1.3. [] []" in lines
