"""Search: Russian morphology, the same results as an independent reading of the demo's texts (so the same on
SQLite and PostgreSQL, which CI runs this file against), visibility by the policy, filters, a number that opens
its document, the index kept current by edits, and bad queries."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests.web.test_documents import _body_id, protocol_form
from webapp.extensions import db
from webapp.models import Assignment, Document
from webapp.ru.search_terms import lexemes, matches_all, query_terms, snippet
from webapp.services import policy
from webapp.services.search import reindex_all

DEMO_PASSWORD = "demo"
QUERIES = ["педагог", "обеспечить", "создать структуру", "методической службы", "Суртаева", "наставничество",
           "2022", "КРИПКРО", "муниципальных органов управления образованием", "ёлка"]


def _hits(client, query: str, **filters) -> list[tuple[str, int]]:
    """(kind, id) of every result, through every page."""
    found, page = [], 1
    while True:
        response = client.get("/search", query_string={"q": query, "page": page, "exact": "0", **filters})
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        found += [(kind, int(number)) for kind, number in
                  re.findall(r'class="mb-3 search-hit" data-kind="(\w+)" data-id="(\d+)"', html)]
        if 'id="next-page"' not in html:
            return found
        page += 1


def _expected(app, login: str, query: str) -> list[tuple[str, int]]:
    """What the index must find, read from the documents themselves with the policy's own rules."""
    from webapp.models import User
    from webapp.services.search import _assignment_words, _document_words

    terms = query_terms(query)
    with app.app_context():
        user = db.session.scalar(select(User).where(User.login == login))
        expected = []
        for document in db.session.scalars(select(Document)):
            words = _document_words(document)
            if matches_all(lexemes("\n".join(words)), terms) and policy.can(user, "read_document", document):
                expected.append(("document", document.id))
            for assignment in db.session.scalars(select(Assignment).where(Assignment.document_id == document.id)):
                text = "\n".join(_assignment_words(assignment) + [document.label])
                if matches_all(lexemes(text), terms) and assignment.status != "draft" and \
                        policy.can(user, "read_assignment", assignment):  # a draft assignment has no page
                    expected.append(("assignment", assignment.id))
        return expected


@pytest.mark.parametrize("login", ["auditor", "executor", "secretary"])
def test_results_are_what_the_texts_say(demo_app, client, auth, login):
    auth.login(login, DEMO_PASSWORD)
    for query in QUERIES:
        assert sorted(_hits(client, query)) == sorted(_expected(demo_app, login, query)), query


def test_morphology_finds_other_forms(demo_app, client, auth):
    auth.login("auditor", DEMO_PASSWORD)
    page = client.get("/search", query_string={"q": "педагог"}).get_data(as_text=True)
    assert "<mark>педагогических</mark>" in page or "<mark>Педагогических</mark>" in page
    page = client.get("/search", query_string={"q": "обеспечить"}).get_data(as_text=True)
    assert re.search(r"<mark>обеспечени\w*</mark>", page, re.I)
    assert _hits(client, "педагог") and set(_hits(client, "педагог")) >= set(_hits(client, "педагогических"))


def test_ranking_puts_title_matches_first_then_newest(demo_app, client, auth):
    auth.login("auditor", DEMO_PASSWORD)
    hits = _hits(client, "положение")
    with demo_app.app_context():
        titles = [db.session.get(Document if kind == "document" else Assignment, number)
                  for kind, number in hits]
        in_title = [bool(matches_all(lexemes(f"{t.label} {t.title}" if isinstance(t, Document)
                                             else t.action), query_terms("положение"))) for t in titles]
    assert in_title == sorted(in_title, reverse=True) and in_title[0]


def test_a_number_opens_its_document(demo_app, client, auth):
    auth.login("auditor", DEMO_PASSWORD)
    with demo_app.app_context():
        order = db.session.scalar(select(Document).where(Document.number == "339"))
    for query in ("339", "№ 339", "№339"):
        response = client.get("/search", query_string={"q": query})
        assert response.status_code == 302 and response.headers["Location"].endswith(f"/documents/{order.id}")


def test_filters(demo_app, client, auth):
    auth.login("auditor", DEMO_PASSWORD)
    everything = _hits(client, "педагог")
    protocols = _hits(client, "педагог", doc_type="protocol")
    assignments = _hits(client, "педагог", kind="assignment")
    with demo_app.app_context():
        assert protocols and all(db.session.get(Document, n).doc_type == "protocol" or
                                 db.session.get(Assignment, n).document.doc_type == "protocol"
                                 for k, n in protocols if k == "document") and set(protocols) < set(everything)
        assert assignments and {k for k, _ in assignments} == {"assignment"}
    assert _hits(client, "педагог", year="1999") == []
    dated = _hits(client, "педагог", kind="assignment", deadline_from="01.01.2022", deadline_to="31.12.2022")
    with demo_app.app_context():
        assert all(db.session.get(Assignment, n).deadline.year == 2022 for _, n in dated)


def test_drafts_of_other_bodies_are_not_found(demo_app, client, auth, make_user):
    with demo_app.app_context():
        draft = db.session.scalar(select(Document).where(Document.state == "draft"))
        word = lexemes(draft.title)[0]
    _body_id(demo_app, "Орган без документов")
    make_user("outsider", "executor", bodies=["Орган без документов"])
    auth.login("outsider")
    assert ("document", draft.id) not in _hits(client, word)
    auth.logout()
    auth.login("auditor", DEMO_PASSWORD)
    assert ("document", draft.id) in _hits(client, word)


def test_the_index_follows_edits(app, client, auth, make_user):
    body_id = _body_id(app)
    make_user("sec", "secretary")
    auth.login("sec")
    response = client.post("/documents/new", data=protocol_form(auth.csrf("/documents/new"), body_id))
    document_id = int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    assert ("document", document_id) in _hits(client, "методической службе")
    assert _hits(client, "аттестации") == []
    with app.app_context():
        version = db.session.get(Document, document_id).version
    edit = protocol_form(auth.csrf(f"/documents/{document_id}/edit"), body_id,
                         title="заседания по аттестации педагогов", version=str(version))
    response = client.post(f"/documents/{document_id}/edit", data=edit)
    assert response.status_code == 302, response.get_data(as_text=True)
    assert ("document", document_id) in _hits(client, "аттестации")
    assert ("document", document_id) not in _hits(client, "совещания")


def test_a_change_committed_without_a_flush_of_its_own_is_indexed(app, client, auth, make_user):
    """The index's entries are written before the commit from what its flushes marked; a change still unflushed
    when commit is called is flushed by the commit only after that hook ran, so the hook flushes it first (an
    assignment added to a published document and committed at once was never found)."""
    make_user("aud", "auditor")
    with app.app_context():
        document = Document(doc_type="order", title="О мерах", state="published", number="5")
        db.session.add(document)
        db.session.commit()
    with app.app_context():
        document_id = db.session.scalar(select(Document.id))
        db.session.add(Assignment(document_id=document_id, action="Провести инвентаризацию библиотечного фонда",
                                  status="in_work"))
        db.session.commit()  # no query, no flush in between
        assignment_id = db.session.scalar(select(Assignment.id))
    auth.login("aud")
    assert ("assignment", assignment_id) in _hits(client, "инвентаризацию")


def test_reindex_rebuilds_the_same_index(demo_app, client, auth, runner):
    auth.login("auditor", DEMO_PASSWORD)
    before = {query: _hits(client, query) for query in QUERIES[:4]}
    result = runner.invoke(args=["search", "reindex"])
    assert result.exit_code == 0 and "rebuilt" in result.output
    assert {query: _hits(client, query) for query in QUERIES[:4]} == before
    with demo_app.app_context():
        assert reindex_all() > 0


@pytest.mark.parametrize("query", ['"', "*", "педагог*", "a & b | !c", "педагог:*", "OR AND NOT", "(((", "%_%",
                                   "ё" * 300, "\x00", "NEAR(педагог)"])
def test_odd_queries_are_safe(demo_app, client, auth, query):
    auth.login("auditor", DEMO_PASSWORD)
    response = client.get("/search", query_string={"q": query})
    assert response.status_code == 200


def test_a_query_of_stop_words_asks_for_words(demo_app, client, auth):
    auth.login("auditor", DEMO_PASSWORD)
    page = client.get("/search", query_string={"q": "и в о"}).get_data(as_text=True)
    assert 'id="no-terms"' in page and 'id="results"' not in page


def test_bad_filters_get_a_russian_message(demo_app, client, auth):
    auth.login("auditor", DEMO_PASSWORD)
    page = client.get("/search", query_string={"q": "педагог", "year": "abc", "deadline_from": "32.13.2022"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'id="results"' not in html and "Год" in html and "Срок с" in html


def test_search_needs_a_login(client):
    response = client.get("/search", query_string={"q": "педагог"})
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_pages_hold_every_result_once(demo_app, client, auth, monkeypatch):
    from webapp.services import search

    auth.login("auditor", DEMO_PASSWORD)
    everything = _hits(client, "2021")
    monkeypatch.setattr(search, "PAGE_SIZE", 3)
    paged = _hits(client, "2021")
    assert len(everything) > 3 and paged == everything


def test_snippet_marks_the_matched_words():
    pieces = snippet("Органам местного самоуправления обеспечить создание методических служб", ["обеспеч", "служб"])
    assert [piece for piece, matched in pieces if matched] == ["обеспечить", "служб"]
    assert "".join(piece for piece, _ in pieces) == "Органам местного самоуправления обеспечить создание " \
                                                    "методических служб"


def test_every_page_has_the_search_box(demo_app, client, auth):
    auth.login("executor", DEMO_PASSWORD)
    for path in ("/tasks", "/documents", "/assignments", "/search"):
        html = client.get(path).get_data(as_text=True)
        assert re.search(r'<form[^>]*action="/search"[^>]*id="header-search"', html), path
        assert 'name="q"' in html and 'data-bs-target="#main-menu"' in html
