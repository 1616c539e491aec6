"""A document's PDF through the API is a job: 202 with the job's address, the job polled, its file downloaded; the
PDF made once is then given at once to every reader of the document. A job is its owner's (and administrators')."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests.web import test_api
from tests.web.test_api import _error, _ok
from tests.web.test_jobs import FAKE_SOFFICE, _work
from webapp.extensions import db
from webapp.models import Document

as_user = test_api.as_user  # the fixture: an API client with a token of the named demo user
PUBLISHED = "004_91dc62e67ca8c96b"
FAKE_PDF = b"%PDF-1.4 fake\n"


@pytest.fixture
def soffice(demo_app, tmp_path):
    """LibreOffice as a script: `works(True)` writes a PDF at once, `works(False)` fails."""
    def works(ok: bool) -> None:
        script = tmp_path / "soffice"
        script.write_text(FAKE_SOFFICE.format(body="printf '%%PDF-1.4 fake\\n' > \"$out/document.pdf\"" if ok
                                              else "exit 1"))
        script.chmod(0o755)
        demo_app.config["SOFFICE"] = str(script)
    return works


def _published(app) -> int:
    with app.app_context():
        return db.session.scalar(select(Document.id).where(Document.slug == PUBLISHED))


def _accepted(response) -> dict:
    job = _ok(response, 202)
    assert response.headers["Location"] == f"/api/v1/jobs/{job['id']}"
    assert int(response.headers["Retry-After"]) > 0
    return job


def test_a_pdf_is_a_job_then_given_at_once_to_every_reader(demo_app, as_user, runner, soffice):
    soffice(True)
    doc_id = _published(demo_app)
    secretary, executor = as_user("secretary"), as_user("executor")
    job = _accepted(secretary.get(f"/documents/{doc_id}/pdf"))
    assert job["status"] == "queued" and job["kind"] == "document.pdf" and job["result_url"] is None
    assert _accepted(secretary.get(f"/documents/{doc_id}/pdf"))["id"] == job["id"]  # queued: the same job
    waiting = _error(secretary.get(f"/jobs/{job['id']}/result"), 409, "job_not_finished")
    assert "poll" in waiting["message"]

    _work(runner)
    done = _ok(secretary.get(f"/jobs/{job['id']}"))
    assert done["status"] == "done" and done["finished_at"].endswith("+00:00") and done["expires_at"]
    assert re.fullmatch(r"[^/]+\.pdf", done["result_name"])
    download = secretary.client.get(done["result_url"], headers=secretary.headers)
    assert download.status_code == 200 and download.data == FAKE_PDF
    assert download.headers["Content-Type"] == "application/pdf"

    at_once = executor.get(f"/documents/{doc_id}/pdf")  # another reader: the PDF made before, no job
    assert at_once.status_code == 200 and at_once.data == FAKE_PDF
    assert [j["id"] for j in _ok(secretary.get("/jobs"))["items"]] == [job["id"]]
    assert _ok(executor.get("/jobs"))["items"] == []  # a job is its owner's
    _error(executor.get(f"/jobs/{job['id']}"), 403, "forbidden")
    _error(executor.get(f"/jobs/{job['id']}/result"), 403, "forbidden")
    assert _ok(as_user("admin").get(f"/jobs/{job['id']}"))["id"] == job["id"]


def test_a_failed_pdf_job_says_why_and_keeps_nothing(demo_app, as_user, runner, soffice):
    soffice(False)
    doc_id = _published(demo_app)
    secretary = as_user("secretary")
    job = _accepted(secretary.get(f"/documents/{doc_id}/pdf"))
    _work(runner)
    failed = _ok(secretary.get(f"/jobs/{job['id']}"))
    assert failed["status"] == "failed" and failed["result_url"] is None
    assert failed["error"] == "LibreOffice не смог преобразовать документ в PDF."
    error = _error(secretary.get(f"/jobs/{job['id']}/result"), 409, "job_failed")
    assert error["detail"] == failed["error"]
    assert _accepted(secretary.get(f"/documents/{doc_id}/pdf"))["id"] != job["id"]  # no cache: a new job


def test_unknown_jobs_and_bad_cursors_are_refused(as_user):
    secretary = as_user("secretary")
    _error(secretary.get("/jobs/999999"), 404, "not_found")
    _error(secretary.get("/jobs/999999/result"), 404, "not_found")
    _error(secretary.get("/jobs?after=x"), 422, "validation_failed")
