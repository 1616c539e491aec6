"""The import never drops the words of a point: a deadline phrase that does not read as a date or period («в период
летней оздоровительной кампании 2025 года») is kept in the point's text, through the command line and through the
review page, which says so; a phrase that reads stays the point's deadline."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.conftest import AuthActions
from tests.web.test_import import _review_form
from webapp.extensions import db
from webapp.models import Document, Point

DATA = Path(__file__).resolve().parents[1] / "data"
GOLD = {json.loads(line)["file"]: json.loads(line) for line in (DATA / "holdout.gold.jsonl").read_text().splitlines()
        if line.strip()}

# Deadline lines of the kind the samples and the bodies' orders use: (phrase, whether it reads as a deadline)
VARIANTS = [
    ("в течение летнего периода", False),
    ("до начала учебного года", True),
    ("в период с 1 июня по 31 августа 2026 года", True),
    ("по мере поступления", True),
    ("в ходе подготовки к новому учебному году", False),
    ("в период проведения государственной итоговой аттестации", False),
]
ORDER = ("ПРИКАЗ\n\nот 10.02.2026 № 7\n\nОб организации летнего отдыха\n\nПРИКАЗЫВАЮ:\n\n" + "".join(
    f"{n}. Выполнить мероприятие номер {n} плана летнего отдыха.\nСрок: {phrase}.\nОтветственный: Управление "
    "образования.\n\n" for n, (phrase, _reads) in enumerate(VARIANTS, 1))).encode()


def _fold(text: str | None) -> str:
    return " ".join((text or "").lower().replace("ё", "е").split())


def _phrase(deadline_text: str) -> str:
    return _fold(deadline_text.removeprefix("Срок:")).rstrip(" .")


def _points(document_id: int) -> dict[str, Point]:
    """The document's numbered points by number."""
    return {p.number: p for p in db.session.scalars(select(Point).where(Point.document_id == document_id))}


def _import(runner, tmp_path, name: str, data: bytes) -> int:
    path = tmp_path / name
    path.write_bytes(data)
    result = runner.invoke(args=["import", "--user", "admin", str(path)])
    assert result.exit_code == 0, result.output
    return db.session.scalar(select(Document.id).order_by(Document.id.desc()).limit(1))


@pytest.mark.parametrize("name", ["hold03_klenovsk_molodezh_prikaz_srok_otvetstvennyi.txt",
                                  "hold05_sineborsky_plan_patriot_tablica.txt",
                                  "hold10_rosdyuturizm_rabochaya_gruppa_protokol.txt"])
def test_cli_import_keeps_every_deadline_phrase_of_the_gold_annotation(demo_app, runner, tmp_path, name):
    """Every deadline phrase of the gold annotation is in a stored point's text or deadline. hold03's «в период
    летней оздоровительной кампании 2025 года» (its dates are in the preamble, on a «Срок:» line of its own) was
    lost; hold05's «апрель, октябрь» and hold10's «в течение суток с момента происшествия» do not read either but
    stand in their point's line, which the text keeps."""
    with demo_app.app_context():
        document_id = _import(runner, tmp_path, name, (DATA / "holdout" / name).read_bytes())
        points = list(db.session.scalars(select(Point).where(Point.document_id == document_id)))
        wanted = [a for a in GOLD[name]["assignments"] if a.get("deadline_text")]
        for gold in wanted:
            phrase = _phrase(gold["deadline_text"])
            assert any(phrase in _fold(p.text) or phrase in _fold(p.deadline_text) for p in points), phrase
        if not name.startswith("hold03"):
            return
        third = _points(document_id)["3"]
        assert third.text.startswith("Организовать работу трудовых отрядов")
        assert third.text.endswith("города. Срок: в период летней оздоровительной кампании 2025 года")
        assert third.deadline_text is None and third.deadline is None


def test_cli_import_of_deadline_variants(demo_app, runner, tmp_path):
    """A phrase that reads is the point's deadline and not repeated in its text; one that does not is in the text."""
    with demo_app.app_context():
        points = _points(_import(runner, tmp_path, "order.txt", ORDER))
        assert len(points) == len(VARIANTS)
        for number, (phrase, reads) in enumerate(VARIANTS, 1):
            point = points[str(number)]
            if reads:
                assert _phrase(point.deadline_text) == phrase and phrase not in _fold(point.text), phrase
            else:
                assert point.deadline_text is None and _fold(point.text).endswith(f"срок: {phrase}"), phrase


def test_review_page_says_the_deadline_was_not_read_and_saving_keeps_it(demo_app, client):
    AuthActions(client).login("secretary", "demo")
    response = client.post("/import", content_type="multipart/form-data", data={
        "csrf_token": AuthActions(client).csrf("/import"), "files": [(io.BytesIO(ORDER), "order.txt")]})
    item = int(response.headers["Location"].rsplit("/", 1)[1])
    page = client.get(f"/import/{item}").get_data(as_text=True).replace("&#34;", '"').replace("&#39;", "'")
    for phrase, reads in VARIANTS:
        said = f"Срок не распознан как дата: «{phrase}»; он оставлен в тексте пункта, проверьте." in page
        assert said != reads, phrase
    assert "сохранён как текст" not in page  # the extraction's remark on the same field is replaced, not repeated
    form = _review_form(client, item)
    first = VARIANTS.index(("в течение летнего периода", False))
    assert form[f"points-{first}-deadline"] == ""
    assert form[f"points-{first}-text"].endswith("Срок: в течение летнего периода")
    assert form[f"points-{first + 1}-deadline"].startswith("Срок: до начала учебного года")
    form.update({"csrf_token": AuthActions(client).csrf(f"/import/{item}"), "op": "save", "save_as": "draft"})
    response = client.post(f"/import/{item}", data=form)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    with demo_app.app_context():
        points = _points(int(response.headers["Location"].rsplit("/", 1)[1]))
        for number, (phrase, _reads) in enumerate(VARIANTS, 1):
            point = points[str(number)]
            assert phrase in _fold(point.text) or phrase == _phrase(point.deadline_text or ""), phrase
