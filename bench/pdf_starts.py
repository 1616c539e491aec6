"""Benchmark: the demo documents converted to PDF one LibreOffice start each (rendering.docx_to_pdf) against all in
one start (rendering.docx_to_pdfs), as the test of every demo document's PDF converts them.

    python bench/pdf_starts.py [--documents N]

Loads the demo into a throwaway SQLite database, renders its first N documents (default 6) and prints the wall time
of both ways and the CPU time of the LibreOffice processes (on a machine shared with other work the wall time also
counts the waits for a core).
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _timed(convert) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), _children_cpu()
    convert()
    return time.perf_counter() - wall, _children_cpu() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--documents", type=int, default=6)
    args = parser.parse_args()

    from sqlalchemy import select

    from webapp import create_app
    from webapp.cli import migrate_database
    from webapp.demo.loader import load_demo
    from webapp.extensions import db
    from webapp.models import Document
    from webapp.services import rendering

    work = Path(tempfile.mkdtemp(prefix="docflow-pdf-bench-"))
    os.environ["DOCFLOW_INSTANCE_PATH"] = str(work / "instance")
    app = create_app({"DATABASE_URL": f"sqlite:///{work / 'db.sqlite3'}", "SECRET_KEY": "bench",
                      "FILES_DIR": str(work / "files")})
    with app.app_context():
        migrate_database()
        load_demo()
        db.session.commit()
        documents = [rendering.render_document(document) for document in db.session.scalars(
            select(Document).order_by(Document.id).limit(args.documents))]
        each = _timed(lambda: [rendering.docx_to_pdf(data) for data in documents])
        once = _timed(lambda: rendering.docx_to_pdfs(documents))
    print(f"{len(documents)} documents")
    print(f"one LibreOffice start each: {each[0]:.1f} s wall, {each[1]:.1f} s CPU")
    print(f"one LibreOffice start for all: {once[0]:.1f} s wall, {once[1]:.1f} s CPU")


if __name__ == "__main__":
    main()
