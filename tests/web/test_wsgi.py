"""The module a WSGI server imports in each worker (`gunicorn webapp.wsgi:app`): it builds the app from the
settings in the environment, freezes what start-up made out of the garbage collector's full passes and, on Python
3.11, collects between requests only (webapp.collector; tests/web/test_collector.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

from webapp import collector
from webapp.extensions import db

SCRIPT = textwrap.dedent("""
    import gc, json
    from webapp.wsgi import app

    page = app.test_client().get("/login")
    print(json.dumps({"frozen": gc.get_freeze_count(), "status": page.status_code,
                      "database": app.config["DATABASE_URL"], "automatic": gc.isenabled()}))
""")


def test_the_wsgi_module_serves_the_configured_app_with_start_up_frozen(app, tmp_path):
    with app.app_context():
        url = db.engine.url.render_as_string(hide_password=False)
    env = {**os.environ, "DOCFLOW_DATABASE_URL": url, "DOCFLOW_INSTANCE_PATH": str(tmp_path / "instance")}
    result = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=False,  # noqa: S603
                            env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout.splitlines()[-1])
    assert answer["status"] == 200 and answer["database"] == url
    assert answer["frozen"] > 10_000  # the app, its libraries, the mapped models: out of the full passes
    assert answer["automatic"] is not collector.UNSAFE  # 3.11: no collection inside a request's allocation
