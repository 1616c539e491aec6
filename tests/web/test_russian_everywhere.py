"""No English word on any page a user sees: every page reachable from the menu and from the pages' own links is
crawled as every demo role, and every word with a Latin letter in the visible text (and in the attributes a user
reads: title, placeholder, aria-label, alt, button values) must be a code or a proper name from the allowlist, or
the users' own data (a word of the documents, bodies and people they entered: that is theirs, not the UI's)."""

from __future__ import annotations

import re
from collections import deque
from urllib.parse import urljoin, urlsplit

import lxml.html
import pytest
from sqlalchemy import select

from webapp.demo.loader import DEMO_USERS
from webapp.extensions import db

LATIN_WORD = re.compile(r"[0-9A-Za-zА-Яа-яЁё_.@/+-]*[A-Za-z][0-9A-Za-zА-Яа-яЁё_.@/+-]*")
#: codes, formats, standards and names a Russian clerk reads in Latin letters too
ALLOWED = {
    "Docflow", "DOCX", "PDF", "XLSX", "CSV", "ODT", "TXT", "ICS", "iCalendar", "PNG", "JPEG", "JSON", "API",
    "REST", "OpenAPI", "URL", "HTTP", "HTTPS", "HMAC", "SHA-256", "SMTP", "Word", "LibreOffice", "Excel", "Outlook",
    "Google", "Bearer", "ID", "id", "QR", "UTF-8", "HTML", "GOST", "docflow", "IP", "Mermaid", "Thunderbird",
    "Windows-1251", "HMAC-SHA256", "Jinja", "docxtpl", "POST-запрос", "http", "https", "docx", "Ctrl", "Shift",
}
DOMAIN = re.compile(r"[\w-]+(\.[\w-]+)*\.[a-z]{2,}(/[\w./-]*)?")  # an address shown as an example
SKIP = ("/logout", "/static/", "/bootstrap/", "/api/v1/", "/calendar/feed")
DOWNLOADS = re.compile(r"\.(docx|pdf|xlsx|ics|csv|json|png|jpe?g)$|/(docx|pdf|xlsx|ics|csv|download|file|preview)\b")
PAGES_PER_SHAPE = 2  # /documents/12 and /documents/13 are the same page: two of each shape are enough
MAX_PAGES = 160


def _data_words() -> set[str]:
    """Every Latin word stored in the database's text columns: what users entered (a sample's «e-mail», a login)."""
    words: set[str] = set()
    for table in db.metadata.sorted_tables:
        for column in (c for c in table.columns if _python_type(c) is str):
            for value in db.session.scalars(select(column).where(column.is_not(None))):
                words.update(LATIN_WORD.findall(str(value)))
    return words


def _python_type(column):
    try:
        return column.type.python_type
    except NotImplementedError:
        return None


def _visible_text(page: str) -> list[str]:
    tree = lxml.html.fromstring(page)
    for junk in tree.xpath("//script|//style|//code|//pre|//*[@data-user-text]"):
        junk.drop_tree()
    texts = [t for t in tree.xpath("//body//text()")]
    for attribute in ("title", "placeholder", "aria-label", "alt"):
        texts.extend(tree.xpath(f"//body//@{attribute}"))
    texts.extend(tree.xpath("//input[@type='submit' or @type='button']/@value"))
    return texts


def _shape(path: str) -> str:
    return re.sub(r"\d+", "N", path)


#: where the crawl starts: the start page, pages reached by a form rather than a link, and the error page
STARTS = ["/tasks", "/search?q=приказ", "/search?q=339", "/documents?type=order", "/no-such-page"]


def _crawl(client):
    seen, shapes, queue = set(), {}, deque(STARTS)
    while queue and len(seen) < MAX_PAGES:
        url = queue.popleft()
        parts = urlsplit(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        shape = _shape(parts.path)
        if path in seen or shapes.get(shape, 0) >= PAGES_PER_SHAPE:
            continue
        seen.add(path)
        shapes[shape] = shapes.get(shape, 0) + 1
        answer = client.get(path)
        if answer.status_code not in (200, 404) or answer.mimetype != "text/html":
            continue
        page = answer.get_data(as_text=True)
        yield path, page
        for link in lxml.html.fromstring(page).xpath("//a/@href"):
            target = urljoin("http://localhost" + parts.path, link)
            split = urlsplit(target)
            if split.netloc != "localhost" or split.path.startswith(SKIP) or DOWNLOADS.search(split.path):
                continue
            if split.query.count("=") > 3:  # filter combinations: the page itself is visited plain
                continue
            queue.append(split.path + (f"?{split.query}" if split.query else ""))


@pytest.mark.parametrize("login", [login for login, *_ in DEMO_USERS])
def test_no_english_word_on_any_page(demo_app, client, auth, login):
    with demo_app.app_context():
        allowed = ALLOWED | _data_words() | {login for login, *_ in DEMO_USERS}
    auth.login(login, "demo")
    found: dict[str, set[str]] = {}
    pages = 0
    for path, page in _crawl(client):
        pages += 1
        for text in _visible_text(page):
            for word in LATIN_WORD.findall(text):
                bare = word.strip(".,:;/+-_")
                if bare and bare not in allowed and not re.fullmatch(r"[\w.+-]+@[\w.-]+", bare) \
                        and not DOMAIN.fullmatch(bare) and not re.fullmatch(r"[IVXLC]+", bare):  # section «II»
                    found.setdefault(bare, set()).add(path)
    assert pages >= 10
    assert not found, "\n".join(f"{word}: {sorted(paths)[:3]}" for word, paths in sorted(found.items()))
