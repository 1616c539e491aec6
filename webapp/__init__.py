"""Docflow: the paperwork of Russian public bodies as structured, tracked documents."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

from webapp import config as settings
from webapp import postgresql, security, timing
from webapp.extensions import bootstrap, csrf, db, login_manager, migrate

MIGRATIONS_DIR = str(Path(__file__).parent / "migrations")


def create_app(config: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__, instance_path=str(settings.instance_path()), instance_relative_config=True)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(settings.DEFAULTS)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_mapping(settings.from_environment())
    if config:
        app.config.from_mapping(config)
    settings.finalize(app.config, Path(app.instance_path))

    security.init_app(app)
    timing.init_app(app)
    db.init_app(app)
    with app.app_context():
        engine = db.engine
    _sqlite_durability(app, engine)
    postgresql.install(engine)
    migrate.init_app(app, db, directory=MIGRATIONS_DIR, render_as_batch=True)
    login_manager.init_app(app)
    csrf.init_app(app)
    bootstrap.init_app(app)

    from webapp.blueprints import register_blueprints
    from webapp.cli import register_commands
    from webapp.services import search, versions, webhooks, workflows

    workflows.init_app(app)
    search.install()  # the search index follows every commit
    webhooks.install()  # events for webhooks are queued in the transaction that makes them
    versions.install()  # after the search index's: the data's new version is a transaction's last statement

    register_blueprints(app)
    register_commands(app)
    return app


def _is_sqlite(dbapi_connection) -> bool:
    return type(dbapi_connection).__module__.startswith("sqlite3")


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """SQLite per connection: foreign keys on; write-ahead logging, so readers never wait for a writer; the
    transactions begun by `_sqlite_begin` below instead of by the driver; and `lower()` for every alphabet, as
    PostgreSQL's (SQLite's own lowers only ASCII, so «Отдел» = «отдел» and a login «Иванова» typed as «иванова»
    would not match)."""
    if _is_sqlite(dbapi_connection):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()
        dbapi_connection.create_function("lower", 1, _lower, deterministic=True)


def _sqlite_durability(app: Flask, engine: Engine) -> None:
    """SQLITE_SYNC_EVERY_COMMIT off: the app's SQLite connections commit without waiting for the disk."""
    if app.config["SQLITE_SYNC_EVERY_COMMIT"]:
        return
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_sync_normal)


def _sqlite_sync_normal(dbapi_connection, _record) -> None:
    dbapi_connection.execute("PRAGMA synchronous=NORMAL")


def _lower(value):
    return value.lower() if isinstance(value, str) else value


@event.listens_for(Engine, "begin")
def _sqlite_begin(conn) -> None:
    """A request that may write takes SQLite's write lock when its transaction begins (BEGIN IMMEDIATE), waiting
    up to the busy timeout for another writer: a deferred transaction that reads and then writes fails at once
    ("database is locked") when someone else wrote in between. Pages that only read, and commands (which could
    otherwise hold the lock through a long read, or while `serve` runs), begin deferred."""
    if conn.dialect.name == "sqlite":
        writing = has_request_context() and request.method not in ("GET", "HEAD", "OPTIONS")
        conn.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")
