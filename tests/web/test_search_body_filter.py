"""Search filtered by a body (and the bodies below it): a narrow filter's entries are read through
ix_search_entry_body with the words tested on each (migration 0045; `search._narrow`) — at 1,000,000 assignments
the full-text index handed 145,000 published documents with a common word to be tested for a school's none (10 s
on PostgreSQL). Every hit the user may read of those bodies, none other, in order through the pages, with the same
count as the other ways of reading give."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.web.test_search import _hits
from tests.web.test_search_bounded import _expected, _found
from tests.web.test_search_own import WORD, world  # noqa: F401 (the fixture)
from webapp.extensions import db
from webapp.models import Body
from webapp.services import search


@pytest.fixture(params=["narrow", "every way else"])
def reading(request, monkeypatch) -> list[bool]:
    """Whether each search read the filter's entries apart (_narrow): so, or never (no filter narrow enough)."""
    if request.param != "narrow":
        monkeypatch.setattr(search, "NARROW_ENTRIES", -1)
    answers: list[bool] = []
    narrow = search._narrow
    monkeypatch.setattr(search, "_narrow", lambda *args: answers.append(narrow(*args)) or answers[-1])
    return answers


def _subtree(app, name: str) -> tuple[int, set[int]]:
    with app.app_context():
        body = db.session.scalar(select(Body).where(Body.name == name))
        return body.id, body.subtree_ids()


@pytest.mark.parametrize(("login", "body"), [
    ("aud", "Управление"), ("aud", "Школа"), ("aud", "Чужая"),  # an overseer's: every entry tested against none
    ("head", "Управление"), ("head", "Школа"),  # her own objects read apart, the published documents filtered
    ("exec", "Школа"),  # (a body she may not pick is refused by the picker)
])
def test_a_body_filter_finds_its_bodies_hits_in_order(world, client, auth, make_user, monkeypatch,  # noqa: F811
                                                       reading, login, body):
    make_user("aud", "auditor")
    monkeypatch.setattr(search, "PAGE_SIZE", 3)  # pages that split the title hits from the others
    body_id, bodies = _subtree(world, body)
    expected = _expected(world, login, WORD, bodies=bodies)
    auth.login(login)
    assert _hits(client, WORD, body=body_id) == expected
    assert len(expected) > 3 or login == "exec"  # more than a page where the filter holds some
    assert reading and all(reading) == (search.NARROW_ENTRIES >= 0)
    found = _found(client, WORD, body=body_id)
    monkeypatch.setattr(search, "WINDOW", 2)
    assert _found(client, WORD, body=body_id).startswith("более 2" if len(expected) > 2 else found[:3])


def test_a_filter_of_more_entries_than_narrow_is_read_the_other_ways(world, client, auth, make_user,  # noqa: F811
                                                                      monkeypatch):
    """Past NARROW_ENTRIES (or NARROW_BODIES) the filter's entries are not read apart: the same hits."""
    make_user("aud", "auditor")
    body_id, bodies = _subtree(world, "Управление")
    auth.login("aud")
    narrowed = _hits(client, WORD, body=body_id)
    asked: list[bool] = []
    narrow = search._narrow
    monkeypatch.setattr(search, "_narrow", lambda *args: asked.append(narrow(*args)) or asked[-1])
    monkeypatch.setattr(search, "NARROW_BODIES", 1)
    assert _hits(client, WORD, body=body_id) == narrowed == _expected(world, "aud", WORD, bodies=bodies)
    assert asked and not any(asked)


@pytest.mark.parametrize("index", ["ix_search_entry_body",  # 0045's
                                   "ix_search_entry_status", "ix_search_entry_state", "ix_search_entry_deadline",
                                   "ix_search_entry_doc_type", "ix_search_entry_published_type",  # 0046's, 0049's
                                   "ix_search_entry_assignment_body"])  # 0036's, made again by 0050 (0045's by 0051)
def test_migrations_0045_0046_0049_0050_and_0051_analyse_their_indexes_where_the_database_was_analysed(world, index):  # noqa: F811
    """SQLite: the new indexes' statistics beside those the database had (else the planner guessed 0045's the most
    selective of all and read a department's own search through it until the nightly ANALYZE)."""
    from flask_migrate import downgrade, upgrade

    with world.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite's statistics (PostgreSQL's autovacuum keeps its own)")
        db.session.commit()
        downgrade(revision="0044")
        db.session.connection().exec_driver_sql("ANALYZE")
        db.session.commit()
        upgrade()
        analysed = db.session.connection().exec_driver_sql(
            "SELECT stat FROM sqlite_stat1 WHERE idx = ?", (index,)).scalar()
        db.session.commit()
    assert analysed and int(analysed.split()[0]) > 0
