"""Search's capped walk (issue 14): when the probe finds a query's words among the newest entries but not its hits
(at 1M the newest 23,000 entries were a draft's assignments, and the title hits began below them), the hits are
walked newest first down to a boundary and, when fewer than a page's worth are found there, read through the
full-text index instead. Either way the pages hold every hit the user may read, in order, and the count is whole:
a walk that kept what it found above the boundary would lose the old hits (the failure these tests catch)."""

from __future__ import annotations

import pytest

from tests.web.test_search import DEMO_PASSWORD, _hits
from tests.web.test_search_bounded import QUERIES, _expected, _found
from webapp.services import search


@pytest.fixture(params=[1, 12, 30])
def capped(request, demo_app, monkeypatch) -> list[str]:
    """Every read of every query capped at the date of the `param`-th newest entry; returns the ways the tiers
    were read ("capped" for each capped read, then "index" for each that found too few above the boundary)."""
    ways: list[str] = []
    from webapp.extensions import db

    with demo_app.app_context():
        boundary = db.session.scalar(search._boundary(request.param))
    assert boundary is not None
    monkeypatch.setattr(search, "_ways", lambda conditions, terms, domain=(), within=(): search._Ways(
        "capped", "capped", "capped", boundary))
    tier = search._tier

    def spied(conditions, way, boundary, terms, in_title, end, *texts):
        ways.append(way)
        return tier(conditions, way, boundary, terms, in_title, end, *texts)

    monkeypatch.setattr(search, "_tier", spied)
    return ways


@pytest.mark.parametrize("login", ["auditor", "executor"])
def test_a_capped_walk_gives_every_hit_in_order(demo_app, client, auth, monkeypatch, capped, login):
    monkeypatch.setattr(search, "PAGE_SIZE", 4)  # pages that split the title hits from the others
    auth.login(login, DEMO_PASSWORD)
    for query in QUERIES:
        assert _hits(client, query) == _expected(demo_app, login, query), query
    fell_back = capped.count("index")
    assert fell_back, "no query had hits below the boundary: the fallback was not exercised"


def test_a_boundary_below_the_first_page_keeps_the_walk(demo_app, client, auth, monkeypatch):
    """The boundary at the oldest date: the first page's hits are all above it, so the walk alone answers (no
    full-text read), and they are the right ones (title hits alone: the others' tier is not read then)."""
    from sqlalchemy import func, select

    from webapp.extensions import db
    from webapp.models import SearchEntry

    with demo_app.app_context():
        oldest = db.session.scalar(select(func.min(SearchEntry.sort_date)))
    monkeypatch.setattr(search, "_ways", lambda conditions, terms, domain=(), within=(): search._Ways(
        "capped", "capped", "capped", oldest))
    ways: list[str] = []
    tier = search._tier
    monkeypatch.setattr(search, "_tier", lambda *args: ways.append(args[1]) or tier(*args))
    monkeypatch.setattr(search, "PAGE_SIZE", 2)
    auth.login("auditor", DEMO_PASSWORD)
    page = client.get("/search", query_string={"q": "педагог", "exact": "0"}).get_data(as_text=True)
    assert ways == ["capped"]
    import re

    shown = [(kind, int(number)) for kind, number in
             re.findall(r'class="mb-3 search-hit" data-kind="(\w+)" data-id="(\d+)"', page)]
    assert shown == _expected(demo_app, "auditor", "педагог")[:2]


@pytest.mark.parametrize("login", ["auditor", "executor"])
def test_a_capped_count_is_whole(demo_app, client, auth, monkeypatch, capped, login):
    """Fewer hits above the boundary than the window: counted again in full; more: «более»."""
    auth.login(login, DEMO_PASSWORD)
    everything = _expected(demo_app, login, "педагог")
    assert len(everything) > 3
    monkeypatch.setattr(search, "WINDOW", len(everything))
    assert _found(client, "педагог").startswith(f"{len(everything)}")
    monkeypatch.setattr(search, "WINDOW", 3)
    assert _found(client, "педагог").startswith("более 3")


def test_the_probe_caps_a_walk_when_the_words_are_common_but_the_hits_are_not(demo_app, client, auth,
                                                                              monkeypatch):
    """The probe's decision on the demo: every dated entry probed, the words counted whoever may read them. A school's
    executor reads few of the hits of «педагог», so with DENSE above their hits and at most the words' entries the
    reads are capped walks, and the pages still hold every hit in order. (Her own assignments are read apart
    through their ids unless she sees more than OWN of them: OWN is 0 here, so that every entry is probed.)"""
    from sqlalchemy import func, select

    from webapp.extensions import db
    from webapp.models import SearchEntry

    auth.login("executor", DEMO_PASSWORD)
    mine = _expected(demo_app, "executor", "педагог")
    with demo_app.app_context():
        dated = db.session.scalar(select(func.count()).where(SearchEntry.sort_date.is_not(None)))
    monkeypatch.setattr(search, "PROBE", dated)  # the probe sees every dated entry
    monkeypatch.setattr(search, "CAP", 1)  # and a capped walk stops at the newest date
    monkeypatch.setattr(search, "DENSE", len(mine) + 1)  # more than the executor's hits: not dense for them
    chosen: list = []
    ways = search._ways
    monkeypatch.setattr(search, "OWN", 0)
    monkeypatch.setattr(search, "_ways", lambda conditions, terms, domain=(), within=(): chosen.append(
        ways(conditions, terms, domain, within)) or chosen[-1])
    monkeypatch.setattr(search, "PAGE_SIZE", 4)
    assert len(_expected(demo_app, "auditor", "педагог")) > len(mine)  # the words: at least the auditor's hits
    assert _hits(client, "педагог") == mine
    assert chosen and {(w.title, w.others) for w in chosen} == {("capped", "capped")}
