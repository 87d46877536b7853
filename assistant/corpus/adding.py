"""Adding regulations to a data directory: one file, a folder, a manifest of many, or another language version.

Everything is validated completely before anything is written, and written in one step: the source files
go under content-addressed names (`sources/<id>-<sha>.md`, never overwriting a file some entry uses), then
the user manifest is replaced atomically. The whole read–check–write runs under a lock on the data
directory, so concurrent `lawqa add`s neither lose each other's entries nor take the same id twice. A bad
file leaves the corpus (and the index built from it) exactly as it was.
"""

from __future__ import annotations

import fcntl
import hashlib
import re
import shutil
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ..errors import InputError, SourceError
from ..resources import bundled_path
from ..text.language import LANGUAGES, Language, detect_language
from .manifest import (
    REGULATION_ID_PATTERN,
    Manifest,
    RegulationEntry,
    SourceEntry,
    VersionEntry,
    load_manifest,
    save_manifest,
)
from .model import Regulation
from .parsing import ParsedSource, SetAside
from .sources import (
    LANGUAGE_WORD,
    USER_MANIFEST,
    build_with_versions,
    check_corpus_size,
    corpus_chars,
    load_corpus,
    merge_regulation,
    parse_entry_source,
    parse_files,
)

SOURCE_SUFFIXES = (".md", ".markdown", ".txt")


@dataclass(frozen=True)
class Added:
    """One regulation added, with what its files held besides articles (for the CLI to report)."""

    regulation: Regulation
    set_aside: tuple[SetAside, ...]
    divisions: dict[str, int]


@dataclass(frozen=True)
class NewRegulation:
    """What a user says about a file to add: id, titles (one per language), names, date."""

    file: Path | Sequence[Path]
    regulation_id: str
    titles: Sequence[str]
    short_name: str | None = None
    aliases: Sequence[str] = ()
    effective: date | None = None
    language: Language | None = None

    @property
    def paths(self) -> list[Path]:
        return [self.file] if isinstance(self.file, Path) else list(self.file)


@contextmanager
def data_lock(data_dir: Path) -> Iterator[None]:
    """Hold the data directory's regulation lock (waiting for another `lawqa add` to finish)."""
    root = data_dir / "regulations"
    try:
        root.mkdir(parents=True, exist_ok=True)
        handle = open(root / ".lock", "a")  # noqa: SIM115 - held for the whole block below
    except OSError as exc:
        raise InputError(f"cannot write to the data directory {data_dir} ({exc.strerror}); "
                         "make it writable or set LAWQA_DATA_DIR to a writable directory") from exc
    with handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def add_regulation(data_dir: Path, file: Path, *, regulation_id: str, title: str | Sequence[str],
                   language: Language | None = None, short_name: str | None = None,
                   aliases: Sequence[str] = (), effective: date | None = None) -> Regulation:
    """Add one regulation file (see `add_regulations`); returns the validated regulation."""
    titles = [title] if isinstance(title, str) else list(title)
    new = NewRegulation(file=file, regulation_id=regulation_id, titles=titles, short_name=short_name,
                        aliases=aliases, effective=effective, language=language)
    return add_regulations(data_dir, [new])[0].regulation


def add_regulations(data_dir: Path, new: Sequence[NewRegulation]) -> list[Added]:
    """Add several regulations at once: all of them, or (when any is refused) none."""
    with data_lock(data_dir):
        corpus = load_corpus(data_dir)
        taken = set(corpus.ids)
        prepared = []
        for item in new:
            if item.regulation_id in taken:
                raise InputError(f"regulation id {item.regulation_id!r} is already taken; choose another --id "
                                 f"(taken: {', '.join(sorted(taken))})")
            taken.add(item.regulation_id)
            prepared.append(_prepare(data_dir, item))
        check_corpus_size(corpus, corpus_chars([added.regulation for _, _, added in prepared]))
        _commit(data_dir, [(entry, copies) for entry, copies, _ in prepared])
        return [added for _, _, added in prepared]


def add_translation(data_dir: Path, file: Path, *, of: str, language: Language, role: str = "translation",
                    title: str | None = None) -> Added:
    """Attach another language version of a regulation already added, aligned article by article."""
    if role not in ("original", "translation"):
        raise InputError(f"--role {role!r} is not known; use original or translation")
    with data_lock(data_dir):
        manifest_path = data_dir / USER_MANIFEST
        corpus = load_corpus(data_dir)
        corpus.regulation(of)  # an unknown id is an InputError listing the known ones
        existing = load_manifest(manifest_path) if manifest_path.exists() else Manifest()
        entry = next((e for e in existing.regulation if e.id == of), None)
        if entry is None:  # a bundled regulation: the version is kept in the data dir, the bundle untouched
            return _attach_to_bundled(data_dir, existing, corpus, file, of=of, language=language, role=role,
                                      title=title)
        if language in {lang for s in entry.source for lang in s.languages}:
            raise InputError(f"{of} already has a {LANGUAGE_WORD[language]} text; remove it first or attach "
                             "another language")
        source, copies = _source_for(data_dir, of, [file], [language], role=role)
        titles = dict(entry.title)
        if title:
            titles[language] = title
        # One original: attaching the original makes the versions already there translations.
        kept = [s.model_copy(update={"role": "translation"}) if role == "original" else s for s in entry.source]
        updated = entry.model_copy(update={"source": [*kept, source], "title": titles})
        regulation, parsed = _validate(data_dir, updated, copies)
        check_corpus_size(corpus, corpus_chars([regulation], language=language))
        entries = [updated if e.id == of else e for e in existing.regulation]
        _write(data_dir, existing.model_copy(update={"regulation": entries}), copies)
        return Added(regulation=regulation, set_aside=parsed.set_aside, divisions=parsed.divisions)


def _attach_to_bundled(data_dir: Path, existing: Manifest, corpus, file: Path, *, of: str, language: Language,
                       role: str, title: str | None) -> Added:
    """add_translation for a regulation of the bundled manifest: a [[version]] entry in the user manifest."""
    bundled_manifest = bundled_path("index", "manifest.toml")
    bundled = next(e for e in load_manifest(bundled_manifest).regulation if e.id == of)
    earlier = [v for v in existing.version if v.of == of]
    if language in {lang for s in [*bundled.source, *(v.source for v in earlier)] for lang in s.languages}:
        raise InputError(f"{of} already has a {LANGUAGE_WORD[language]} text; attach another language")
    source, copies = _source_for(data_dir, of, [file], [language], role=role)
    version = VersionEntry(of=of, title={language: title} if title else {}, source=source)
    here = source.model_copy(update={"file": str(file.resolve())})  # validated where it is, before copying
    regulation, parsed = build_with_versions(bundled, bundled_manifest.parent, [
        *((v, data_dir / USER_MANIFEST.parent) for v in earlier), (version.model_copy(update={"source": here}), Path("/"))])
    check_corpus_size(corpus, corpus_chars([regulation], language=language))
    _write(data_dir, existing.model_copy(update={"version": [*existing.version, version]}), copies)
    return Added(regulation=regulation, set_aside=parsed[-1][1].set_aside, divisions=parsed[-1][1].divisions)


def add_manifest(data_dir: Path, manifest_file: Path) -> list[Added]:
    """Add every regulation of a manifest file (source paths relative to it): all of them, or none."""
    manifest = load_manifest(manifest_file)
    with data_lock(data_dir):
        corpus = load_corpus(data_dir)
        taken = set(corpus.ids)
        clashes = sorted(taken & {e.id for e in manifest.regulation})
        if clashes:
            raise InputError(f"{manifest_file}: regulation ids already taken: {', '.join(clashes)}; rename them "
                             "in the manifest")
        prepared = []
        for entry in manifest.regulation:
            sources, copies = [], []
            for source in entry.source:
                paths = [(manifest_file.parent / f) for f in source.files]
                copied, pairs = _source_for(data_dir, entry.id, paths, list(source.languages), role=source.role)
                sources.append(source.model_copy(update={"file": copied.file, "sha256": copied.sha256}))
                copies += pairs
            stored = entry.model_copy(update={"source": sources})
            regulation, parsed = _validate(data_dir, stored, copies)
            prepared.append((stored, copies, Added(regulation=regulation, set_aside=parsed.set_aside,
                                                   divisions=parsed.divisions)))
        check_corpus_size(corpus, corpus_chars([added.regulation for _, _, added in prepared]))
        _commit(data_dir, [(entry, copies) for entry, copies, _ in prepared])
        return [added for _, _, added in prepared]


def new_from_directory(directory: Path, *, prefix: str | None = None) -> list[NewRegulation]:
    """One regulation per file of a folder: the title from the file's first heading, an id from its name."""
    items = []
    for path in files_in(directory):
        title = _first_heading(path)
        items.append(NewRegulation(file=path, regulation_id=_id_for(path, prefix or directory.name), titles=[title]))
    return items


def _first_heading(path: Path) -> str:
    from .reading import read_source

    for line in read_source(path).splitlines():
        text = line.strip().lstrip("#").strip().strip("*").strip()
        if text and not text.startswith(("<!--", ">")):
            return text[:120]
    return path.stem


def _id_for(path: Path, prefix: str) -> str:
    """An ASCII id for a file from its name, Chinese written in pinyin (个人信息保护法(2021-08-20) →
    gerenxinxibaohufa-2021-08-20, not a bare date); a name with no three letters in a row gives the folder's
    name and a short hash."""
    from pypinyin import lazy_pinyin

    name = re.sub(r"[\u3400-\u9fff]+", lambda m: " " + "".join(lazy_pinyin(m.group(0))) + " ", path.stem)
    stem = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    if re.search(r"[a-z]{3}", stem) and stem.isascii():
        return stem if len(stem) <= 60 else stem[:61].rsplit("-", 1)[0]
    base = re.sub(r"[^a-z0-9]+", "-", prefix.lower()).strip("-")[:40] or "law"
    return f"{base}-{hashlib.sha256(path.name.encode()).hexdigest()[:8]}"


def files_in(directory: Path) -> list[Path]:
    """The regulation files of a folder (.md, .markdown, .txt), in name order."""
    if not directory.is_dir():
        raise InputError(f"{directory} is not a folder; give a folder of .md or .txt regulation files")
    found = sorted(p for p in directory.iterdir() if p.is_file() and p.suffix.lower() in SOURCE_SUFFIXES)
    if not found:
        raise InputError(f"{directory} holds no .md or .txt files; put the regulation files there")
    return found


def _prepare(data_dir: Path, item: NewRegulation) -> tuple[RegulationEntry, list[tuple[Path, Path]], Added]:
    if not re.fullmatch(REGULATION_ID_PATTERN, item.regulation_id):
        raise InputError(f"--id {item.regulation_id!r} is not a regulation id; use 3-64 lower-case letters, digits "
                         "and dashes, starting and ending with a letter or digit, e.g. beijing-ai-2023")
    if not item.titles or any(not t.strip() for t in item.titles):
        raise InputError(f"the title of {item.regulation_id} is empty; give --title \"…\"")
    parsed = parse_files(item.paths)  # once: it gives the languages, then the regulation
    languages = sorted(parsed.articles, key=LANGUAGES.index)
    if item.language is not None and item.language not in languages:
        raise InputError(f"{item.paths[0]} has no {LANGUAGE_WORD[item.language]} articles; drop --language or "
                         "fix the file")
    titles: dict[Language, str] = {}
    for title in item.titles:
        titles.setdefault(detect_language(title.strip()), title.strip())
    short = {}
    if item.short_name:
        short[detect_language(item.short_name)] = item.short_name
    source, copies = _source_for(data_dir, item.regulation_id, item.paths, languages, role="original")
    entry = RegulationEntry(id=item.regulation_id, title=titles, short_name=short, aliases=list(item.aliases),
                            effective=item.effective, source=[source])
    regulation = merge_regulation(entry, [(source, parsed)])
    return entry, copies, Added(regulation=regulation, set_aside=parsed.set_aside, divisions=parsed.divisions)


def _source_for(data_dir: Path, regulation_id: str, paths: list[Path], languages: list[Language], *,
                role: str) -> tuple[SourceEntry, list[tuple[Path, Path]]]:
    """The manifest source for files to copy in, under content-addressed names, and the (from, to) copies."""
    copies, names, digests = [], [], []
    for path in paths:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise SourceError(f"cannot be read ({exc.strerror}); check the path", path=path) from exc
        digest = hashlib.sha256(data).hexdigest()
        name = f"sources/{regulation_id}-{digest[:12]}{path.suffix.lower() or '.txt'}"
        copies.append((path, data_dir / "regulations" / name))
        names.append(name)
        digests.append(digest)
    source = SourceEntry(file=names[0] if len(names) == 1 else names, languages=languages, role=role,
                         sha256=digests[0] if len(digests) == 1 else digests)
    return source, copies


def _validate(data_dir: Path, entry: RegulationEntry,
              copies: list[tuple[Path, Path]]) -> tuple[Regulation, ParsedSource]:
    """Build the regulation from the files where they are now, as it will be built from the copies."""
    where = {str(to.relative_to(data_dir / "regulations")): str(src.resolve()) for src, to in copies}
    sources = []
    for source in entry.source:
        files = [where.get(f, str(data_dir / "regulations" / f)) for f in source.files]
        sources.append(source.model_copy(update={"file": files[0] if len(files) == 1 else files}))
    parsed = [(source, parse_entry_source(source, Path("/"))) for source in sources]
    return merge_regulation(entry.model_copy(update={"source": sources}), parsed), parsed[-1][1]


def _commit(data_dir: Path, prepared: list[tuple[RegulationEntry, list[tuple[Path, Path]]]]) -> None:
    manifest_path = data_dir / USER_MANIFEST
    existing = load_manifest(manifest_path) if manifest_path.exists() else Manifest()
    manifest = existing.model_copy(update={"regulation": [*existing.regulation, *(entry for entry, _ in prepared)]})
    _write(data_dir, manifest, [c for _, copies in prepared for c in copies])


def _write(data_dir: Path, manifest: Manifest, copies: list[tuple[Path, Path]]) -> None:
    """Copy the sources in (new names only), then replace the manifest: the one step that makes them count."""
    try:
        for source, target in copies:
            target.parent.mkdir(parents=True, exist_ok=True)
            if not target.exists():
                tmp = target.with_name(f".{target.name}.tmp")
                shutil.copyfile(source, tmp)
                tmp.replace(target)
        save_manifest(data_dir / USER_MANIFEST, manifest)
    except OSError as exc:
        raise InputError(f"cannot write to {data_dir} ({exc.strerror}); nothing was added — free some space or "
                         "make the data directory writable") from exc

