"""The new requisites survive the conversion to PDF (LibreOffice): the emblem is an image on page 1 above the
organisation's name; «ВЫСТУПИЛИ:» is printed; the list of many attendees is a page of its own. Page images are kept
in DOCFLOW_TEST_ARTIFACTS when set, to look at."""

from __future__ import annotations

import os
import shutil
import subprocess  # noqa: S404 - poppler's tools on our own files
from pathlib import Path

import pytest

from tests.cli.test_body_emblem import png
from tests.web.test_gost_protocol import DISCUSSION, _attendees
from tests.web.test_gost_rendering import ORDER_FORM, PROTOCOL_FORM, YUGRA, _create, _download
from webapp.services import rendering

pytestmark = pytest.mark.skipif(
    shutil.which("soffice") is None or shutil.which("pdftoppm") is None or shutil.which("pdfimages") is None,
    reason="LibreOffice or poppler is not installed")


def _run(*args: str) -> str:
    return subprocess.run(list(args), check=True, capture_output=True, text=True, timeout=60).stdout  # noqa: S603


def _pdf(demo_app, client, auth, tmp_path, name: str, form: dict) -> tuple[Path, Path]:
    data = _download(client, _create(client, auth, form))
    with demo_app.app_context():
        pdf = rendering.docx_to_pdf(data)
    out = Path(os.environ.get("DOCFLOW_TEST_ARTIFACTS") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{name}.docx").write_bytes(data)
    (out / f"{name}.pdf").write_bytes(pdf)
    _run("pdftoppm", "-png", "-r", "60", str(out / f"{name}.pdf"), str(out / name))
    return out, out / f"{name}.pdf"


def test_the_emblem_is_an_image_on_the_first_page_of_the_pdf(demo_app, client, auth, tmp_path):
    (tmp_path / "gerb.png").write_bytes(png(60, 72))
    result = demo_app.test_cli_runner().invoke(args=["body", "emblem", YUGRA, str(tmp_path / "gerb.png")])
    assert result.exit_code == 0, result.output
    out, pdf = _pdf(demo_app, client, auth, tmp_path, "order-emblem", ORDER_FORM)
    images = [line.split() for line in _run("pdfimages", "-list", str(pdf)).splitlines()[2:]]
    assert [(row[0], row[3], row[4]) for row in images] == [("1", "60", "72")]  # page, width, height
    first_page = _run("pdftotext", "-f", "1", "-l", "1", "-layout", str(pdf), "-")
    assert "ДЕПАРТАМЕНТ ОБРАЗОВАНИЯ" in first_page and "ПРИКАЗЫВАЮ:" in first_page
    assert sorted(out.glob("order-emblem-*.png"))


def test_a_protocol_with_speakers_and_many_attendees_in_pdf(demo_app, client, auth, tmp_path):
    form = {**PROTOCOL_FORM, **DISCUSSION, "attendees": _attendees(20)}
    _, pdf = _pdf(demo_app, client, auth, tmp_path, "protocol-many", form)
    pages = int(next(line.split()[-1] for line in _run("pdfinfo", str(pdf)).splitlines() if line.startswith("Pages:")))
    assert pages >= 2
    text = _run("pdftotext", "-f", "1", "-l", str(pages - 1), "-layout", str(pdf), "-")
    assert "ВЫСТУПИЛИ:" in text and "20 человек (список прилагается)" in text
    assert "Список присутствовавших" not in text
    last = _run("pdftotext", "-f", str(pages), "-l", str(pages), "-layout", str(pdf), "-")
    assert "Список присутствовавших" in last and "20. Участниковау Анна Петровна" in last
