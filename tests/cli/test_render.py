"""docflow render: one document by id or registration number, or every document as DIR/<slug>.docx."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from tests.fidelity import reproduced
from webapp.extensions import db
from webapp.models import Document
from webapp.services import rendering

SEEDS = Path(__file__).parents[1] / "data" / "seeds"


def test_render_all_writes_one_file_per_document_named_by_slug(demo_app, tmp_path):
    out = tmp_path / "out"
    result = demo_app.test_cli_runner().invoke(args=["render", "--all", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{p.stem}.docx" for p in SEEDS.glob("*.txt"))
    for seed in SEEDS.glob("*.txt"):
        assert reproduced((out / f"{seed.stem}.docx").read_bytes(), seed.read_text(encoding="utf-8")) >= 0.97
    with demo_app.app_context():  # the published ones are the stored DOCX users download
        order = db.session.scalar(select(Document).where(Document.slug == "003_4c206afcc321b513"))
        assert (out / "003_4c206afcc321b513.docx").read_bytes() == rendering.docx_bytes(order)


def test_render_by_id_and_by_registration_number(demo_app, tmp_path):
    runner = demo_app.test_cli_runner()
    with demo_app.app_context():
        order = db.session.scalar(select(Document).where(Document.slug == "003_4c206afcc321b513"))
        order_id = order.id
    by_number = tmp_path / "by-number.docx"
    result = runner.invoke(args=["render", "339", "-o", str(by_number)])
    assert result.exit_code == 0, result.output
    by_id = tmp_path / "by-id.docx"
    assert runner.invoke(args=["render", str(order_id), "-o", str(by_id)]).exit_code == 0
    assert by_number.read_bytes() == by_id.read_bytes()
    protocol = tmp_path / "protocol.docx"
    result = runner.invoke(args=["render", "№1", "-o", str(protocol)])  # «№» forces a registration number
    assert result.exit_code == 0 and "Протокол" in result.output
    assert reproduced(protocol.read_bytes(), (SEEDS / "004_91dc62e67ca8c96b.txt").read_text(encoding="utf-8")) > 0.97


def test_render_errors_are_clear_and_write_nothing(demo_app, tmp_path):
    runner = demo_app.test_cli_runner()
    target = tmp_path / "x.docx"
    result = runner.invoke(args=["render", "no-such-number", "-o", str(target)])
    assert result.exit_code == 1 and "No document with id or registration number 'no-such-number'" in result.output
    result = runner.invoke(args=["render", "-o", str(target)])
    assert result.exit_code == 2 and "Give either DOC or --all" in result.output
    result = runner.invoke(args=["render", "339", "--all", "-o", str(target)])
    assert result.exit_code == 2
    with demo_app.app_context():
        second = db.session.scalar(select(Document).where(Document.slug == "000_1ab9ce94162d62bd"))
        second.number = "339"
        db.session.commit()
    result = runner.invoke(args=["render", "number:339", "-o", str(target)])
    assert result.exit_code == 1 and "ambiguous" in result.output
    assert not target.exists()
