"""Documents written in the service render with the requisites of ГОСТ Р 7.0.97: the issuing body's letterhead,
the order's formula and control clause, the protocol's chair and secretary, typography; and the issuing body is
required before a draft goes for approval."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess  # noqa: S404 - pdftoppm and pdftotext on our own files
import zipfile
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.web.test_workflows import USERS
from webapp.extensions import db
from webapp.models import Body, Document, User
from webapp.services import rendering
from webapp.services.documents import DraftData, PointData, create_draft
from webapp.services.transitions import blocked_reason
from webapp.services.workflows import registry

YUGRA = "Департамент образования и молодежной политики Ханты-Мансийского автономного округа – Югры"
NBSP = "\u00a0"
PRINTED = YUGRA.upper().replace(" –", NBSP + "–")  # the en dash held to the word before it


def test_demo_bodies_carry_their_letterhead_requisites(demo_app):
    with demo_app.app_context():
        body = db.session.scalar(select(Body).where(Body.name == YUGRA))
        assert body.place == "г. Ханты-Мансийск"
        assert body.letterhead_above == ["Ханты-Мансийский автономный округ – Югра"]
        assert body.address and body.formulas == {"order": "ПРИКАЗЫВАЮ:"}
        altai = db.session.scalar(select(Body).where(Body.name.like("Управление образования администрации%")))
        assert altai.name_alt and altai.letterhead_above_alt  # the region's second language
        secretary = db.session.scalar(select(User).where(User.login == "secretary"))
        assert secretary.phone and [b.name for b in secretary.bodies] == [YUGRA]


def test_a_draft_without_an_issuing_body_is_not_sent_for_approval(app, make_user):
    ids = {login: make_user(login, *roles) for login, roles in USERS.items()}
    with app.app_context():
        author = db.session.get(User, ids["sec"])
        assert author.bodies == []  # so the draft gets no issuing body by default
        document = create_draft(author, DraftData(doc_type="protocol", title="совещания", event_date=date(2026, 11, 20),
                                                  points=[PointData(text="Принять к сведению.", number="1")]))
        submit = registry().for_type("protocol").transition("submit")
        assert blocked_reason(author, document, submit) == "Документ не заполнен: орган, издающий документ."
        document.issuing_body = Body(name="Министерство образования")
        db.session.flush()
        assert blocked_reason(author, document, submit) is None


def _xml(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read("word/document.xml").decode()


def _text(xml: str) -> str:
    """The document's text with paragraphs on lines (runs joined), NBSP kept."""
    paragraphs = re.findall(r"<w:p[ >].*?</w:p>", xml, re.S)
    return "\n".join("".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", p)) for p in paragraphs)


ORDER_FORM = {
    "doc_type": "order", "title": "О создании муниципальной методической службы", "event_date": "01.02.2022",
    "preamble": "В целях обеспечения единых условий научно-методического сопровождения",
    "points-0-number": "1", "points-0-text": "Создать методическую службу в срок до 1 февраля 2022 г.",
    "points-1-number": "1.2.1.1", "points-1-text": "Направить «Положение о «Центре» методистов» в № 339.",
    "controller_text": "начальник информационно-методического отдела Суртаева А.М.",
    "signer_title": "Начальник отдела общего образования", "signer_name": "Цулая Л.В.",
}

PROTOCOL_FORM = {
    "doc_type": "protocol", "title": "совещания по методической службе", "event_date": "10.06.2021",
    "chair": "Цулая Лариса Владимировна", "secretary": "Матвейчук Е.Н.",
    "attendees": "Клюсова В.В., заместитель директора\nЗахожая Т.М., первый проректор",
    "agenda-0-title": "О методической службе", "agenda-0-speakers": "Цулая Л.В.",
    "agenda-0-heard": "О ходе создания методической службы.",
    "agenda-1-title": "О центре повышения мастерства",
    "points-0-agenda": "1", "points-0-number": "1.1", "points-0-text": "Принять информацию к сведению.",
    "points-1-agenda": "2", "points-1-number": "2.1", "points-1-text": "Обеспечивать работу центра.",
}


def _create(client, auth, form: dict) -> int:
    """A draft made through the web form by the demo secretary (of the Yugra department)."""
    auth.login("secretary", "demo")
    response = client.post("/documents/new", data={"csrf_token": auth.csrf("/documents/new"), "op": "save", **form})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return int(re.search(r"/documents/(\d+)", response.headers["Location"]).group(1))


def _download(client, document_id: int) -> bytes:
    response = client.get(f"/documents/{document_id}/docx")
    assert response.status_code == 200
    return response.data


def test_an_order_written_in_the_form_has_the_gost_requisites(demo_app, client, auth):
    document_id = _create(client, auth, ORDER_FORM)
    xml = _xml(_download(client, document_id))
    text = _text(xml)
    lines = text.split("\n")
    # the letterhead: the body above and the issuing body in capitals, then the type of the document
    assert f"ХАНТЫ-МАНСИЙСКИЙ АВТОНОМНЫЙ ОКРУГ{NBSP}– ЮГРА" in lines and PRINTED in lines
    assert "ПРИКАЗ" in lines and "ПРИКАЗЫВАЮ:" in lines
    assert lines.index(PRINTED) < lines.index("ПРИКАЗ") < lines.index("ПРИКАЗЫВАЮ:")
    # a draft: an empty date line and «№ ____» to be filled in on signing; the place of issue from the body
    assert f"«___» ____________ 20___{NBSP}г." in lines and f"№{NBSP}____" in lines
    assert f"г.{NBSP}Ханты-Мансийск" in lines
    # the control clause is the last point, the name in the accusative
    clause = ("2. Контроль за исполнением настоящего приказа возложить на начальника информационно-методического "
              f"отдела Суртаеву{NBSP}А.М.")
    assert clause in lines
    assert lines.index("1. Создать методическую службу в срок до 1" + NBSP + "февраля" + NBSP + "2022" + NBSP + "г.") \
        < lines.index(clause)
    # a label of any length before its text, nested quotes, NBSP after «№»
    assert f"1.2.1.1. Направить «Положение о „Центре“ методистов» в №{NBSP}339." in lines
    # the signature with room to sign, the executor with the phone at the foot
    assert f"Л.В.{NBSP}Цулая" in lines and "Матвейчук Елена Николаевна" in lines and "8 (3467) 00-00-01" in lines
    assert lines.index("Матвейчук Елена Николаевна") > lines.index(f"Л.В.{NBSP}Цулая")


def test_a_protocol_written_in_the_form_has_the_gost_requisites(demo_app, client, auth):
    document_id = _create(client, auth, PROTOCOL_FORM)
    lines = _text(_xml(_download(client, document_id))).split("\n")
    assert PRINTED in lines and "ПРОТОКОЛ" in lines
    assert lines.index(PRINTED) < lines.index("ПРОТОКОЛ")
    assert "10.06.2021" in lines and f"№{NBSP}____" in lines and f"г.{NBSP}Ханты-Мансийск" in lines
    assert f"Председатель{NBSP}– Л.В.{NBSP}Цулая" in lines and f"Секретарь{NBSP}– Е.Н.{NBSP}Матвейчук" in lines
    assert "Присутствовали:" in lines and "ПОВЕСТКА ДНЯ:" in lines
    assert "1. СЛУШАЛИ:" in lines and f"Цулая{NBSP}Л.В.{NBSP}– О ходе создания методической службы." in lines
    # the second item has nothing heard: its number goes before «РЕШИЛИ:», nothing is made up
    assert "2. РЕШИЛИ:" in lines and "2. СЛУШАЛИ:" not in lines
    assert lines.count("О методической службе") == 0  # the agenda title is not repeated as what was heard
    assert "1.1. Принять информацию к сведению." in lines and "2.1. Обеспечивать работу центра." in lines
    # chair and secretary sign, each on a row of their own with room to sign
    assert lines.index("Председатель") > lines.index("2.1. Обеспечивать работу центра.")
    assert "Секретарь" in lines and lines.count(f"Е.Н.{NBSP}Матвейчук") == 1
    assert "Председательствовал:" not in lines


def test_the_stored_text_keeps_what_the_author_typed(demo_app, client, auth):
    document_id = _create(client, auth, ORDER_FORM)
    with demo_app.app_context():
        document = db.session.get(Document, document_id)
        assert document.controller_text == ORDER_FORM["controller_text"]
        assert NBSP not in "".join(p.text for p in document.points)
        assert document.issuing_body.name == YUGRA  # the author's body by default


def test_rendered_xml_holds_number_initials_and_date_together(demo_app):
    """«№ 339», «А.М. Суртаева», «1 февраля 2022 г.» break nowhere in a rendered document."""
    with demo_app.app_context():
        document = db.session.scalar(select(Document).where(Document.slug == "003_4c206afcc321b513"))
        xml = _xml(rendering.render_document(document))
        point = document.body_points[0]
        point.text = "Направить до 1 февраля 2022 г. на имя А.М. Суртаева."
        db.session.flush()
        changed = _xml(rendering.render_document(document))
        db.session.rollback()
    assert f"№{NBSP}339" in xml and "№ 339" not in xml
    assert f"1{NBSP}февраля{NBSP}2022{NBSP}г." in changed and f"А.М.{NBSP}Суртаева" in changed


@pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("pdftoppm") is None,
                    reason="LibreOffice or poppler is not installed")
@pytest.mark.parametrize(("name", "form", "wanted"), [
    ("order", ORDER_FORM, ["ПРИКАЗЫВАЮ:", "Контроль за исполнением настоящего приказа", "ДЕПАРТАМЕНТ ОБРАЗОВАНИЯ"]),
    ("protocol", PROTOCOL_FORM, ["ПОВЕСТКА ДНЯ:", "Председатель", "Секретарь", "ДЕПАРТАМЕНТ ОБРАЗОВАНИЯ"]),
])
def test_form_documents_convert_to_pdf_with_page_images(demo_app, client, auth, tmp_path, name, form, wanted):
    """The PDF holds the requisites; its pages are kept as PNG (in DOCFLOW_TEST_ARTIFACTS when set) to look at."""
    document_id = _create(client, auth, form)
    data = _download(client, document_id)
    with demo_app.app_context():
        pdf = rendering.docx_to_pdf(data)
    out = Path(os.environ.get("DOCFLOW_TEST_ARTIFACTS") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{name}.docx").write_bytes(data)
    (out / f"{name}.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(out / f"{name}.pdf"), str(out / name)],  # noqa: S603, S607
                   check=True, timeout=60)
    assert sorted(out.glob(f"{name}-*.png"))
    text = subprocess.run(["pdftotext", "-layout", str(out / f"{name}.pdf"), "-"],  # noqa: S603, S607
                          check=True, capture_output=True, text=True, timeout=60).stdout
    for word in wanted:
        assert word in text
