"""Every real regulation file in ../shared/corpora parses to exactly the article count its README states.

The corpora are data for tests and benchmarks and are not part of the project: the tests read them where
they lie (`../shared/corpora` beside the repository, or LAWQA_TEST_CORPORA) and skip, saying why, without them.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from assistant.corpus.manifest import SourceEntry
from assistant.corpus.parsing import parse_source
from assistant.corpus.sources import parse_entry_source

CORPORA = Path(os.environ.get("LAWQA_TEST_CORPORA") or Path(__file__).resolve().parents[3] / "shared" / "corpora")
needs_corpora = pytest.mark.skipif(not CORPORA.is_dir(), reason=f"the shared corpora are not at {CORPORA} "
                                   "(set LAWQA_TEST_CORPORA to their folder to run these tests)")

# From ../shared/corpora/dev/README.md: (file, language, articles, inserted articles, chapters, sections).
DEV = [
    ("GDPR_Regulation_EU_2016_679.txt", "en", 99, 0, 11, 15),
    ("ePrivacy_Directive_2002_58_EC_consolidated_2009.md", "en", 23, 2, 0, 0),
    ("数据安全法.md", "zh", 55, 0, 7, 0),
    ("网络安全法.md", "zh", 79, 0, 7, 2),
    ("电子商务法.md", "zh", 89, 0, 7, 2),
    ("深圳经济特区数据条例.md", "zh", 100, 0, 7, 13),  # 12 marked sections and the bare line 市场培育
    ("上海市数据条例.md", "zh", 91, 0, 10, 7),
    ("深圳经济特区人工智能产业促进条例.md", "zh", 73, 0, 7, 0),
]
# From ../shared/corpora/heldout/README.md: parsed only (nothing here names their articles).
HELDOUT = [("个人信息保护法(2021-08-20).md", 74, 8, 3), ("互联网信息服务算法推荐管理规定(2021-11-16).md", 35, 6, 0),
           ("Personal+Data+English.md", 43, 0, 0)]


def _stard() -> list[dict]:
    path = CORPORA / "stard" / "manifest.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else []


@needs_corpora
@pytest.mark.parametrize("name, language, articles, inserted, chapters, sections", DEV, ids=[d[0] for d in DEV])
def test_dev_regulations_parse_completely(name, language, articles, inserted, chapters, sections):
    parsed = parse_source(CORPORA / "dev" / name)
    found = parsed.articles[language]
    assert len(found) == articles and sum(a.suffix > 0 for a in found) == inserted
    assert list(parsed.articles) == [language]
    assert parsed.divisions.get("chapter", 0) == chapters and parsed.divisions.get("section", 0) == sections
    # The last article is the commencement clause (nothing after it was taken into the text).
    assert found[-1].number == articles - inserted


@needs_corpora
def test_gdpr_recitals_and_signature_are_set_aside_not_articles():
    parsed = parse_source(CORPORA / "dev" / "GDPR_Regulation_EU_2016_679.txt")
    kinds = [s.kind for s in parsed.set_aside]
    assert kinds == ["preamble", "footer"]
    article_99 = parsed.articles["en"][-1]
    assert "Done at Brussels" not in " ".join(p.text for p in article_99.paragraphs)
    assert article_99.paragraphs[-1].text.startswith("This Regulation shall be binding")


@needs_corpora
def test_eprivacy_inserted_articles_follow_their_base_article():
    parsed = parse_source(CORPORA / "dev" / "ePrivacy_Directive_2002_58_EC_consolidated_2009.md")
    numbers = [(a.number, a.suffix) for a in parsed.articles["en"]]
    assert numbers[13:17] == [(14, 0), (14, 1), (15, 0), (15, 1)]


@needs_corpora
def test_the_bare_section_line_of_the_shenzhen_data_regulation_is_a_heading():
    parsed = parse_source(CORPORA / "dev" / "深圳经济特区数据条例.md")
    article_61 = parsed.articles["zh"][60]
    assert article_61.section is not None and (article_61.section.number, article_61.section.title) == (2, "市场培育")
    assert "市场培育" not in " ".join(p.text for p in parsed.articles["zh"][59].paragraphs)


@needs_corpora
@pytest.mark.parametrize("name, articles, chapters, sections", HELDOUT, ids=[h[0] for h in HELDOUT])
def test_heldout_regulations_parse_completely(name, articles, chapters, sections):
    parsed = parse_source(CORPORA / "heldout" / name)
    (found,) = parsed.articles.values()
    assert len(found) == articles
    assert parsed.divisions.get("chapter", 0) == chapters and parsed.divisions.get("section", 0) == sections


@needs_corpora
@pytest.mark.parametrize("law", _stard(), ids=[law["id"] for law in _stard()])
def test_every_stard_law_parses_to_its_stated_count(law):
    files = law["file"] if isinstance(law["file"], list) else [law["file"]]
    parsed = parse_entry_source(SourceEntry(file=files, languages=["zh"]), CORPORA / "stard")
    found = parsed.articles["zh"]
    assert len(found) == law["articles"]
    assert sum(a.suffix > 0 for a in found) == law["inserted_articles"]


@needs_corpora
def test_the_civil_code_runs_on_across_its_eight_files_with_parts_and_chapters():
    law = next(x for x in _stard() if x["id"] == "civil-code")
    parsed = parse_entry_source(SourceEntry(file=law["file"], languages=["zh"]), CORPORA / "stard")
    found = parsed.articles["zh"]
    assert (found[0].number, found[-1].number) == (1, 1260)
    contract = next(a for a in found if a.number == 463)
    assert [d.kind for d in contract.divisions] == ["part", "subpart", "chapter"]
    assert contract.divisions[0].title == "合同编" and contract.divisions[1].title == "通则"
