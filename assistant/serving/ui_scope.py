"""The regulation filter against the question: a question that names another regulation is never answered
from the filtered one in silence — it is searched where it points, and the answer says so."""

from __future__ import annotations

from dataclasses import dataclass

from ..corpus.labels import short_name
from ..corpus.model import Corpus
from ..corpus.references import find_regulations
from ..text.language import Language
from .ui_text import TEXT

ALL = "all"


@dataclass(frozen=True)
class Scope:
    """Which regulation to search (None: all) and what to tell the user about it (None: nothing)."""

    regulation: str | None
    notice: str | None = None


def resolve_scope(question: str, chosen: str | None, corpus: Corpus, language: Language) -> Scope:
    """Apply the filter `chosen` (a regulation id, or "all"/None) to `question`.

    The filter narrows a question that names no regulation, or names one the filter is among ("深圳" may name
    two regulations; the filter picks one). A question naming a regulation the filter excludes is searched in
    the regulation it names (several: in all), with a notice in `language` saying so.
    """
    if not chosen or chosen == ALL:
        return Scope(None)
    mentions: dict[int, list[str]] = {}  # one mention ("深圳") may name several regulations
    for regulation_id, start in find_regulations(question, corpus):
        mentions.setdefault(start, []).append(regulation_id)
    outside = [ids for ids in mentions.values() if chosen not in ids]
    if not outside:
        return Scope(chosen)
    named = list(dict.fromkeys(r for ids in mentions.values() for r in ids))
    words = TEXT[language]
    names = words["and"].join(short_name(corpus.regulation(r), language) for r in named)
    chosen_name = short_name(corpus.regulation(chosen), language)
    if len(named) == 1:
        return Scope(named[0], words["scope_one"].format(named=names, chosen=chosen_name))
    return Scope(None, words["scope_all"].format(named=names, chosen=chosen_name))
