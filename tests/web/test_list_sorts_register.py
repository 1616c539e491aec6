"""The register by number, by type, by date and by state: read in parts (the numbered, or dated, through their
index either way, then the others; each type's documents by id, type after type; the rest of the cursor's state,
then the states beyond) instead of sorting every document; every reader still gets every document she may read once,
in the sort's order (ties by id, unnumbered last both ways), across pages inside a number's, a type's and a state's
documents and across them."""

from __future__ import annotations

from datetime import date

import pytest

from tests.web.test_query_plans import plan
from tests.web.test_register import _walk
from webapp.extensions import db
from webapp.models import Document, DocumentType, User
from webapp.services import documents, paging

RANKS = {kind.value: rank for rank, kind in enumerate(DocumentType)}
TYPES = ("protocol", "order", "decision", "order", "resolution")


@pytest.fixture
def register(app, make_user):
    """70 documents of five types, numbers repeated (ties) and missing (drafts and some published), dates repeated
    and missing (drafts: half of them with the meeting's date, half with none), an attachment (listed under its type
    only), a draft of someone else's (only overseers read it)."""
    make_user("aud", "auditor")
    make_user("exec", "executor")
    with app.app_context():
        for n in range(70):
            published = n % 7 != 3 and n % 13 != 6
            db.session.add(Document(doc_type=TYPES[n % len(TYPES)], title=f"Документ {n}",
                                    state="published" if published else "draft" if n % 7 == 3 else "signing",
                                    number=None if not published or n % 11 == 5 else f"{n % 9}-к",
                                    reg_date=date(2026, 1, 1 + n % 20) if published else None,
                                    event_date=date(2025, 12, 1 + n % 5) if n % 14 == 3 else None))
        db.session.flush()
        parent = db.session.query(Document).filter_by(doc_type="order").first()
        db.session.add(Document(doc_type="regulation", title="Положение", state="published", number="1-к",
                                parent_id=parent.id, reg_date=date(2026, 1, 2)))
        db.session.commit()


def _expected(app, login: str, sort: str, doc_type: str = "") -> list[int]:
    with app.app_context():
        rows = [d for d in db.session.query(Document)
                if (d.parent_id is None if not doc_type else d.doc_type == doc_type)
                and (login == "aud" or d.state == "published")]
    keyed = [(d.number if "number" in sort else (d.reg_date or d.event_date) if "date" in sort
              else d.state if "state" in sort else RANKS[d.doc_type], d.id) for d in rows]
    descending = sort.startswith("-")
    named = sorted(((key, i) for key, i in keyed if key is not None), reverse=descending)
    return [i for _key, i in named] + sorted((i for key, i in keyed if key is None), reverse=descending)


@pytest.mark.parametrize("login", ["aud", "exec"])
@pytest.mark.parametrize("sort", ["number", "-number", "type", "-type", "date", "-date", "state", "-state"])
@pytest.mark.parametrize("doc_type", ["", "order", "regulation"])
def test_every_document_once_in_the_sorts_order_across_pages(app, client, auth, register, login, sort, doc_type):
    auth.login(login)
    seen = _walk(client, f"/documents?size=25&sort={sort}" + (f"&type={doc_type}" if doc_type else ""))
    assert seen == _expected(app, login, sort, doc_type)
    if not doc_type:
        assert len(seen) > 50  # two page boundaries are crossed


@pytest.mark.parametrize(("sort", "after", "expected"), [
    ("number", "n_0", "unnumbered"), ("-number", "n_999999", "unnumbered"), ("type", "v99_1", "none"),
    ("type", "v-5_1", "all"), ("-type", "v99_1", "all"), ("-type", "v-5_1", "none"), ("type", "n_1", "none")])
def test_a_cursor_no_page_made_finds_what_it_did(app, client, auth, register, sort, after, expected):
    auth.login("aud")
    seen = _walk(client, f"/documents?size=25&sort={sort}&after={after}")
    everything = _expected(app, "aud", sort)
    with app.app_context():
        unnumbered = {d.id for d in db.session.query(Document) if d.number is None}
    assert seen == {"unnumbered": [i for i in everything if i in unnumbered], "none": [], "all": everything}[expected]


@pytest.mark.parametrize(("sort", "after", "index"), [
    ("number", None, "ix_document_number_id"), ("-number", None, "ix_document_number_id"),
    ("type", None, "ix_document_doc_type_id"), ("date", None, "ix_document_register_date"),
    ("state", None, "ix_document_state_id"), ("-state", None, "ix_document_state_id"),
    ("state", "vpublished_20", "ix_document_state_id"), ("-state", "vpublished_20", "ix_document_state_id")])
def test_the_register_reads_its_sorts_from_their_indexes(app, register, monkeypatch, sort, after, index):
    """With parameters bound, the register by number (either way) and by type reads the indexes of migration 0038
    (before, both sorted every document), oldest first the date's index backwards (as one «ASC NULLS LAST»
    order, no index's, PostgreSQL sorted every document), and by state that of migration 0043 either way, after
    a cursor too (newest state first PostgreSQL sorted every document): the question asked of the parts'
    statement as register_page builds it. On PostgreSQL the primary key's index is taken away for the question: on
    the test's 71 rows it reads one type's documents as well as any, filtering by type (a CI run once planned that
    whenever the copy's statistics said one row a type)."""
    captured = []
    original = paging.keyset
    monkeypatch.setattr(paging, "keyset", lambda query, *a, **k: captured.append(query) or original(query, *a, **k))
    with app.app_context():
        documents.register_page(db.session.query(User).filter_by(login="aud").one(), sort=sort, size=25,
                                after=after)
        found = plan(captured[0], hide=("pk_document",))
    assert index in found, found


@pytest.mark.parametrize("sort", ["state", "-state"])
def test_a_cursor_inside_a_state_reads_the_rest_of_it_as_one_range(app, register, monkeypatch, sort):
    """After a cursor in the middle of a state's documents, those of the cursor's state after its id are one range
    of (state, id), apart from the states beyond: read as «state from the cursor's on» the rows of its state
    before the cursor were read and dropped (page 2,000 of published documents newest state first: 26-33 ms on
    PostgreSQL at 200,000, now 9-16)."""
    captured = []
    original = paging.merged
    monkeypatch.setattr(paging, "merged",
                        lambda query, parts, *a, **k: captured.append(parts) or original(query, parts, *a, **k))
    with app.app_context():
        documents.register_page(db.session.query(User).filter_by(login="aud").one(), sort=sort, size=25,
                                after="vpublished_20")
        texts = [str(part.compile(compile_kwargs={"literal_binds": True})) for part in captured[0]]
    ties = [text for text in texts if "document.state = 'published'" in text]
    assert len(ties) == 1 and ("document.id < 20" if sort == "-state" else "document.id > 20") in ties[0], texts
