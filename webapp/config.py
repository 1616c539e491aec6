"""Settings: defaults here, then instance/config.py, then DOCFLOW_* environment variables."""

from __future__ import annotations

import json
import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

DEFAULTS: dict[str, Any] = {
    "TIMEZONE": "Europe/Moscow",
    "DATABASE_URL": None,  # None: SQLite at instance/docflow.sqlite3
    "SECRET_KEY": None,  # None: generated once and kept in instance/secret_key
    "AUDIT_KEY": None,  # None: generated once and kept in instance/audit_key (HMAC key of the audit chain)
    "FILES_DIR": None,  # None: instance/files
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_NAME": "docflow_remember",
    "WTF_CSRF_TIME_LIMIT": None,  # a form left open all day must still submit
    "WTF_I18N_ENABLED": False,  # WTForms' own Russian messages (blueprints/fields.py), not Flask-Babel's
    "BOOTSTRAP_SERVE_LOCAL": True,  # users' networks are often closed: no CDN
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    "SQLITE_BUSY_TIMEOUT": 30,  # seconds a write waits for SQLite's lock (one writer at a time)
    # SQLite writes each commit through to the disk before answering (synchronous=FULL): a registered number
    # survives a power cut. False: synchronous=NORMAL, in WAL mode still never a damaged database, but the last
    # commits before a power cut (not a crash of the service) may be lost; for throwaway databases (the tests').
    "SQLITE_SYNC_EVERY_COMMIT": True,
    "MAX_CONTENT_LENGTH": 20 * 1024 * 1024,
    # Argon2id cost of password hashes (argon2-cffi's defaults, RFC 9106's second recommendation): about
    # 0.1 s and 64 MiB per login. A hash made with another cost is upgraded at the user's next login.
    "PASSWORD_HASH": {"time_cost": 3, "memory_cost": 65536, "parallelism": 4},
    "PASSWORD_MIN_LENGTH": 12,  # new passwords (OWASP ASVS 2.1.1)
    "PASSWORD_MIN_STRENGTH": 3,  # zxcvbn's score, 0-4: 3 is "safely unguessable" for online attacks
    # Sessions (services/sessions.py): ended by logout, a password change or an administrator; and by time.
    "SESSION_IDLE_MINUTES": 30,  # a session without «Запомнить меня» ends after this long without a request
    "SESSION_MAX_HOURS": 12,  # ... and this long after login, whatever the activity
    "REMEMBER_DAYS": 14,  # «Запомнить меня»: the session survives the browser this long
    # Login throttling per account and per address (kept in the database: every worker counts the same).
    "LOGIN_FREE_FAILURES": 3,  # failures before each further try has to wait 1, 2, 4 ... 60 s
    "LOGIN_LOCKOUT_FAILURES": 10,  # failures of one account that lock it for LOGIN_LOCKOUT_MINUTES
    "LOGIN_IP_LOCKOUT_FAILURES": 50,  # failures from one address (an office behind one address has many users)
    "LOGIN_LOCKOUT_MINUTES": 15,
    "PROXY_COUNT": 0,  # reverse proxies in front of the service whose X-Forwarded-For/-Proto are to be trusted
    "SERVER_TIMING": False,  # a Server-Timing header (app time, SQL statements) on every response: bench/run.py
    # E-mail reminders (docflow remind): SMTP server and what to send when.
    "MAIL_SERVER": "localhost",
    "MAIL_PORT": 25,
    "MAIL_USE_TLS": False,  # STARTTLS after connecting
    "MAIL_USE_SSL": False,  # SMTPS from the start (port 465)
    "MAIL_USERNAME": None,
    "MAIL_PASSWORD": None,
    "MAIL_FROM": "docflow@localhost",
    "MAIL_TIMEOUT": 20,  # seconds
    "REMIND_DAYS": [7, 1],  # days before a deadline
    "OVERDUE_NOTICE_DAYS": 7,  # the overdue notice: from the day after the deadline to this many days after it
    "DIGEST_WEEKDAY": 0,  # Monday: the weekly digest to controllers
    "REMIND_HOUR": 8,  # the job queue's worker runs `docflow remind`'s work daily at this hour
    "DIGEST_HOUR": 8,  # notifications by e-mail: the daily digest goes at the first `docflow notify send` from 8:00
    "MAX_POINTS": 1000,  # decision points in one document (saving 1,000 takes under a second: bench/save_points.py)
    "OCCURRENCE_HORIZON_DAYS": 92,  # periodic assignments: their due dates this far ahead exist as occurrences
    "WORKFLOWS_DIR": None,  # None: instance/workflows when present, else the workflows/ shipped with the code
    # Registration number patterns per document type: {seq} the number in the series, {year} the year.
    "NUMBER_PATTERNS": {"order": "{seq}", "protocol": "{seq}", "decision": "{seq}", "resolution": "{seq}",
                        "plan": "{seq}", "regulation": "{seq}"},
    # DOCX generation: page margins of the default templates (mm), PDF conversion, template uploads.
    "DOCX_MARGINS_MM": {"left": 20, "top": 20, "right": 10, "bottom": 20},
    "SOFFICE": "soffice",  # LibreOffice's binary, looked up on PATH
    "PDF_TIMEOUT": 120,  # seconds
    "TEMPLATE_MAX_BYTES": 5 * 1024 * 1024,
    # One render of a template (an upload's check, or a document): a template over a limit is refused with the
    # reason (webapp/rendering/budget.py).
    "TEMPLATE_RENDER_SECONDS": 5.0,
    "TEMPLATE_MAX_LOOP_STEPS": 100_000,  # loop iterations, range() items, list items built or walked, calls
    "TEMPLATE_MAX_OUTPUT_CHARS": 5_000_000,  # characters written or built across the document's parts
    "PDF_MAX_PROCESSES": 2,  # LibreOffice conversions at once on this host, all worker processes together
    "PDF_WAIT_SECONDS": 20,  # how long a PDF download waits for a free slot before «try again»
    # Files attached to reports: checked by their content (services/files.py), served only to their readers.
    "UPLOAD_MAX_BYTES": 10 * 1024 * 1024,  # one file
    "UPLOAD_MAX_FILES": 10,  # files per report
    "IMPORT_MAX_BYTES": 20 * 1024 * 1024,  # one file brought in by the import (DOCX, text, PDF)
    # Jobs (docflow worker): an export of more rows than this runs as a job with progress; results are kept so long.
    "EXPORT_INLINE_ROWS": 5000,
    "JOB_RESULT_DAYS": 7,
    "ATTACHMENT_TEXT_INLINE_BYTES": 1024 * 1024,  # a bigger attachment's text is read for search by a job
    # The dashboard: after a change, figures whose count took at least DASHBOARD_SLOW_COUNT_MS (the whole
    # organisation's at a regional size) are shown from the newest count, if it began at most
    # DASHBOARD_RECENT_SECONDS ago, with its time, while they are counted again in the background (0: always count).
    "DASHBOARD_RECENT_SECONDS": 300,
    "DASHBOARD_SLOW_COUNT_MS": 500,
    "DASHBOARD_RECOUNT_SPACING": 2,  # a background count begins at most every so many of its durations
    # and the worker counts such figures of today again after a change (every minute) while a page looked at them
    # in the last so many seconds (0: never), so that a look rarely counts on the page
    "DASHBOARD_KEEP_FRESH_SECONDS": 3600,
    # a first count of figures that are not narrow, when nothing counted tells how long it takes, is taken as slow
    # (counted in the background, the page reloading itself) past so many assignments (at 1,000,000: 1.5-3.6 s)
    "DASHBOARD_SLOW_ASSIGNMENTS": 300_000,
    # Webhooks (docflow webhooks send): a receiver's answer is awaited this long; addresses of private, loopback
    # and link-local networks are refused unless allowed (an installation whose receivers live there).
    "WEBHOOK_TIMEOUT": 10,
    "WEBHOOK_ALLOW_PRIVATE": False,
}

ENV_PREFIX = "DOCFLOW_"


def _coerce(raw: str) -> Any:
    """Environment values are strings; accept the obvious booleans and integers, and JSON lists and objects
    (DOCFLOW_REMIND_DAYS='[7, 3, 1]')."""
    if raw.lstrip().startswith(("[", "{")):
        try:
            return json.loads(raw)
        except ValueError as exc:
            raise ValueError(f"not valid JSON: {raw!r} ({exc})") from exc
    lowered = raw.lower()
    if lowered in {"true", "yes", "on"}:
        return True
    if lowered in {"false", "no", "off"}:
        return False
    if raw.isdigit():
        return int(raw)
    return raw


def from_environment(environ: dict[str, str] | None = None) -> dict[str, Any]:
    environ = os.environ if environ is None else environ
    settings = {}
    for key, value in environ.items():
        if key.startswith(ENV_PREFIX) and key not in {ENV_PREFIX + "PASSWORD", ENV_PREFIX + "INSTANCE_PATH"}:
            try:
                settings[key[len(ENV_PREFIX) :]] = _coerce(value)
            except ValueError as exc:
                raise ValueError(f"{key}: {exc}") from exc
    return settings


def instance_path(environ: dict[str, str] | None = None) -> Path:
    """The installation's folder: DOCFLOW_INSTANCE_PATH, else instance/ in the current directory.

    Flask's default for an installed package is <venv>/var/webapp-instance, which a newcomer who ran
    `pip install .` in a clone would never find; instance/ beside where the service runs is what
    the README promises and what a systemd unit's WorkingDirectory gives.
    """
    environ = os.environ if environ is None else environ
    configured = environ.get(ENV_PREFIX + "INSTANCE_PATH")
    return Path(configured).resolve() if configured else Path.cwd().resolve() / "instance"


def create_once(path: Path, content: str) -> None:
    """Write `content` to `path` (mode 0600) unless the file exists, safe when several processes do it at once.

    Written to a private temporary file and hard-linked into place: the link is atomic and never replaces a file
    another process made first, so every process then reads the same complete content (never an empty or half
    written one). gunicorn's workers each build the app, and several hosts may share one instance folder."""
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.parent / f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}"
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write(content)
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass  # another process made it first: everyone uses that one
    finally:
        temporary.unlink()


def persistent_secret_key(instance_path: Path) -> str:
    """A key made once per installation, so sessions survive restarts without anyone setting one."""
    path = instance_path / "secret_key"
    create_once(path, secrets.token_hex(32))
    return path.read_text().strip()


def finalize(config: dict[str, Any], instance_path: Path) -> None:
    """Fill the settings that depend on the instance folder."""
    if not config.get("DATABASE_URL"):
        config["DATABASE_URL"] = f"sqlite:///{instance_path / 'docflow.sqlite3'}"
    url = config["DATABASE_URL"]
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    config["SQLALCHEMY_DATABASE_URI"] = url
    options = dict(config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    if url.startswith("sqlite"):  # a writer waits this long for another one instead of failing
        options["connect_args"] = {"timeout": float(config["SQLITE_BUSY_TIMEOUT"]), **options.get("connect_args", {})}
    else:
        # PostgreSQL compiles a statement whose estimated cost passes jit_above_cost to machine code before running
        # it: for a web page's queries that costs more than it saves (the dashboard's wide aggregates spent 7.8 s
        # of 8 compiling at 100,000 assignments), so the service's sessions run without JIT.
        # Joined with the options the URL and connect_args give (a statement_timeout, a read-only session), which
        # connect_args' own «options» would replace: psycopg takes the keyword over the URL's.
        given = options.get("connect_args", {})
        asked = make_url(url).query.get("options", ())
        options["connect_args"] = {**given, "options": " ".join(
            ["-c jit=off", *([asked] if isinstance(asked, str) else asked), *filter(None, [given.get("options")])])}
    config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    if not config.get("SECRET_KEY"):
        config["SECRET_KEY"] = persistent_secret_key(instance_path)
    if not config.get("FILES_DIR"):
        config["FILES_DIR"] = str(instance_path / "files")
    config["REMEMBER_COOKIE_DURATION"] = timedelta(days=int(config["REMEMBER_DAYS"]))
