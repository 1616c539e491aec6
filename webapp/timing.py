"""Server-Timing of each response (opt-in, SERVER_TIMING; bench/run.py turns it on): how long the app took and how
many SQL statements it ran, for a benchmark to read over HTTP. Off by default: it tells every client about the
server's inside."""

from __future__ import annotations

import time
from contextvars import ContextVar

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

# The statements and seconds of SQL of the request being timed in this thread (None outside one).
_current: ContextVar[list[float] | None] = ContextVar("docflow_timing", default=None)


def init_app(app: Flask) -> None:
    if not app.config.get("SERVER_TIMING"):
        return
    app.wsgi_app = ServerTiming(app.wsgi_app)
    if not event.contains(Engine, "before_cursor_execute", _before):
        event.listen(Engine, "before_cursor_execute", _before)
        event.listen(Engine, "after_cursor_execute", _after)


class ServerTiming:
    """WSGI middleware: the time from the request's arrival to its response's headers (routing, session, view,
    template, after-request hooks; not the teardown after them), as `Server-Timing: app;dur=12.3,
    sql;dur=4.5;desc="7 statements"`."""

    def __init__(self, wsgi_app) -> None:
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        counter = [0, 0.0, 0.0]  # statements, seconds in SQL, when the running statement began
        token = _current.set(counter)
        started = time.perf_counter()

        def timed_start_response(status, headers, exc_info=None):
            took = (time.perf_counter() - started) * 1000
            headers.append(("Server-Timing", f'app;dur={took:.2f}, sql;dur={counter[1] * 1000:.2f};'
                                             f'desc="{counter[0]} statements"'))
            return start_response(status, headers, exc_info)

        try:
            return self.wsgi_app(environ, timed_start_response)
        finally:
            _current.reset(token)


def _before(_conn, _cursor, _statement, _parameters, _context, _executemany) -> None:
    counter = _current.get()
    if counter is not None:
        counter[0] += 1
        counter[2] = time.perf_counter()


def _after(_conn, _cursor, _statement, _parameters, _context, _executemany) -> None:
    counter = _current.get()
    if counter is not None:
        counter[1] += time.perf_counter() - counter[2]
