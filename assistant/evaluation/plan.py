"""An evaluation plan: which corpora lawqa is fitted and measured on, and the index each one is asked against.

    [[setup]]                       # an index: the bundled regulations plus the manifests' regulations
    name = "dev-regulations"
    manifests = ["corpora/dev.toml"]

    [[corpus]]                      # labelled questions, asked against one setup's index
    name = "gdpr"
    setup = "dev-regulations"
    dataset = "corpora/gdpr.jsonl"

Paths are relative to the plan file. Each setup gets its own data directory under `<data dir>/eval/`, built
once (regulations added from the manifests, then indexed) and reused. A setup whose files are missing (the
shared corpora live beside the repository, not in it) is skipped with a message, never silently.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..answering.assistant import Assistant
from ..corpus.adding import add_manifest
from ..corpus.evalset import Case, load_cases
from ..corpus.manifest import load_manifest
from ..corpus.sources import load_corpus
from ..errors import DatasetError, LawqaError
from ..settings import Settings
from .fitting import Prepared, prepare


class SetupEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    manifests: list[str] = Field(default_factory=list)


class CorpusEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str
    setup: str
    dataset: str
    exclude_regulations: list[str] = Field(default_factory=list,
                                           description="Leave out cases citing these (e.g. a held-out law).")


class Plan(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    setup: list[SetupEntry]
    corpus: list[CorpusEntry]


@dataclass(frozen=True)
class LoadedCorpus:
    """A corpus of the plan, its cases (one split or all), and the assistant of its setup."""

    name: str
    cases: tuple[Case, ...]
    assistant: Assistant


def load_plan(path: Path) -> tuple[Plan, Path]:
    """Read a plan file; errors name the file and the field."""
    try:
        plan = Plan.model_validate(tomllib.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError as exc:
        raise DatasetError("evaluation plan not found; give --plan an existing TOML file", path=path) from exc
    except (tomllib.TOMLDecodeError, ValidationError) as exc:
        raise DatasetError(f"is not a valid evaluation plan ({str(exc).splitlines()[0]})", path=path) from exc
    setups = {s.name for s in plan.setup}
    unknown = [c.setup for c in plan.corpus if c.setup not in setups]
    if unknown:
        raise DatasetError(f"corpus setup {unknown[0]!r} is not a [[setup]] of the plan", path=path)
    return plan, path.parent


def open_corpora(plan: Plan, base: Path, settings: Settings, *, split: Literal["dev", "test"] | None,
                 say: Callable[[str], None] = lambda _: None, **assistant_options) -> list[LoadedCorpus]:
    """Build (or reuse) each setup's index and load each corpus's cases; skips what is missing, saying so."""
    assistants: dict[str, Assistant | None] = {}
    out = []
    for entry in plan.corpus:
        if entry.setup not in assistants:
            setup = next(s for s in plan.setup if s.name == entry.setup)
            assistants[entry.setup] = _open_setup(setup, base, settings, say, **assistant_options)
        assistant = assistants[entry.setup]
        dataset = base / entry.dataset
        if assistant is None or not dataset.exists():
            say(f"skipped corpus {entry.name}: " + ("its setup could not be opened" if assistant is None
                                                    else f"{dataset} is missing"))
            continue
        cases = [c for c in load_cases(dataset) if not ({k.regulation for k in c.expected}
                                                       & set(entry.exclude_regulations))]
        cases = [c for c in cases if split is None or c.split in (split, None)]
        for case in cases:  # every expected article must exist in the setup's corpus
            missing = [k.id for k in [*case.expected, *case.acceptable] if assistant.corpus.get(k.id) is None]
            if missing:
                raise DatasetError(f"case {case.id} expects {missing[0]}, which the {entry.setup} setup does not "
                                   "have", path=dataset)
        out.append(LoadedCorpus(name=entry.name, cases=tuple(cases), assistant=assistant))
    return out


def _open_setup(setup: SetupEntry, base: Path, settings: Settings, say: Callable[[str], None],
                **assistant_options) -> Assistant | None:
    data_dir = settings.data_dir / "eval" / setup.name
    manifests = [base / m for m in setup.manifests]
    try:
        loaded = set(load_corpus(data_dir).ids)
        for manifest in manifests:
            if {e.id for e in load_manifest(manifest).regulation} - loaded:
                say(f"adding the regulations of {manifest} to {data_dir}")
                add_manifest(data_dir, manifest)
        return Assistant(settings.model_copy(update={"data_dir": data_dir}), **assistant_options)
    except LawqaError as exc:
        say(f"skipped setup {setup.name}: {exc}")
        return None


def prepare_corpora(corpora: list[LoadedCorpus]) -> list[Prepared]:
    """Every case of every corpus with its features (the expensive step of fitting and cross-validation)."""
    return [p for c in corpora for p in prepare(c.assistant.searcher, c.cases, corpus=c.name)]
