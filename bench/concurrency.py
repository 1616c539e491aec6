"""Benchmark: 20 parallel signs and 20 parallel approvals of one document against a real server.

    python bench/concurrency.py --db sqlite
    python bench/concurrency.py --db postgresql --url postgresql://postgres@127.0.0.1:5432/postgres

Starts `docflow serve` (waitress, 24 threads) on a free loopback port with a throwaway database (SQLite file, or a
new PostgreSQL database created on the given server and dropped afterwards), logs 20 heads and 20 approvers in,
then fires at once: 20 «Подписать и зарегистрировать» of one order, and 20 «Согласовать» of one order on a parallel
route. Prints the HTTP status counts of each (only 302 and 409 are acceptable), the number the order got, and
whether the audit chain verifies.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections import Counter
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

PARALLEL = 20
PASSWORD = "Docflow-bench-2026"  # noqa: S105 - a throwaway database


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """One user's cookies over plain HTTP; answers keep their status (redirects are not followed)."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
                                                  _NoRedirect)

    def request(self, path: str, data: dict | None = None) -> tuple[int, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(self.base + path, data=body, timeout=120) as response:  # noqa: S310 - loopback
                return response.status, response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8", "replace")

    def token(self, path: str) -> str:
        return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', self.request(path)[1]).group(1)

    def login(self, login: str) -> None:
        status, _ = self.request("/login", {"login": login, "password": PASSWORD, "csrf_token": self.token("/login")})
        assert status == 302, f"login {login}: {status}"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _prepare(env: dict) -> dict:
    """The database: migrated, users, the two orders (through the service's own models)."""
    os.environ.update(env)
    from webapp import create_app
    from webapp.cli import migrate_database
    from webapp.extensions import db
    from webapp.models import ApprovalStep, Body, Document
    from webapp.services.users import create_user

    app = create_app()
    with app.app_context():
        migrate_database()
        body = Body(name="Управление образования", dative="Управлению образования")
        db.session.add(body)
        db.session.flush()
        for i in range(PARALLEL):
            create_user(f"head{i}", f"Руководитель {i}", PASSWORD, ["head"], [body.name])
        approvers = [create_user(f"approver{i}", f"Согласующий {i}", PASSWORD, ["approver"]) for i in range(PARALLEL)]
        signing = Document(doc_type="order", title="О подписании", state="on_signing", issuing_body=body,
                           event_date=date(2026, 11, 20))
        approval = Document(doc_type="order", title="О согласовании", state="on_approval", issuing_body=body,
                            event_date=date(2026, 11, 20), approval_round=1, approval_mode="parallel")
        db.session.add_all([signing, approval])
        db.session.flush()
        db.session.add_all([ApprovalStep(document_id=approval.id, user_id=u.id, round=1, position=i)
                            for i, u in enumerate(approvers, 1)])
        db.session.commit()
        ids = {"signing": signing.id, "approval": approval.id, "version": signing.version}
        db.engine.dispose()
    return ids


def _at_once(browsers: list[Browser], path: str, form: dict) -> Counter:
    tokens = [b.token("/notifications") for b in browsers]
    barrier = threading.Barrier(len(browsers))
    statuses: list[int] = []

    def press(browser: Browser, token: str) -> None:
        barrier.wait()
        statuses.append(browser.request(path, {"csrf_token": token, **form})[0])

    threads = [threading.Thread(target=press, args=pair) for pair in zip(browsers, tokens, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    return Counter(statuses)


def _check(env: dict, ids: dict) -> tuple[str, str, int]:
    from webapp import create_app
    from webapp.extensions import db
    from webapp.models import ApprovalStep, Document
    from webapp.services.audit import verify_chain

    app = create_app()
    with app.app_context():
        number = db.session.get(Document, ids["signing"]).number
        approved = db.session.query(ApprovalStep).filter(ApprovalStep.document_id == ids["approval"],
                                                         ApprovalStep.decision == "approved").count()
        problem = verify_chain()
        db.engine.dispose()
    return number or "—", "intact" if problem is None else f"BROKEN: {problem}", approved


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--url", help="PostgreSQL server URL whose user may create databases (for --db postgresql)")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="docflow-concurrency-"))
    env = {"DOCFLOW_INSTANCE_PATH": str(workdir / "instance"), "DOCFLOW_SECRET_KEY": "bench",
           "DOCFLOW_PASSWORD_HASH": '{"time_cost": 1, "memory_cost": 8, "parallelism": 1}'}
    drop = None
    if args.db == "sqlite":
        env["DOCFLOW_DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    else:
        if not args.url:
            parser.error("--url is needed with --db postgresql")
        from sqlalchemy import create_engine, text

        name = f"docflow_bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(args.url.replace("postgresql://", "postgresql+psycopg://", 1),
                              isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        env["DOCFLOW_DATABASE_URL"] = re.sub(r"/[^/]*$", f"/{name}", args.url)

        def drop():
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    ids = _prepare(env)
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-c", "from webapp.cli import main; main()", "serve", "--host",  # noqa: S603
                               "127.0.0.1", "--port", str(port), "--threads", str(PARALLEL + 4)],
                              env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/login", timeout=1).close()  # noqa: S310 - loopback
                break
            except OSError:
                time.sleep(0.1)
        heads = [Browser(base) for _ in range(PARALLEL)]
        approvers = [Browser(base) for _ in range(PARALLEL)]
        for i, browser in enumerate(heads):
            browser.login(f"head{i}")
        for i, browser in enumerate(approvers):
            browser.login(f"approver{i}")
        started = time.perf_counter()
        signs = _at_once(heads, f"/documents/{ids['signing']}/transition",
                         {"transition": "sign", "version": str(ids["version"])})
        sign_time = time.perf_counter() - started
        started = time.perf_counter()
        approvals = _at_once(approvers, f"/documents/{ids['approval']}/approval/decide",
                             {"decision": "approved", "version": "1"})
        approval_time = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=30)
    number, chain, approved = _check(env, ids)
    if drop:
        drop()
    print(f"database: {args.db}, {PARALLEL} parallel requests each, waitress with {PARALLEL + 4} threads")
    print(f"signs of one order:    {dict(sorted(signs.items()))}  in {sign_time:.2f} s; the order's number: {number}")
    print(f"approvals of one order: {dict(sorted(approvals.items()))}  in {approval_time:.2f} s; "
          f"recorded approvals: {approved}")
    print(f"audit chain: {chain}")
    bad = (set(signs) | set(approvals)) - {302, 409}
    print("OK: only 302 and 409" if not bad and signs[302] == 1 else f"FAILED: unexpected statuses {sorted(bad)}")


if __name__ == "__main__":
    main()
