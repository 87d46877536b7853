"""Evaluation cases: the JSONL schema, loading with line-numbered errors, and checks against the corpus.

One case per line:
    {"id": str, "question": str, "lang": "zh"|"en", "expected": [{"regulation": str, "article": int}],
     "acceptable": [...] (optional), "answerable": bool, "kind": str, "split": "dev"|"test" (optional),
     "history": [{"role": "user"|"assistant", "content": str}] (optional)}
An inserted article (第二百五十三条之一, Article 14a) is {"regulation": str, "article": 253, "suffix": 1}.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ..errors import DatasetError
from ..text.conversation import Turn
from .model import Corpus, article_id

KINDS = ("factoid", "definition", "crosslingual", "lookup", "comparison", "followup", "layperson", "abstain")


class ArticleKey(BaseModel):
    """An expected or acceptable article."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    regulation: str = Field(min_length=1)
    article: int = Field(ge=1)
    suffix: int = Field(0, ge=0, le=99, description="1 for 第X条之一 / Article Xa; absent for a plain article.")

    @property
    def id(self) -> str:
        """The article id, e.g. "shanghai-ai-2022:66" ("…:253-1" for an inserted article)."""
        return article_id(self.regulation, self.article, self.suffix)


class Case(BaseModel):
    """One evaluation case."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1)
    question: str = Field(min_length=1)
    lang: Literal["zh", "en"]
    expected: list[ArticleKey]
    acceptable: list[ArticleKey] = Field(default_factory=list)
    answerable: bool
    kind: str = Field(min_length=1)
    split: Literal["dev", "test"] | None = None
    history: list[Turn] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> Case:
        if self.answerable and not self.expected:
            raise ValueError("an answerable case needs at least one expected article")
        if not self.answerable and (self.expected or self.acceptable):
            raise ValueError("an unanswerable case must have empty expected and acceptable lists")
        return self

    @property
    def expected_ids(self) -> set[str]:
        """Ids of the articles a perfect answer cites."""
        return {a.id for a in self.expected}

    @property
    def allowed_ids(self) -> set[str]:
        """Ids that may be cited without penalty (expected ∪ acceptable)."""
        return self.expected_ids | {a.id for a in self.acceptable}


def load_cases(path: Path, *, corpus: Corpus | None = None, split: str | None = None) -> list[Case]:
    """Read a JSONL dataset, refusing a malformed one with the line number and what is wrong."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError as exc:
        raise DatasetError("not found; give --dataset a JSONL file of cases", path=path) from exc
    except UnicodeDecodeError as exc:
        raise DatasetError("is not UTF-8 text; save it as UTF-8", path=path) from exc
    cases: list[Case] = []
    seen: dict[str, int] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            case = Case.model_validate(json.loads(line))
        except json.JSONDecodeError as exc:
            raise DatasetError(f"is not valid JSON ({exc.msg} at column {exc.colno})", path=path,
                               line=number) from exc
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "case"
            raise DatasetError(f"field {where!r}: {first['msg']}", path=path, line=number) from exc
        if case.id in seen:
            raise DatasetError(f"id {case.id!r} repeats line {seen[case.id]}; ids must be unique",
                               path=path, line=number)
        seen[case.id] = number
        if corpus is not None:
            for key in [*case.expected, *case.acceptable]:
                if key.regulation not in corpus.ids:
                    raise DatasetError(f"unknown regulation {key.regulation!r} (known: {', '.join(corpus.ids)})",
                                       path=path, line=number)
                if corpus.get(key.id) is None:
                    raise DatasetError(f"article {key.id} does not exist", path=path, line=number)
        cases.append(case)
    if not cases:
        raise DatasetError("contains no cases", path=path)
    if split in (None, "all") or all(c.split is None for c in cases):
        return cases  # a dataset without splits is evaluated whole
    chosen = [c for c in cases if c.split == split]
    if not chosen:
        found = sorted({c.split for c in cases if c.split})
        raise DatasetError(f"no case has split {split!r} (the file has: {', '.join(found)}); choose one of those "
                           "or --split all", path=path)
    return chosen
