"""Real browser with JavaScript off: the draft's responsible bodies are typed by name in the box under each point
(the box is inside <noscript>, so it exists only then); a name not found is refused at its point with the rest of
the form kept, the one found shown as chosen; the draft is saved once the name is fixed."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import CHROMIUM, expect, login_as, new_page

pytestmark = pytest.mark.skipif(not CHROMIUM, reason="no chromium binary on PATH")

INSTITUTE = "АУ ДПО «Институт развития образования»"


@pytest.fixture
def page_without_scripts(live_server, chromium):
    with new_page(chromium, java_script_enabled=False) as page:
        yield page


def test_bodies_typed_by_name_without_javascript(page_without_scripts, live_server):
    page = page_without_scripts
    login_as(page, live_server, "secretary")
    page.goto(live_server + "/documents/new")
    expect(page.locator("#points-0-responsible option")).to_have_count(0)  # nothing listed in advance
    page.fill("#title", "О семинаре для заместителей директоров")
    page.fill("#points-0-number", "1")
    page.fill("#points-0-text", "Провести семинар.")
    page.fill("#points-0-responsible_names", f"{INSTITUTE.lower()}\nОтдел несуществующих дел")
    with page.expect_navigation():
        page.click("#save")
    expect(page.locator(".point-row").first).to_contain_text(
        "Орган «Отдел несуществующих дел»: не найден среди действующих органов")
    expect(page.locator("#points-0-responsible option:checked")).to_have_text([INSTITUTE])  # found: now chosen
    expect(page.locator("#points-0-responsible_names")).to_have_value("Отдел несуществующих дел")
    expect(page.locator("#points-0-text")).to_have_value("Провести семинар.")  # nothing typed lost
    page.fill("#points-0-responsible_names", "")
    with page.expect_navigation():
        page.click("#save")
    expect(page.locator(".alert-success")).to_contain_text("Проект сохранён")
    expect(page.locator(".paper")).to_contain_text("Провести семинар.")
