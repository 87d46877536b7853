"""Turn one regulation source file into articles, per language.

A source is plain UTF-8 text or Markdown as it came out of a publication: one paragraph per line, or a
Chinese paragraph followed by its English translation, or hard-wrapped PDF text with page breaks and
translator's footnotes. The parser does not need to be told which: it reads the file as lines, removes
footnotes, assembles paragraphs (blocks), sorts them by language and then walks chapter, section and
article headings in each language separately.

A heading only counts at the start of a paragraph, and an English article heading must be followed by a
sentence that starts like one, so cross-references ("依照本条例第十条", "as provided in\\nArticle 10 of …")
are never taken for headings. Numbering is checked strictly: a gap or a repeat is an error naming the line.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import SourceError
from ..text.language import (
    LANGUAGES,
    Language,
    detect_language,
    ends_sentence,
    has_letters,
    join_wrapped,
    normalize_spaces,
)
from ..text.numbering import CHINESE_DIGITS, parse_heading_number
from .footnotes import Note, extract_footnotes, strip_marker
from .labels import article_label
from .model import Appendix, Paragraph

_NUM_ZH = rf"[{CHINESE_DIGITS}\d０-９]+"
_ZH_HEADING = re.compile(rf"^第\s*({_NUM_ZH})\s*(章|节|節|条|條)(?:[\s:：.．、]+(.*)|(?=[【(（])(.*)|$)")
_EN_HEADING = re.compile(r"^(Chapter|Section|Article)\s+(\d+|[IVXLC]+)\b\s*[.:：\-–—]?\s*(.*)$", re.IGNORECASE)
_ZH_KINDS = {"章": "chapter", "节": "section", "節": "section", "条": "article", "條": "article"}
_ITEM = re.compile(rf"^([(（]\s*(?:\d+|[{CHINESE_DIGITS}]+)\s*[)）])\s*(.*)$")
# Headings of explanatory matter that follows the regulation text and belongs to no article.
_APPENDIX = re.compile(r"^(Interpretation|Explanation|Explanatory Notes?|Annex(?:es)?|Appendix|"
                       r"附件|附录|说明|解读|起草说明)\s*[:：]?$", re.IGNORECASE)
_FOOTER = re.compile(r"^(©|\(c\)\s|Copyright\b|版权所有)", re.IGNORECASE)
# A translator's footnote marker is a number glued to the word it annotates: "social capital1".
_MARKDOWN_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+")
_MARKDOWN_BOLD = re.compile(r"(\*\*|__)(.+?)\1")
_MAX_TITLE = 80


@dataclass(frozen=True)
class Division:
    """A chapter or section as one source names it."""

    number: int
    title: str


@dataclass(frozen=True)
class ParsedArticle:
    """One article in one language, as found in one source file."""

    number: int
    language: Language
    chapter: Division | None
    section: Division | None
    paragraphs: tuple[Paragraph, ...]
    notes: tuple[Note, ...]
    line: int


@dataclass(frozen=True)
class ParsedSource:
    """Everything one source file contributes: articles per language and any appendices."""

    path: str
    articles: dict[Language, tuple[ParsedArticle, ...]]
    appendices: tuple[Appendix, ...]


@dataclass
class _Line:
    number: int
    text: str
    indented: bool


@dataclass
class _Block:
    text: str
    line: int
    last: str  # the last physical line, to tell whether the paragraph ended a sentence
    heading: tuple[str, int, str] | None = None
    language: Language = "en"


@dataclass
class _Draft:
    number: int
    line: int
    chapter: Division | None
    section: Division | None
    paragraphs: list[Paragraph] = field(default_factory=list)


def read_source(path: Path) -> str:
    """Read a source file as text, refusing empty, binary or non-UTF-8 files with a clear message."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError(f"cannot be read ({exc.strerror}); check the path", path=path) from exc
    if b"\x00" in data[:65536]:
        raise SourceError("looks like a binary file (it contains NUL bytes); "
                          "give a UTF-8 text or Markdown file", path=path)
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


def parse_source(path: Path, *, display_path: str | None = None) -> ParsedSource:
    """Parse one source file into articles per language (validated: numbered 1..N, none empty)."""
    shown = display_path or str(path)
    lines = _read_lines(read_source(path), markdown=path.suffix.lower() in (".md", ".markdown"))
    lines, notes = extract_footnotes(lines, is_heading=lambda text: _heading_of(text) is not None)
    blocks = _assemble_blocks(lines, wrapped=_looks_wrapped(lines))
    body, appendix_blocks = _split_off_appendix(blocks)
    streams: dict[Language, list[_Block]] = {lang: [] for lang in LANGUAGES}
    for block in body:
        streams[block.language].append(block)
    articles = {lang: _walk_articles(stream, lang, shown) for lang, stream in streams.items() if stream}
    articles = {lang: found for lang, found in articles.items() if found}
    if not articles:
        raise SourceError("no article headings found; each article must start a line with "
                          "'第一条' (or 第1条) or 'Article 1'", path=shown)
    articles = {lang: _attach_notes(found, notes) for lang, found in articles.items()}
    appendices = _build_appendices(appendix_blocks, notes)
    return ParsedSource(path=shown, articles=articles, appendices=appendices)


def _read_lines(text: str, *, markdown: bool) -> list[_Line]:
    out = []
    for number, line in enumerate(text.split("\n"), start=1):
        raw = normalize_spaces(line).rstrip()
        # Markdown headings and emphasis are markup only in Markdown files; plain text stays as it is.
        cleaned = _MARKDOWN_BOLD.sub(r"\2", _MARKDOWN_HEADING.sub("", raw)) if markdown else raw
        out.append(_Line(number=number, text=cleaned.strip(), indented=raw[:1] == " "))
    return out


def _looks_wrapped(lines: list[_Line]) -> bool:
    """True for hard-wrapped text: many paragraph lines run on into the next line mid-sentence."""
    nonblank = [line for line in lines if line.text]
    run_on = sum(1 for a, b in itertools.pairwise(lines)
                 if a.text and b.text and not ends_sentence(a.text) and not _is_division(a.text))
    return bool(nonblank) and run_on > 0.2 * len(nonblank)


def _is_division(text: str) -> bool:
    heading = _heading_of(text)
    return heading is not None and heading[0] != "article"


def _heading_of(text: str) -> tuple[str, int, str] | None:
    """Return (kind, number, rest) if `text` opens with a chapter, section or article heading."""
    zh = _ZH_HEADING.match(text)
    if zh:
        number = parse_heading_number(zh.group(1))
        kind = _ZH_KINDS[zh.group(2)]
        rest = (zh.group(3) if zh.group(3) is not None else zh.group(4) or "").strip()
        if number is None or (kind != "article" and not _is_title(rest, "zh")):
            return None
        return kind, number, rest
    en = _EN_HEADING.match(text)
    if en:
        kind = en.group(1).lower()
        number = parse_heading_number(en.group(2))
        rest = en.group(3).strip()
        if number is None or (kind == "article" and not en.group(2).isdigit()):
            return None
        if kind == "article" and rest and not (rest[0].isupper() or rest[0] in "(（“\"'‘【" or
                                               not rest[0].isascii()):
            return None  # "Article 10 of these Regulations …" is a cross-reference
        if kind != "article" and not _is_title(rest, "en"):
            return None
        return kind, number, rest
    return None


def _is_title(rest: str, language: str) -> bool:
    if len(rest) > _MAX_TITLE or ends_sentence(rest) or "，" in rest or "。" in rest:
        return False
    return not rest or language == "zh" or rest[0].isupper()


def _assemble_blocks(lines: list[_Line], *, wrapped: bool) -> list[_Block]:
    """Group lines into paragraphs: one per line, or joined across hard wraps and page breaks."""
    blocks: list[_Block] = []
    after_blank = True
    for line in lines:
        if not line.text:
            after_blank = True
            continue
        heading = _heading_of(line.text)
        opens = heading is not None or _ITEM.match(line.text) or _APPENDIX.match(line.text) \
            or _FOOTER.match(line.text)
        current = blocks[-1] if blocks else None
        if current is None or not wrapped or (current.heading and current.heading[0] != "article"):
            starts = True
        elif opens:
            starts = after_blank or ends_sentence(current.last)
        elif after_blank:
            # A page break inside a sentence: the next page's first line is indented and runs on.
            starts = not (line.indented and not ends_sentence(current.last) and line.text[:1].islower())
        else:
            # A page break swallowed the blank line between two paragraphs.
            starts = line.indented and ends_sentence(current.last) and line.text[:1].isupper()
        if starts:
            blocks.append(_Block(text=line.text, line=line.number, last=line.text, heading=heading))
        else:
            current.text = join_wrapped(current.text, line.text)
            current.last = line.text
        after_blank = False
    previous: Language = "en"
    for block in blocks:
        if block.heading is not None:
            # "第一条 …" is Chinese whatever follows it (even code or an English name).
            block.language = "zh" if _ZH_HEADING.match(block.text) else "en"
        else:
            block.language = detect_language(block.text) if has_letters(block.text) else previous
        previous = block.language
    return blocks


def _split_off_appendix(blocks: list[_Block]) -> tuple[list[_Block], list[_Block]]:
    """Cut the regulation text at a footer (dropped) or an appendix heading (kept apart)."""
    for index, block in enumerate(blocks):
        if _FOOTER.match(block.text):
            return blocks[:index], []
        if _APPENDIX.match(block.text) and block.heading is None:
            start = index
            # The appendix's own title line ("Regulations for the Promotion of …") sits just above it.
            if index > 0 and not ends_sentence(blocks[index - 1].text) and blocks[index - 1].heading is None:
                start = index - 1
            rest = blocks[start:]
            footer = next((k for k, b in enumerate(rest) if _FOOTER.match(b.text)), len(rest))
            return blocks[:start], rest[:footer]
    return blocks, []


def _walk_articles(blocks: list[_Block], language: Language, path: str) -> tuple[ParsedArticle, ...]:
    chapter: Division | None = None
    section: Division | None = None
    drafts: list[_Draft] = []
    seen: dict[int, int] = {}
    for block in blocks:
        # Re-read the heading from the whole paragraph: in wrapped text its first sentence spans lines.
        heading = _heading_of(block.text) if block.heading else None
        if heading is None:
            if drafts:
                drafts[-1].paragraphs.append(_paragraph(block.text))
            continue
        kind, number, rest = heading
        if kind == "chapter":
            chapter, section = Division(number, rest), None
        elif kind == "section":
            section = Division(number, rest)
        else:
            _check_sequence(number, block.line, drafts, seen, language, path)
            seen[number] = block.line
            draft = _Draft(number=number, line=block.line, chapter=chapter, section=section)
            if rest:
                draft.paragraphs.append(_paragraph(rest))
            drafts.append(draft)
    for draft in drafts:
        if not any(p.text for p in draft.paragraphs):
            raise SourceError(f"{_label(draft.number, language)} has no text; every article needs a body",
                              path=path, line=draft.line)
    return tuple(ParsedArticle(number=d.number, language=language, chapter=d.chapter, section=d.section,
                               paragraphs=tuple(d.paragraphs), notes=(), line=d.line) for d in drafts)


def _check_sequence(number: int, line: int, drafts: list[_Draft], seen: dict[int, int],
                    language: Language, path: str) -> None:
    expected = drafts[-1].number + 1 if drafts else 1
    if number == expected:
        return
    if number in seen:
        raise SourceError(f"{_label(number, language)} appears twice (first at line {seen[number]}); "
                          "article numbers must be unique", path=path, line=line)
    if number > expected:
        raise SourceError(f"found {_label(number, language)} but expected {_label(expected, language)}; "
                          f"{_label(expected, language)} is missing or its heading does not start a line",
                          path=path, line=line)
    raise SourceError(f"found {_label(number, language)} after {_label(expected - 1, language)}; "
                      "articles must be numbered 1, 2, 3, … in order", path=path, line=line)


def _label(number: int, language: Language) -> str:
    return article_label(number, language)


def _paragraph(text: str) -> Paragraph:
    item = _ITEM.match(text)
    if item and item.group(2):
        return Paragraph(text=item.group(2), label=item.group(1).replace(" ", ""))
    return Paragraph(text=text)


def _remove_marker(paragraphs: tuple[Paragraph, ...], marker: str) -> tuple[tuple[Paragraph, ...], bool]:
    out, found = [], False
    for paragraph in paragraphs:
        stripped = None if found else strip_marker(paragraph.text, marker)
        if stripped is not None:
            found = True
        out.append(paragraph if stripped is None else Paragraph(text=stripped, label=paragraph.label))
    return tuple(out), found


def _attach_notes(articles: tuple[ParsedArticle, ...],
                  notes: dict[str, tuple[str, int]]) -> tuple[ParsedArticle, ...]:
    out = []
    for article in articles:
        paragraphs, attached = article.paragraphs, []
        for marker, (text, _) in notes.items():
            paragraphs, found = _remove_marker(paragraphs, marker)
            if found:
                attached.append(Note(marker=marker, text=text))
        out.append(ParsedArticle(number=article.number, language=article.language, chapter=article.chapter,
                                 section=article.section, paragraphs=paragraphs, notes=tuple(attached),
                                 line=article.line))
    return tuple(out)


def _build_appendices(blocks: list[_Block], notes: dict[str, tuple[str, int]]) -> tuple[Appendix, ...]:
    if not blocks:
        return ()
    heading_at = next(k for k, b in enumerate(blocks) if _APPENDIX.match(b.text))
    title = " ".join(b.text for b in blocks[:heading_at])
    paragraphs = tuple(_paragraph(b.text) for b in blocks[heading_at + 1:])
    attached = []
    for marker, (text, _) in notes.items():
        paragraphs, found = _remove_marker(paragraphs, marker)
        if found:
            attached.append(Note(marker=marker, text=text))
    return (Appendix(heading=blocks[heading_at].text, title=title, paragraphs=paragraphs,
                     notes=tuple(attached), line=blocks[heading_at].line),)
