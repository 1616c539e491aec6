"""schemathesis over /api/v1/openapi.json against a real server: `docflow serve` started in its own process on a
copy of the demo database (SQLite, or PostgreSQL when the suite runs there), called over HTTP. For every
operation, generated requests (valid and not) never get a 5xx, and every answer matches the document: status,
content type and body."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from webapp.extensions import db

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES = 30


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def live_api(demo_app, tmp_path):
    """`docflow serve` on the demo app's database and files, with the rate limit out of the way (it has its own
    test); yields the server's address. The test's own app lets go of the database first."""
    with demo_app.app_context():
        db.session.remove()
        db.engine.dispose()
    port = _free_port()
    env = {**os.environ, "DOCFLOW_INSTANCE_PATH": str(tmp_path / "instance"),
           "DOCFLOW_DATABASE_URL": demo_app.config["DATABASE_URL"], "DOCFLOW_FILES_DIR": demo_app.config["FILES_DIR"],
           "DOCFLOW_SECRET_KEY": "live-api-test", "DOCFLOW_API_RATE_LIMIT": "1000000",
           "DOCFLOW_PASSWORD_HASH": '{"time_cost": 1, "memory_cost": 8, "parallelism": 1}'}
    server = subprocess.Popen([sys.executable, "-c", "from webapp.cli import main; main()", "serve",  # noqa: S603
                               "--port", str(port)], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                requests.get(base + "/healthz", timeout=5)
                break
            except requests.ConnectionError:
                assert server.poll() is None, server.stdout.read().decode()
                time.sleep(0.1)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=20)
        server.stdout.close()


def _token_through_the_pages(base: str, login: str) -> str:
    """Log in and issue a personal token on the profile page, as a user does (its expiry then counts from the
    server's own clock)."""
    browser = requests.Session()

    def csrf(path: str) -> str:
        page = browser.get(base + path, timeout=20)
        return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text).group(1)

    answer = browser.post(base + "/login", data={"login": login, "password": "demo", "csrf_token": csrf("/login")},
                          timeout=20, allow_redirects=False)
    assert answer.status_code == 302, answer.text[:300]
    page = browser.post(base + "/account/tokens", timeout=20, data={
        "name": "schemathesis", "scopes": "read write", "days": "30", "csrf_token": csrf("/account/tokens")})
    assert page.status_code == 201, page.text[:300]
    return re.search(r'id="new-token">([^<]+)<', page.text).group(1)


def test_a_running_server_keeps_its_openapi_document(live_api):
    """Every operation as the administrator (who may do nearly everything, so the write paths run, not only
    refusals); schemathesis' pytest plugin (`from_fixture`) does not work with pytest 9, so the operations are
    walked here, each with its own Hypothesis run, and every failure is reported at the end."""
    headers = {"Authorization": f"Bearer {_token_through_the_pages(live_api, 'admin')}"}
    schema = schemathesis.openapi.from_url(live_api + "/api/v1/openapi.json")
    failures, operations = [], 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True,
                  database=None)
        def run(case):
            case.call_and_validate(headers=headers, checks=CHECKS, timeout=60)

        try:
            run()
        except Exception as exc:  # noqa: BLE001 - collected, so one broken operation does not hide the others
            failures.append(f"{operation.label}: {exc}")
    assert operations >= 20
    assert not failures, "\n\n".join(failures)
