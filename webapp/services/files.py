"""Keep uploaded and generated files content-addressed by SHA-256 under the files directory, and check what users
upload by its content before it is kept."""

from __future__ import annotations

import hashlib
import io
import math
import os
import re
import tempfile
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from webapp.archives import Limits, UnsafeArchive, check_archive, is_zip
from webapp.extensions import db
from webapp.models import StoredFile
from webapp.services.errors import Invalid


def files_root() -> Path:
    return Path(current_app.config["FILES_DIR"])


def store_bytes(data: bytes, original_name: str, content_type: str = "application/octet-stream") -> StoredFile:
    """Store content once; the same bytes stored twice give the same row and file."""
    digest = hashlib.sha256(data).hexdigest()
    existing = db.session.scalar(select(StoredFile).where(StoredFile.sha256 == digest))
    if existing is not None:
        return existing
    # Only the base name: a client-supplied path never reaches the file system.
    safe_name = os.path.basename(original_name.replace("\\", "/"))[:300] or "file"
    row = StoredFile(sha256=digest, size=len(data), content_type=content_type, original_name=safe_name)
    target = files_root() / row.relative_path
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.exists():
        # Write then rename, so a crash never leaves a truncated file under a valid hash.
        fd, tmp = tempfile.mkstemp(dir=target.parent)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, target)
    try:
        with db.session.begin_nested():  # another host storing the same bytes at this moment: its row is the one
            db.session.add(row)
    except IntegrityError:
        return db.session.scalar(select(StoredFile).where(StoredFile.sha256 == digest))
    return row


def read_bytes(row: StoredFile) -> bytes:
    data = (files_root() / row.relative_path).read_bytes()
    if hashlib.sha256(data).hexdigest() != row.sha256:
        raise OSError(f"stored file {row.sha256} does not match its hash")
    return data


# --- what users may upload ------------------------------------------------------------------------------------------
#
# The type is read from the bytes, never from the client's Content-Type or the name. A handful of fixed signatures
# and a look inside zip containers decide it; the name's extension must then agree with the content (or is added),
# so a file opened after download opens in the program its content is for.


@dataclass(frozen=True)
class Kind:
    """One type of file users may attach."""

    content_type: str
    extensions: tuple[str, ...]  #: the first is added to a name that has no extension of a known type
    title: str  #: as messages name it


KINDS = {
    "pdf": Kind("application/pdf", (".pdf",), "PDF"),
    "docx": Kind("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (".docx",), "DOCX"),
    "xlsx": Kind("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",), "XLSX"),
    "pptx": Kind("application/vnd.openxmlformats-officedocument.presentationml.presentation", (".pptx",), "PPTX"),
    "odt": Kind("application/vnd.oasis.opendocument.text", (".odt",), "ODT"),
    "ods": Kind("application/vnd.oasis.opendocument.spreadsheet", (".ods",), "ODS"),
    "doc": Kind("application/msword", (".doc",), "DOC"),
    "xls": Kind("application/vnd.ms-excel", (".xls",), "XLS"),
    # Word saves RTF under .doc when asked to, and such files travel as .doc: both names open it in Word.
    "rtf": Kind("application/rtf", (".rtf", ".doc"), "RTF"),
    "png": Kind("image/png", (".png",), "PNG"),
    "jpeg": Kind("image/jpeg", (".jpg", ".jpeg", ".jpe"), "JPEG"),
    "txt": Kind("text/plain", (".txt",), "текст"),
    "csv": Kind("text/csv", (".csv",), "CSV"),
}
KNOWN_EXTENSIONS = {ext for kind in KINDS.values() for ext in kind.extensions}
SERVED_TYPES = {kind.content_type for kind in KINDS.values()}
ALLOWED_TITLE = "PDF, DOCX, XLSX, PPTX, ODT, ODS, DOC, XLS, RTF, PNG, JPEG, текст (TXT) и CSV"

SIGNATURES = (  # (leading bytes, kind)
    (b"%PDF-", "pdf"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"{\\rtf", "rtf"),
)
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the compound file of Word 97-2003, Excel 97-2003 (and MSI, MSG ...)
# Directory entries of a compound file name their streams in UTF-16LE, NUL-terminated.
OLE_STREAMS = ((("WordDocument",), "doc"), (("Workbook", "Book"), "xls"))
OLE_MACROS = ("Macros", "_VBA_PROJECT_CUR")  # the VBA storages of Word and of Excel
MACROS_REFUSED = "документы с макросами не допускаются. Сохраните его как обычный документ (DOCX, XLSX, PPTX)."
OOXML_MAIN = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": "xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml": "pptx",
}
ODF_MIMETYPES = {KINDS["odt"].content_type: "odt", KINDS["ods"].content_type: "ods"}
CONTENT_TYPE_ATTR = re.compile(rb'ContentType\s*=\s*["\']([^"\']+)["\']')
# Office documents are several hundred parts at most; the other figures are the archive checks' own.
ARCHIVE_LIMITS = Limits(max_members=1000)

TEXT_ENCODINGS = (("utf-8-sig", "utf-8"), ("cp1251", "windows-1251"))
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")  # tab, line feed, form feed and CR are text
# A page a browser would render: what the start of a file looks like (WHATWG MIME sniffing), or tags that have no
# business in a plain-text report anywhere.
MARKUP_START = re.compile(r"\s*<(?:!doctype|!--|\?xml|(?:html|head|body|script|iframe|svg|style|title|table|div|"
                          r"font|h1|a|b|p|br|meta|link|object|embed)[\s/>])", re.I)
MARKUP_ANYWHERE = re.compile(r"<\s*(?:!doctype|html|body|script|iframe|svg|object|embed|frameset)[\s/>]", re.I)
UNREADABLE = (zipfile.BadZipFile, zlib.error, OSError, EOFError, RuntimeError, NotImplementedError, ValueError)


def safe_name(name: str | None) -> str:
    """The base name a client sent, without a path, control or bidi-override characters; at most 255 characters."""
    base = os.path.basename((name or "").replace("\\", "/"))
    base = "".join(ch for ch in base if ch.isprintable()).strip()
    return _shorten(base or "file")


def _shorten(name: str, limit: int = 255) -> str:
    """At most `limit` characters (ReportFile.filename), cut from the stem so the extension survives."""
    if len(name) <= limit:
        return name
    stem, ext = os.path.splitext(name)
    if len(ext) > 16:
        stem, ext = name, ""
    return stem[: limit - len(ext)] + ext


def _size(count: int) -> str:
    if count < 1024:
        return f"{count} байт"
    if count < 1024 * 1024:
        return f"{math.ceil(count / 1024)} КБ"
    return f"{count / (1024 * 1024):.1f} МБ".replace(".", ",")


def _office_kind(data: bytes, name: str) -> str:
    """docx, xlsx, pptx, odt or ods: the zip is sane (no bomb, no DOCTYPE) and its own type declaration says so."""
    try:
        members = check_archive(data, ARCHIVE_LIMITS)
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if "mimetype" in members:  # OpenDocument: a stored member holding the type
                with archive.open("mimetype") as member:
                    declared = member.read(200).decode("ascii", errors="replace").strip()
                if declared in ODF_MIMETYPES:
                    return ODF_MIMETYPES[declared]
            if "[Content_Types].xml" in members:  # Office Open XML: the main part's type
                with archive.open("[Content_Types].xml") as member:
                    declared_types = {m.decode("ascii", errors="replace")
                                      for m in CONTENT_TYPE_ATTR.findall(member.read(ARCHIVE_LIMITS.max_member_bytes))}
                if any("macroenabled" in t.lower() for t in declared_types) \
                        or any(m.lower().endswith("vbaproject.bin") for m in members):
                    raise Invalid(f"Файл «{name}» не принят: {MACROS_REFUSED}")
                for declared in declared_types:
                    if declared in OOXML_MAIN:
                        return OOXML_MAIN[declared]
    except UnsafeArchive as exc:
        raise Invalid(f"Файл «{name}» не принят: {exc.reason}") from exc
    except UNREADABLE as exc:
        raise Invalid(f"Файл «{name}» не принят: архив повреждён или зашифрован.") from exc
    raise Invalid(f"Файл «{name}» не принят: это zip-архив, а не документ Word, Excel, PowerPoint или OpenDocument. "
                  f"Можно прикладывать {ALLOWED_TITLE}.")


def _ole_kind(data: bytes, name: str) -> str | None:
    if any(_ole_entry(storage) in data for storage in OLE_MACROS):
        raise Invalid(f"Файл «{name}» не принят: {MACROS_REFUSED}")
    for names, kind in OLE_STREAMS:
        if any(_ole_entry(stream) in data for stream in names):
            return kind
    return None


def _ole_entry(stream: str) -> bytes:
    """A stream's or storage's name as a compound file's directory spells it: UTF-16LE, NUL-terminated."""
    return (stream + "\0").encode("utf-16-le")


def _text(data: bytes) -> tuple[str, str] | None:
    """(text, charset) when the bytes are UTF-8 or Windows-1251 text without control characters, else None."""
    for codec, charset in TEXT_ENCODINGS:
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        return (text, charset) if not CONTROL_CHARS.search(text) else None
    return None


def _detect(data: bytes, name: str, ext: str) -> tuple[str, str]:
    """(kind, content type) by content alone; Invalid for anything not on the list."""
    for signature, kind in SIGNATURES:
        if data.startswith(signature):
            return kind, KINDS[kind].content_type
    if is_zip(data):
        kind = _office_kind(data, name)
        return kind, KINDS[kind].content_type
    if data.startswith(OLE2):
        kind = _ole_kind(data, name)
        if kind is not None:
            return kind, KINDS[kind].content_type
    else:
        decoded = _text(data)
        if decoded is not None:
            text, charset = decoded
            if MARKUP_START.match(text) or MARKUP_ANYWHERE.search(text):
                raise Invalid(f"Файл «{name}» не принят: это веб-страница или разметка (HTML, SVG, XML), а не "
                              "документ или текст.")
            kind = "csv" if ext == ".csv" else "txt"
            return kind, f"{KINDS[kind].content_type}; charset={charset}"
        if ext in KINDS["txt"].extensions + KINDS["csv"].extensions:
            raise Invalid(f"Файл «{name}» не принят: текст должен быть в кодировке UTF-8 или Windows-1251, без "
                          "двоичных и управляющих символов.")
    raise Invalid(f"Файл «{name}» не принят: по содержимому это не документ и не изображение из разрешённых. "
                  f"Можно прикладывать {ALLOWED_TITLE}.")


def check_upload(filename: str | None, data: bytes) -> tuple[str, str]:
    """(safe name, content type) of one uploaded file, the type read from its bytes; Invalid (in Russian) for a file
    that is empty, too large (UPLOAD_MAX_BYTES), of a type not allowed, or named as another type than it is."""
    name = safe_name(filename)
    limit = int(current_app.config.get("UPLOAD_MAX_BYTES", 10 * 1024 * 1024))
    if not data:
        raise Invalid(f"Файл «{name}» пуст.")
    if len(data) > limit:
        raise Invalid(f"Файл «{name}» слишком велик: {_size(len(data))}, допустимо не более {_size(limit)}.")
    ext = os.path.splitext(name)[1].lower()
    kind, content_type = _detect(data, name, ext)
    if ext not in KINDS[kind].extensions:
        if ext in KNOWN_EXTENSIONS:
            raise Invalid(f"Файл «{name}» не принят: по содержимому это {KINDS[kind].title}, а расширение имени — "
                          f"{ext}. Исправьте расширение и приложите файл снова.")
        name = _shorten(name + KINDS[kind].extensions[0])
    return name, content_type


def check_uploads(files: Sequence[tuple[str | None, bytes]]) -> list[tuple[str, bytes, str]]:
    """Every file of one upload checked before any is stored: [(safe name, data, content type)]; Invalid for more
    than UPLOAD_MAX_FILES files or for the first file refused."""
    limit = int(current_app.config.get("UPLOAD_MAX_FILES", 10))
    if len(files) > limit:
        raise Invalid(f"Слишком много файлов: {len(files)}. Приложить можно не более {limit}.")
    checked = []
    for filename, data in files:
        name, content_type = check_upload(filename, data)
        checked.append((name, data, content_type))
    return checked


def served_content_type(content_type: str | None) -> str:
    """The stored type if it is one users may upload, else a download nothing renders (rows stored before checks)."""
    base = (content_type or "").split(";", 1)[0].strip().lower()
    return content_type if base in SERVED_TYPES else "application/octet-stream"
