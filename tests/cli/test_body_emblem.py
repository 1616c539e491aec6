"""docflow body emblem BODY FILE: a PNG or JPEG checked by its bytes becomes the body's emblem, printed centred
above its letterhead about 15 mm high; anything else is refused with the reason and nothing changes."""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.conftest import audit_events
from tests.web.test_gost_rendering import ORDER_FORM, YUGRA, _create, _download
from webapp.extensions import db
from webapp.models import Body, Event

JPEG = Path(__file__).parents[1] / "data" / "emblem.jpg"  # 16×16 px
EMU_PER_MM = 36000


def png(width: int, height: int) -> bytes:
    """A real, whole PNG (grey, 8-bit) of the given size, made without an imaging library."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def _invoke(app, *args: str):
    return app.test_cli_runner().invoke(args=["body", "emblem", *args])


def _emblem(app, name: str = YUGRA):
    with app.app_context():
        body = db.session.scalar(select(Body).where(Body.name == name))
        return (body.id, body.emblem_file.sha256 if body.emblem_file else None,
                body.emblem_file.content_type if body.emblem_file else None)


def test_a_png_by_short_name_and_a_jpeg_by_id_become_the_emblem(demo_app, tmp_path):
    body_id, before, _ = _emblem(demo_app)
    assert before is None
    path = tmp_path / "gerb.png"
    path.write_bytes(png(60, 72))
    with demo_app.app_context():
        short = db.session.get(Body, body_id).display_name
    result = _invoke(demo_app, short, str(path))
    assert result.exit_code == 0, result.output
    assert "60x72 px" in result.output
    _, sha, kind = _emblem(demo_app)
    assert sha is not None and kind == "image/png"
    result = _invoke(demo_app, str(body_id), str(JPEG))
    assert result.exit_code == 0, result.output
    _, sha_jpeg, kind = _emblem(demo_app)
    assert sha_jpeg != sha and kind == "image/jpeg"
    with demo_app.app_context():  # audited as the command line's
        events = audit_events(Event.action == "body.emblem")
        assert len(events) == 2 and events[-1].after["by"] == "command line"
    assert _invoke(demo_app, str(body_id), "--remove").exit_code == 0
    assert _emblem(demo_app)[1] is None


def _truncated_png() -> bytes:
    data = png(40, 40)
    return data[:-20]


def _bad_crc_png() -> bytes:
    data = bytearray(png(40, 40))
    data[40] ^= 0xFF  # inside IDAT
    return bytes(data)


@pytest.mark.parametrize(("name", "data", "reason"), [
    ("empty.png", b"", "the file is empty"),
    ("fake.png", b"GIF89a" + b"\x00" * 100, "must be a whole PNG or JPEG"),
    ("script.png", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "must be a whole PNG or JPEG"),
    ("cut.png", _truncated_png(), "must be a whole PNG or JPEG"),
    ("crc.png", _bad_crc_png(), "must be a whole PNG or JPEG"),
    ("tiny.png", png(8, 8), "each side must be 16 to 4000"),
    ("huge.png", png(5000, 16), "each side must be 16 to 4000"),
])
def test_what_is_not_a_whole_png_or_jpeg_of_sane_size_is_refused(demo_app, tmp_path, name, data, reason):
    path = tmp_path / name
    path.write_bytes(data)
    result = _invoke(demo_app, YUGRA, str(path))
    assert result.exit_code != 0 and reason in result.output, result.output
    assert _emblem(demo_app)[1] is None


def test_a_file_over_the_size_limit_and_an_unknown_body_are_refused(demo_app, tmp_path):
    demo_app.config["EMBLEM_MAX_BYTES"] = 1024
    big = tmp_path / "big.png"
    big.write_bytes(png(400, 400))
    assert big.stat().st_size > 1024
    result = _invoke(demo_app, YUGRA, str(big))
    assert result.exit_code != 0 and "too large" in result.output
    result = _invoke(demo_app, "Нет такого органа", str(JPEG))
    assert result.exit_code != 0 and "no body" in result.output
    assert _emblem(demo_app)[1] is None


def _drawing(xml: str) -> tuple[int, int, str]:
    extent = re.search(r'<wp:extent cx="(\d+)" cy="(\d+)"/>', xml)
    descr = re.search(r'<wp:docPr [^>]*descr="([^"]*)"', xml)
    return int(extent.group(1)), int(extent.group(2)), descr.group(1)


def test_the_emblem_is_printed_centred_above_the_letterhead_15_mm_high(demo_app, client, auth, tmp_path):
    path = tmp_path / "gerb.png"
    path.write_bytes(png(60, 72))
    assert _invoke(demo_app, YUGRA, str(path)).exit_code == 0
    data = _download(client, _create(client, auth, ORDER_FORM))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = archive.read("word/document.xml").decode()
        media = [n for n in archive.namelist() if n.startswith("word/media/")]
        assert len(media) == 1 and archive.read(media[0]) == path.read_bytes()
    width, height, descr = _drawing(xml)
    assert height == 15 * EMU_PER_MM and abs(width - 12.5 * EMU_PER_MM) < EMU_PER_MM / 10  # 60:72 kept
    assert descr.startswith("Герб (эмблема): Департамент образования")
    paragraphs = re.findall(r"<w:p[ >].*?</w:p>", xml, re.S)
    first = next(i for i, p in enumerate(paragraphs) if "<w:drawing>" in p)
    name = next(i for i, p in enumerate(paragraphs) if "ДЕПАРТАМЕНТ ОБРАЗОВАНИЯ" in p)
    assert first < name and 'w:val="DocflowEmblem"' in paragraphs[first]
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        styles = archive.read("word/styles.xml").decode()
    emblem_style = re.search(r'<w:style [^>]*w:styleId="DocflowEmblem".*?</w:style>', styles, re.S).group(0)
    assert '<w:jc w:val="center"/>' in emblem_style


def test_a_wide_emblem_is_scaled_to_40_mm_and_a_body_without_one_prints_none(demo_app, client, auth, tmp_path):
    document_id = _create(client, auth, ORDER_FORM)
    data = _download(client, document_id)
    assert b"word/media/" not in data  # no picture part in the package
    path = tmp_path / "wide.png"
    path.write_bytes(png(400, 100))
    assert _invoke(demo_app, YUGRA, str(path)).exit_code == 0
    with zipfile.ZipFile(io.BytesIO(_download(client, document_id))) as archive:  # a draft renders afresh
        width, height, _ = _drawing(archive.read("word/document.xml").decode())
    assert width == 40 * EMU_PER_MM and height == 10 * EMU_PER_MM


def test_only_an_administrator_sets_an_emblem_through_the_service(demo_app, make_user):
    from webapp.models import User
    from webapp.services.emblems import clear_emblem, set_emblem
    from webapp.services.errors import NotAllowed

    secretary_id, admin_id = make_user("sec2", "secretary"), make_user("adm2", "admin")
    with demo_app.app_context():
        body = db.session.scalar(select(Body).where(Body.name == YUGRA))
        with pytest.raises(NotAllowed):
            set_emblem(db.session.get(User, secretary_id), body, png(40, 40), "gerb.png")
        assert body.emblem_file is None
        stored = set_emblem(db.session.get(User, admin_id), body, png(40, 40), "gerb.png")
        assert body.emblem_file == stored and stored.original_name == "gerb.png"
        with pytest.raises(NotAllowed):
            clear_emblem(db.session.get(User, secretary_id), body)
        event = db.session.scalars(select(Event).where(Event.action == "body.emblem")).one()
        assert event.actor_id == admin_id and "by" not in event.after
