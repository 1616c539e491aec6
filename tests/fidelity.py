"""How much of a reference text a generated DOCX reproduces, word for word (the team's fidelity measure).

A copy of the scoring in the shared docx_fidelity tool, so the tests never read outside the repository:
the text of body, headers, footers and notes straight from the XML, normalised (case, ё, hyphenation at
line ends), and the share of the reference's words found in order (difflib matching blocks).
"""

from __future__ import annotations

import difflib
import io
import re
import zipfile
from xml.etree import ElementTree as ET  # noqa: S405 - parses our own output, never an upload

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
PARTS = re.compile(r"word/(document|header\d*|footer\d*|footnotes|endnotes)\.xml$")
WORD = re.compile(r"[0-9a-zа-я]+")


def docx_text(data: bytes) -> str:
    out = []
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = sorted(n for n in zf.namelist() if PARTS.match(n))
        names.sort(key=lambda n: not n.startswith("word/header"))  # letterhead first
        for name in names:
            root = ET.fromstring(zf.read(name))  # noqa: S314 - see above
            for para in root.iter(W + "p"):
                chunks = []
                for node in para.iter():
                    if node.tag == W + "t" and node.text:
                        chunks.append(node.text)
                    elif node.tag in (W + "tab", W + "br"):
                        chunks.append(" ")
                out.append("".join(chunks))
    return "\n".join(out)


def tokens(text: str) -> list[str]:
    text = text.lower().replace("ё", "е")
    text = re.sub(r"(\w)-\s*\n\s*(\w)", r"\1\2", text)
    return WORD.findall(text)


def reproduced(data: bytes, reference: str) -> float:
    """The share of the reference's words that the DOCX reproduces in order."""
    got, ref = tokens(docx_text(data)), tokens(reference)
    matcher = difflib.SequenceMatcher(None, ref, got, autojunk=False)
    same = sum(block.size for block in matcher.get_matching_blocks())
    return same / len(ref) if ref else 1.0
