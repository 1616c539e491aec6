"""The demo loader: the five samples as structured documents, matching the gold annotation."""

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from webapp.extensions import db
from webapp.models import Assignment, Body, Document, User

GOLD_FILE = Path(__file__).parents[1] / "data" / "seeds.gold.jsonl"
GOLD = {row["file"].removesuffix(".txt"): row
        for row in map(json.loads, GOLD_FILE.read_text(encoding="utf-8").splitlines())}


def _assignments(slug):
    doc = db.session.scalar(select(Document).where(Document.slug == slug))
    return doc, list(db.session.scalars(select(Assignment).where(Assignment.document_id == doc.id)
                                        .order_by(Assignment.id)))


@pytest.mark.parametrize("slug", sorted(GOLD))
def test_demo_assignments_match_gold(demo_app, slug):
    gold = GOLD[slug]["assignments"]
    with demo_app.app_context():
        doc, rows = _assignments(slug)
        assert len(rows) == len(gold)
        for row, expected in zip(rows, gold, strict=True):
            if expected["responsible_nominative"]:
                assert row.lead_body is not None and row.lead_body.matches(expected["responsible_nominative"]), (
                    row.point_number, row.lead_body, expected["responsible_nominative"])
            else:
                assert row.lead_body is None
            assert (row.deadline and row.deadline.isoformat()) == expected["deadline"]
            assert (row.start_date and row.start_date.isoformat()) == expected["start"]
            assert row.deadline_kind == expected["deadline_kind"]
            assert row.point_number == expected["point"]


@pytest.mark.parametrize("slug", sorted(GOLD))
def test_demo_document_requisites_match_gold(demo_app, slug):
    gold = GOLD[slug]
    with demo_app.app_context():
        doc = db.session.scalar(select(Document).where(Document.slug == slug))
        assert doc.doc_type == gold["doc_type"]
        assert doc.number == gold["number"]
        assert (doc.reg_date or doc.event_date) == (gold["date"] and __import__("datetime").date.fromisoformat(
            gold["date"]))
        assert doc.draft_mark == (gold["status_mark"] == "Проект")
        assert doc.state == ("draft" if gold["status_mark"] == "Проект" else "published")


def test_demo_structure_of_the_protocol_and_the_order(demo_app):
    with demo_app.app_context():
        protocol = db.session.scalar(select(Document).where(Document.slug == "004_91dc62e67ca8c96b"))
        assert [p.role for p in protocol.participants].count("chair") == 1
        assert [p.name for p in protocol.participants_with("attendee")][:4] == [
            "Матвейчук Елена Николаевна", "Клюсова Виктория Викторовна", "Захожая Татьяна Михайловна",
            "Повзун Вера Дмитриевна"]
        assert len(protocol.agenda_items) == 3
        numbers = [p.number for item in protocol.agenda_items for p in item.points]
        assert {"1.2.1", "1.2.2", "3.3.1", "3.3.6"} <= set(numbers)
        order = db.session.scalar(select(Document).where(Document.slug == "003_4c206afcc321b513"))
        assert len(order.letterhead) == 2 and order.heading == "ПРИКАЗ" and order.heading_alt == "ЖАКАРУ"
        [regulation] = order.attachments
        assert regulation.doc_type == "regulation" and regulation.approval_stamp
        assert order.acknowledgments[0].person_name == "А.М.Суртаева"


def test_demo_is_idempotent_and_has_one_user_per_role(demo_app, runner):
    with demo_app.app_context():
        counts = (db.session.query(Document).count(), db.session.query(Assignment).count(),
                  db.session.query(Body).count(), db.session.query(User).count())
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0 and "0 new document(s)" in result.output
    with demo_app.app_context():
        assert (db.session.query(Document).count(), db.session.query(Assignment).count(),
                db.session.query(Body).count(), db.session.query(User).count()) == counts
        users = {u.login: u for u in db.session.scalars(select(User))}
        for role in ("secretary", "head", "approver", "executor", "controller", "auditor", "admin"):
            assert role in users[role].roles
        assert [b.short_name for b in users["executor"].bodies] == ["АУ ДПО «Институт развития образования»"]


def test_demo_users_log_in_and_see_the_five_documents(demo_app, client, auth):
    """The secretary of the Khanty-Mansiysk department sees the four documents in force, not the draft resolution
    of no body of hers; the auditor sees all five."""
    assert auth.login("secretary", "demo").status_code == 302
    page = client.get("/documents").get_data(as_text=True)
    draft = _doc_id(demo_app, "001_af90b7f0e0abd48d")
    assert page.count('class="doc-number"') == 4 and f'href="/documents/{draft}"' not in page
    assert ">339<" in page and ">1<" in page
    assert client.get(f"/documents/{draft}").status_code == 403
    auth.logout()
    auth.login("auditor", "demo")
    assert client.get("/documents").get_data(as_text=True).count('class="doc-number"') == 5
    assert "ЖАКАРУ" in client.get(f"/documents/{_doc_id(demo_app, '003_4c206afcc321b513')}").get_data(as_text=True)
    auth.logout()
    auth.login("auditor", "demo")  # auditors see every assignment; members only their bodies' ones
    assert "Создать структуру" in client.get("/assignments").get_data(as_text=True)


def _doc_id(app, slug):
    with app.app_context():
        return db.session.scalar(select(Document.id).where(Document.slug == slug))
