"""A body's emblem or coat of arms (герб, эмблема) for its letterhead: checked by its bytes, kept as a stored file.

Only PNG and JPEG are taken, read by their content, never by the name: the signature, then the whole structure
(every PNG chunk's CRC from IHDR to IEND, a JPEG's start and end markers), then the pixel size from the header
(python-docx's reader, the one that later embeds the picture), so a truncated, disguised or enormous picture is
refused before anything is kept. Pillow is not needed for that, and a decoder is not run on users' bytes.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

from docx.image.exceptions import UnrecognizedImageError
from docx.image.image import Image
from flask import current_app

from webapp.extensions import db
from webapp.models import Body, StoredFile, User
from webapp.rendering.engine import Picture
from webapp.rendering.layout import EMBLEM_HEIGHT_MM
from webapp.services.audit import record_event
from webapp.services.bodies import by, refused
from webapp.services.errors import Invalid
from webapp.services.files import read_bytes, store_bytes
from webapp.services.policy import ensure

MAX_BYTES = 2 * 1024 * 1024  #: config EMBLEM_MAX_BYTES overrides it
MIN_SIDE, MAX_SIDE = 16, 4000  #: pixels: a readable mark, and nothing a viewer chokes on
MAX_WIDTH_MM = 40.0  #: a wide emblem is scaled down to this width rather than printed across the letterhead

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
JPEG_START, JPEG_END = b"\xff\xd8\xff", b"\xff\xd9"


@dataclass(frozen=True)
class EmblemImage:
    """What a checked picture is."""

    content_type: str
    extension: str
    width_px: int
    height_px: int


def max_bytes() -> int:
    return int(current_app.config.get("EMBLEM_MAX_BYTES", MAX_BYTES))


def _png_is_whole(data: bytes) -> bool:
    """Chunks from IHDR to IEND, each with a matching CRC, nothing after IEND."""
    at, first = len(PNG_SIGNATURE), True
    while at + 12 <= len(data):
        length, kind = struct.unpack(">I4s", data[at:at + 8])
        end = at + 12 + length
        if end > len(data) or (first and kind != b"IHDR"):
            return False
        body = data[at + 4:at + 8 + length]
        if zlib.crc32(body) != struct.unpack(">I", data[end - 4:end])[0]:
            return False
        if kind == b"IEND":
            return end == len(data)
        at, first = end, False
    return False


def _kind(data: bytes) -> tuple[str, str] | None:
    if data.startswith(PNG_SIGNATURE) and _png_is_whole(data):
        return "image/png", ".png"
    if data.startswith(JPEG_START) and data.rstrip(b"\x00\r\n ").endswith(JPEG_END):
        return "image/jpeg", ".jpg"
    return None


def check_emblem(data: bytes) -> EmblemImage:
    """The picture, or Invalid with the Russian reason (and its English twin for the command line)."""
    if not data:
        raise refused("Файл пуст.", "the file is empty")
    if len(data) > max_bytes():
        raise refused(f"Файл слишком велик: {len(data) // 1024} КБ, допустимо не более {max_bytes() // 1024} КБ.",
                      f"the file is too large: {len(data) // 1024} KB, at most {max_bytes() // 1024} KB")
    kind = _kind(data)
    if kind is None:
        raise refused("Герб или эмблема — только PNG или JPEG; этот файл не является целым изображением PNG или "
                      "JPEG.", "an emblem must be a whole PNG or JPEG image")
    try:
        image = Image.from_blob(data)
        width, height = image.px_width, image.px_height
    except (UnrecognizedImageError, struct.error, ValueError, IndexError) as exc:
        raise refused("Изображение не удалось прочитать: повреждён заголовок файла.",
                      "the image header cannot be read") from exc
    if not (MIN_SIDE <= width <= MAX_SIDE and MIN_SIDE <= height <= MAX_SIDE):
        raise refused(f"Размер изображения {width}×{height} пикселей; допустимо от {MIN_SIDE} до {MAX_SIDE} "
                      "пикселей по каждой стороне.",
                      f"the image is {width}x{height} pixels; each side must be {MIN_SIDE} to {MAX_SIDE}")
    return EmblemImage(content_type=kind[0], extension=kind[1], width_px=width, height_px=height)


def set_emblem(actor: User | None, body: Body, data: bytes, original_name: str = "") -> StoredFile:
    """Check the picture, keep it, make it the body's emblem and record the change; nothing changes when the
    picture is refused. `actor` None is the command line (an administrator on the server); anyone else needs the
    right to manage bodies."""
    if actor is not None:
        ensure(actor, "manage_bodies")
    image = check_emblem(data)
    stem = (original_name.rsplit("/", 1)[-1].rsplit(".", 1)[0] or "emblem")[:200]
    stored = store_bytes(data, stem + image.extension, image.content_type)
    before = body.emblem_file.sha256 if body.emblem_file else None
    body.emblem_file = stored
    db.session.flush()
    record_event(actor, "body.emblem", body, before={"emblem": before},
                 after={"emblem": stored.sha256, "size": stored.size, "pixels": f"{image.width_px}x{image.height_px}",
                        **by(actor)})
    return stored


def clear_emblem(actor: User | None, body: Body) -> None:
    """The body's letterhead prints no emblem any more (the stored file stays: content-addressed, maybe shared)."""
    if actor is not None:
        ensure(actor, "manage_bodies")
    if body.emblem_file is None:
        return
    before = body.emblem_file.sha256
    body.emblem_file = None
    db.session.flush()
    record_event(actor, "body.emblem_remove", body, before={"emblem": before}, after={"emblem": None, **by(actor)})


def emblem_picture(body: Body | None) -> Picture | None:
    """The body's emblem as printed: EMBLEM_HEIGHT_MM high, as wide as its proportions make it (at most
    MAX_WIDTH_MM); None when the body has none or its stored file is missing or damaged (the letterhead then
    prints without it rather than failing the document)."""
    if body is None or body.emblem_file is None:
        return None
    try:
        data = read_bytes(body.emblem_file)
        image = check_emblem(data)
    except (OSError, Invalid):
        return None
    height = EMBLEM_HEIGHT_MM
    width = height * image.width_px / image.height_px
    if width > MAX_WIDTH_MM:
        width, height = MAX_WIDTH_MM, MAX_WIDTH_MM * image.height_px / image.width_px
    return Picture(data=data, width_mm=round(width, 2), height_mm=round(height, 2),
                   description=f"Герб (эмблема): {body.name}")
