"""Citation verification: every article an answer mentions (see `corpus.references`) is checked.

Verification keeps a citation only if the article exists and was retrieved for this question; everything
else is dropped with a reason, and sentences that relied only on dropped citations are removed. Quoted
article text (Markdown blockquote lines, "> …") is never read for citations: a cross-reference inside a
quoted article ("依照本条例第十条") is the article's own words, not the answer citing something. Nor is a
"see also" line of an abstaining answer ("另见…" / "See also…"), which points at nearby articles without
resting anything on them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..corpus.model import Citation, Corpus, article_id, regulation_of
from ..corpus.references import find_mentions, sentence_spans


@dataclass(frozen=True)
class DroppedCitation:
    """A citation removed from an answer, and why."""

    regulation: str | None
    article: int
    reason: str
    suffix: int = 0

    def to_json(self) -> dict:
        """{"regulation", "article", "reason"} (plus "suffix" for an inserted article)."""
        return {"regulation": self.regulation, "article": self.article, "reason": self.reason,
                **({"suffix": self.suffix} if self.suffix else {})}


def verify_citations(text: str, corpus: Corpus, *, retrieved: Sequence[str], extra: Sequence[Citation] = (),
                     trust_quotes: bool = True) -> tuple[str, list[Citation], list[DroppedCitation]]:
    """Check every citation in `text` (and `extra` structured ones) against the corpus and the retrieved ids.

    Returns the text with unsupported citations removed, the kept citations, and the dropped ones with reasons.
    `trust_quotes=False` (a model's text) reads quoted and "see also" lines too: nothing a model writes is
    taken on trust.
    """
    retrieved_set = set(retrieved)
    defaults = list(dict.fromkeys(regulation_of(a) for a in retrieved))
    mentions = find_mentions(text, corpus, default_regulations=defaults, trust_quotes=trust_quotes)
    kept: dict[Citation, None] = {}
    dropped: dict[tuple[str | None, int, int], DroppedCitation] = {}
    bad_spans: list[tuple[int, int]] = []

    def judge(regulation: str | None, article: int, suffix: int) -> str | None:
        if regulation is None:
            return "cannot be grounded: not an article of a loaded regulation" if article == 0 else \
                "ambiguous: the answer does not say which regulation"
        if corpus.get(article_id(regulation, article, suffix)) is None:
            return "does not exist"
        if article_id(regulation, article, suffix) not in retrieved_set:
            return "not retrieved for this question"
        return None

    for mention in mentions:
        reason = judge(mention.regulation, mention.article, mention.suffix)
        if reason is None:
            kept[Citation(mention.regulation, mention.article, mention.suffix)] = None
        else:
            dropped.setdefault((mention.regulation, mention.article, mention.suffix),
                               DroppedCitation(mention.regulation, mention.article, reason, mention.suffix))
            bad_spans.append((mention.start, mention.end))
    for citation in extra:
        reason = judge(citation.regulation, citation.article, citation.suffix)
        if reason is None:
            kept[citation] = None
        else:
            dropped.setdefault((citation.regulation, citation.article, citation.suffix),
                               DroppedCitation(citation.regulation, citation.article, reason, citation.suffix))
    cleaned = _remove(text, bad_spans, [(m.start, m.end) for m in mentions if (m.start, m.end) not in bad_spans])
    # Cutting a reference out can join what was around it into a new one ("Article 99§ 12" → "§ 12"): check
    # again until nothing ungrounded is left (and then whole sentences go, not just the references).
    for attempt in range(3):
        found = find_mentions(cleaned, corpus, default_regulations=defaults, trust_quotes=trust_quotes)
        spans = [(m.start, m.end) for m in found if judge(m.regulation, m.article, m.suffix) is not None]
        if not spans:
            break
        cleaned = _remove(cleaned, spans, [] if attempt else [(m.start, m.end) for m in found
                                                              if (m.start, m.end) not in spans])
    return cleaned, list(kept), list(dropped.values())


def _remove(text: str, bad: list[tuple[int, int]], good: list[tuple[int, int]]) -> str:
    """Drop sentences that cite only dropped articles; elsewhere cut just the bad citation."""
    if not bad:
        return text
    out, position = [], 0
    for start, sentence in sentence_spans(text):
        end = start + len(sentence)
        out.append(text[position:start])
        position = end
        has_bad = any(a < end and b > start for a, b in bad)  # a reference may run across a line break
        has_good = any(start <= a < end for a, _ in good)
        if has_bad and not has_good:
            continue
        piece = sentence
        for a, b in sorted(bad, reverse=True):
            if a < end and b > start:
                piece = piece[: max(a, start) - start] + piece[min(b, end) - start:]
        if has_bad:
            # Tidy what the cut left (empty brackets, double spaces) but keep the space before the sentence.
            lead = piece[: len(piece) - len(piece.lstrip())]
            piece = lead + re.sub(r"\s*[\[(（]\s*[\])）]|\s{2,}", " ", piece).strip()
        out.append(piece)
    out.append(text[position:])
    return re.sub(r"\n{3,}", "\n\n", "".join(out)).strip()
