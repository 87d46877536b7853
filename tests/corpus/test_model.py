"""The merged corpus: bilingual articles, manifest validation, and adding a user's regulation."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from assistant.corpus.sources import load_corpus
from assistant.errors import InputError, SourceError
from assistant.resources import bundled_path


@pytest.fixture(scope="module")
def corpus():
    return load_corpus()


def test_two_regulations_with_their_article_counts(corpus):
    assert corpus.ids == ("shanghai-ai-2022", "shenzhen-ai-2022")
    assert [len(r.articles) for r in corpus.regulations] == [72, 73]
    assert corpus.regulation("shenzhen-ai-2022").effective == date(2022, 11, 1)


def test_shanghai_article_is_bilingual_with_both_translations(corpus):
    article = corpus.article("shanghai-ai-2022", 66)
    assert article.id == "shanghai-ai-2022:66"
    assert article.languages == ("zh", "en")
    assert article.text("zh").text.startswith("本市设立人工智能伦理专家委员会")
    # The one-paragraph-per-line translation is shown; the pkulaw translation stays as a second version.
    assert [v.source for v in article.versions("en")] == ["sources/000_52bdc98a05a39b49.txt",
                                                          "sources/001_9264baadea2f384a.txt"]
    assert article.text("en").text.startswith("The Municipality shall establish an Expert Committee on AI Ethics")
    assert article.chapter.titles == {"en": "Industry Governance and Security", "zh": "产业治理与安全"}
    assert corpus.article("shanghai-ai-2022", 13).section.title("zh") == "基本要素"


def test_shenzhen_is_english_only_with_notes(corpus):
    article = corpus.get("shenzhen-ai-2022:38")
    assert article.languages == ("en",)
    assert article.text("zh") is None and article.best_text("zh").language == "en"
    assert article.notes[0].marker == "2"
    assert corpus.regulation("shenzhen-ai-2022").appendices[0].heading == "Interpretation"


def test_lookups_of_missing_things(corpus):
    assert corpus.article("shanghai-ai-2022", 73) is None
    assert corpus.get("shenzhen-ai-2022:0") is None and corpus.get("nowhere:1") is None
    with pytest.raises(InputError, match="unknown regulation 'beijing-ai-2023'; known regulations: "
                                         "shanghai-ai-2022, shenzhen-ai-2022"):
        corpus.regulation("beijing-ai-2023")


def copy_bundled(tmp_path: Path) -> Path:
    target = tmp_path / "index"
    shutil.copytree(bundled_path("index"), target)
    return target / "manifest.toml"


def test_modified_source_is_caught_by_its_checksum(tmp_path):
    manifest = copy_bundled(tmp_path)
    source = manifest.parent / "sources" / "000_52bdc98a05a39b49.txt"
    source.write_text(source.read_text(encoding="utf-8") + "\nArticle 73 Extra.", encoding="utf-8")
    with pytest.raises(SourceError, match=r"000_52bdc98a05a39b49\.txt: was modified"):
        load_corpus(manifest_path=manifest)


def test_count_disagreement_between_manifest_and_source(tmp_path):
    manifest = copy_bundled(tmp_path)
    manifest.write_text(manifest.read_text(encoding="utf-8").replace("articles = 72", "articles = 71"),
                        encoding="utf-8")
    with pytest.raises(SourceError, match="has 72 Chinese articles but the manifest entry of shanghai-ai-2022 "
                                          "says `articles = 71`"):
        load_corpus(manifest_path=manifest)


def test_manifest_errors_name_the_field(tmp_path):
    manifest = copy_bundled(tmp_path)
    manifest.write_text(manifest.read_text(encoding="utf-8").replace('id = "shenzhen-ai-2022"', 'id = "Shen Zhen"'),
                        encoding="utf-8")
    with pytest.raises(SourceError, match=r"field 'regulation.1.id'.*'Shen Zhen'"):
        load_corpus(manifest_path=manifest)
