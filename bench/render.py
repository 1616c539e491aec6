"""Benchmark: time to render a 2-page order (target <= 10 ms) and a protocol with 200 decision points (<= 150 ms).

    python bench/render.py [--runs N]

Builds both documents in a throwaway SQLite database through the same services the application uses and renders
each with the default template, warm (the template taken apart once per process: webapp.rendering.prepared).
Each figure is the median of N runs, as wall time and as the process's CPU time (on a machine shared with other
work the wall time also counts the waits for a core; the CPU time is what a render costs):

- "objects loaded": the document's rows already in the session (a view that loaded them; the figure the issue's
  "today 25 ms" measured);
- "from the database": a fresh session each run, so the context's queries count too (their number is printed:
  it does not grow with the points).

Then the first render after a template changed (taken apart and compiled), and the deflate level of the parts
rendered each time (1, 6 as python-docx wrote, 9) against CPU time and size.
Pinned to one CPU core where the OS allows it.
"""

from __future__ import annotations

import argparse
import io
import os
import re
import statistics
import sys
import tempfile
import time
import zipfile
import zlib
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

ORDER_TEXT = ("Руководителям образовательных организаций обеспечить участие педагогических работников в "
              "мероприятиях региональной системы научно-методического сопровождения, организовать "
              "методическую поддержку молодых педагогов и представить отчёт о проделанной работе.")
RENDERED = re.compile(r"word/(document|header\d*|footer\d*)\.xml$|docProps/core\.xml$")
TARGETS = {"order": 0.010, "protocol": 0.150}  # issue 14: a 2-page order <= 10 ms, a 200-point protocol <= 150 ms


def build(user):
    from webapp.models import Body
    from webapp.services.documents import AgendaData, DraftData, PointData, create_draft

    body = Body(name="Управление образования", dative="Управлению образования")
    from webapp.extensions import db

    db.session.add(body)
    db.session.flush()
    order = create_draft(user, DraftData(
        doc_type="order", title="Об организации методической работы в 2026/2027 учебном году",
        event_date=date(2026, 8, 28), place="с. Усть-Кокса", heading="ПРИКАЗ",
        preamble=["В целях реализации региональной системы научно-методического сопровождения " * 3],
        decision_heading="ПРИКАЗЫВАЮ:",
        points=[PointData(text=ORDER_TEXT, number=str(i)) for i in range(1, 13)],
        signatories=[("Начальник управления", "С.П. Бочкарева")]))
    agenda = [AgendaData(title=f"О вопросе {i} повестки", speakers="Цулая Л.В.") for i in range(1, 11)]
    points = []
    for item in range(10):
        for n in range(1, 21):
            points.append(PointData(text=f"Поручение {n} по вопросу {item + 1}: обеспечить исполнение в срок.",
                                    number=f"{item + 1}.{n}", agenda_index=item, responsible_ids=[body.id],
                                    deadline_text="в срок до 1 февраля 2027 года"))
    protocol = create_draft(user, DraftData(
        doc_type="protocol", title="совещания руководителей", event_date=date(2026, 8, 28), heading="ПРОТОКОЛ",
        chair="Цулая Лариса Владимировна", agenda=agenda, points=points,
        signatories=[("Председатель", "Л.В. Цулая"), ("Секретарь", "Е.Н. Матвейчук")]))
    db.session.flush()
    return order, protocol


def timed(function, runs: int, before=None) -> dict[str, float]:
    """Median wall and CPU seconds of `function` over `runs` runs (after one warm-up), and the worst wall time;
    `before` runs untimed before each run."""
    function()
    walls, cpus = [], []
    for _ in range(runs):
        if before is not None:
            before()
        wall, cpu = time.perf_counter(), time.process_time()
        function()
        cpus.append(time.process_time() - cpu)
        walls.append(time.perf_counter() - wall)
    return {"wall": statistics.median(walls), "cpu": statistics.median(cpus), "worst": max(walls)}


def deflate(data: bytes, level: int) -> bytes:
    compressor = zlib.compressobj(level, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush()


def deflate_levels(docx: bytes, runs: int) -> list[tuple[int, float, int, int]]:
    """(level, median CPU seconds, compressed bytes, raw bytes) of deflating the parts rendered each time (the body,
    headers, footers and core properties; the rest is compressed once per template)."""
    with zipfile.ZipFile(io.BytesIO(docx)) as archive:
        parts = [archive.read(n) for n in archive.namelist() if RENDERED.match(n)]
    out = []
    for level in (1, 6, 9):
        times = []
        for _ in range(runs):
            cpu = time.process_time()
            size = sum(len(deflate(part, level)) for part in parts)
            times.append(time.process_time() - cpu)
        out.append((level, statistics.median(times), size, sum(map(len, parts))))
    return out


def ms(seconds: float) -> str:
    return f"{seconds * 1000:7.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["DOCFLOW_INSTANCE_PATH"] = tmp
        from sqlalchemy import event

        from webapp import create_app
        from webapp.cli import migrate_database
        from webapp.extensions import db
        from webapp.models import Document
        from webapp.rendering import engine, prepared
        from webapp.rendering.prepared import RENDERED_LEVEL
        from webapp.services.rendering import render_document
        from webapp.services.users import create_user

        app = create_app({"DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3", "SECRET_KEY": "bench",
                          "FILES_DIR": f"{tmp}/files"})
        with app.app_context():
            migrate_database()
            user = create_user("bench", "Бенчмарк", "Docflow-bench-2026", ["secretary"], [])
            documents = dict(zip(("order", "protocol"), (d.id for d in build(user)), strict=True))
            db.session.commit()
            statements: list[str] = []
            event.listen(db.engine, "before_cursor_execute", lambda *call: statements.append(call[2]))
            results, sizes, queries, first = {}, {}, {}, {}
            for name, document_id in documents.items():
                document = db.session.get(Document, document_id)
                sizes[name] = len(render_document(document))
                loaded = timed(lambda d=document: render_document(d), args.runs)
                fresh = timed(lambda i=document_id: render_document(db.session.get(Document, i)), args.runs,
                              before=db.session.expunge_all)
                db.session.expunge_all()
                statements.clear()
                render_document(db.session.get(Document, document_id))
                queries[name] = len(statements)
                prepared.clear()
                engine._compiled.cache_clear()
                db.session.expunge_all()
                first[name] = timed(lambda i=document_id: render_document(db.session.get(Document, i)), 1,
                                    before=lambda: (prepared.clear(), engine._compiled.cache_clear(),
                                                    db.session.expunge_all()))
                results[name] = (loaded, fresh)
            protocol_docx = render_document(db.session.get(Document, documents["protocol"]))
            levels = deflate_levels(protocol_docx, args.runs)
            db.session.rollback()
            db.engine.dispose()
    print(f"one core, {args.runs} runs each (medians; CPU = the process's CPU time), "
          f"order DOCX {sizes['order'] // 1024} KB, protocol DOCX {sizes['protocol'] // 1024} KB")
    labels = {"order": "order, 12 points (about 2 pages)", "protocol": "protocol, 200 decision points"}
    for name, (loaded, fresh) in results.items():
        target = TARGETS[name]
        verdict = "ok" if fresh["cpu"] <= target else "SLOWER THAN TARGET"
        print(f"{labels[name]:<34} objects loaded: wall {ms(loaded['wall'])} CPU {ms(loaded['cpu'])}")
        print(f"{'':<34} from the database: wall {ms(fresh['wall'])} CPU {ms(fresh['cpu'])} "
              f"(worst wall {ms(fresh['worst'])}, {queries[name]} SQL statements)   "
              f"target {target * 1000:.0f} ms  {verdict}")
        print(f"{'':<34} first render after a template change: wall {ms(first[name]['wall'])}")
    print(f"deflate level of the parts rendered each time (the protocol's {levels[0][3] // 1024} KB of XML; level "
          f"{RENDERED_LEVEL} is used, 6 is python-docx's):")
    for level, cpu, size, _ in levels:
        print(f"  level {level}: {cpu * 1000:5.2f} ms CPU, {size / 1024:5.1f} KB compressed")

if __name__ == "__main__":
    main()
