"""Commands about the corpus: index, articles, show, add."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from ..errors import InputError
from ..settings import load_settings
from ._app import app, echo_json
from .progress import ProgressLine


@app.command("index")
def index_command(
    rebuild: Annotated[bool, typer.Option("--rebuild", help="Re-embed everything instead of reusing vectors "
                                                            "(of the previous build or the bundled cache).")] = False,
) -> None:
    """Build the search index (Chroma + BM25) for the bundled and added regulations.

    Example: lawqa index
    """
    from ..corpus.sources import load_corpus
    from ..index.build import build_index
    from ..index.builds import index_root
    from ..index.embedding import load_embedder

    settings = load_settings()
    corpus = load_corpus(settings.data_dir)
    embedder = load_embedder(settings.embedder, threads=settings.embed_threads)
    report = build_index(corpus, embedder, data_dir=settings.data_dir, chroma_url=settings.chroma_url,
                         rebuild=rebuild, progress=ProgressLine(), dense=settings.dense_texts)
    articles = sum(len(r.articles) for r in corpus.regulations)
    if report.up_to_date:
        typer.echo(f"Index is up to date ({articles} articles, {report.passages} passages, "
                   f"embedder {embedder.name}); checked in {report.seconds:.2f} s.")
        return
    if report.repaired:
        typer.echo(f"The previous index was damaged ({', '.join(report.repaired)}); built it again.")
    rate = f" ({report.passages_per_second:.1f} passages/s)" if report.embedded else ""
    typer.echo(f"Indexed {articles} articles as {report.passages} passages in {report.seconds:.1f} s: "
               f"{report.embedded} embedded{rate}, {report.cached} from the bundled vector cache, "
               f"{report.reused} reused; embedder {embedder.name}; in {index_root(settings.data_dir)}")


@app.command("articles")
def articles_command(
    regulation: Annotated[str | None, typer.Option("--regulation", "-r", help="Only this regulation (id or name).")]
    = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON list instead of a table.")] = False,
) -> None:
    """List the parsed articles.

    Example: lawqa articles --regulation shenzhen-ai-2022 --json
    """
    from ..corpus.model import article_record
    from ..corpus.references import resolve_regulation
    from ..corpus.sources import load_corpus

    corpus = load_corpus(load_settings().data_dir)
    if regulation is not None:
        regulation = resolve_regulation(corpus, regulation)
    articles = list(corpus.articles(regulation))
    if as_json:
        echo_json([article_record(corpus, a) for a in articles])
        return
    width = max(len(a.id) for a in articles) if articles else 10
    typer.echo(f"{'article':<{width}}  {'chapter':<7}  {'text':<5}  beginning")
    for article in articles:
        text = article.best_text("zh" if "zh" in article.languages else "en").text.replace("\n", " ")
        chapter = str(article.chapter.number) if article.chapter else "—"
        line = f"{article.id:<{width}}  {chapter:<7}  {'/'.join(article.languages):<5}  "
        typer.echo(line + _clip(text, TABLE_WIDTH - len(line)))


TABLE_WIDTH = 100


def _clip(text: str, columns: int) -> str:
    """`text` cut to fit `columns` terminal columns (a Chinese character takes two), with … when cut."""
    import unicodedata

    out, used = [], 0
    for ch in text:
        wide = 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
        if used + wide > columns - 1:
            return "".join(out) + "…"
        out.append(ch)
        used += wide
    return "".join(out)


MAX_ARTICLE_CHARS = 30  # the longest article reference, 第一千二百六十条之一 or Article 1260a, is far shorter


@app.command("show")
def show_command(
    regulation: Annotated[str, typer.Argument(help="Regulation id or name, e.g. shanghai-ai-2022, shanghai, 深圳.")],
    article: Annotated[str, typer.Argument(help="Article number, e.g. 66, 第六十六条, 14a.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Print one article with its chapter, in every language the sources have.

    Examples: lawqa show shanghai-ai-2022 66    lawqa show 深圳 第四十四条
    """
    from ..corpus.labels import heading_line, label_of
    from ..corpus.model import article_record
    from ..corpus.references import resolve_article_number, resolve_regulation
    from ..corpus.sources import load_corpus

    corpus = load_corpus(load_settings().data_dir)
    regulation = resolve_regulation(corpus, regulation)
    if len(article) > MAX_ARTICLE_CHARS:  # e.g. a 5,000-digit number: nothing to look up, and int() refuses it
        raise InputError(f"{article[:12]!r}… ({len(article):,} characters) is not an article number; give one "
                         "such as 66, 第六十六条 or 14a")
    found = corpus.require_article(regulation, *resolve_article_number(article))
    if as_json:
        echo_json(article_record(corpus, found))
        return
    reg = corpus.regulation(regulation)
    for language in found.languages:
        typer.echo(f"《{reg.name('zh')}》" if language == "zh" else reg.name("en"))
        for heading in found.divisions:
            typer.echo(heading_line(heading, language))
        typer.echo(label_of(found, language))
        typer.echo(found.text(language).text)
        typer.echo("")
    for note in found.notes:
        typer.echo(f"[note {note.marker}] {note.text}")


@app.command("add")
def add_command(
    path: Annotated[Path | None, typer.Argument(help="A UTF-8 text or Markdown file with 第X条 or 'Article N' "
                                                     "headings, or a folder of them.")] = None,
    regulation_id: Annotated[str | None, typer.Option("--id", help="New regulation id, e.g. beijing-ai-2023.")] = None,
    title: Annotated[list[str] | None, typer.Option("--title", help="The title; give it twice for a Chinese and an "
                                                                    "English title.")] = None,
    short_name: Annotated[str | None, typer.Option("--short-name", help="Short name, e.g. Beijing.")] = None,
    alias: Annotated[list[str] | None, typer.Option("--alias", help="Another name people use (repeatable), e.g. "
                                                                    "GDPR.")] = None,
    effective: Annotated[str | None, typer.Option("--effective", help="Effective date, YYYY-MM-DD.")] = None,
    manifest: Annotated[Path | None, typer.Option("--manifest", help="Add every regulation of a manifest TOML "
                                                                     "(all or none).")] = None,
    translation_of: Annotated[str | None, typer.Option("--translation-of", help="Attach PATH as another language "
                                                                                "version of this regulation id.")] = None,
    language: Annotated[str | None, typer.Option("--language", help="zh or en: the language of PATH's text.")] = None,
    role: Annotated[str, typer.Option("--role", help="With --translation-of: original or translation.")]
    = "translation",
) -> None:
    """Add regulations; everything is validated completely before anything is written.

    Examples: lawqa add rules.md --id beijing-ai-2023 --title "北京市人工智能条例" --title "Beijing AI Regulations"
              lawqa add laws/            (every .md/.txt; titles from each file's first heading)
              lawqa add --manifest code.toml
              lawqa add shenzhen-zh.md --translation-of shenzhen-ai-2022 --language zh --role original
    """
    from ..corpus.adding import (
        NewRegulation,
        add_manifest,
        add_regulations,
        add_translation,
        new_from_directory,
    )

    if language not in (None, "zh", "en"):
        raise InputError(f"--language {language!r} is not known; use zh or en")
    try:
        effective_date = date.fromisoformat(effective) if effective else None
    except ValueError as exc:
        raise InputError(f"--effective {effective!r} is not a date; use YYYY-MM-DD") from exc
    settings = load_settings()
    if manifest is not None:
        if path is not None:
            raise InputError("give either a file or folder, or --manifest FILE, not both")
        added = add_manifest(settings.data_dir, manifest)
    elif path is None:
        raise InputError("give a regulation file or folder to add (or --manifest FILE); see `lawqa add --help`")
    elif translation_of is not None:
        if language is None:
            raise InputError("--translation-of needs --language zh or en (the language of the file's text)")
        added = [add_translation(settings.data_dir, path, of=translation_of, language=language, role=role,
                                 title=title[0] if title else None)]
    elif path.is_dir():
        added = add_regulations(settings.data_dir, new_from_directory(path))
    else:
        if not regulation_id or not title:
            raise InputError(f"adding {path} needs --id and --title, e.g. --id beijing-ai-2023 --title \"…\"")
        added = add_regulations(settings.data_dir, [NewRegulation(
            file=path, regulation_id=regulation_id, titles=title, short_name=short_name, aliases=alias or (),
            effective=effective_date, language=language)])
    for item in added:
        typer.echo(describe_added(item))
    typer.echo("Run `lawqa index` to make them searchable. Until then a running server keeps answering from the "
               "current index; `lawqa ask` and a server start build the index first.")


def describe_added(item) -> str:
    """One line per regulation added: its articles, divisions, and what its files held besides articles."""
    regulation = item.regulation
    inserted = sum(a.suffix > 0 for a in regulation.articles)
    parts = [f"{len(regulation.articles)} articles" + (f" ({inserted} inserted)" if inserted else "")]
    parts += [f"{count} {kind}s" for kind, count in item.divisions.items() if count]
    line = f"Added {regulation.id}: " + ", ".join(parts)
    if item.set_aside:
        kept = "; ".join(f"{s.kind} lines {s.first_line}-{s.last_line} ({s.preview[:30]}…)" for s in item.set_aside)
        line += f". Not article text, kept apart: {kept}"
    return line
