"""Comparisons: one regulation per column, one aspect per row, and a line on what differs.

Every cell holds the article's own words (or "—"), with its citation: who the provision addresses (the
sentence's subject), what it provides (the most relevant sentence or item), the words that say how binding it
is (应当/鼓励/不得, shall/encourage/shall not), figures and dates, and a second relevant provision. The table
is a quoted block (article text, like every quotation in an extractive answer); the line under it, in the
question's language, says which aspects differ — different subjects, wording of a different force, different
figures, a provision one article has and the other lacks — naming each article, and nothing else.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..corpus.labels import cite_label, label_of, short_name
from ..corpus.model import Article, Regulation
from ..text.language import Language, detect_language
from ..text.numbering import format_chinese_number
from .excerpt import Excerpt
from .lead import lead_unit, restated, shorten

# The subject a sentence opens with (after an opening "对于…，" / "In accordance with …,"), if it names a body.
_SUBJECT_ZH = re.compile(r"^(?:(?:对于|对|在|根据|按照|依照)[^，,]{0,40}[，,])?((?!对|在|根据|按照|依照|为了|经|除|鼓励|支持|推动|加强|促进|引导)"
                         r"(?:本市|[^，,。；：:]{0,24}?(?:人民政府|政府|部门|委员会|机构|企业|单位|主体|组织|新区|个人|"
                         r"高等学校|本市)))")
_SUBJECT_EN = re.compile(r"^(?:[A-Z][^,]{0,100},\s+)?((?:the |The )?[A-Z]?[\w’'&()\s-]{0,90}?)\s+"
                         r"(?:shall|may|must|is|are|will|supports?|encourages?|promotes?)\b")
_BODY_EN = re.compile(r"government|department|municipality|committee|institution|enterprise|organi[sz]ation|"
                      r"entit|city|bureau|authorit|agenc|administration|individual|district|area",
                      re.IGNORECASE)
# How binding a provision is, by the words that say it (kept verbatim in the table).
FORCE: dict[str, re.Pattern[str]] = {
    "prohibit": re.compile(r"不得|禁止|严禁|\b(?:shall|may|must) not\b|\bprohibit\w*", re.IGNORECASE),
    "require": re.compile(r"应当|必须|\bshall\b(?! not)|\bmust\b(?! not)", re.IGNORECASE),
    "permit": re.compile(r"可以|允许|准许|\bmay\b(?! not)|\ballow\w*|\bpermit\w*", re.IGNORECASE),
    "encourage": re.compile(r"鼓励|支持|\bencourag\w*|\bsupport\w*", re.IGNORECASE),
    "establish": re.compile(r"设立|建立|\bestablish\w*|\bset up\b", re.IGNORECASE),
}
FORCE_NAMES = {"zh": {"prohibit": "禁止性", "require": "义务性", "permit": "授权性", "encourage": "鼓励支持性",
                      "establish": "设立性"},
               "en": {"prohibit": "prohibiting", "require": "mandatory", "permit": "permissive",
                      "encourage": "encouraging", "establish": "establishing"}}
_FIGURE = re.compile(r"\d{4}年\d{1,2}月\d{1,2}日|(?:January|February|March|April|May|June|July|August|September|"
                     r"October|November|December)\s+\d{1,2},\s+\d{4}|\d[\d,.]*\s*(?:%|percent|万元|亿元|元|年|个月|"
                     r"日|天|days?|years?|months?)?")
_LABEL = re.compile(r"[(（][\d一二三四五六七八九十]+[)）]")
_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"]
_DATE_ZH = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")
_DATE_EN = re.compile(rf"({'|'.join(_MONTHS)})\s+(\d{{1,2}}),\s+(\d{{4}})")
ROWS = {"zh": ("主体", "规定", "措辞", "数字与日期", "另有规定"),
        "en": ("Who", "What it provides", "Wording", "Figures and dates", "Also provides")}
CELL_LIMIT = {"zh": 90, "en": 240}


@dataclass(frozen=True)
class Side:
    """One regulation's column: its article, the excerpt quoted from it, and the cells drawn from it."""

    regulation: Regulation
    article: Article
    excerpt: Excerpt

    @functools.cached_property
    def key(self) -> int | None:
        """The unit that answers most directly (the one a lead would restate)."""
        return lead_unit(self.excerpt)

    @functools.cached_property
    def provision(self) -> str:
        """The key unit as a lead restates it (with the lead-in of its list)."""
        return "" if self.key is None else restated(self.excerpt, self.key)

    @property
    def cell(self) -> str:
        """The key unit alone, short enough for a table cell (its list's lead-in is in the quote below)."""
        if self.key is None:
            return ""
        unit = self.excerpt.units[self.key]
        return _cell(unit.text if unit.item else self.provision, self.excerpt.text.language)

    @property
    def subject(self) -> str:
        if self.key is None:
            return ""
        unit = self.excerpt.units[self.key]
        text = self.excerpt.units[unit.lead_in].text if unit.item and unit.lead_in is not None else unit.text
        if self.excerpt.text.language == "zh":
            match = _SUBJECT_ZH.match(text)
            return match.group(1).strip() if match else ""
        match = _SUBJECT_EN.match(text)
        return match.group(1).strip() if match and _BODY_EN.search(match.group(1)) else ""

    @property
    def force(self) -> dict[str, str]:
        """Force → the first word saying it, in the key provision (and the lead-in of its list)."""
        text = self.provision
        found = {}
        for name, pattern in FORCE.items():
            match = pattern.search(text)
            if match:
                found[name] = match.group(0)
        if "prohibit" in found:
            found.pop("permit", None)
        return found

    @property
    def figures(self) -> list[str]:
        """Numbers and dates the key provision states, verbatim (not its item labels)."""
        text = _LABEL.sub(" ", self.provision)
        found = (m.group(0).strip() for m in _FIGURE.finditer(text))
        return list(dict.fromkeys(f for f in found if re.search(r"\d", f)))

    @property
    def dates(self) -> set[tuple[int, int, int]]:
        """The dates the key provision's paragraph states, as (year, month, day), read from every version of
        the article (a date the shown text lost, as in Shanghai's Chinese source, may survive in a
        translation)."""
        if self.key is None:
            return set()
        index = self.excerpt.units[self.key].paragraph
        texts = [v.paragraphs[index].text for v in self.article.texts if index < len(v.paragraphs)]
        found = {(int(y), int(m), int(d)) for text in texts for y, m, d in _DATE_ZH.findall(text)}
        found |= {(int(y), _MONTHS.index(m) + 1, int(d))
                  for text in texts for m, d, y in _DATE_EN.findall(text)}
        return found

    @property
    def also(self) -> int | None:
        """A second unit that bears on the question, outside the key provision."""
        if self.key is None:
            return None
        unit = self.excerpt.units[self.key]
        taken = {self.key, unit.lead_in}
        ranked = sorted((i for i, s in enumerate(self.excerpt.scores) if s > 0 and i not in taken),
                        key=lambda i: (-self.excerpt.scores[i], i))
        return ranked[0] if ranked else None

    def tag(self, unit: int | None, language: Language) -> str:
        """〔第六十六条(四)〕 / 〔Art. 66(4)〕: the cell's citation, down to the item or paragraph."""
        label = label_of(self.article, "zh") if language == "zh" else \
            "Art. " + label_of(self.article, "en").removeprefix("Article ")
        if unit is not None:
            chosen = self.excerpt.units[unit]
            paragraphs = self.excerpt.text.paragraphs
            if chosen.item:
                label += paragraphs[chosen.paragraph].label or ""
            else:
                plain = [i for i, p in enumerate(paragraphs) if not p.label]
                if len(plain) > 1:
                    n = plain.index(chosen.paragraph) + 1
                    label += f"第{format_chinese_number(n)}款" if language == "zh" else f", para. {n}"
        return f"〔{label}〕"

    def name(self, language: Language) -> str:
        """上海第六十六条 / Shanghai Article 66: how the line under the table names this side's article."""
        short = short_name(self.regulation, language)
        return f"{short}{label_of(self.article, 'zh')}" if language == "zh" else \
            f"{short} {label_of(self.article, 'en')}"


def _cell(text: str, language: Language) -> str:
    return shorten(text, language, limit=CELL_LIMIT[language]).replace("|", "\\|").replace("\n", " ")


def comparison_table(sides: Sequence[Side], language: Language) -> str:
    """The side-by-side table as quoted Markdown lines."""
    names = ROWS[language]
    header = ["方面" if language == "zh" else "Aspect"]
    for side in sides:
        cited = cite_label(side.regulation, side.article, language)
        header.append(f"{short_name(side.regulation, language)}（{cited}）" if language == "zh"
                      else f"{short_name(side.regulation, language)} ({cited})")
    rows: list[list[str]] = []

    def row(name: str, cells: list[str], *, always: bool = False) -> None:
        if always or any(cells):
            rows.append([name, *[c or "—" for c in cells]])

    row(names[0], [_cell(s.subject, s.excerpt.text.language) for s in sides])
    row(names[1], [s.cell + s.tag(s.key, language) if s.cell else "" for s in sides], always=True)
    row(names[2], [" · ".join(s.force.values()) for s in sides])
    row(names[3], [" · ".join(s.figures) for s in sides])
    row(names[4], [_cell(s.excerpt.units[s.also].text, s.excerpt.text.language) + s.tag(s.also, language)
                   if s.also is not None else "" for s in sides])
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cells) + " |" for cells in rows]
    return "\n".join(f"> {line}" for line in lines)


def differences(shown: Sequence[Side], language: Language, *, alike: Sequence[Side] | None = None) -> str:
    """One line, in the question's language, on the aspects where the articles differ: bodies, force and
    figures read from `alike` (the sides in one language, when the shown texts differ in language), a
    provision one side has and the other lacks from the table itself (`shown`)."""
    zh = language == "zh"
    sides = alike or shown
    parts: list[str] = []
    one_language = len({s.excerpt.text.language for s in sides}) == 1  # words compare within a language only
    subjects = [s.subject for s in sides]
    if one_language and all(subjects) and len({s.lower() for s in subjects}) > 1:
        if all(detect_language(s) == language for s in subjects):
            listed = [f"{s.name(language)}为“{s.subject}”" if zh else f"{s.name(language)} names “{s.subject}”"
                      for s in sides]
            parts.append(("主体不同：" + "，".join(listed)) if zh else "different bodies: " + ", ".join(listed))
        else:
            parts.append("规定的主体不同（见表中“主体”一行）" if zh else "they address different bodies (the Who row)")
    forces = [set(s.force) - {"establish"} for s in sides]
    if one_language and all(forces) and len({frozenset(f) for f in forces}) > 1:
        words, sep, joiner = FORCE_NAMES[language], "为" if zh else " is ", "、" if zh else ", "
        listed = [f"{s.name(language)}{sep}{joiner.join(words[f] for f in FORCE if f in force)}"
                  for s, force in zip(sides, forces)]
        parts.append("措辞的约束力不同：" + "，".join(listed) if zh else
                     "wording of different force: " + ", ".join(listed))
    dates = [s.dates for s in sides]
    figures = [tuple(s.figures) for s in sides]
    if (all(dates) and len({frozenset(d) for d in dates}) > 1) or (
            one_language and any(figures) and len(set(figures)) > 1):
        parts.append("数字或日期不同（见表中“数字与日期”一行）" if zh else "different figures or dates (see the table)")
    extra = [s for s in shown if s.also is not None]
    if extra and len(extra) < len(shown):
        lacking = [s for s in shown if s.also is None]
        parts.append(f"{'、'.join(s.name(language) for s in extra)}另有一处相关规定（见表中“另有规定”一行），"
                     f"{'、'.join(s.name(language) for s in lacking)}中未见对应内容" if zh else
                     f"{' and '.join(s.name(language) for s in extra)} has a further relevant provision (the "
                     f"Also provides row) with no counterpart found in "
                     f"{' and '.join(s.name(language) for s in lacking)}")
    named = [s.name(language) for s in shown]
    head = f"区别（{'、'.join(named)}）：" if zh else f"What differs between {' and '.join(named)}: "
    if not parts:
        return head + ("未能从措辞中自动读出差异，请对照表中和下面的条文原文。" if zh else
                       "no difference could be read off the wording; compare the table and the texts below.")
    return head + ("；".join(parts) + "。" if zh else "; ".join(parts) + ".")
