"""The README's first command as a newcomer runs it: `docflow serve --demo` answers, and a demo user logs in."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _serve(env: dict, port: int) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", "from webapp.cli import main; main()", "serve", "--demo",  # noqa: S603
                            "--port", str(port)], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def _stop(server: subprocess.Popen) -> None:
    server.terminate()
    server.wait(timeout=20)
    server.stdout.close()


def test_serve_demo_answers_and_a_demo_user_logs_in(tmp_path):
    """Started twice, as a newcomer does: the second start finds the demo loaded and must not keep the database
    locked while it serves (a login then waited 30 s)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {"PATH": "/usr/bin:/bin", "DOCFLOW_INSTANCE_PATH": str(tmp_path / "instance"),
           "DOCFLOW_PASSWORD_HASH": '{"time_cost": 1, "memory_cost": 8, "parallelism": 1}'}
    first = _serve(env, port)
    _wait_for(first, f"http://127.0.0.1:{port}/login", urllib.request.build_opener())
    _stop(first)
    server = _serve(env, port)
    base = f"http://127.0.0.1:{port}"
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()), _NoRedirect)
    try:
        page = _wait_for(server, base + "/login", opener)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        form = urllib.parse.urlencode({"login": "secretary", "password": "demo", "csrf_token": token}).encode()
        started = time.monotonic()
        try:
            opener.open(base + "/login", data=form, timeout=20)  # noqa: S310 - loopback
            status = 200
        except urllib.error.HTTPError as answer:
            status = answer.code
        assert status == 302 and time.monotonic() - started < 5  # the login wrote its session without waiting
        documents = opener.open(base + "/documents", timeout=20).read().decode()  # noqa: S310 - loopback
        assert "339" in documents and "Матвейчук Елена Николаевна" in documents
    finally:
        _stop(server)


def _wait_for(server: subprocess.Popen, url: str, opener) -> str:
    for _ in range(300):
        try:
            return opener.open(url, timeout=5).read().decode()
        except OSError:
            assert server.poll() is None, server.stdout.read().decode()
            time.sleep(0.1)
    raise AssertionError(f"{url} never answered")
