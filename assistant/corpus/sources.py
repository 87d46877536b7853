"""Sources: the bundled and user manifests read into a validated `Corpus`, and user regulations added.

A regulation's source files are parsed one by one (`parsing`) and merged article by article: every source of
a regulation must give the same number of articles in each of its languages, and agree on chapters.
"""

from __future__ import annotations

import hashlib
import shutil
from datetime import date
from pathlib import Path

from ..errors import InputError, SourceError
from ..resources import bundled_path
from ..text.language import LANGUAGES, Language
from .manifest import Manifest, RegulationEntry, SourceEntry, load_manifest, save_manifest
from .model import Article, ArticleText, Corpus, Heading, Regulation
from .parsing import ParsedArticle, ParsedSource, parse_source

USER_MANIFEST = Path("regulations", "manifest.toml")


def load_corpus(data_dir: Path | None = None, *, manifest_path: Path | None = None) -> Corpus:
    """Load the bundled regulations plus any the user added under `data_dir`."""
    manifests = [(manifest_path or bundled_path("index", "manifest.toml"))]
    if data_dir is not None and (data_dir / USER_MANIFEST).exists():
        manifests.append(data_dir / USER_MANIFEST)
    regulations: list[Regulation] = []
    for path in manifests:
        manifest = load_manifest(path)
        for entry in manifest.regulation:
            if any(r.id == entry.id for r in regulations):
                raise SourceError(f"regulation id {entry.id!r} is already used by a bundled regulation; "
                                  "choose another id", path=path)
            regulations.append(build_regulation(entry, path.parent))
    return Corpus(regulations=tuple(regulations))


def build_regulation(entry: RegulationEntry, base: Path) -> Regulation:
    """Parse every source of a manifest entry and merge them into one validated Regulation."""
    parsed = [(source, _parse_checked(source, base)) for source in entry.source]
    counts = {(s.file, lang): len(p.articles.get(lang, ())) for s, p in parsed for lang in s.languages}
    expected = entry.articles or max(counts.values())
    for (file, lang), count in counts.items():
        if count != expected:
            reason = "the manifest says" if entry.articles else "another source has"
            raise SourceError(f"has {count} {_LANGUAGE_WORD[lang]} articles but {reason} {expected}; "
                              "check for a missing or merged article heading", path=file)
    articles = tuple(_merge_article(entry, parsed, number) for number in range(1, expected + 1))
    appendices = tuple(a for _, p in parsed for a in p.appendices)
    return Regulation(id=entry.id, title=dict(entry.title), short_name=dict(entry.short_name),
                      aliases=tuple(entry.aliases), jurisdiction=dict(entry.jurisdiction),
                      issuing_body=dict(entry.issuing_body), adopted=entry.adopted, effective=entry.effective,
                      status=entry.status, articles=articles, appendices=appendices)


_LANGUAGE_WORD = {"zh": "Chinese", "en": "English"}


def _parse_checked(source: SourceEntry, base: Path) -> ParsedSource:
    path = base / source.file
    if source.sha256 is not None and path.exists():
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if digest != source.sha256:
            raise SourceError(f"was modified (sha256 {digest[:12]}…, manifest expects {source.sha256[:12]}…); "
                              "restore the original file or update its sha256 in the manifest", path=path)
    parsed = parse_source(path, display_path=source.file)
    missing = [lang for lang in source.languages if lang not in parsed.articles]
    if missing:
        raise SourceError(f"the manifest lists {_LANGUAGE_WORD[missing[0]]} but no "
                          f"{_LANGUAGE_WORD[missing[0]]} article headings were found; "
                          "fix the file or the source's `languages`", path=source.file)
    undeclared = [lang for lang in parsed.articles if lang not in source.languages]
    if undeclared:
        raise SourceError(f"has {_LANGUAGE_WORD[undeclared[0]]} articles the manifest does not list; "
                          f"add {undeclared[0]!r} to the source's `languages`", path=source.file)
    return parsed


def _merge_article(entry: RegulationEntry, parsed: list[tuple[SourceEntry, ParsedSource]],
                   number: int) -> Article:
    found: list[tuple[SourceEntry, ParsedArticle]] = [
        (source, p.articles[lang][number - 1]) for source, p in parsed for lang in source.languages]

    def rank(item: tuple[SourceEntry, ParsedArticle]) -> int:
        source, article = item
        return 0 if article.language in source.display else 1 if source.role == "original" else 2

    found.sort(key=rank)  # stable: manifest order breaks ties
    texts = tuple(ArticleText(language=a.language, source=s.file, paragraphs=a.paragraphs,
                              original=s.role == "original") for s, a in found)
    notes = tuple(note for _, a in found for note in a.notes)
    return Article(regulation=entry.id, number=number, chapter=_merge_heading(found, "chapter", number),
                   section=_merge_heading(found, "section", number), texts=texts, notes=notes)


def _merge_heading(found: list[tuple[SourceEntry, ParsedArticle]], kind: str, number: int) -> Heading | None:
    divisions = [(s, a, getattr(a, kind)) for s, a in found if getattr(a, kind) is not None]
    if not divisions:
        return None
    first_source, _, first = divisions[0]
    titles: dict[Language, str] = {}
    for source, article, division in divisions:
        if division.number != first.number:
            raise SourceError(f"puts Article {number} in {kind} {division.number}, but {first_source.file} "
                              f"puts it in {kind} {first.number}; the sources must agree",
                              path=source.file, line=article.line)
        titles.setdefault(article.language, division.title)
    return Heading(number=first.number, titles=titles)


def add_regulation(data_dir: Path, file: Path, *, regulation_id: str, title: str,
                   language: Language | None = None, short_name: str | None = None,
                   effective: date | None = None, corpus: Corpus | None = None) -> Regulation:
    """Add a user's regulation file: validate it completely, then copy it and record it in the user manifest.

    Nothing is written unless the file parses into a valid regulation, so a bad file leaves the corpus
    (and the index built from it) exactly as it was.
    """
    corpus = corpus or load_corpus(data_dir)
    if regulation_id in corpus.ids:
        raise InputError(f"regulation id {regulation_id!r} is already taken; choose another --id")
    probe = parse_source(file, display_path=str(file))
    languages = sorted(probe.articles, key=LANGUAGES.index)
    if language is not None and language not in probe.articles:
        raise InputError(f"{file} has no {_LANGUAGE_WORD[language]} articles; drop --language or fix the file")
    title_language = language or languages[0]
    target_name = f"{regulation_id}{file.suffix.lower() or '.txt'}"
    sources_dir = data_dir / "regulations" / "sources"

    def entry_for(source_file: str) -> RegulationEntry:
        return RegulationEntry(
            id=regulation_id, title={title_language: title},
            short_name={title_language: short_name} if short_name else {}, effective=effective,
            articles=len(next(iter(probe.articles.values()))),
            source=[SourceEntry(file=source_file, languages=languages, role="original",
                                sha256=hashlib.sha256(file.read_bytes()).hexdigest())])

    # Validate the whole regulation where the file is now (an absolute file path ignores the base).
    regulation = build_regulation(entry_for(str(file.resolve())), data_dir)
    entry = entry_for(f"sources/{target_name}")
    manifest_path = data_dir / USER_MANIFEST
    existing = load_manifest(manifest_path) if manifest_path.exists() else Manifest()
    sources_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(file, sources_dir / target_name)
    save_manifest(manifest_path, Manifest(regulation=[*existing.regulation, entry]))
    return regulation
