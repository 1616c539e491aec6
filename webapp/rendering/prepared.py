"""A DOCX template taken apart once per content (its Jinja sources, its unchanging parts compressed), and the
DOCX of one rendering put back together from them: the same parts docxtpl and python-docx would write, without
opening, parsing and re-serialising the whole package on every render.

docxtpl renders three kinds of part: the document's body, its headers and footers, and the core properties;
python-docx then writes every part of the package again, the 360 KB of styles too. Here the parts no render
changes are serialised and compressed once, when the template is first used, and copied into each rendering as
they are; the rendered parts go through docxtpl's own functions (tag clean-up, listing, table and drawing-id
fixes) and python-docx's parser and serialiser, so their XML is the XML docxtpl would have written.

A template this does not take apart (no core properties, footnotes, a header shared by two relationships) and a
rendering with pictures (python-docx adds image parts and relationships) go the whole docxtpl way: `prepare`
returns None and `Prepared.plain` refuses such a context.
"""

from __future__ import annotations

import copy
import hashlib
import io
import re
import struct
import threading
import zipfile
import zlib
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from docx import Document
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.coreprops import CoreProperties
from docx.opc.oxml import parse_xml as opc_parse_xml
from docx.opc.oxml import serialize_part_xml
from docx.oxml.parser import parse_xml
from docxtpl import DocxTemplate
from jinja2 import TemplateError
from lxml import etree

#: Deflate level of the parts rendered each time (the unchanging parts are compressed once, at level 9). bench/render.py
#: measured a 200-point protocol's 54 KB of rendered XML: level 1 0.11 ms and 4.6 KB, level 6 (zlib's default, what
#: python-docx wrote) 0.26 ms and 4.0 KB, level 9 0.76 ms and 4.0 KB. Every level makes the same document.
RENDERED_LEVEL = 1
STATIC_LEVEL = 9
CACHED_TEMPLATES = 32  #: prepared templates kept per process (defaults, and each body's uploaded ones)

FOOTNOTES = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
HEADER_FOOTER = (RT.HEADER, RT.FOOTER)  # docxtpl renders every header, then every footer, in the rels' order
ZIP_TIME, ZIP_DATE = 0, (0 << 9) | (1 << 5) | 1  # 1980-01-01 00:00: a rendering's bytes depend on its content


@dataclass(frozen=True)
class _Stored:
    """An unchanging zip member: its bytes deflated once."""

    crc: int
    size: int
    deflated: bytes


@dataclass(frozen=True)
class Prepared:
    """One template taken apart. `members` is the package in python-docx's order: a _Stored member, or the key of
    a rendered one ("body", "core", or a header's or footer's rId)."""

    members: tuple[tuple[str, _Stored | str], ...]
    body_source: str  # the body's XML with docxtpl's tag clean-up, one paragraph a line, as Jinja compiles it
    skeleton: Any  # the document's root element without its body (copied for each rendering)
    body_index: int
    parts: tuple[tuple[str, str], ...]  # (rId, Jinja source) of each header, then each footer
    core: bytes  # docProps/core.xml as the template has it

    def plain(self, value: Any, picture: type) -> Any:
        """The context with falsy pictures made "" (as docxtpl's path does), or None when a picture is to be
        printed (that needs python-docx's image parts)."""
        try:
            return _plain(value, picture)
        except _HasPicture:
            return None

    def render(self, context: dict[str, Any], compile_source: Callable[[str], Any],
               properties: Callable[[CoreProperties], None]) -> bytes:
        """The DOCX of `context`: the body, headers and footers rendered with `compile_source` (the sandbox's
        from_string), the core properties rendered as docxtpl renders them, then set by `properties`."""
        body = _render_source(self.body_source, context, compile_source)
        tree = DocxTemplate.fix_tables(None, body)
        DocxTemplate.fix_docpr_ids(SimpleNamespace(docx_ids_index=1000), tree)
        root = copy.deepcopy(self.skeleton)
        root.insert(self.body_index, tree)
        rendered = {"body": serialize_part_xml(root)}
        for rid, source in self.parts:
            xml = _render_source(source, context, compile_source).encode("utf-8")
            rendered[rid] = serialize_part_xml(parse_xml(xml))
        core = parse_xml(self.core)
        props = CoreProperties(core)
        DocxTemplate.render_properties(SimpleNamespace(docx=SimpleNamespace(core_properties=props)), context,
                                       _FromString(compile_source))
        properties(props)
        rendered["core"] = serialize_part_xml(core)
        return _zip(self.members, rendered)


class _FromString:
    """What docxtpl's render_properties asks of a Jinja environment."""

    def __init__(self, compile_source: Callable[[str], Any]):
        self.from_string = compile_source


class _HasPicture(Exception):
    pass


def _plain(value: Any, picture: type) -> Any:
    if isinstance(value, picture):
        if value:
            raise _HasPicture
        return ""
    if isinstance(value, dict):
        return {key: _plain(inner, picture) for key, inner in value.items()}
    if isinstance(value, list):
        return [_plain(inner, picture) for inner in value]
    return value


LISTING = re.compile("[\t\a\n\f]")


def _render_source(source: str, context: dict[str, Any], compile_source: Callable[[str], Any]) -> str:
    """docxtpl's render_xml_part on a source prepared already (the same steps, the same error context)."""
    try:
        xml = compile_source(source).render(context)
    except TemplateError as exc:
        if getattr(exc, "lineno", None) is not None:
            line_number = max(exc.lineno - 4, 0)
            exc.docx_context = [re.sub(r"<[^>]+>", "", x) for x in source.splitlines()[line_number:line_number + 7]]
        raise
    xml = re.sub(r"\n<w:p([ >])", r"<w:p\1", xml)
    xml = xml.replace("{_{", "{{").replace("}_}", "}}").replace("{_%", "{%").replace("%_}", "%}")
    if LISTING.search(xml):  # without a tab, bell, newline or form feed docxtpl's listing pass changes nothing
        xml = DocxTemplate.resolve_listing(None, xml)
    return xml


def _jinja_source(xml: str) -> str:
    return re.sub(r"<w:p([ >])", r"\n<w:p\1", DocxTemplate.patch_xml(None, xml))


def _deflate(data: bytes, level: int) -> bytes:
    compressor = zlib.compressobj(level, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush()


def _stored(data: bytes) -> _Stored:
    return _Stored(zlib.crc32(data), len(data), _deflate(data, STATIC_LEVEL))


def _take_apart(template: bytes) -> Prepared | None:
    doc = Document(io.BytesIO(template))
    package = doc.part.package
    try:
        core_part = package.part_related_by(RT.CORE_PROPERTIES)
    except KeyError:
        return None  # python-docx would add default properties dated now
    parts = list(package.iter_parts())
    if any(part.content_type == FOOTNOTES for part in parts):
        return None
    targets = [rel.target_part for source in [package, *parts] for rel in source.rels.values() if not rel.is_external]
    rendered = {doc.part.partname: "body", core_part.partname: "core"}
    sources = []
    for reltype in HEADER_FOOTER:
        for rid, rel in doc.part.rels.items():
            if rel.reltype != reltype or not rel.target_part.blob:
                continue
            part = rel.target_part
            if sum(target is part for target in targets) != 1 or part.partname in rendered:
                return None  # a part shared by two relationships: docxtpl would write it twice
            rendered[part.partname] = rid
            xml = etree.tostring(opc_parse_xml(part.blob), encoding="unicode", pretty_print=False)
            sources.append((rid, _jinja_source(xml)))
    buffer = io.BytesIO()
    doc.save(buffer)  # the package as python-docx writes it: the order and the bytes of the unchanging parts
    members = []
    with zipfile.ZipFile(buffer) as archive:
        for name in archive.namelist():
            key = rendered.get("/" + name)
            members.append((name, key if key is not None else _stored(archive.read(name))))
    root = doc.element
    body = root.body
    skeleton = copy.deepcopy(root)
    index = root.index(body)
    skeleton.remove(skeleton[index])
    return Prepared(members=tuple(members), body_source=_jinja_source(etree.tostring(body, encoding="unicode")),
                    skeleton=skeleton, body_index=index, parts=tuple(sources), core=core_part.blob)


# --- the cache: by the template's content, so an uploaded template is used the moment it is stored -------------

_cache: OrderedDict[bytes, Prepared | None] = OrderedDict()
_lock = threading.Lock()


def prepare(template: bytes) -> Prepared | None:
    """The template taken apart (once per content per process), or None when it goes the docxtpl way."""
    key = hashlib.sha256(template).digest()
    with _lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    prepared = _take_apart(template)  # outside the lock: two threads may both prepare, and both get the same
    with _lock:
        _cache[key] = prepared
        while len(_cache) > CACHED_TEMPLATES:
            _cache.popitem(last=False)
    return prepared


def clear() -> None:
    """Forget every prepared template (tests: a render as the first one after the process started)."""
    with _lock:
        _cache.clear()


# --- the zip: unchanging members copied as compressed once, rendered ones deflated now --------------------------

LOCAL = struct.Struct("<4s2B4HL2L2H")
CENTRAL = struct.Struct("<4s4B4HL2L5H2L")
END = struct.Struct("<4s4H2LH")
UNIX_FILE = 0o600 << 16  # what zipfile.writestr gives a member


def _zip(members: tuple[tuple[str, _Stored | str], ...], rendered: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    directory = []
    for name, member in members:
        stored = member if isinstance(member, _Stored) else _Stored(
            zlib.crc32(rendered[member]), len(rendered[member]), _deflate(rendered[member], RENDERED_LEVEL))
        try:
            encoded, flags = name.encode("ascii"), 0
        except UnicodeEncodeError:
            encoded, flags = name.encode("utf-8"), 0x800
        offset = out.tell()
        out.write(LOCAL.pack(b"PK\003\004", 20, 0, flags, 8, ZIP_TIME, ZIP_DATE, stored.crc, len(stored.deflated),
                             stored.size, len(encoded), 0))
        out.write(encoded)
        out.write(stored.deflated)
        directory.append(CENTRAL.pack(b"PK\001\002", 20, 3, 20, 0, flags, 8, ZIP_TIME, ZIP_DATE, stored.crc,
                                      len(stored.deflated), stored.size, len(encoded), 0, 0, 0, 0, UNIX_FILE,
                                      offset) + encoded)
    start = out.tell()
    for entry in directory:
        out.write(entry)
    out.write(END.pack(b"PK\005\006", 0, 0, len(directory), len(directory), out.tell() - start, start, 0))
    return out.getvalue()
