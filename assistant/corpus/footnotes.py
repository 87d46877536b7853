"""Translator's footnotes in page-laid-out text: found, taken out of the running text, kept as notes.

In text extracted from a PDF a footnote lands wherever its page ended, often in the middle of a later article,
and its marker stays glued to the word it annotates ("social capital1"). These functions find such notes,
remove them from the flow of lines, and strip their markers from the article text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from ..text.language import ends_sentence, join_wrapped

# A marker is a number glued to the word it annotates: "social capital1", "public institutions2".
GLUED_MARKER = re.compile(r"(?<=[A-Za-z)”\"])(\d{1,2})(?=[\s,.;:)]|$)")
FOOTNOTE_START = re.compile(r"^(\d{1,2}) (?=\S)")


@dataclass(frozen=True)
class Note:
    """A translator's footnote, kept apart from the article text it annotates."""

    marker: str
    text: str


class Line(Protocol):
    """A physical line of a source: its number, text, and whether it starts indented (a new PDF page)."""

    number: int
    text: str
    indented: bool


def extract_footnotes(lines: Sequence[Line], *, is_heading: Callable[[str], bool]
                      ) -> tuple[list[Line], dict[str, tuple[str, int]]]:
    """Remove translator's footnotes dropped into the text by page layout; return them by marker.

    A footnote starts a line with its number ("1 Translator's note: …") after that number was seen glued
    to a word ("capital1"), runs until the next page starts (an indented line), a blank line or a heading,
    and, if it stops mid-sentence, continues in the last paragraph at the bottom of the following page.
    """
    removed: set[int] = set()
    notes: dict[str, tuple[str, int]] = {}
    seen_markers: set[str] = set()
    expected = 1
    i = 0
    while i < len(lines):
        line = lines[i]
        start = FOOTNOTE_START.match(line.text) if not line.indented else None
        if start and start.group(1) == str(expected) and str(expected) in seen_markers:
            end = i + 1
            while end < len(lines) and lines[end].text and not lines[end].indented \
                    and not is_heading(lines[end].text):
                end += 1
            text = " ".join(lines[k].text for k in range(i, end))[len(start.group(0)):]
            removed.update(range(i, end))
            if not ends_sentence(text):
                continuation = _continuation(lines, end)
                if continuation:
                    removed.update(continuation)
                    text = join_wrapped(text, " ".join(lines[k].text for k in continuation))
            notes[str(expected)] = (text.strip(), line.number)
            expected += 1
            i = end
            continue
        seen_markers.update(GLUED_MARKER.findall(line.text))
        i += 1
    return [line for k, line in enumerate(lines) if k not in removed], notes


def _continuation(lines: Sequence[Line], page_start: int) -> list[int]:
    """Line indexes of the rest of an unfinished footnote: the bottom paragraph of the next page."""
    next_page = next((k for k in range(page_start + 1, len(lines)) if lines[k].indented), None)
    if next_page is None:
        return []
    first = next_page
    while first > page_start and lines[first - 1].text:
        first -= 1
    if first <= page_start or not lines[first].text[:1].islower():
        return []
    return list(range(first, next_page))


def strip_marker(text: str, marker: str) -> str | None:
    """`text` without its first glued `marker` ("capital1" → "capital"), or None if it has none."""
    pattern = re.compile(rf"(?<=[A-Za-z)”\"]){re.escape(marker)}(?=[\s,.;:)]|$)")
    return pattern.sub("", text, count=1) if pattern.search(text) else None
