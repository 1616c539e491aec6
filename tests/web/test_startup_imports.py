"""What a process holds before its first real work: the heavy libraries (PDF reading, password strength,
spreadsheets, morphology, holidays, fuzzy matching, iCalendar, the import's extraction patterns) are imported by
the first request that needs them, not by create_app and the login page (issue 14: a worker's start-up memory)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

from webapp.extensions import db

# top-level modules (and one of ours) that no process may load before it needs them
LAZY = ("pdfminer", "zxcvbn", "openpyxl", "pymorphy3", "holidays", "rapidfuzz", "icalendar", "xlsxwriter",
        "webapp.ru.extract", "webapp.sources.pdf")

SCRIPT = textwrap.dedent("""
    import json, os, sys
    from webapp import create_app

    app = create_app({"DATABASE_URL": os.environ["DOCFLOW_DATABASE_URL"], "SECRET_KEY": "test", "TESTING": True})
    page = app.test_client().get("/login")
    assert page.status_code == 200 and "csrf_token" in page.get_data(as_text=True), page.status_code
    print(json.dumps(sorted(sys.modules)))
""")


def _loaded_by_login_page(app) -> set[str]:
    with app.app_context():
        url = db.engine.url.render_as_string(hide_password=False)
    result = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=False,  # noqa: S603
                            env={**os.environ, "DOCFLOW_DATABASE_URL": url}, timeout=120)
    assert result.returncode == 0, result.stderr
    return set(json.loads(result.stdout.splitlines()[-1]))


def _held(modules: set[str], name: str) -> bool:
    return name in modules or any(module.startswith(name + ".") for module in modules)


def test_create_app_and_the_login_page_load_no_heavy_library(app):
    modules = _loaded_by_login_page(app)
    assert "webapp.blueprints" in modules  # the app was built, its blueprints imported
    assert [name for name in LAZY if _held(modules, name)] == []
