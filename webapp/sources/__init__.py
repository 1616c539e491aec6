"""Uploaded files as plain text for the import: DOCX, plain text and PDF, told apart by their content (never by the
file's name), each read into a Source, or refused with a SourceError that says why in Russian and in English.

No Flask, no database: `read_source(filename, data)` is all a caller needs.
"""

from __future__ import annotations

import os
import re

from webapp.sources import text, word
from webapp.sources.base import Note, Source, SourceError, size_label, unknown_type

__all__ = ["MAX_BYTES", "Note", "Source", "SourceError", "read_source"]

MAX_BYTES = 20 * 1024 * 1024

PDF_HEADER = re.compile(rb"%PDF-\d\.\d")
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the compound file of Office 97-2003 and of Office's encryption
IMAGES = [
    (b"\x89PNG\r\n\x1a\n", "PNG"), (b"\xff\xd8\xff", "JPEG"), (b"GIF87a", "GIF"), (b"GIF89a", "GIF"),
    (b"II*\x00", "TIFF"), (b"MM\x00*", "TIFF"), (b"\x00\x00\x00\x0cjP  ", "JPEG 2000"),
]
KIND_TITLES = {"docx": "DOCX", "pdf": "PDF", "text": "текст"}
KIND_TITLES_EN = {"docx": "DOCX", "pdf": "PDF", "text": "text"}
EXTENSIONS = {"docx": {"docx"}, "pdf": {"pdf"}, "text": {"txt", "text", "csv", "md", ""}}  # no note for these
BMP_HEADER_SIZES = (12, 40, 52, 56, 108, 124)  # "BM" alone could start a text
OTHER = [
    (b"{\\rtf", "документ RTF", "an RTF document"),
    (b"\x1f\x8b", "архив gzip", "a gzip archive"),
    (b"Rar!\x1a\x07", "архив RAR", "a RAR archive"),
    (b"7z\xbc\xaf\x27\x1c", "архив 7-Zip", "a 7-Zip archive"),
    (b"MZ\x90\x00", "программа Windows", "a Windows program"),
    (b"\x7fELF", "программа", "a program"),
    (b"AT&TFORM", "документ DjVu", "a DjVu document"),
]


def read_source(filename: str, data: bytes, max_bytes: int = MAX_BYTES) -> Source:
    """The text of an uploaded file, by what its bytes are: DOCX, plain text or PDF with a text layer.

    SourceError (reason in Russian, english) for an empty or too large file, a damaged or encrypted document,
    a legacy .doc, an image, a scan, macros, zip bombs, XXE, or anything else; never another exception for bad
    bytes. `filename` is only compared with what the content turned out to be, for the notes."""
    if not data:
        raise SourceError("Файл пуст.", "The file is empty.")
    if len(data) > max_bytes:
        size, size_en = size_label(len(data))
        limit, limit_en = size_label(max_bytes)
        raise SourceError(f"Файл слишком велик: {size}, допустимо не более {limit}.",
                          f"The file is too large: {size_en}; at most {limit_en} is accepted.")
    source = _read(data)
    extension = os.path.splitext(filename or "")[1].lower().lstrip(".")
    if extension not in EXTENSIONS[source.kind]:
        source = Source(source.text, source.kind, source.encoding, source.notes + (Note(
            f"файл назван «.{extension}», а по содержимому это {KIND_TITLES[source.kind]}",
            f"the file is named .{extension}, but its content is {KIND_TITLES_EN[source.kind]}"),))
    return source


def _read(data: bytes) -> Source:
    if data.startswith((b"PK\x03\x04", b"PK\x05\x06")):  # a zip archive's first member, or an empty one
        return word.read(data)
    if data.startswith(OLE):
        raise _ole_refusal(data)
    if PDF_HEADER.search(data[:1024]):  # readers accept the header anywhere in the first kilobyte
        from webapp.sources import pdf  # pdfminer (and cryptography) loaded with the first PDF, not at start

        return pdf.read(data)
    for signature, name in IMAGES:
        if data.startswith(signature):
            raise _image(name)
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        raise _image("WebP")
    if data[4:12] in (b"ftypheic", b"ftypheix", b"ftypmif1", b"ftypavif"):
        raise _image("HEIC")
    if data.startswith(b"BM") and int.from_bytes(data[14:18], "little") in BMP_HEADER_SIZES:
        raise _image("BMP")
    for signature, name, name_en in OTHER:
        if data.startswith(signature):
            raise unknown_type(name, name_en)
    return text.read(data)


def _image(name: str) -> SourceError:
    return SourceError(
        f"Это изображение ({name}), а не документ: текст с картинки не распознаётся. Распознайте текст (OCR) или "
        "загрузите документ: DOCX, TXT или PDF с текстовым слоем.",
        f"This is an image ({name}), not a document: text in pictures is not recognised. Recognise it (OCR) or "
        "upload a document: DOCX, TXT or a PDF with text.")


def _ole_refusal(data: bytes) -> SourceError:
    """Office's compound files: an encrypted DOCX (or other encrypted Office file), a legacy .doc, .xls, .ppt."""
    def has(stream: str) -> bool:
        return (stream + "\0").encode("utf-16-le") in data  # a directory entry's name

    if has("EncryptedPackage"):
        return SourceError(
            "Документ защищён паролем (зашифрован), прочитать его нельзя. Снимите пароль в Word («Файл» → «Сведения» "
            "→ «Защита документа» → «Зашифровать с использованием пароля», очистите поле), сохраните документ и "
            "загрузите снова.",
            "The document is encrypted with a password and cannot be read. Remove the password in Word (File → Info "
            "→ Protect Document → Encrypt with Password, clear the field), save it and upload it again.")
    if has("WordDocument"):
        return SourceError(
            "Это документ Word старого формата (.doc), он не принимается. Откройте его в Word или LibreOffice, "
            "сохраните как «Документ Word (.docx)» и загрузите снова.",
            "This is a Word document in the old format (.doc), which is not accepted. Open it in Word or "
            "LibreOffice, save it as a Word Document (.docx) and upload it again.")
    if has("Workbook") or has("Book"):
        return unknown_type("таблица Excel старого формата (.xls)", "an old-format Excel workbook (.xls)")
    if has("PowerPoint Document"):
        return unknown_type("презентация PowerPoint старого формата (.ppt)", "an old-format PowerPoint file (.ppt)")
    return unknown_type("файл Microsoft Office старого формата", "an old-format Microsoft Office file")
