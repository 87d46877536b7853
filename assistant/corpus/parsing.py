"""Turn one regulation source file into articles, per language — and say what was not an article.

A source is plain UTF-8 text or Markdown as it came out of a publication: one paragraph per line, or a
Chinese paragraph followed by its English translation, or hard-wrapped PDF text with page breaks and
translator's footnotes. The parser does not need to be told which: it reads the file as lines (`reading`),
removes footnotes, assembles paragraphs (blocks), sorts them by language and then walks part, chapter,
section and article headings (`headings`) in each language separately.

Nothing is dropped silently. Numbering is checked strictly (1, 2, 3 …, with inserted 第X条之一 / Article Xa
allowed after X): a gap or a repeat is an error naming the line. A line that starts like a heading but reads
as a cross-reference ("第三条规定的…", "Article 16(2) TFEU …") stays article text unless its number is the next
one. Text before the first article (title, preamble, recitals) and after the last one (an annex, a
publisher's footer, the signature block) is kept apart and reported in `ParsedSource.set_aside`; a short
title line between two articles ("法律责任") is a chapter or section heading, never article text.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import SourceError
from ..text.language import LANGUAGES, Language, detect_language, ends_sentence, has_letters, join_wrapped
from .footnotes import Note, extract_footnotes, strip_marker
from .headings import APPENDIX, DIVISIONS, FOOTER, ITEM, HeadingMatch, heading_of, is_bare_title
from .labels import article_label
from .model import Appendix, Paragraph, division_of
from .reading import MAX_ARTICLE_CHARS, Line, read_source, source_lines

_PART_TITLE = re.compile(r"^\S{1,8}编$")  # "合同编": a part of a code named without its number


@dataclass(frozen=True)
class Division:
    """A part, subpart, chapter or section as one source names it (number 0: named without a number)."""

    kind: str
    number: int
    title: str


@dataclass(frozen=True)
class ParsedArticle:
    """One article in one language, as found in one source file."""

    number: int
    language: Language
    divisions: tuple[Division, ...]
    paragraphs: tuple[Paragraph, ...]
    notes: tuple[Note, ...]
    line: int
    suffix: int = 0

    @property
    def chapter(self) -> Division | None:
        """The chapter the article is in, as this source names it."""
        return division_of(self.divisions, "chapter")

    @property
    def section(self) -> Division | None:
        """The section the article is in, as this source names it."""
        return division_of(self.divisions, "section")


@dataclass(frozen=True)
class SetAside:
    """Text of a source that belongs to no article, with where it is (reported by `lawqa add`)."""

    kind: str  # "preamble", "appendix" or "footer"
    language: Language
    first_line: int
    last_line: int
    preview: str


@dataclass(frozen=True)
class ParsedSource:
    """Everything one source file contributes: articles per language, appendices, and what was set aside."""

    path: str
    articles: dict[Language, tuple[ParsedArticle, ...]]
    appendices: tuple[Appendix, ...]
    set_aside: tuple[SetAside, ...] = ()
    divisions: dict[str, int] = field(default_factory=dict)  # division headings found, per kind


@dataclass
class _Block:
    text: str
    line: int
    last: str  # the last physical line, to tell whether the paragraph ended a sentence
    end: int = 0  # the number of the last physical line
    heading: HeadingMatch | None = None
    language: Language = "en"
    marked: bool = False


@dataclass
class _Draft:
    number: int
    suffix: int
    line: int
    divisions: tuple[Division, ...]
    paragraphs: list[Paragraph] = field(default_factory=list)


def parse_source(path: Path, *, display_path: str | None = None, first: int = 1) -> ParsedSource:
    """Parse one source file into articles per language (validated: numbered `first`.., none empty).

    `first` is the number the first article must have: 1, or where the previous file of a regulation that
    spans several files (a code in parts) stopped.
    """
    shown = display_path or str(path)
    lines = source_lines(read_source(path), markdown=path.suffix.lower() in (".md", ".markdown"))
    lines, notes = extract_footnotes(lines, is_heading=lambda text: heading_of(text) is not None)
    blocks = _assemble_blocks(lines, wrapped=_looks_wrapped(lines))
    articles: dict[Language, tuple[ParsedArticle, ...]] = {}
    appendices: list[Appendix] = []
    set_aside: list[SetAside] = []
    divisions: dict[str, int] = {}
    for language in LANGUAGES:
        stream = [b for b in blocks if b.language == language]
        body, tail = _split_tail(stream)
        drafts, preamble, found = _walk(body, language, shown, first)
        if not drafts:
            continue
        articles[language] = _attach_notes(_finish(drafts, language, shown), notes)
        appendix, footer = _split_footer(tail)
        appendices += _build_appendices(appendix, notes)
        set_aside += [_set_aside(kind, part, language) for kind, part in
                      (("preamble", preamble), ("appendix", appendix), ("footer", footer)) if part]
        for kind, count in found.items():
            divisions[kind] = max(divisions.get(kind, 0), count)
    if not articles:
        raise SourceError("no article headings found; each article must start a line with "
                          "'第一条' (or 第1条) or 'Article 1'", path=shown)
    return ParsedSource(path=shown, articles=articles, appendices=tuple(appendices),
                        set_aside=tuple(sorted(set_aside, key=lambda s: s.first_line)), divisions=divisions)


def _looks_wrapped(lines: list[Line]) -> bool:
    """True for hard-wrapped text: many paragraph lines run on into the next line mid-sentence."""
    nonblank = [line for line in lines if line.text]
    run_on = sum(1 for a, b in itertools.pairwise(lines)
                 if a.text and b.text and not ends_sentence(a.text) and not _is_division(a.text))
    return bool(nonblank) and run_on > 0.2 * len(nonblank)


def _is_division(text: str) -> bool:
    heading = heading_of(text)
    return heading is not None and heading.kind != "article"


def _assemble_blocks(lines: list[Line], *, wrapped: bool) -> list[_Block]:
    """Group lines into paragraphs: one per line, or joined across hard wraps and page breaks."""
    blocks: list[_Block] = []
    after_blank = True
    for line in lines:
        if not line.text:
            after_blank = True
            continue
        heading = heading_of(line.text)
        opens = heading is not None or ITEM.match(line.text) or APPENDIX.match(line.text) \
            or FOOTER.match(line.text) or line.marked
        current = blocks[-1] if blocks else None
        if current is None or not wrapped or current.marked or (current.heading and current.heading.kind != "article"):
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
            blocks.append(_Block(text=line.text, line=line.number, last=line.text, end=line.number,
                                 heading=heading, marked=line.marked))
        else:
            current.text = join_wrapped(current.text, line.text)
            current.last, current.end = line.text, line.number
        after_blank = False
    previous: Language = "en"
    for block in blocks:
        if block.heading is not None:
            block.language = block.heading.language  # "第一条 …" is Chinese whatever follows it
        else:
            block.language = detect_language(block.text) if has_letters(block.text) else previous
        previous = block.language
    headed = {b.language for b in blocks if _is_article(b)}
    if len(headed) == 1:  # one language's articles: a line in the other ("See Article 2 …") is still their text
        (language,) = headed
        for block in blocks:
            block.language = language
    return blocks


def _is_article(block: _Block) -> bool:
    return block.heading is not None and block.heading.kind == "article" and not block.heading.reference


def _split_tail(stream: list[_Block]) -> tuple[list[_Block], list[_Block]]:
    """Cut a language's blocks after the last article at an appendix heading or a footer (both kept apart)."""
    last = max((i for i, b in enumerate(stream) if _is_article(b)), default=None)
    if last is None:
        return stream, []
    for index in range(last + 1, len(stream)):
        block = stream[index]
        if FOOTER.match(block.text) and block.heading is None:
            return stream[:index], stream[index:]
        if APPENDIX.match(block.text) and block.heading is None:
            start = index
            # The appendix's own title line ("Regulations for the Promotion of …") sits just above it.
            if index - 1 > last and not ends_sentence(stream[index - 1].text) and stream[index - 1].heading is None:
                start = index - 1
            return stream[:start], stream[start:]
    return stream, []


def _split_footer(tail: list[_Block]) -> tuple[list[_Block], list[_Block]]:
    footer = next((k for k, b in enumerate(tail) if FOOTER.match(b.text)), len(tail))
    return tail[:footer], tail[footer:]


def _walk(blocks: list[_Block], language: Language, path: str,
          first: int) -> tuple[list[_Draft], list[_Block], dict[str, int]]:
    """Articles (as drafts) in order, the blocks before the first one, and division headings found per kind."""
    current: dict[str, Division] = {}
    drafts: list[_Draft] = []
    preamble: list[_Block] = []
    found: dict[str, int] = {}
    explicit = any(b.heading is not None and b.heading.kind in DIVISIONS for b in blocks)

    def enter(division: Division) -> None:
        for kind in DIVISIONS[DIVISIONS.index(division.kind):]:
            current.pop(kind, None)
        current[division.kind] = division
        found[division.kind] = found.get(division.kind, 0) + 1

    for index, block in enumerate(blocks):
        # Re-read the heading from the whole paragraph: in wrapped text its first sentence spans lines.
        heading = heading_of(block.text) if block.heading else None
        if heading is not None and heading.kind == "article":
            if _continues(drafts, first, heading) and not heading.reference:
                drafts.append(_Draft(number=heading.number, suffix=heading.suffix, line=block.line,
                                     divisions=tuple(current[k] for k in DIVISIONS if k in current)))
                if heading.rest:
                    _add_paragraph(drafts[-1], heading.rest)
                continue
            if not (heading.reference or heading.glued):
                _refuse_number(heading, block, drafts, blocks[:index], first, language, path)
        elif heading is not None:
            enter(Division(heading.kind, heading.number, heading.rest))
            continue
        elif not drafts and block.marked and _PART_TITLE.match(block.text):
            enter(Division("part", 0, block.text))
            continue
        elif drafts and _bare_division(blocks, index, explicit):
            kind = next((k for k in reversed(DIVISIONS) if k in current), "chapter")
            enter(Division(kind, current[kind].number + 1 if kind in current else 1, block.text))
            continue
        if drafts:
            _add_paragraph(drafts[-1], block.text)
        else:
            preamble.append(block)
    hint = _hidden_heading(blocks, drafts[-1].number + 1, language) if drafts else None
    if hint:  # the file would silently end one article short
        raise SourceError(f"the last article found is {_label(drafts[-1].number, drafts[-1].suffix, language)}, but "
                          + hint, path=path)
    return drafts, preamble, found


def _continues(drafts: list[_Draft], first: int, heading: HeadingMatch) -> bool:
    """Whether the heading's number is the next one: (n, 0) → (n, 1) (inserted) or (n + 1, 0)."""
    if not drafts:
        return (heading.number, heading.suffix) == (first, 0)
    last = drafts[-1]
    return (heading.number, heading.suffix) in ((last.number, last.suffix + 1), (last.number + 1, 0))


def _bare_division(blocks: list[_Block], index: int, explicit: bool) -> bool:
    """A short title line between two articles: a heading the source did not number ("法律责任")."""
    block = blocks[index]
    following = blocks[index + 1] if index + 1 < len(blocks) else None
    if following is None or following.heading is None or not is_bare_title(block.text, block.language):
        return False
    if block.marked:
        return True
    return explicit and ends_sentence(blocks[index - 1].text)


def _refuse_number(heading: HeadingMatch, block: _Block, drafts: list[_Draft], before: list[_Block], first: int,
                   language: Language, path: str) -> None:
    """Raise the SourceError that says what is wrong with an article number out of sequence."""
    label = _label(heading.number, heading.suffix, language)
    if heading.number == 0:
        raise SourceError(f"{block.text[:20]!r} is numbered 0; articles are numbered from {_label(1, 0, language)}",
                          path=path, line=block.line)
    expected = drafts[-1].number + 1 if drafts else first
    seen = next((d for d in drafts if (d.number, d.suffix) == (heading.number, heading.suffix)), None)
    if seen is not None:
        raise SourceError(f"{label} appears twice (first at line {seen.line}); article numbers must be unique",
                          path=path, line=block.line)
    want = _label(expected, 0, language)
    if not drafts or (heading.number, heading.suffix) > (drafts[-1].number, drafts[-1].suffix):
        hint = _hidden_heading(before, expected, language)
        raise SourceError(f"found {label} but expected {want}; " + (hint or f"{want} is missing or its heading "
                          "does not start a line"), path=path, line=block.line)
    previous = _label(drafts[-1].number, drafts[-1].suffix, language)
    raise SourceError(f"found {label} after {previous}; articles must be numbered in order", path=path,
                      line=block.line)


def _hidden_heading(before: list[_Block], number: int, language: Language) -> str | None:
    """Where the missing article's heading is, when a line starts with it but was read as a cross-reference."""
    for block in reversed(before):
        heading = heading_of(block.text)
        if heading is not None and heading.kind == "article" and heading.number == number:
            how, fix = (("continues in lower case", "start the article's text with a capital letter")
                        if language == "en" else ("continues like a cross-reference (第三条规定…)",
                                                  "reword the start of its text (规定/所称 read as a reference)"))
            return (f"line {block.line} starts with {_label(number, 0, language)} but {how}, so it was read as a "
                    f"reference; if it is that article's heading, {fix}")
        if heading is not None and heading.kind == "article" and not heading.reference:
            break
    return None


def _label(number: int, suffix: int, language: Language) -> str:
    if number <= 0:
        return "第0条" if language == "zh" else "Article 0"
    return article_label(number, language, suffix)


def _add_paragraph(draft: _Draft, text: str) -> None:
    paragraph = _paragraph(text)
    previous = draft.paragraphs[-1] if draft.paragraphs else None
    if previous is not None and previous.label and not previous.text and not paragraph.label:
        # A point label on a line of its own ("(a)") followed by its text in the next paragraph.
        draft.paragraphs[-1] = Paragraph(text=paragraph.text, label=previous.label)
        return
    draft.paragraphs.append(paragraph)


def _paragraph(text: str) -> Paragraph:
    item = ITEM.match(text)
    if item:
        return Paragraph(text=item.group(3), label=item.group(1).replace(" ", ""), gap=item.group(2))
    return Paragraph(text=text)


def _finish(drafts: list[_Draft], language: Language, path: str) -> tuple[ParsedArticle, ...]:
    for draft in drafts:
        if not any(p.text for p in draft.paragraphs):
            raise SourceError(f"{_label(draft.number, draft.suffix, language)} has no text; every article needs "
                              "a body", path=path, line=draft.line)
        length = sum(len(p.text) for p in draft.paragraphs)
        if length > MAX_ARTICLE_CHARS:
            raise SourceError(f"{_label(draft.number, draft.suffix, language)} is {length:,} characters long, over "
                              f"the {MAX_ARTICLE_CHARS:,}-character limit for one article; check that the headings "
                              "of the articles after it start their own lines, or split it", path=path,
                              line=draft.line)
    return tuple(ParsedArticle(number=d.number, suffix=d.suffix, language=language, divisions=d.divisions,
                               paragraphs=tuple(d.paragraphs), notes=(), line=d.line) for d in drafts)


def _set_aside(kind: str, blocks: list[_Block], language: Language) -> SetAside:
    preview = " ".join(b.text for b in blocks)[:60]
    return SetAside(kind=kind, language=language, first_line=blocks[0].line, last_line=max(b.end for b in blocks),
                    preview=preview)


def _remove_marker(paragraphs: tuple[Paragraph, ...], marker: str) -> tuple[tuple[Paragraph, ...], bool]:
    out, found = [], False
    for paragraph in paragraphs:
        stripped = None if found else strip_marker(paragraph.text, marker)
        if stripped is not None:
            found = True
        out.append(paragraph if stripped is None else Paragraph(text=stripped, label=paragraph.label,
                                                                gap=paragraph.gap))
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
        out.append(ParsedArticle(number=article.number, suffix=article.suffix, language=article.language,
                                 divisions=article.divisions, paragraphs=paragraphs, notes=tuple(attached),
                                 line=article.line))
    return tuple(out)


def _build_appendices(blocks: list[_Block], notes: dict[str, tuple[str, int]]) -> tuple[Appendix, ...]:
    heading_at = next((k for k, b in enumerate(blocks) if APPENDIX.match(b.text)), None)
    if heading_at is None:
        return ()
    title = " ".join(b.text for b in blocks[:heading_at])
    paragraphs = tuple(_paragraph(b.text) for b in blocks[heading_at + 1:])
    attached = []
    for marker, (text, _) in notes.items():
        paragraphs, found = _remove_marker(paragraphs, marker)
        if found:
            attached.append(Note(marker=marker, text=text))
    return (Appendix(heading=blocks[heading_at].text, title=title, paragraphs=paragraphs,
                     notes=tuple(attached), line=blocks[heading_at].line),)
