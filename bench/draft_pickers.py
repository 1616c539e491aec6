"""Benchmark: the draft editor and the import review at a region's directory (issue 14: 5,000 bodies), in process —
the bytes of HTML each page sends, its median time and SQL statements, and saving the draft; and the form of an
assignment added by hand (as an administrator).

    python bench/draft_pickers.py [--bodies 5000] [--points 50] [--runs 5]

Fills a throwaway SQLite database with `docflow gen-load`'s generator (the directory at the size asked, documents and
assignments few: they are not what is measured), writes a draft of N points (each naming one or two bodies) as a
secretary, uploads a protocol for the import review, and requests each page as that secretary."""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import FAST_HASH, PASSWORD  # noqa: E402

PROTOCOL = Path(__file__).resolve().parents[1] / "tests" / "data" / "seeds" / "004_91dc62e67ca8c96b.txt"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bodies", type=int, default=5000)
    parser.add_argument("--points", type=int, default=50)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    os.environ["DOCFLOW_INSTANCE_PATH"] = str(Path(tempfile.mkdtemp(prefix="docflow-bench-")) / "instance")

    from sqlalchemy import event, select

    from webapp import create_app
    from webapp.cli import migrate_database
    from webapp.demo.loadgen import Sizes, generate
    from webapp.extensions import db
    from webapp.models import Body, Document, User, UserRole
    from webapp.services.documents import DraftData, PointData, create_draft
    from webapp.services.users import hash_password

    app = create_app({"PASSWORD_HASH": FAST_HASH, "WTF_CSRF_ENABLED": False, "API_RATE_LIMIT": 10**9,
                      "MAX_POINTS": max(1000, args.points)})
    with app.app_context():
        started = time.perf_counter()
        migrate_database()
        counts = generate(Sizes(20, 100, args.bodies, 200, 1), hash_password(PASSWORD))
        print(f"{db.engine.dialect.name}: {counts.get('body', 0):,} bodies, {counts.get('user_account', 0):,} users "
              f"in {time.perf_counter() - started:.0f} s")
        secretary = db.session.scalar(select(User).join(UserRole).where(UserRole.role == "secretary")
                                      .order_by(User.id))
        rng = random.Random(1)  # noqa: S311 (test data)
        open_ids = list(db.session.scalars(select(Body.id).where(Body.closed_at.is_(None)).order_by(Body.id)))
        points = [PointData(text=f"Обеспечить исполнение пункта {n}.", number=str(n),
                            responsible_ids=rng.sample(open_ids, 1 + n % 2)) for n in range(1, args.points + 1)]
        draft = create_draft(secretary, DraftData(doc_type="protocol", title="совещания руководителей",
                                                  points=points))
        db.session.commit()
        draft_id, login = draft.id, secretary.login
        admin = db.session.scalar(select(User.login).join(UserRole).where(UserRole.role == "admin").order_by(User.id))
        published = db.session.scalar(select(Document.id).where(Document.state == "published").order_by(Document.id))
        statements = [0]
        event.listen(db.engine, "before_cursor_execute", lambda *a, **k: statements.__setitem__(0, statements[0] + 1))

    client, controller = app.test_client(), app.test_client()
    client.post("/login", data={"login": login, "password": PASSWORD})
    controller.post("/login", data={"login": admin, "password": PASSWORD})
    upload = client.post("/import", content_type="multipart/form-data",
                         data={"files": [(PROTOCOL.open("rb"), PROTOCOL.name)]})
    review = upload.headers.get("Location", "/import")

    def form() -> dict:
        with app.app_context():
            document = db.session.get(Document, draft_id)
            data = {"op": "save", "version": str(document.version), "doc_type": "protocol",
                    "title": document.title}
            for n, point in enumerate(sorted(document.points, key=lambda p: int(p.number))):
                data[f"points-{n}-number"] = point.number
                data[f"points-{n}-text"] = point.text
                data[f"points-{n}-responsible"] = [str(b.id) for b in point.responsible_bodies]
            return data

    requests = [  # (what, who asks, path, the form to post: None for a GET)
        ("a new draft", client, "/documents/new", None),
        (f"editing a draft of {args.points} points", client, f"/documents/{draft_id}/edit", None),
        (f"saving it ({args.points} points)", client, f"/documents/{draft_id}/edit", form),
        ("the import review", client, review, None),
        ("an assignment added by hand", controller, f"/documents/{published}/assignments/new", None),
        ("suggest bodies «шк»", client, "/suggest/bodies?q=шк&for=draft", None),
    ]
    print(f"{'page':<34} {'KB':>8} {'median ms':>10} {'SQL':>5} {'status':>6}")
    for title, who, path, data in requests:
        times, size, count, status = [], 0, 0, 0
        for _ in range(args.runs):
            sent = data() if data else None
            statements[0] = 0
            started = time.perf_counter()
            response = who.post(path, data=sent) if sent else who.get(path)
            times.append((time.perf_counter() - started) * 1000)
            size, count, status = len(response.data), statements[0], response.status_code
        print(f"{title[:34]:<34} {size / 1024:>8.1f} {statistics.median(times):>10.1f} {count:>5} {status:>6}")


if __name__ == "__main__":
    main()
