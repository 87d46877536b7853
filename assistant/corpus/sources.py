"""Sources: the bundled and user manifests read into a validated `Corpus`.

A regulation's sources are parsed one by one (`parsing`) and merged article by article: every source of a
regulation must give the same articles (numbers and inserted articles alike) in each of its languages, and
agree on chapters. A source may span several files read in order (a code published in parts), its article
numbers running on from file to file. Adding regulations is in `adding`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

from ..errors import InputError, SourceError
from ..resources import bundled_path
from ..text.language import Language
from .manifest import RegulationEntry, SourceEntry, VersionEntry, load_manifest
from .model import Article, ArticleText, Corpus, Heading, Regulation
from .parsing import Division, ParsedArticle, ParsedSource, SetAside, parse_source
from .reading import MAX_CORPUS_CHARS

USER_MANIFEST = Path("regulations", "manifest.toml")
LANGUAGE_WORD = {"zh": "Chinese", "en": "English"}


def load_corpus(data_dir: Path | None = None, *, manifest_path: Path | None = None) -> Corpus:
    """Load the bundled regulations plus any the user added under `data_dir`."""
    manifests = [(manifest_path or bundled_path("index", "manifest.toml"))]
    if data_dir is not None and (data_dir / USER_MANIFEST).exists():
        manifests.append(data_dir / USER_MANIFEST)
    entries: dict[str, tuple[RegulationEntry, Path, list[tuple[VersionEntry, Path]]]] = {}  # with their folders
    for path in manifests:
        manifest = load_manifest(path)
        for entry in manifest.regulation:
            if entry.id in entries:
                raise SourceError(f"regulation id {entry.id!r} is already used by a bundled regulation; "
                                  "choose another id", path=path)
            entries[entry.id] = (entry, path.parent, [])
        for version in manifest.version:
            if version.of not in entries:
                raise SourceError(f"a [[version]] is attached to {version.of!r}, which no manifest defines; "
                                  "remove the entry or add the regulation", path=path)
            entries[version.of][2].append((version, path.parent))
    regulations = [build_with_versions(entry, base, versions)[0] for entry, base, versions in entries.values()]
    size = corpus_chars(regulations)
    if size > MAX_CORPUS_CHARS:
        raise SourceError(f"the regulations listed here have {size:,} characters of article text, over the "
                          f"{MAX_CORPUS_CHARS:,}-character limit for one corpus; remove some from this manifest "
                          "or use several data dirs", path=manifests[-1])
    return Corpus(regulations=tuple(regulations))


def corpus_chars(regulations: Sequence[Regulation], *, language: Language | None = None) -> int:
    """Characters of article text in `regulations` (every language version, or those in `language`): what a
    build embeds."""
    return sum(len(t.text) for r in regulations for a in r.articles for t in a.texts
               if language is None or t.language == language)


def check_corpus_size(corpus: Corpus, more: int) -> None:
    """Refuse to add `more` characters of article text when the corpus would pass MAX_CORPUS_CHARS (an
    InputError with the figures)."""
    before = corpus_chars(corpus.regulations)
    if before + more > MAX_CORPUS_CHARS:
        raise InputError(f"adding {more:,} characters of article text to the {before:,} already loaded would pass "
                         f"the {MAX_CORPUS_CHARS:,}-character limit for one corpus; add fewer regulations, or "
                         "use another data dir (LAWQA_DATA_DIR) for them")


def attach_version(entry: RegulationEntry, version: VersionEntry) -> RegulationEntry:
    """`entry` with another language version as its last source; an attached original makes the versions
    already there translations."""
    added = version.source
    kept = [s.model_copy(update={"role": "translation"}) if added.role == "original" else s for s in entry.source]
    return entry.model_copy(update={"source": [*kept, added], "title": {**entry.title, **version.title}})


def build_with_versions(entry: RegulationEntry, base: Path, versions: Sequence[tuple[VersionEntry, Path]]
                        ) -> tuple[Regulation, list[tuple[SourceEntry, ParsedSource]]]:
    """A manifest entry (sources relative to `base`) with versions attached from other manifests (each with
    its own folder), parsed and merged; also the parsed sources, in order."""
    bases = [base] * len(entry.source)
    for version, folder in versions:
        entry, bases = attach_version(entry, version), [*bases, folder]
    parsed = [(source, parse_entry_source(source, folder)) for source, folder in zip(entry.source, bases, strict=True)]
    return merge_regulation(entry, parsed), parsed


def build_regulation(entry: RegulationEntry, base: Path) -> Regulation:
    """Parse every source of a manifest entry and merge them into one validated Regulation."""
    return merge_regulation(entry, [(source, parse_entry_source(source, base)) for source in entry.source])


def merge_regulation(entry: RegulationEntry, parsed: list[tuple[SourceEntry, ParsedSource]]) -> Regulation:
    """Merge a manifest entry's parsed sources, article by article, into one validated Regulation."""
    streams = [(source, lang, p.articles[lang]) for source, p in parsed for lang in source.languages]
    first_source, first_lang, reference = streams[0]
    if entry.articles is not None and len(reference) != entry.articles:
        raise SourceError(f"has {len(reference)} {LANGUAGE_WORD[first_lang]} articles but the manifest entry of "
                          f"{entry.id} says `articles = {entry.articles}`; check for a missing or merged article "
                          "heading, or correct `articles`", path=first_source.name)
    keys = [(a.number, a.suffix) for a in reference]
    for source, lang, articles in streams[1:]:
        if [(a.number, a.suffix) for a in articles] != keys:
            raise SourceError(_mismatch(articles, reference, f"{first_source.name} ({LANGUAGE_WORD[first_lang]})",
                                        LANGUAGE_WORD[lang]), path=source.name)
    articles = tuple(_merge_article(entry.id, [(s, lang, found[i]) for s, lang, found in streams])
                     for i in range(len(reference)))
    appendices = tuple(a for _, p in parsed for a in p.appendices)
    return Regulation(id=entry.id, title=dict(entry.title), short_name=dict(entry.short_name),
                      aliases=tuple(entry.aliases), jurisdiction=dict(entry.jurisdiction),
                      issuing_body=dict(entry.issuing_body), adopted=entry.adopted, effective=entry.effective,
                      status=entry.status, articles=articles, appendices=appendices)


def _mismatch(articles: tuple[ParsedArticle, ...], reference: tuple[ParsedArticle, ...], other: str,
              language: str) -> str:
    mine = {(a.number, a.suffix) for a in articles}
    theirs = {(a.number, a.suffix) for a in reference}

    def names(keys: set[tuple[int, int]]) -> str:
        shown = [f"{n}" + (chr(96 + s) if s else "") for n, s in sorted(keys)[:8]]
        return ", ".join(shown) + (" …" if len(keys) > 8 else "")

    parts = [f"has {len(articles)} {language} articles where {other} has {len(reference)}"]
    if theirs - mine:
        parts.append(f"missing here: {names(theirs - mine)}")
    if mine - theirs:
        parts.append(f"only here: {names(mine - theirs)}")
    return "; ".join(parts) + "; every source of a regulation must carry the same articles"


def parse_entry_source(source: SourceEntry, base: Path) -> ParsedSource:
    """Parse one manifest source (checking its pinned sha256 and declared languages); a source spanning
    several files is read file by file, each continuing the numbering of the one before."""
    for file, digest in zip(source.files, source.digests):
        path = base / file
        if digest is not None and path.exists():
            actual = hashlib.sha256(path.read_bytes()).hexdigest()
            if actual != digest:
                raise SourceError(f"was modified (sha256 {actual[:12]}…, manifest expects {digest[:12]}…); "
                                  "restore the original file or update its sha256 in the manifest", path=path)
    parsed = parse_files([base / file for file in source.files], names=source.files)
    missing = [lang for lang in source.languages if lang not in parsed.articles]
    if missing:
        raise SourceError(f"the manifest lists {LANGUAGE_WORD[missing[0]]} but no "
                          f"{LANGUAGE_WORD[missing[0]]} article headings were found; "
                          "fix the file or the source's `languages`", path=source.name)
    undeclared = [lang for lang in parsed.articles if lang not in source.languages]
    if undeclared:
        raise SourceError(f"has {LANGUAGE_WORD[undeclared[0]]} articles the manifest does not list; "
                          f"add {undeclared[0]!r} to the source's `languages`", path=source.name)
    return parsed


def parse_parts(paths: Sequence[Path], *, names: Sequence[str] | None = None) -> list[ParsedSource]:
    """Parse the files of one source in reading order, each continuing the numbering of the one before."""
    parts: list[ParsedSource] = []
    for i, path in enumerate(paths):
        first = 1
        if parts:
            last = max((arts[-1] for arts in parts[-1].articles.values()), key=lambda a: (a.number, a.suffix))
            first = last.number + 1
        parts.append(parse_source(path, display_path=names[i] if names else None, first=first))
    return parts


def parse_files(paths: Sequence[Path], *, names: Sequence[str] | None = None) -> ParsedSource:
    """The files of one source parsed (`parse_parts`) and joined into one."""
    return _join(parse_parts(paths, names=names))


def _join(parts: list[ParsedSource]) -> ParsedSource:
    if len(parts) == 1:
        return parts[0]
    languages = {lang for p in parts for lang in p.articles}
    articles = {lang: tuple(a for p in parts for a in p.articles.get(lang, ())) for lang in languages}
    set_aside: list[SetAside] = [s for p in parts for s in p.set_aside]
    divisions: dict[str, int] = {}
    for part in parts:
        for kind, count in part.divisions.items():
            divisions[kind] = divisions.get(kind, 0) + count
    return ParsedSource(path=parts[0].path, articles=articles, appendices=tuple(a for p in parts for a in p.appendices),
                        set_aside=tuple(set_aside), divisions=divisions)


def _merge_article(regulation: str, found: list[tuple[SourceEntry, Language, ParsedArticle]]) -> Article:
    def rank(item: tuple[SourceEntry, Language, ParsedArticle]) -> int:
        source, language, _ = item
        return 0 if language in source.display else 1 if source.role == "original" else 2

    found = sorted(found, key=rank)  # stable: manifest order breaks ties
    texts = tuple(ArticleText(language=lang, source=s.name, paragraphs=a.paragraphs, original=s.role == "original")
                  for s, lang, a in found)
    notes = tuple(note for _, _, a in found for note in a.notes)
    article = found[0][2]
    return Article(regulation=regulation, number=article.number, suffix=article.suffix,
                   divisions=_merge_divisions(found), texts=texts, notes=notes)


def _merge_divisions(found: list[tuple[SourceEntry, Language, ParsedArticle]]) -> tuple[Heading, ...]:
    """The article's divisions, with each one's titles gathered from every language; sources must agree."""
    merged: dict[str, Heading] = {}
    origin: dict[str, str] = {}
    for source, language, article in found:
        for division in article.divisions:
            heading = merged.get(division.kind)
            if heading is None:
                merged[division.kind] = Heading(kind=division.kind, number=division.number,
                                                titles={language: division.title})
                origin[division.kind] = source.name
            elif heading.number != division.number and division.number and heading.number:
                raise SourceError(_disagree(article, division, heading, origin[division.kind]), path=source.name,
                                  line=article.line)
            else:
                heading.titles.setdefault(language, division.title)
    order = ("part", "subpart", "chapter", "section")
    return tuple(merged[k] for k in order if k in merged)


def _disagree(article: ParsedArticle, division: Division, heading: Heading, other: str) -> str:
    return (f"puts article {article.number} in {division.kind} {division.number}, but {other} puts it in "
            f"{division.kind} {heading.number}; the sources must agree")
