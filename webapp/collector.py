"""Garbage collection at the boundaries of a request or a job, never inside one (CPython 3.11).

CPython 3.11 may start a collection inside an allocation: setting a new attribute on an instance whose dict it is
building from the instance's inline values allocates that dict, which can start a collection; a weakref callback
it runs (SQLAlchemy's `InstanceState._cleanup`, when a loaded object dies) that sets an attribute on the same
instance frees those values under the outer call — a use-after-free and a double free that corrupt the heap, and
the process dies later, anywhere (a segmentation fault «Garbage-collecting» rendering the whole organisation's
dashboard at 1,000,000 assignments, 27.11.2026; tests/unit/test_segv_interpreter.py holds the bug in pure Python).
Python 3.12 runs collections only at the interpreter's safe points. Here, on 3.11, the serving and working
processes turn automatic collection off and collect what CPython's own thresholds call for at their boundaries —
after a response has been sent, after a job, at a job's progress report (every 1,000 rows of an export) — where
no allocation is under way in any thread (an explicit collection holds the interpreter's lock).

Not in create_app: tests build thousands of apps in one process; they keep the interpreter's own collections."""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask
from werkzeug.wsgi import ClosingIterator

#: Whether this interpreter may collect inside an allocation (the module's docstring)
UNSAFE = sys.version_info < (3, 12)


def collect_due() -> int | None:
    """The collection CPython's thresholds call for now, if any: the oldest generation whose count passed its
    threshold (gc.get_threshold: 700 allocations, 10 and 10 younger collections); the generation collected."""
    counts, thresholds = gc.get_count(), gc.get_threshold()
    for generation in (2, 1, 0):
        if counts[generation] > thresholds[generation]:
            gc.collect(generation)
            return generation
    return None


def disable_automatic() -> bool:
    """Automatic collection off where the interpreter may collect inside an allocation (UNSAFE); whether it was
    turned off. The caller collects at its boundaries (collect_due)."""
    if UNSAFE:
        gc.disable()
    return UNSAFE


@contextmanager
def automatic_off() -> Iterator[bool]:
    """disable_automatic while the block runs (a worker's loop), as it was after it (`docflow worker --burst`
    invoked in a test's process)."""
    enabled = gc.isenabled()
    try:
        yield disable_automatic()
    finally:
        if enabled:
            gc.enable()


def between_requests(app: Flask) -> None:
    """A serving process: automatic collection off (disable_automatic) and, after each response has been sent
    (its iterator closed by the server), the collection due. The request's own time does not include it."""
    if not disable_automatic():
        return
    serve = app.wsgi_app

    def wsgi_app(environ, start_response):
        return ClosingIterator(serve(environ, start_response), [collect_due])

    app.wsgi_app = wsgi_app
