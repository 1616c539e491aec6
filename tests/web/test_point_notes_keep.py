"""A point's «Срок: …» / «Ответственные: …» lines never start a page away from their point: the point's paragraph
and each of its lines but the last carry Word's keep-with-next (w:keepNext); no other paragraph of the body gets it.
Read from the XML of the DOCX downloaded over HTTP."""

from __future__ import annotations

import io

import docx
from docx.oxml.ns import qn

from tests.web.test_point_notes import NOTES, SURGUT, _create, _ids, _protocol_form


def _body(client, document_id: int) -> list[tuple[str, bool]]:
    """Each paragraph of the downloaded DOCX: its text and whether its own properties hold w:keepNext."""
    response = client.get(f"/documents/{document_id}/docx")
    assert response.status_code == 200
    book = docx.Document(io.BytesIO(response.data))
    out = []
    for paragraph in book.paragraphs:
        ppr = paragraph._p.pPr
        out.append((paragraph.text.replace("\u00a0", " "), ppr is not None and ppr.find(qn("w:keepNext")) is not None))
    return out


def test_a_point_is_kept_with_its_deadline_and_bodies_lines_and_nothing_else_is(demo_app, client, auth):
    form = _protocol_form(_ids(demo_app))
    # an unnumbered point (printed whole, without a label) with lines of its own
    form.update({"points-9-agenda": "1", "points-9-number": "", "points-9-text": "Провести выездное совещание.",
                 "points-9-responsible": _ids(demo_app)[SURGUT], "points-9-deadline": "до 01.03.2022"})
    body = _body(client, _create(client, auth, form))
    texts = [text for text, _kept in body]
    followed = {i for i in range(len(texts) - 1) if texts[i + 1].startswith(NOTES)}
    kept = {i for i, (_text, keep) in enumerate(body) if keep}
    assert kept == followed
    # what that means here: the five points with lines, four of them with two lines, the unnumbered one too
    points = [texts[i] for i in kept if not texts[i].startswith(NOTES)]
    assert [p.split(" ", 1)[0] for p in points] == ["1.2.", "1.4.", "1.6.", "1.7.", "1.8.", "Провести"]
    assert sum(texts[i].startswith(NOTES) for i in kept) == 5  # a first line of two; never the last line
    assert not any(keep for text, keep in body if text.startswith("Ответствен"))
