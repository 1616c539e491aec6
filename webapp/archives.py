"""Office files from users (DOCX templates, XLSX imports) are zip archives: check one before any parser runs.

Only the zip directory and the raw bytes of the XML parts are read, each no further than its limit, so a
zip bomb or an archive whose directory lies cannot exhaust memory, and no XML part may declare a DOCTYPE
or an ENTITY (XXE), in any spelling a parser would accept.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    """What an uploaded office file may be; a document of a few pages is far below every figure."""

    max_bytes: int = 5 * 1024 * 1024
    max_members: int = 300
    max_member_bytes: int = 20 * 1024 * 1024
    max_total_bytes: int = 50 * 1024 * 1024
    max_ratio: int = 100  # uncompressed / compressed, for members above ratio_floor
    ratio_floor: int = 64 * 1024


class UnsafeArchive(ValueError):
    """The file is not a sane zip archive; `reason` is a sentence for the user (Russian)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


DOCTYPE = re.compile(rb"<!\s*(doctype|entity)", re.I)


def declares_doctype(data: bytes) -> bool:
    """DOCTYPE or ENTITY in the bytes as stored, or in their UTF-16 spelling."""
    if DOCTYPE.search(data):
        return True
    return any(re.search(r"<!\s*(doctype|entity)", data.decode(encoding, errors="ignore"), re.I)
               for encoding in ("utf-16-le", "utf-16-be"))


def is_zip(data: bytes) -> bool:
    return data.startswith(b"PK\x03\x04") and zipfile.is_zipfile(io.BytesIO(data))


def check_archive(data: bytes, limits: Limits) -> set[str]:
    """Check a zip archive's members (names, sizes, compression ratio, DOCTYPE in XML parts); their names.

    The caller has made sure it is a zip at all (`is_zip`), with its own message for a file that is not."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError) as exc:
        raise UnsafeArchive(f"Архив повреждён ({exc}).") from exc
    with archive:
        members = archive.infolist()
        if len(members) > limits.max_members:
            raise UnsafeArchive(f"В архиве слишком много частей: {len(members)}, допустимо не более "
                                f"{limits.max_members}.")
        total = 0
        for info in members:
            name = info.filename
            if name.startswith("/") or ".." in name.split("/") or "\\" in name:
                raise UnsafeArchive(f"Недопустимое имя части архива: {name!r}.")
            if info.file_size > limits.max_member_bytes:
                raise UnsafeArchive(f"Часть архива {name} слишком велика после распаковки: "
                                    f"{info.file_size // 1024} КБ (похоже на «zip-бомбу»).")
            if info.file_size > limits.ratio_floor and info.file_size > limits.max_ratio * max(info.compress_size, 1):
                raise UnsafeArchive(f"Часть архива {name} сжата подозрительно сильно "
                                    f"({info.file_size // max(info.compress_size, 1)}:1): похоже на «zip-бомбу».")
            total += info.file_size
            if total > limits.max_total_bytes:
                raise UnsafeArchive("Архив слишком велик после распаковки: более "
                                    f"{limits.max_total_bytes // (1024 * 1024)} МБ (похоже на «zip-бомбу»).")
        for info in members:
            if info.filename.endswith((".xml", ".rels")):
                with archive.open(info) as member:
                    # Read no more than the directory promised: a lying header cannot inflate past the limit.
                    raw = member.read(limits.max_member_bytes + 1)
                if len(raw) > limits.max_member_bytes:
                    raise UnsafeArchive(f"Часть архива {info.filename} слишком велика после распаковки.")
                if declares_doctype(raw):
                    raise UnsafeArchive(f"Часть {info.filename} содержит объявление DOCTYPE или ENTITY; такие "
                                        "файлы не принимаются (защита от XXE).")
        return {info.filename for info in members}
