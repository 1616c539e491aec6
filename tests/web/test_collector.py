"""Garbage collected between requests and jobs, never inside one, on Python 3.11 (webapp.collector: CPython 3.11
may collect inside an allocation and corrupt its heap — the segmentation fault of the whole organisation's
dashboard at 1M). Through the served app's WSGI callable, a job's progress report and the worker command."""

from __future__ import annotations

import gc
import weakref

import pytest

from webapp import collector
from webapp.extensions import db
from webapp.models import Job, User
from webapp.services import export_jobs, jobs


class Node:
    """A cycle: garbage only a collection frees."""

    def __init__(self):
        self.self = self


def _garbage(count: int = 2_000) -> weakref.ref:
    """`count` cycles dropped at once; a weak reference to the first (dead once a collection has run)."""
    nodes = [Node() for _ in range(count)]
    first = weakref.ref(nodes[0])
    del nodes
    return first


@pytest.fixture
def automatic_restored():
    """The interpreter's own collections back after the test, whatever it turned off."""
    yield
    gc.enable()


def test_a_served_app_collects_after_each_response_not_during_the_request(app, automatic_restored):
    served = app.wsgi_app
    try:
        collector.between_requests(app)
        if not collector.UNSAFE:  # 3.12+: the interpreter collects at safe points by itself
            assert gc.isenabled() and app.wsgi_app is served
            return
        assert not gc.isenabled()
        gc.collect()
        first = _garbage()
        assert first() is not None  # 2,000 allocations past the threshold of 700: no automatic collection
        response = app.test_client().get("/healthz")
        assert response.status_code == 200
        response.close()  # the server closes the response's iterator once it has sent it
        assert first() is None  # collected at the request's end
        assert gc.get_count()[0] < gc.get_threshold()[0]
    finally:
        app.wsgi_app = served


def test_a_collection_is_run_only_when_a_generation_passes_its_threshold(automatic_restored):
    gc.disable()
    gc.collect()
    assert collector.collect_due() is None  # nothing due: nothing walked
    first = _garbage()
    assert collector.collect_due() == 0 and first() is None  # the young generation, as CPython would


def test_a_long_job_s_garbage_is_collected_at_its_progress_reports(app, make_user, automatic_restored):
    make_user("exporter", "auditor")
    with app.app_context():
        owner = db.session.scalar(db.select(User).where(User.login == "exporter"))
        job = Job(owner_id=owner.id, kind=export_jobs.DASHBOARD, title="Выгрузка", status="running")
        db.session.add(job)
        db.session.commit()
        job_id = job.id
        db.session.rollback()  # the report is written by a connection of its own: read it afresh below
        with collector.automatic_off() as off:
            gc.collect()
            first = _garbage()
            jobs.Progress(job_id)(1_000, 2_000)  # an export's report every 1,000 rows
            assert first() is None if off else True
            assert db.session.get(Job, job_id).progress_done == 1_000
        assert gc.isenabled()  # as before the block (a worker invoked in a test's process)


def test_the_worker_command_gives_the_interpreter_its_collections_back(app):
    assert gc.isenabled()
    result = app.test_cli_runner().invoke(args=["worker", "--burst"])
    assert result.exit_code == 0, result.output
    assert gc.isenabled()
