"""Reading a source file: checked as text, then split into lines with Markdown markup and page furniture removed.

A source must be a regular file of UTF-8 text, not larger than `MAX_SOURCE_BYTES`. Everything that is only
layout — Markdown heading marks and emphasis, separator lines (`---`, `***`), HTML comments such as
LawRefBook's `<!-- INFO END -->` — is removed here, so the parser sees the words of the regulation only.
"""

from __future__ import annotations

import re
import stat
from dataclasses import dataclass
from pathlib import Path

from ..errors import SourceError
from ..text.language import normalize_spaces

# The largest single source file lawqa reads (the longest law in STARD, 人民检察院刑事诉讼规则, is 0.3 MB).
MAX_SOURCE_BYTES = 5_000_000
# The longest article lawqa takes (the longest real one here, GDPR Article 4, has 8,651 characters): a longer
# one almost always means the headings of the articles after it were not recognised.
MAX_ARTICLE_CHARS = 50_000
# Characters of article text in one corpus (STARD's 133 laws have 1.4 million; embedding 20 million would take
# many hours on a 2-core machine).
MAX_CORPUS_CHARS = 20_000_000
_MARKDOWN_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+")
_MARKDOWN_BOLD = re.compile(r"(\*\*|__)(.+?)\1")
_SEPARATOR = re.compile(r"^\s*([-*_=])(?:\s*\1){2,}\s*$")
_HTML_COMMENT = re.compile(r"<!--.*?-->")
_BOMS = {b"\xff\xfe": "UTF-16 (little-endian)", b"\xfe\xff": "UTF-16 (big-endian)"}


@dataclass
class Line:
    """One physical line: its number in the file, its text, and how it was laid out."""

    number: int
    text: str
    indented: bool  # starts with a space (a new page in PDF-extracted text)
    marked: bool = False  # was a Markdown heading ("## …")


def read_source(path: Path) -> str:
    """Read a source file as text, refusing what is not one with a message that says what to do."""
    try:
        info = path.stat()
    except OSError as exc:
        raise SourceError(f"cannot be read ({exc.strerror}); check the path", path=path) from exc
    if stat.S_ISDIR(info.st_mode):
        raise SourceError("is a directory; give a regulation file (or use `lawqa add DIR` for a folder)", path=path)
    if not stat.S_ISREG(info.st_mode):
        raise SourceError("is not a regular file (a pipe or device); save the regulation to a file first",
                          path=path)
    if info.st_size > MAX_SOURCE_BYTES:
        raise SourceError(f"is {info.st_size:,} bytes, over the {MAX_SOURCE_BYTES:,}-byte limit for one source; "
                          "split it into parts (a manifest source may list several files)", path=path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError(f"cannot be read ({exc.strerror}); check the path and its permissions", path=path) from exc
    for bom, name in _BOMS.items():
        if data.startswith(bom):
            raise SourceError(f"is {name} text; save it as UTF-8", path=path)
    nul = data.find(b"\x00")
    if nul >= 0:
        raise SourceError(f"looks like a binary file (a NUL byte at offset {nul}); give a UTF-8 text or "
                          "Markdown file", path=path)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise SourceError(f"is not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
                          "save the file as UTF-8", path=path, line=line) from exc
    if not text.strip():
        raise SourceError("is empty; a regulation source needs article headings such as "
                          "'第一条' or 'Article 1'", path=path)
    return text.replace("\r\n", "\n").replace("\r", "\n")


def source_lines(text: str, *, markdown: bool) -> list[Line]:
    """The file's lines with layout removed: Markdown marks (in Markdown files), separators, HTML comments."""
    text = _HTML_COMMENT.sub(lambda m: "\n" * m.group(0).count("\n"), text)
    out = []
    for number, line in enumerate(text.split("\n"), start=1):
        raw = normalize_spaces(line).rstrip()
        marked = False
        if markdown:
            # Markdown headings and emphasis are markup only in Markdown files; plain text stays as it is.
            heading = _MARKDOWN_HEADING.match(raw)
            marked = heading is not None
            raw = _MARKDOWN_BOLD.sub(r"\2", raw[heading.end():] if heading else raw)
        if _SEPARATOR.match(raw):
            raw = ""
        out.append(Line(number=number, text=raw.strip(), indented=raw[:1] == " ", marked=marked))
    return out
