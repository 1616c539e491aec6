"""Rendering with templates taken apart once per process (webapp.rendering.prepared): every demo document comes
out the same warm, cold and by docxtpl's whole-package way; a template is known by its content, so an upload that
replaces another under the same name is used at once; the context of a protocol takes as many SQL statements
for 40 points as for 4."""

from __future__ import annotations

import io
import re
import zipfile

from sqlalchemy import select

from tests.conftest import AuthActions, counted_statements
from tests.fidelity import docx_text
from tests.web.test_admin_templates import _custom_order, _upload
from webapp.extensions import db
from webapp.models import Body, Document
from webapp.rendering import engine, prepared
from webapp.services import rendering
from webapp.services.documents import AgendaData, DraftData, PointData, create_draft
from webapp.services.users import create_user

DATES = re.compile(rb"<dcterms:(created|modified)[^>]*>[^<]*</dcterms:\1>")  # the clock ticks between renders


def _members(data: bytes) -> list[tuple[str, bytes]]:
    """Every part of a DOCX in its order, the core properties without their dates."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        return [(name, DATES.sub(b"", archive.read(name)) if name == "docProps/core.xml" else archive.read(name))
                for name in archive.namelist()]


def _render_all(documents: list[Document]) -> dict[str, list[tuple[str, bytes]]]:
    out = {f"doc-{d.id}": _members(rendering.render_document(d)) for d in documents}
    for d in documents:
        if d.parent_id is None:
            out[f"approval-{d.id}"] = _members(rendering.approval_sheet_docx(d))
            out[f"acknowledgment-{d.id}"] = _members(rendering.acknowledgment_sheet_docx(d))
    return out


def test_every_demo_document_renders_alike_warm_cold_and_by_docxtpl_whole(demo_app, monkeypatch):
    with demo_app.app_context():
        documents = list(db.session.scalars(select(Document).order_by(Document.id)))
        first = _render_all(documents)
        warm = _render_all(documents)
        assert prepared.prepare(rendering.default_template("order")) is not None  # the cache was used
        prepared.clear()
        engine._compiled.cache_clear()
        cold = _render_all(documents)
        monkeypatch.setattr(prepared, "prepare", lambda template: None)  # docxtpl opens and writes the package
        whole = _render_all(documents)
    assert len(first) >= 15
    for name, members in first.items():
        assert dict(members)["word/document.xml"] == dict(warm[name])["word/document.xml"] \
            == dict(cold[name])["word/document.xml"], name
        assert members == warm[name] == cold[name] == whole[name], name  # every part, in the same order


def test_an_upload_replacing_a_template_of_the_same_name_renders_at_once(demo_app):
    client = demo_app.test_client()
    AuthActions(client).login("admin", "demo")
    with demo_app.app_context():
        draft = db.session.scalar(select(Document).where(Document.slug == "001_af90b7f0e0abd48d"))
        draft.doc_type = "order"
        db.session.commit()
        draft_id = draft.id
    seen = []
    # the same file name, kind and length, one letter apart: only the content tells them apart
    for marker in ("БЛАНК ВЕРСИИ А", "БЛАНК ВЕРСИИ Б", "БЛАНК ВЕРСИИ А"):
        assert _upload(client, _custom_order(marker), name="бланк.docx").status_code == 302
        with demo_app.app_context():
            text = docx_text(rendering.render_document(db.session.get(Document, draft_id)))
            seen.append([m for m in ("БЛАНК ВЕРСИИ А", "БЛАНК ВЕРСИИ Б") if m in text])
    assert seen == [["БЛАНК ВЕРСИИ А"], ["БЛАНК ВЕРСИИ Б"], ["БЛАНК ВЕРСИИ А"]]


def _protocol(user, bodies: list[Body], items: int, per_item: int) -> int:
    """A protocol of `items` agenda items, each with `per_item` points, every point with a sub-point, every point
    addressed to all `bodies`."""
    points = []
    for item in range(items):
        for n in range(1, per_item + 1):
            for number in (f"{item + 1}.{n}", f"{item + 1}.{n}.1"):
                points.append(PointData(text=f"Обеспечить исполнение пункта {number}.", number=number,
                                        agenda_index=item, responsible_ids=[b.id for b in bodies],
                                        deadline_text="до 1 февраля 2027 года"))
    return create_draft(user, DraftData(
        doc_type="protocol", title="совещания", heading="ПРОТОКОЛ", chair="Цулая Лариса Владимировна",
        agenda=[AgendaData(title=f"Вопрос {i + 1}") for i in range(items)], points=points,
        signatories=[("Председатель", "Л.В. Цулая")])).id


def test_a_protocols_context_takes_as_many_statements_for_40_points_as_for_4(app):
    with app.app_context():
        bodies = [Body(name="Управление образования"), Body(name="Школа № 1"), Body(name="Школа № 2")]
        db.session.add_all(bodies)
        db.session.flush()
        user = create_user("sec", "Секретарь Светлана", "Docflow-test-2026", ["secretary"], [bodies[0].name])
        small, large = _protocol(user, bodies[1:], 2, 1), _protocol(user, bodies[1:], 4, 5)
        db.session.commit()
        counts, texts = [], []
        for document_id in (small, large):
            db.session.expunge_all()
            document = db.session.get(Document, document_id)
            with counted_statements(app) as seen:
                data = rendering.render_document(document)
            counts.append(len(seen))
            texts.append(docx_text(data))
        lines = [line for item in rendering.render_context(document)["doc"]["agenda"] for line in item["lines"]]
    assert "4.5.1. Обеспечить исполнение пункта 4.5.1." in texts[1].replace("\xa0", " ")
    assert [line["level"] for line in lines] == [1, 2] * 20
    assert all(line["responsible"] == ["Школа № 1", "Школа № 2"] for line in lines)
    assert counts[0] == counts[1] < 20
