"""Benchmark: saving a draft with 1,000 decision points through the draft form (target: under 1 s on SQLite).

    python bench/save_points.py [--points N] [--runs N]

Posts the draft form (the path a secretary's browser takes: CSRF, form parsing, deadline reading, the tree of
points, assignments projected from them, the audit event) to a throwaway SQLite database, then saves the same form
again as an edit, and prints the median and the worst of N runs of each.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def form(token: str, body_id: int, points: int, version: str | None = None) -> dict:
    data = {"csrf_token": token, "op": "save", "doc_type": "order", "title": "О мероприятиях на 2027 год",
            "event_date": "15.01.2027"}
    if version:
        data["version"] = version
    for i in range(points):
        section, item = divmod(i, 20)
        number = f"{section + 1}" if item == 0 else f"{section + 1}.{item}"
        data[f"points-{i}-number"] = number
        data[f"points-{i}-text"] = f"Обеспечить проведение мероприятия № {i + 1} и представить отчёт о его итогах."
        if item:
            data[f"points-{i}-responsible"] = str(body_id)
            data[f"points-{i}-deadline"] = f"до {1 + item}.0{1 + section % 9}.2027"
    return data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="docflow-bench-"))
    os.environ["DOCFLOW_INSTANCE_PATH"] = str(workdir / "instance")

    from webapp import create_app
    from webapp.cli import migrate_database
    from webapp.extensions import db
    from webapp.models import Body
    from webapp.services.users import create_user

    app = create_app({"DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite3'}", "SECRET_KEY": "bench",
                      "PASSWORD_HASH": {"time_cost": 1, "memory_cost": 8, "parallelism": 1}})
    with app.app_context():
        migrate_database()
        body = Body(name="Управление образования", dative="Управлению образования")
        db.session.add(body)
        db.session.flush()
        create_user("sec", "Секретарь", "Docflow-bench-2026", ["secretary"], [body.name])
        db.session.commit()
        body_id = body.id

    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    client.post("/login", data={"login": "sec", "password": "Docflow-bench-2026", "csrf_token": token})
    creates, edits = [], []
    for _ in range(args.runs):
        started = time.perf_counter()
        response = client.post("/documents/new", data=form(token, body_id, args.points))
        creates.append(time.perf_counter() - started)
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
        location = response.headers["Location"]
        edit = client.get(f"{location}/edit").get_data(as_text=True)
        version = re.search(r'name="version" type="hidden" value="(\d+)"', edit).group(1)
        started = time.perf_counter()
        response = client.post(f"{location}/edit", data=form(token, body_id, args.points, version))
        edits.append(time.perf_counter() - started)
        assert response.status_code == 302, response.status_code
    for name, times in (("create", creates), ("edit", edits)):
        print(f"{name} a draft of {args.points} points: median {statistics.median(times) * 1000:.0f} ms, "
              f"worst {max(times) * 1000:.0f} ms ({args.runs} runs; target < 1000 ms)")


if __name__ == "__main__":
    main()
