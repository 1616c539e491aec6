"""PDF files with a text layer, read by pdfminer.six, as paragraphs: pdfminer finds the text lines; the pieces of
a line that share a baseline make one row (a list number and its text joined by a space, table cells or columns
separated by TAB, as the DOCX reader writes a table row); rows are joined into paragraphs (a new one after a gap,
at a list mark, at an indented first line, after a line that ends a sentence short of the right margin), and a
table cell's wrapped lines go back into their cell. A PDF without text (a scan) is refused with a hint to OCR it.

pdfminer decodes every stream it needs in memory, so the compressed streams are measured first (a small file that
inflates to gigabytes is refused), and the pages read are capped.
"""

from __future__ import annotations

import io
import logging
import re
import statistics
import zlib
from collections import Counter
from dataclasses import dataclass, field

from pdfminer.converter import PDFPageAggregator
from pdfminer.layout import LAParams, LTFigure, LTImage, LTTextBox, LTTextLine
from pdfminer.pdfdocument import PDFDocument, PDFPasswordIncorrect
from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
from pdfminer.pdfpage import PDFPage
from pdfminer.pdfparser import PDFParser

from webapp.sources.base import Note, Source, SourceError, clean, plural

# pdfminer logs a warning for every flaw it works around in a file (a font without a bounding box, a broken xref);
# a user's file is not the operator's concern, and what cannot be read becomes a SourceError.
logging.getLogger("pdfminer").setLevel(logging.ERROR)

MAX_PAGES = 100  # pdfminer reads ~25 pages a second; a protocol or an order is far shorter
MAX_STREAM_BYTES = 128 * 1024 * 1024  # one stream, inflated
MAX_INFLATED_BYTES = 512 * 1024 * 1024  # all streams together
INFLATE_CHUNK = 1024 * 1024

# (Russian, English) of each refusal.
SCAN = ("В PDF нет текстового слоя: похоже, это скан. Распознайте текст (OCR) и загрузите снова.",
        "The PDF has no text layer: it looks like a scan. Recognise the text (OCR) and upload it again.")
DAMAGED = ("PDF повреждён, прочитать его не удалось. Сохраните документ в PDF заново и загрузите снова.",
           "The PDF is damaged and cannot be read. Save the document as PDF again and upload it again.")
PASSWORD = ("PDF защищён паролем. Снимите защиту (сохраните копию без пароля) и загрузите снова.",
            "The PDF is protected by a password. Save a copy without the password and upload it again.")
BOMB = ("PDF содержит сжатые данные подозрительно большого объёма (похоже на «бомбу»); такой файл не принимается.",
        "The PDF holds compressed data that inflates to a suspicious size (it looks like a bomb); it is refused.")
NO_UNICODE = ("Текст в PDF записан шрифтом без таблицы символов, прочитать его нельзя. Сохраните документ в PDF "
              "заново из Word или распознайте его как скан (OCR).",
              "The PDF's text uses fonts without a character map and cannot be read. Save the document as PDF "
              "again from Word, or recognise it as a scan (OCR).")

STREAM = re.compile(rb"(?<!end)stream(?:\r\n|\n|\r)")
CID = re.compile(r"\(cid:\d+\)")
# "а)" but not "г." (the abbreviation of год or город starts many a line).
LIST_MARK = re.compile(r"^(\d{1,3}(\.\d{1,3})*[.)]|[а-яa-z]\)|[IVXLC]{1,6}\.|[-–—•·▪●■○◦])(\s|$)")
BULLETS = "•·▪●■○◦\uf000-\uf0ff"  # Symbol-font bullets come out in the private use area
# A list number standing apart from its text (Word puts a tab after it).
LABEL = re.compile(rf"^(\d{{1,3}}(\.\d{{1,3}})*[.)]|[а-яА-Яa-zA-Z][.)]|[IVXLC]{{1,6}}\.|\(\d{{1,3}}\)|[-–—{BULLETS}])$")
LABEL_GAP = 8  # characters: a list number's tab is shorter than the gap between table columns
BULLET = re.compile(rf"^[{BULLETS}](?=\s|$)")
SENTENCE_END = re.compile(r"[.!?:;]$")
SOFT_HYPHEN = "\u00ad"
PAGE_NUMBER = re.compile(r"^(-\s*)?\d{1,4}(\s*-)?$|^(стр\.?|страница)\s*\d{1,4}(\s*(из|/)\s*\d{1,4})?$", re.I)
MARGIN = 0.08  # of the page's height: where a lone number is a page number
PARAGRAPH_GAP = 0.8  # of a line's height: more space than that between rows starts a new paragraph
CELL_GAP = 0.6  # less than that between table rows: the lower one holds the cells' wrapped lines


def read(data: bytes) -> Source:
    """A PDF's text; SourceError for a scan, a damaged or password-protected file, or a decompression bomb."""
    check_streams(data)
    try:
        pages, total = _layout_pages(data)
    except PDFPasswordIncorrect as exc:
        raise SourceError(*PASSWORD) from exc
    except SourceError:
        raise
    except (MemoryError, KeyboardInterrupt):
        raise
    except Exception as exc:  # noqa: BLE001 - pdfminer raises anything on a malformed file: it is the file's fault
        raise SourceError(*DAMAGED) from exc
    return _assemble(pages, total)


def check_streams(data: bytes) -> None:
    """Inflate every deflated stream without keeping it, and refuse the file past the limits."""
    total = 0
    for match in STREAM.finditer(data):
        inflater = zlib.decompressobj()
        size = 0
        chunk = data[match.end(): match.end() + INFLATE_CHUNK]
        position = match.end() + len(chunk)
        try:
            while chunk:
                out = inflater.decompress(chunk, INFLATE_CHUNK)
                while out:
                    size += len(out)
                    total += len(out)
                    if size > MAX_STREAM_BYTES or total > MAX_INFLATED_BYTES:
                        raise SourceError(*BOMB)
                    if inflater.eof:
                        break
                    out = inflater.decompress(inflater.unconsumed_tail, INFLATE_CHUNK)
                if inflater.eof:
                    break
                chunk = data[position: position + INFLATE_CHUNK]
                position += len(chunk)
        except zlib.error:
            continue  # not deflated (an image, an encrypted stream) or damaged: nothing to measure


@dataclass
class Line:
    x0: float
    x1: float
    bottom: float
    top: float
    text: str

    @property
    def char(self) -> float:
        """The average width of a character, the unit of every horizontal tolerance."""
        return max((self.x1 - self.x0) / max(len(self.text), 1), 0.5)

    @property
    def height(self) -> float:
        return max(self.top - self.bottom, 0.5)


@dataclass
class Row:
    """Pieces of text on one baseline: a line of a paragraph, a list number and its text, a table row."""

    cells: list[Line]

    @property
    def x0(self) -> float:
        return self.cells[0].x0

    @property
    def x1(self) -> float:
        return self.cells[-1].x1

    @property
    def top(self) -> float:
        return max(cell.top for cell in self.cells)

    @property
    def bottom(self) -> float:
        return min(cell.bottom for cell in self.cells)

    @property
    def height(self) -> float:
        return max(cell.height for cell in self.cells)

    @property
    def char(self) -> float:
        return statistics.median(cell.char for cell in self.cells)

    @property
    def tabbed(self) -> bool:
        return len(self.cells) > 1

    @property
    def text(self) -> str:
        return "\t".join(cell.text for cell in self.cells)


@dataclass
class Page:
    number: int
    height: float
    width: float
    lines: list[Line] = field(default_factory=list)
    images: int = 0


def _layout_pages(data: bytes) -> tuple[list[Page], int]:
    document = PDFDocument(PDFParser(io.BytesIO(data)))
    resources = PDFResourceManager(caching=True)
    device = PDFPageAggregator(resources, laparams=LAParams(all_texts=True))
    interpreter = PDFPageInterpreter(resources, device)
    pages: list[Page] = []
    total = 0
    for number, pdf_page in enumerate(PDFPage.create_pages(document), start=1):
        total = number
        if number > MAX_PAGES:
            continue  # counted, not read
        interpreter.process_page(pdf_page)
        layout = device.get_result()
        page = Page(number, float(layout.height or 0), float(layout.width or 0))

        def walk(container, page=page):
            for item in container:
                if isinstance(item, LTTextLine):
                    raw = item.get_text().rstrip()
                    # Word's automatic hyphenation ends a line with a soft hyphen: kept to join the word again.
                    text = clean(raw) + (SOFT_HYPHEN if raw.endswith(SOFT_HYPHEN) else "")
                    if text.strip(SOFT_HYPHEN):
                        page.lines.append(Line(item.x0, item.x1, item.y0, item.y1, text))
                elif isinstance(item, LTTextBox | LTFigure):
                    walk(item)
                elif isinstance(item, LTImage):
                    page.images += 1

        walk(layout)
        pages.append(page)
    return pages, total


def rows_of(lines: list[Line]) -> list[Row]:
    """Lines grouped by baseline, top to bottom; the pieces of a row left to right."""
    rows: list[Row] = []
    for line in sorted(lines, key=lambda item: (-item.top, item.x0)):
        for row in reversed(rows[-4:]):
            overlap = min(row.top, line.top) - max(row.bottom, line.bottom)
            if overlap >= 0.5 * min(row.height, line.height):
                row.cells.append(line)
                break
        else:
            rows.append(Row([line]))
    for row in rows:
        row.cells.sort(key=lambda item: item.x0)
        merged = [row.cells[0]]
        for cell in row.cells[1:]:
            gap = cell.x0 - merged[-1].x1
            if len(merged) == 1 and LABEL.match(merged[-1].text) and gap < LABEL_GAP * cell.char:
                # A list number and its text, set apart by a tab in the original: one piece.
                label = merged[-1]
                merged[-1] = Line(label.x0, cell.x1, min(label.bottom, cell.bottom), max(label.top, cell.top),
                                  f"{label.text} {cell.text}")
            elif gap < merged[-1].char:
                previous = merged[-1]
                merged[-1] = Line(previous.x0, cell.x1, min(previous.bottom, cell.bottom),
                                  max(previous.top, cell.top), f"{previous.text} {cell.text}")
            else:
                merged.append(cell)
        row.cells = merged
        first = row.cells[0]
        if BULLET.match(first.text):
            row.cells[0] = Line(first.x0, first.x1, first.bottom, first.top, BULLET.sub("-", first.text, count=1))
    return rows


def _assemble(pages: list[Page], total: int) -> Source:
    paragraphs: list[str] = []
    empty_pages = []
    page_numbers = running = 0
    characters = cids = 0
    page_rows = [rows_of(page.lines) for page in pages]
    repeated = _running_heads(pages, page_rows)
    seen: set[str] = set()
    last: Row | None = None  # the row that ended the previous page's last paragraph
    last_right = 0.0
    for page, rows in zip(pages, page_rows, strict=True):
        kept = []
        for row in rows:
            text = row.text
            characters += len(text)
            cids += sum(len(m) for m in CID.findall(text))
            in_margin = not row.tabbed and _in_margin(row.top, page.height)
            if in_margin and PAGE_NUMBER.match(text):
                page_numbers += 1
                continue
            if in_margin and text in repeated:
                if text in seen:
                    running += 1
                    continue
                seen.add(text)
            kept.append(row)
        if not kept:
            empty_pages.append(page.number)
            continue
        page_paragraphs, right = _paragraphs(kept, page.width)
        first = kept[0]
        # A paragraph cut by the page break: its last line ran to the margin, the next page goes on in lower case.
        if (paragraphs and last is not None and not last.tabbed and not first.tabbed
                and last.x1 >= last_right - 3 * last.char and _continues(paragraphs[-1], page_paragraphs[0])):
            paragraphs[-1] = _join(paragraphs[-1], page_paragraphs.pop(0))
        paragraphs.extend(page_paragraphs)
        last, last_right = kept[-1], right
    if characters and cids > characters / 2:
        raise SourceError(*NO_UNICODE)
    paragraphs = [p for p in (CID.sub("", p).replace(SOFT_HYPHEN, "").strip() for p in paragraphs) if p]
    if not paragraphs:
        raise SourceError(*SCAN)
    notes = [Note(f"PDF: {total} {plural(total, 'страница')}", f"PDF: {total} page(s)")]
    if total > MAX_PAGES:
        notes.append(Note(f"прочитаны первые {MAX_PAGES} страниц из {total}",
                          f"only the first {MAX_PAGES} of {total} pages were read"))
    if empty_pages:
        listed = ", ".join(map(str, empty_pages[:20])) + (" …" if len(empty_pages) > 20 else "")
        notes.append(Note(f"страницы без текста (скан?): {listed}", f"pages without text (scans?): {listed}"))
    if page_numbers:
        notes.append(Note("номера страниц пропущены", "page numbers left out"))
    if running:
        notes.append(Note("колонтитул, повторённый на страницах, оставлен один раз",
                          "a running header or footer repeated on the pages kept once"))
    if cids:
        notes.append(Note("часть символов без кодировки пропущена", "some characters without a character map left out"))
    return Source(text="\n".join(paragraphs), kind="pdf", notes=tuple(notes))


def _running_heads(pages: list[Page], page_rows: list[list[Row]]) -> set[str]:
    """Rows in the top or bottom margin that recur on two or more pages: a running header or footer."""
    pages_with: dict[str, int] = {}
    for page, rows in zip(pages, page_rows, strict=True):
        for text in {row.text for row in rows if not row.tabbed and _in_margin(row.top, page.height)}:
            pages_with[text] = pages_with.get(text, 0) + 1
    return {text for text, count in pages_with.items() if count >= 2}


def _in_margin(top: float, height: float) -> bool:
    return height <= 0 or top < height * MARGIN * 1.5 or top > height * (1 - MARGIN)


def _paragraphs(rows: list[Row], width: float) -> tuple[list[str], float]:
    """One page's rows as paragraphs and table rows; and the right edge of its text."""
    plain = [row for row in rows if not row.tabbed] or rows
    # The text's left margin: where most lines start (a heading may stand out to the left, a quote indented).
    starts = Counter(round(row.x0) for row in plain)
    left = float(max(sorted(starts), key=lambda x: starts[x]))
    right = max(row.x1 for row in plain)
    middle = (left + right) / 2 if width <= 0 else width / 2
    out: list[str] = []
    table: list[list[str]] = []  # the cells of the table row being read, each a list of its lines
    table_row: Row | None = None
    previous: Row | None = None
    opening = rows[0]  # the first row of the paragraph being read
    for row in rows:
        gap = previous.bottom - row.top if previous is not None else 0.0
        # A cell's wrapped line sits close under the row; a cell's next paragraph may sit further down, but text
        # starting right of the first column cannot be the text after the table.
        inside = table_row is not None and not row.tabbed and row.x0 > table_row.cells[0].x1
        if table_row is not None and gap < (2 if inside else CELL_GAP) * row.height \
                and _align(row, table_row, table):
            out[-1] = "\t".join(" ".join(parts) for parts in table)  # the cells' wrapped lines put back
            previous = row
            continue
        table_row = None
        if row.tabbed:
            table, table_row = [[cell.text] for cell in row.cells], row
            out.append(row.text)
            previous = row
            continue
        if previous is None or previous.tabbed:
            out.append(row.text)
            opening = row
        else:
            char = row.char
            short = previous.x1 < right - 3 * char
            # A list item's wrapped lines hang under its text, right of its number: not a new first line.
            hanging = bool(LIST_MARK.match(opening.text)) and opening.x0 < row.x0 < opening.x0 + LABEL_GAP * char
            indented = row.x0 > left + 1.5 * char and not hanging
            centred = all(abs((r.x0 + r.x1) / 2 - middle) < 2 * char and r.x0 > left + 1.5 * char
                          for r in (row, previous))
            ended = bool(SENTENCE_END.search(previous.text))
            # A Russian paragraph never starts in lower case: after "г." or ";" such a line goes on.
            capital = not row.text[:1].islower()
            if (gap > PARAGRAPH_GAP * row.height or LIST_MARK.match(row.text)
                    or (capital and ((ended and (short or indented)) or (indented and short and not centred)))):
                out.append(row.text)
                opening = row
            else:
                out[-1] = _join(out[-1], row.text)
        previous = row
    return out, right


def _align(row: Row, above: Row, table: list[list[str]]) -> bool:
    """Put each piece of `row` into the cell of `above` whose span holds its start; False if one fits none."""
    columns = [cell.x0 for cell in above.cells] + [float("inf")]
    targets = []
    for piece in row.cells:
        index = next((i for i in range(len(above.cells)) if columns[i] - piece.char <= piece.x0 < columns[i + 1]),
                     None)
        if index is None:
            return False
        targets.append(index)
    for piece, index in zip(row.cells, targets, strict=True):
        table[index].append(piece.text)
    return True


def _continues(before: str, after: str) -> bool:
    """A paragraph cut by a page break: the first ends without punctuation, the next starts in lower case."""
    return not SENTENCE_END.search(before) and after[:1].islower()


def _join(before: str, after: str) -> str:
    """Two lines of one paragraph. A word broken by automatic hyphenation (a soft hyphen) is one word again; a line
    that ends with a hyphen after a letter is a compound word broken at its hyphen ("дорожно-" / "транспортного"),
    by far the commoner case in Russian paperwork, where automatic hyphenation is usually off."""
    if before.endswith(SOFT_HYPHEN):
        return before[:-1] + after
    if len(before) > 1 and before.endswith("-") and before[-2].isalpha() and after[:1].islower():
        return before + after
    return f"{before} {after}"
