"""Benchmark: time to render a 2-page order (target <= 50 ms) and a protocol with 200 decision points (<= 1 s).

    python bench/render.py [--runs N]

Builds both documents in a throwaway SQLite database through the same services the application uses,
renders each with the default template (warm: templates are built once per process) and prints the median
and the worst of N runs. Pinned to one CPU core where the OS allows it.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

ORDER_TEXT = ("Руководителям образовательных организаций обеспечить участие педагогических работников в "
              "мероприятиях региональной системы научно-методического сопровождения, организовать "
              "методическую поддержку молодых педагогов и представить отчёт о проделанной работе.")


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


def timed(function, runs: int) -> tuple[float, float]:
    function()  # warm-up: builds the default template once
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), max(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["DOCFLOW_INSTANCE_PATH"] = tmp
        from webapp import create_app
        from webapp.cli import migrate_database
        from webapp.extensions import db
        from webapp.services.rendering import render_document
        from webapp.services.users import create_user

        app = create_app({"DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3", "SECRET_KEY": "bench",
                          "FILES_DIR": f"{tmp}/files"})
        with app.app_context():
            migrate_database()
            user = create_user("bench", "Бенчмарк", "Docflow-bench-2026", ["secretary"], [])
            order, protocol = build(user)
            pages = render_document(order)
            results = [("order, 12 points (about 2 pages)", timed(lambda: render_document(order), args.runs), 0.050),
                       ("protocol, 200 decision points", timed(lambda: render_document(protocol), args.runs), 1.0)]
            db.session.rollback()
            db.engine.dispose()
    print(f"one core, {args.runs} runs each, order DOCX {len(pages) // 1024} KB")
    for name, (median, worst), target in results:
        verdict = "ok" if median <= target else "SLOWER THAN TARGET"
        print(f"{name:<36} median {median * 1000:8.1f} ms   worst {worst * 1000:8.1f} ms   "
              f"target {target * 1000:.0f} ms  {verdict}")


if __name__ == "__main__":
    main()
