"""Big exports as jobs, through HTTP: an export of more rows than EXPORT_INLINE_ROWS offers a job, its POST starts
one and goes to the job's page, `docflow worker --burst` runs it, the JSON the page polls shows it done and the
download holds the rows the list shows; only its owner (and an administrator) sees it; a failing job shows its
Russian error and keeps nothing; a request that rolls back queues nothing (on PostgreSQL: Procrastinate's row is
written in the request's transaction)."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select, text

from tests.conftest import TODAY
from tests.web import test_exports_streamed as streamed
from tests.web.test_attachments import _upload
from tests.web.test_exports_streamed import _grow, _listed, _rows
from tests.web.test_workflows import _draft
from tests.web.test_workflows import people as people_fixture
from webapp import clock
from webapp.extensions import db
from webapp.models import Assignment, Body, Document, Job, StoredFile, User
from webapp.services import exports, jobs
from webapp.services.exports import STATE_TITLES

DASHBOARD = f"/assignments/export.xlsx?as_of={TODAY}"
people = people_fixture  # the fixture: the workflow tests' users (sec ...)
world = streamed.world  # the fixture: a department with two schools, its executor, a controller, an auditor


def _start(client, auth, url: str) -> int:
    """GET offers the job (nothing started), POST starts it: the job page's id."""
    page = client.get(url)
    assert page.status_code == 200 and 'id="start-job-button"' in page.get_data(as_text=True)
    response = client.post(url, data={"csrf_token": auth.csrf(url)})
    assert response.status_code == 303, response.status_code
    match = re.fullmatch(r"/jobs/(\d+)", response.headers["Location"])
    assert match, response.headers["Location"]
    return int(match.group(1))


def _work(runner) -> None:
    result = runner.invoke(args=["worker", "--burst"])
    assert result.exit_code == 0, (result.output, result.exception)


def _expected_dashboard(app, ids) -> list[tuple]:
    with app.app_context():
        states = {"done": "done", "cancelled": "cancelled"}
        return [_listed(a, TODAY, STATE_TITLES[states.get(a.status, "open")])
                for a in sorted((db.session.get(Assignment, i) for i in ids),
                                key=lambda a: (a.deadline is None, a.deadline or TODAY, a.id))]


def test_a_big_dashboard_export_runs_as_a_job_and_its_file_holds_the_rows(app, client, auth, runner, world):
    _grow(app, world, 30)
    app.config["EXPORT_INLINE_ROWS"] = 10
    auth.login("aud")
    small = client.get(f"/assignments/export.xlsx?as_of={TODAY}&doc_type=order")  # 10 rows: still at once
    assert small.status_code == 200 and small.data[:2] == b"PK"
    offered = client.get(DASHBOARD).get_data(as_text=True)  # the request counts no further than it must
    assert "В выгрузке более 10 строк." in offered
    job_id = _start(client, auth, DASHBOARD)
    state = client.get(f"/jobs/{job_id}.json").get_json()
    assert (state["status"], state["total"], state["download"]) == ("queued", None, None)  # the worker counts
    page = client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert 'http-equiv="refresh"' in page and "в очереди" in page  # without scripts the page reloads itself

    _work(runner)

    state = client.get(f"/jobs/{job_id}.json").get_json()
    assert (state["status"], state["done"], state["total"], state["percent"]) == ("done", 30, 30, 100)
    page = client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert 'http-equiv="refresh"' not in page and f'href="/jobs/{job_id}/result"' in page
    download = client.get(state["download"])
    assert download.status_code == 200 and download.mimetype == exports.XLSX_CONTENT_TYPE
    assert "filename*=UTF-8''" in download.headers["Content-Disposition"]
    with app.app_context():
        every = db.session.scalars(select(Assignment.id)).all()
    assert _rows(io.BytesIO(download.data), first_row=3) == _expected_dashboard(app, every)


def test_a_big_bulk_export_runs_as_a_job(app, client, auth, runner, world):
    _grow(app, world, 40)
    auth.login("exe")
    inline = client.get("/assignments/bulk.xlsx")  # the default setting: at once
    assert inline.status_code == 200 and inline.data[:2] == b"PK"
    app.config["EXPORT_INLINE_ROWS"] = 5
    offered = client.get("/assignments/bulk.xlsx").get_data(as_text=True)  # the request counts no further than it must
    assert "В выгрузке более 5 строк." in offered
    job_id = _start(client, auth, "/assignments/bulk.xlsx")
    state = client.get(f"/jobs/{job_id}.json").get_json()
    assert (state["status"], state["total"]) == ("queued", None)  # the worker counts
    _work(runner)
    state = client.get(f"/jobs/{job_id}.json").get_json()
    assert state["status"] == "done" and state["done"] == state["total"] > 5
    assert _rows(io.BytesIO(client.get(state["download"]).data), 2) == _rows(io.BytesIO(inline.data), 2)
    with app.app_context():
        assert db.session.scalar(select(func.count(Job.id))) == 1


def test_only_the_owner_and_an_administrator_see_a_job(app, client, auth, runner, world, make_user):
    _grow(app, world, 12)
    app.config["EXPORT_INLINE_ROWS"] = 5
    make_user("adm", "admin")
    make_user("aud2", "auditor")
    auth.login("aud")
    assert 'id="jobs-link"' not in client.get("/documents").get_data(as_text=True)  # no jobs yet: no link
    job_id = _start(client, auth, DASHBOARD)
    _work(runner)
    assert 'id="jobs-link"' in client.get("/documents").get_data(as_text=True)
    assert f'href="/jobs/{job_id}"' in client.get("/jobs").get_data(as_text=True)
    auth.logout()
    for login, allowed in (("aud2", False), ("exe", False), ("adm", True)):
        auth.login(login)
        for path in (f"/jobs/{job_id}", f"/jobs/{job_id}.json", f"/jobs/{job_id}/result"):
            assert client.get(path).status_code == (200 if allowed else 403), (login, path)
        assert f'href="/jobs/{job_id}"' not in client.get("/jobs").get_data(as_text=True)  # the list: one's own
        auth.logout()
    auth.login("aud")
    assert client.get(f"/jobs/{job_id + 1}").status_code == 404


def test_a_failing_job_shows_its_error_and_keeps_nothing(app, client, auth, runner, world, monkeypatch,
                                                         frozen_clock):
    _grow(app, world, 12)
    app.config["EXPORT_INLINE_ROWS"] = 5
    auth.login("aud")

    def half_then_fail(records, out, *args):
        out.write(b"PK half a workbook")
        assert sum(1 for _ in records) == 12  # (read to the end: PostgreSQL's server-side cursor closes itself)
        raise RuntimeError("disk full")

    monkeypatch.setattr(exports, "snapshot_xlsx", half_then_fail)
    with app.app_context():
        files_before = db.session.scalar(select(func.count(StoredFile.id)))
    job_id = _start(client, auth, DASHBOARD)
    for _ in jobs.RETRY_DELAYS + (None,):  # tried again after each pause (PostgreSQL's worker: in one burst)
        _work(runner)
        frozen_clock.move_to(clock.now() + max(jobs.RETRY_DELAYS))
    state = client.get(f"/jobs/{job_id}.json").get_json()
    assert state["status"] == "failed" and state["error"] == jobs.FAILED and state["download"] is None
    assert jobs.FAILED in client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert client.get(f"/jobs/{job_id}/result").status_code == 404
    with app.app_context():
        assert db.session.scalar(select(func.count(StoredFile.id))) == files_before
        assert db.session.get(Job, job_id).result_id is None
        assert db.session.get(Job, job_id).attempts == len(jobs.RETRY_DELAYS)


def test_a_body_removed_after_the_start_fails_the_job_with_the_reason(app, client, auth, runner, world):
    _grow(app, world, 12)
    app.config["EXPORT_INLINE_ROWS"] = 5
    auth.login("aud")
    with app.app_context():
        department = db.session.scalar(select(Body.id).where(Body.name == "Отдел"))
    job_id = _start(client, auth, f"/assignments/export.csv?as_of={TODAY}&body={department}")
    with app.app_context():  # as if the body were removed before the worker came to it
        job = db.session.get(Job, job_id)
        assert job.params["filters"]["body_id"] == department
        job.params = {**job.params, "filters": {**job.params["filters"], "body_id": department + 1000}}
        db.session.commit()
    _work(runner)
    state = client.get(f"/jobs/{job_id}.json").get_json()
    assert state["status"] == "failed"
    assert state["error"] == "Выгрузка не подготовлена: орган удалён(а) после запуска задания."


@pytest.mark.parametrize("commit", [True, False])
def test_a_job_reaches_the_queue_only_with_its_transaction(app, world, commit):
    with app.app_context():
        owner = db.session.scalar(select(User).where(User.login == "aud"))
        job = jobs.start(owner, "export.bulk", "Выгрузка", {"name": "x.xlsx"})
        job_id = job.id
        db.session.commit() if commit else db.session.rollback()
        assert (db.session.get(Job, job_id) is not None) is commit
        if db.engine.dialect.name == "postgresql":
            queued = db.session.execute(text("SELECT args FROM procrastinate_jobs WHERE task_name = "
                                             "'docflow.run_job'")).scalars().all()
            assert queued == ([{"job_id": job_id}] if commit else [])


def test_the_list_pages_newest_first(app, client, auth, world):
    with app.app_context():
        owner = db.session.scalar(select(User).where(User.login == "exe"))
        ids = [jobs.start(owner, "export.bulk", f"Выгрузка {n}", {"name": "x.xlsx"}).id for n in range(27)]
        db.session.commit()
    auth.login("exe")
    first = client.get("/jobs?size=25").get_data(as_text=True)
    shown = [int(i) for i in re.findall(r'<tr id="job-(\d+)">', first)]
    assert shown == sorted(ids, reverse=True)[:25]
    link = re.search(r'href="([^"]+)" id="next-page"', first).group(1).replace("&amp;", "&")
    rest = [int(i) for i in re.findall(r'<tr id="job-(\d+)">', client.get(link).get_data(as_text=True))]
    assert rest == sorted(ids, reverse=True)[25:]
    assert client.get("/jobs?after=nonsense").status_code == 302


FAKE_SOFFICE = """#!/bin/sh
while [ $# -gt 0 ]; do if [ "$1" = "--outdir" ]; then out="$2"; fi; shift; done
{body}
"""


@pytest.mark.parametrize("works", [True, False])
def test_a_document_pdf_is_a_job_then_a_cache_for_every_reader(demo_app, client, auth, runner, tmp_path, works):
    """LibreOffice is a script here: it writes a PDF at once, or fails."""
    script = tmp_path / "soffice"
    script.write_text(FAKE_SOFFICE.format(body="printf '%%PDF-1.4 fake\\n' > \"$out/document.pdf\"" if works
                                          else "exit 1"))
    script.chmod(0o755)
    demo_app.config["SOFFICE"] = str(script)
    with demo_app.app_context():
        doc_id = db.session.scalar(select(Document.id).where(Document.slug == "004_91dc62e67ca8c96b"))
    url = f"/documents/{doc_id}/pdf"
    auth.login("secretary", "demo")
    job_id = _start(client, auth, url)
    again = client.post(url, data={"csrf_token": auth.csrf(url)})
    assert again.headers["Location"] == f"/jobs/{job_id}"  # the same DOCX while queued: the same job
    _work(runner)
    state = client.get(f"/jobs/{job_id}.json").get_json()
    if not works:
        assert state["status"] == "failed" and state["error"] == "LibreOffice не смог преобразовать документ в PDF."
        assert 'id="start-job-button"' in client.get(url).get_data(as_text=True)  # no cache: offered again
        return
    assert state["status"] == "done" and client.get(state["download"]).data == b"%PDF-1.4 fake\n"
    auth.logout()
    auth.login("executor", "demo")  # another reader of the published document: the PDF at once, not the job
    response = client.get(url)
    assert response.status_code == 200 and response.data == b"%PDF-1.4 fake\n"
    assert client.get(f"/jobs/{job_id}").status_code == 403


def test_a_big_attachment_is_read_for_search_by_a_job(app, client, auth, runner, people):
    """Above ATTACHMENT_TEXT_INLINE_BYTES the text is read by a job; search finds the document once it ran."""
    app.config["ATTACHMENT_TEXT_INLINE_BYTES"] = 40
    document_id = _draft(app)
    auth.login("sec")
    _upload(client, auth, document_id, ("Мало.txt", "Котельная.".encode()),
            ("Справка.txt", "Справка по водоснабжению сельских школ района.".encode()))
    found = lambda q: f'data-id="{document_id}"' in client.get("/search", query_string={"q": q}).get_data(  # noqa: E731
        as_text=True)
    assert found("котельной") and not found("водоснабжение")  # the small file at once, the big one not yet
    with app.app_context():
        job = db.session.scalar(select(Job))
        assert job.kind == "attachment.text" and job.params["file_ids"] and job.progress_total == 1
    _work(runner)
    assert found("водоснабжение")
    assert client.get(f"/jobs/{job.id}.json").get_json()["status"] == "done"


def test_a_long_jobs_progress_reads_in_groups_of_digits(app, client, auth, world):
    """«(12 500 из 100 000)», as Russian readers write numbers (a no-break space between the groups), not
    «(12500 из 100000)»: the page as served, and the JSON it polls keeps plain numbers for the script."""
    _grow(app, world, 12)
    app.config["EXPORT_INLINE_ROWS"] = 5
    auth.login("aud")
    job_id = _start(client, auth, DASHBOARD)
    with app.app_context():
        job = db.session.get(Job, job_id)
        job.progress_done, job.progress_total = 12_500, 100_000
        db.session.commit()
    page = client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert '<span id="job-count">(12\u00a0500 из 100\u00a0000)</span>' in page
    state = client.get(f"/jobs/{job_id}.json").get_json()
    assert (state["done"], state["total"]) == (12_500, 100_000)


def test_more_rows_than_a_sheet_holds_fail_the_xlsx_job_with_the_reason(app, client, auth, runner, world,
                                                                        monkeypatch):
    """XlsxWriter leaves rows past a sheet's 1,048,576 out without a word: the job fails on its count, before
    writing (not tried again), with the reason and the way out, keeping no file; the same rows as CSV are
    written."""
    from webapp.services.exports import XlsxSheet

    _grow(app, world, 30)
    app.config["EXPORT_INLINE_ROWS"] = 10
    monkeypatch.setattr(XlsxSheet, "MAX_ROWS", 20)  # fewer than the rows, their title and header
    auth.login("aud")
    with app.app_context():
        files_before = db.session.scalar(select(func.count(StoredFile.id)))
    job_id = _start(client, auth, DASHBOARD)
    _work(runner)
    state = client.get(f"/jobs/{job_id}.json").get_json()
    assert state["status"] == "failed" and state["download"] is None
    assert state["total"] is None  # refused on the count, before any row was written
    assert state["error"] == ("Выгрузка не подготовлена: строк в ней больше, чем вмещает лист Excel (20). "
                              "Сузьте отбор или выгрузите CSV.")
    with app.app_context():
        assert db.session.scalar(select(func.count(StoredFile.id))) == files_before
        assert db.session.get(Job, job_id).attempts == 0  # a rule said no: not tried again
    csv_job = _start(client, auth, DASHBOARD.replace(".xlsx", ".csv"))
    _work(runner)
    assert client.get(f"/jobs/{csv_job}.json").get_json()["status"] == "done"
