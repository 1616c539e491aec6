"""Files for the readers' tests, made in the test: DOCX with Word numbering (python-docx plus raw numbering XML),
minimal handwritten PDFs (a Cyrillic text layer, an image only, a deflate bomb) and the shells of Office's compound
files (an encrypted DOCX, a legacy .doc)."""

from __future__ import annotations

import io
import zlib

import docx
from lxml import etree
from pdfminer.glyphlist import glyphname2unicode

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


# --- DOCX ---------------------------------------------------------------------------------------------------------

def xml(fragment: str) -> etree._Element:
    """One WordprocessingML element from its text, with the w: prefix bound."""
    return etree.fromstring(f'<root xmlns:w="{W_NS}">{fragment}</root>')[0]


def level(ilvl: int, fmt: str, text: str, start: int | None = 1, extra: str = "") -> str:
    start_xml = f'<w:start w:val="{start}"/>' if start is not None else ""
    return f'<w:lvl w:ilvl="{ilvl}">{start_xml}<w:numFmt w:val="{fmt}"/>{extra}<w:lvlText w:val="{text}"/></w:lvl>'


class Book:
    """A python-docx document with helpers for what python-docx has no API for: numbering definitions, numbered
    paragraphs, styles carrying numbering."""

    def __init__(self) -> None:
        self.doc = docx.Document()
        self.numbering = self.doc.part.numbering_part.element

    def abstract(self, abstract_id: int, *levels: str, extra: str = "") -> None:
        # abstractNum elements must come before num elements.
        self.numbering.insert(0, xml(f'<w:abstractNum w:abstractNumId="{abstract_id}">{extra}{"".join(levels)}'
                                     "</w:abstractNum>"))

    def num(self, num_id: int, abstract_id: int, overrides: str = "") -> None:
        self.numbering.append(xml(f'<w:num w:numId="{num_id}"><w:abstractNumId w:val="{abstract_id}"/>{overrides}'
                                  "</w:num>"))

    def numbered(self, text: str, num_id: int | None, ilvl: int | None = 0, style: str | None = None):
        paragraph = self.doc.add_paragraph(text, style=style)
        if num_id is not None or ilvl is not None:
            parts = (f'<w:ilvl w:val="{ilvl}"/>' if ilvl is not None else "") + (
                f'<w:numId w:val="{num_id}"/>' if num_id is not None else "")
            paragraph._p.get_or_add_pPr().append(xml(f"<w:numPr>{parts}</w:numPr>"))
        return paragraph

    def style(self, style_id: str, name: str, num_id: int | None = None, ilvl: int | None = None,
              kind: str = "paragraph", based_on: str | None = None) -> None:
        num_pr = ""
        if num_id is not None:
            num_pr = "<w:numPr>" + (f'<w:ilvl w:val="{ilvl}"/>' if ilvl is not None else "") + \
                f'<w:numId w:val="{num_id}"/></w:numPr>'
        based = f'<w:basedOn w:val="{based_on}"/>' if based_on else ""
        self.doc.styles.element.append(xml(
            f'<w:style w:type="{kind}" w:styleId="{style_id}"><w:name w:val="{name}"/>{based}'
            f"<w:pPr>{num_pr}</w:pPr></w:style>"))

    def paragraph_xml(self, inner: str) -> None:
        """A paragraph given as raw XML (runs, fields, text boxes), added at the end of the body."""
        body = self.doc.element.body
        body.insert(len(body) - 1, xml(f'<w:p xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
                                       f'xmlns:v="urn:schemas-microsoft-com:vml">{inner}</w:p>'))

    def bytes(self) -> bytes:
        buffer = io.BytesIO()
        self.doc.save(buffer)
        return buffer.getvalue()


# --- PDF ----------------------------------------------------------------------------------------------------------

def _glyph_names() -> dict[str, str]:
    """A glyph name for each Cyrillic letter and a few signs, from the Adobe Glyph List pdfminer reads."""
    names: dict[str, str] = {}
    for name, char in glyphname2unicode.items():
        if len(char) == 1 and (name.startswith("afii") or char not in names.values()):
            names.setdefault(char, name)
    return names


GLYPHS = _glyph_names()


def _cyrillic_encoding() -> str:
    """A /Differences array that makes the Windows-1251 bytes 0xA8, 0xB8, 0xB9, 0xC0-0xFF show Cyrillic glyphs."""
    codes = [0xA8, 0xB8, 0xB9, *range(0xC0, 0x100)]
    return "[" + " ".join(f"{code} /{GLYPHS[bytes([code]).decode('cp1251')]}" for code in codes) + "]"


def _literal(text: str) -> bytes:
    raw = text.encode("cp1251")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def _document(objects: list[bytes]) -> bytes:
    """Objects 1..n (1 the catalog) with a correct cross-reference table."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def _stream(content: bytes, extra: str = "", deflate: bool = True) -> bytes:
    data = zlib.compress(content) if deflate else content
    filters = " /Filter /FlateDecode" if deflate else ""
    return f"<< /Length {len(data)}{filters}{extra} >>\nstream\n".encode() + data + b"\nendstream"


PAGE_WIDTH, PAGE_HEIGHT = 595, 842


CHAR_WIDTH, SPACE_WIDTH = 556, 278  # the made-up font's widths, in thousandths of the size


def text_pdf(pages: list[list[tuple]], size: float = 12) -> bytes:
    """A PDF whose pages hold the given lines, each (x, y, text) or (x, y, text, right) in points from the bottom
    left; with `right` the line is justified to end there, as Word sets a paragraph's lines. The font is a made-up
    Type 1 font whose encoding maps Windows-1251 bytes to Cyrillic glyph names, which pdfminer reads as Unicode."""
    font = (f"<< /Type /Font /Subtype /Type1 /BaseFont /DocflowSans /FirstChar 32 /LastChar 255 "
            f"/Widths [{' '.join([str(SPACE_WIDTH)] + [str(CHAR_WIDTH)] * 223)}] /FontDescriptor 4 0 R "
            f"/Encoding << /Type /Encoding /BaseEncoding /WinAnsiEncoding /Differences {_cyrillic_encoding()} >> >>")
    descriptor = (b"<< /Type /FontDescriptor /FontName /DocflowSans /Flags 32 /FontBBox [0 -200 1000 900] "
                  b"/ItalicAngle 0 /Ascent 900 /Descent -200 /CapHeight 700 /StemV 80 >>")
    objects: list[bytes] = [b"<< /Type /Catalog /Pages 2 0 R >>", b"", font.encode(), descriptor]
    kids = []
    for lines in pages:
        content = b""
        for x, y, text, *right in lines:
            spacing = 0.0  # word spacing, as justification stretches a line
            if right and text.count(" "):
                natural = sum(SPACE_WIDTH if ch == " " else CHAR_WIDTH for ch in text) * size / 1000
                spacing = (right[0] - x - natural) / text.count(" ")
            content += b"BT /F1 %d Tf %.3f Tw %d %d Td " % (size, spacing, x, y) + _literal(text) + b" Tj ET\n"
        objects.append(_stream(content))
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {PAGE_WIDTH} {PAGE_HEIGHT}] "
                       f"/Resources << /Font << /F1 3 0 R >> >> /Contents {len(objects)} 0 R >>".encode())
        kids.append(len(objects))
    objects[1] = f"<< /Type /Pages /Kids [{' '.join(f'{k} 0 R' for k in kids)}] /Count {len(kids)} >>".encode()
    return _document(objects)


def wrap(text: str, top: float, left: float = 57, indent: float = 28, right: float = 538, size: float = 12,
         leading: float = 15, continued: bool = False) -> tuple[list[tuple], float]:
    """A paragraph set as Word sets it: an indented first line, lines filled greedily and justified to `right`, the
    last line ragged unless the paragraph is `continued` on the next page. The lines for text_pdf, and the baseline
    below the paragraph."""
    def width(words: list[str]) -> float:
        line = " ".join(words)
        return sum(SPACE_WIDTH if ch == " " else CHAR_WIDTH for ch in line) * size / 1000

    lines, current, y = [], [], top
    for word in text.split():
        x = left + (indent if not lines else 0)
        if current and x + width([*current, word]) > right:
            lines.append((x, y, " ".join(current), right))
            current, y = [], y - leading
        current.append(word)
    lines.append((left + (indent if not lines else 0), y, " ".join(current), *([right] if continued else [])))
    return lines, y - leading * 1.6


def image_pdf(pages: int = 1) -> bytes:
    """A scan: each page one grey image and no text."""
    objects: list[bytes] = [b"<< /Type /Catalog /Pages 2 0 R >>", b"",
                            _stream(bytes(range(256)) * 16, " /Type /XObject /Subtype /Image /Width 64 /Height 64 "
                                    "/ColorSpace /DeviceGray /BitsPerComponent 8")]
    kids = []
    for _ in range(pages):
        objects.append(_stream(b"q 500 0 0 700 50 70 cm /Im1 Do Q\n"))
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {PAGE_WIDTH} {PAGE_HEIGHT}] "
                       f"/Resources << /XObject << /Im1 3 0 R >> >> /Contents {len(objects)} 0 R >>".encode())
        kids.append(len(objects))
    objects[1] = f"<< /Type /Pages /Kids [{' '.join(f'{k} 0 R' for k in kids)}] /Count {len(kids)} >>".encode()
    return _document(objects)


def bomb_pdf(inflated: int) -> bytes:
    """A one-page PDF whose content stream inflates to `inflated` bytes of spaces."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>",
               _stream(b" " * inflated),
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 3 0 R >>"]
    return _document(objects)


# --- compound files -------------------------------------------------------------------------------------------------

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def compound_file(*streams: str) -> bytes:
    """The shell of an OLE compound file: its signature, and a directory sector naming the streams (UTF-16LE, as
    Office writes them). Enough for a reader that looks at the signature and the directory's names."""
    header = OLE_MAGIC + bytes(504)
    directory = b""
    for name in ("Root Entry", *streams):
        encoded = (name + "\0").encode("utf-16-le")
        directory += encoded.ljust(64, b"\0") + len(encoded).to_bytes(2, "little") + bytes(62)
    return header + directory.ljust(512 * 2, b"\0")
