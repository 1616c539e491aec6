"""Documents written in the service render with the requisites of ГОСТ Р 7.0.97: the issuing body's letterhead,
the order's formula and control clause, the protocol's chair and secretary, typography; and the issuing body is
required before a draft goes for approval."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date

from sqlalchemy import select

from tests.web.test_workflows import USERS
from webapp.extensions import db
from webapp.models import Body, User
from webapp.services.documents import DraftData, PointData, create_draft
from webapp.services.transitions import blocked_reason
from webapp.services.workflows import registry

YUGRA = "Департамент образования и молодежной политики Ханты-Мансийского автономного округа – Югры"
NBSP = "\u00a0"


def test_demo_bodies_carry_their_letterhead_requisites(demo_app):
    with demo_app.app_context():
        body = db.session.scalar(select(Body).where(Body.name == YUGRA))
        assert body.place == "г. Ханты-Мансийск"
        assert body.letterhead_above == ["Ханты-Мансийский автономный округ – Югра"]
        assert body.address and body.formulas == {"order": "ПРИКАЗЫВАЮ:"}
        altai = db.session.scalar(select(Body).where(Body.name.like("Управление образования администрации%")))
        assert altai.name_alt and altai.letterhead_above_alt  # the region's second language
        secretary = db.session.scalar(select(User).where(User.login == "secretary"))
        assert secretary.phone and [b.name for b in secretary.bodies] == [YUGRA]


def test_a_draft_without_an_issuing_body_is_not_sent_for_approval(app, make_user):
    ids = {login: make_user(login, *roles) for login, roles in USERS.items()}
    with app.app_context():
        author = db.session.get(User, ids["sec"])
        assert author.bodies == []  # so the draft gets no issuing body by default
        document = create_draft(author, DraftData(doc_type="protocol", title="совещания", event_date=date(2026, 11, 20),
                                                  points=[PointData(text="Принять к сведению.", number="1")]))
        submit = registry().for_type("protocol").transition("submit")
        assert blocked_reason(author, document, submit) == "Документ не заполнен: орган, издающий документ."
        document.issuing_body = Body(name="Министерство образования")
        db.session.flush()
        assert blocked_reason(author, document, submit) is None


def _xml(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read("word/document.xml").decode()


def _text(xml: str) -> str:
    """The document's text with paragraphs on lines (runs joined), NBSP kept."""
    paragraphs = re.findall(r"<w:p[ >].*?</w:p>", xml, re.S)
    return "\n".join("".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", p)) for p in paragraphs)
