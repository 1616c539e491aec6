"""PDF conversion is limited per host: at most PDF_MAX_PROCESSES LibreOffice runs at once, the others wait up to
PDF_WAIT_SECONDS and then hear «try again»; a conversion that times out leaves no LibreOffice process behind.

LibreOffice is played by a shell script that holds its slot until the test says «go», so no test depends on
LibreOffice or on how fast the machine is."""

from __future__ import annotations

import shlex
import threading
import time
from pathlib import Path

import pytest

from webapp.services import rendering

FAKE_SOFFICE = """#!/bin/sh
# Stands in for LibreOffice: notes that it runs, waits for the test's go-ahead, writes <outdir>/document.pdf.
state={state}
while [ $# -gt 0 ]; do
  if [ "$1" = "--outdir" ]; then out="$2"; fi
  shift
done
mkdir "$state/running" 2>/dev/null || touch "$state/overlap"
touch "$state/started-$$"
i=0
while [ ! -e "$state/go" ] && [ $i -lt 250 ]; do sleep 0.02; i=$((i + 1)); done
printf '%%PDF-1.4 fake\\n' > "$out/document.pdf"
rmdir "$state/running" 2>/dev/null
exit 0
"""

HANGING_SOFFICE = """#!/bin/sh
# Stands in for a LibreOffice that hangs: the launcher waits on a child (as soffice waits on soffice.bin), one
# that does not hold the launcher's output open, so only a kill of the whole group ends it.
sleep 10 >/dev/null 2>&1 &
echo $! > {state}/child.pid
wait
"""


def _script(path: Path, text: str) -> str:
    path.write_text(text)
    path.chmod(0o755)
    return str(path)


@pytest.fixture
def fake(app, tmp_path):
    """LibreOffice replaced by FAKE_SOFFICE, one conversion at a time; its state folder."""
    state = tmp_path / "soffice-state"
    state.mkdir()
    app.config.update(SOFFICE=_script(tmp_path / "soffice", FAKE_SOFFICE.format(state=shlex.quote(str(state)))),
                      PDF_MAX_PROCESSES=1, PDF_TIMEOUT=10)
    return state


def _started(state: Path) -> int:
    return len(list(state.glob("started-*")))


def _wait_until(condition, seconds: float = 5) -> None:
    give_up = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < give_up, "the fake LibreOffice never got that far"
        time.sleep(0.01)


def _in_thread(target) -> tuple[threading.Thread, dict]:
    """Run `target()` in a thread; its result or exception lands in the returned dict."""
    outcome: dict = {}

    def run():
        try:
            outcome["result"] = target()
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            outcome["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, outcome


def _convert(app):
    """One conversion at the service level (what a download does once it has its DOCX)."""
    def run():
        with app.app_context():
            return rendering.docx_to_pdf(b"a docx")
    return run


def _finish(thread: threading.Thread, outcome: dict):
    thread.join(timeout=10)
    assert not thread.is_alive(), "a conversion is still running"
    assert "error" not in outcome, outcome.get("error")
    return outcome["result"]


def test_second_conversion_is_told_to_try_again_when_no_slot_frees_in_time(app, fake):
    app.config["PDF_WAIT_SECONDS"] = 0.2
    first, first_outcome = _in_thread(_convert(app))
    _wait_until(lambda: _started(fake) == 1)  # the first holds the only slot until «go»

    began = time.monotonic()
    with app.app_context(), pytest.raises(rendering.PdfBusy) as busy:
        rendering.docx_to_pdf(b"another docx")
    waited = time.monotonic() - began
    assert "Сервер сейчас занят другими преобразованиями в PDF. Попробуйте ещё раз через минуту" in str(busy.value)
    assert waited >= 0.2  # it did wait for a slot before giving up
    assert _started(fake) == 1  # the second never started LibreOffice

    (fake / "go").touch()
    assert _finish(first, first_outcome).startswith(b"%PDF-")
    assert not (fake / "overlap").exists()


def test_second_conversion_waits_for_the_slot_and_succeeds(app, fake):
    app.config["PDF_WAIT_SECONDS"] = 5  # longer than the first conversion will take
    first, first_outcome = _in_thread(_convert(app))
    _wait_until(lambda: _started(fake) == 1)
    second, second_outcome = _in_thread(_convert(app))

    time.sleep(0.2)
    assert second.is_alive() and _started(fake) == 1  # the second waits; LibreOffice still runs once
    (fake / "go").touch()
    assert _finish(first, first_outcome).startswith(b"%PDF-")
    assert _finish(second, second_outcome).startswith(b"%PDF-")
    assert _started(fake) == 2 and not (fake / "overlap").exists()


def test_the_limit_is_a_number_of_slots(app, fake):
    app.config["PDF_MAX_PROCESSES"] = 2
    runs = [_in_thread(_convert(app)) for _ in range(2)]
    _wait_until(lambda: _started(fake) == 2)  # both run at once, neither waits for the other's «go»
    (fake / "go").touch()
    assert [_finish(*run)[:5] for run in runs] == [b"%PDF-"] * 2


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads process states from /proc")
def test_a_conversion_that_times_out_leaves_no_process_and_frees_its_slot(app, tmp_path):
    app.config.update(SOFFICE=_script(tmp_path / "soffice", HANGING_SOFFICE.format(state=shlex.quote(str(tmp_path)))),
                      PDF_MAX_PROCESSES=1, PDF_WAIT_SECONDS=0)
    with app.app_context():
        with pytest.raises(rendering.PdfUnavailable, match="не успел преобразовать документ в PDF за 0.3 с"):
            rendering.docx_to_pdf(b"a docx", timeout=0.3)
        child = int((tmp_path / "child.pid").read_text())
        _wait_until(lambda: not _running(child), seconds=2)
        # The slot is free again: with no wait at all, the next conversion still gets it (and times out too).
        with pytest.raises(rendering.PdfUnavailable, match="не успел"):
            rendering.docx_to_pdf(b"a docx", timeout=0.1)
