from __future__ import annotations

import pytest

from assistant.retrieval.provisions import asked_provisions, find_provisions

SH, SZ = "shanghai-ai-2022", "shenzhen-ai-2022"


@pytest.fixture(scope="module")
def provisions(corpus):
    return find_provisions(corpus)


def test_standard_provisions_are_found(provisions):
    assert provisions.kinds["commencement"] == {f"{SH}:72", f"{SZ}:73"}
    assert provisions.kinds["purpose"] == {f"{SH}:1", f"{SZ}:1"}
    assert provisions.kinds["liability"] == {f"{SZ}:72"}
    assert {f"{SH}:2", f"{SZ}:2", f"{SZ}:3", f"{SH}:68"} <= provisions.kinds["definition"]


@pytest.mark.parametrize("question, kinds", [
    ("深圳条例是从哪天开始实施的？", {"commencement"}), ("When did the Shanghai rules take effect?", {"commencement"}),
    ("这部条例的立法目的是什么", {"purpose"}), ("What happens to those who break them?", {"liability"}),
    ("上海条例适用于哪些活动？", {"scope"}), ("What does AI mean under the Shenzhen rules?", {"definition"}),
    ("深圳有哪些人才政策？", set()),
])
def test_questions_asking_for_a_provision(question, kinds):
    assert asked_provisions(question) == kinds


def test_definition_ranking_uses_translated_tokens(provisions):
    ranked = provisions.rank("深圳条例所说的人工智能是指什么？", {SZ}, translated=["artifici", "intellig"])
    assert ranked[0][0] == f"{SZ}:2"
    assert provisions.rank("这部条例什么时候施行？", {SH})[0] == (f"{SH}:72", 1.0)


# --- which sentences and items of an article bear on a question -------------------------------------------------

from assistant.retrieval.provisions import best_unit, select_units, unit_scores, units_of  # noqa: E402
from assistant.text.tokens import tokenize  # noqa: E402


def test_units_are_sentences_and_items_each_item_knowing_its_lead_in(corpus):
    units = units_of(corpus.get(f"{SZ}:72").text("en").paragraphs)
    assert [u.paragraph for u in units] == [0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9]
    assert units[2].text.startswith("When carrying out") and not units[2].item
    assert all(u.item and u.lead_in == 2 for u in units[3:10]) and not units[10].item


def test_an_item_is_scored_on_what_its_lead_in_does_not_already_say(corpus):
    """伦理 and 人工智能 are the whole list's topic (the lead-in has them); 应用 and 风险 pick item (四)."""
    units = units_of(corpus.get(f"{SH}:66").text("zh").paragraphs)
    tokens = set(tokenize("上海对医疗领域人工智能应用的伦理有什么要求？"))
    scores = unit_scores(units, tokens, {})
    assert units[best_unit(units, scores)].text.startswith("(四)")
    plain = [len(set(tokenize(u.text)) & tokens) for u in units]  # plain overlap: (四) ties with (一)(二)…
    assert plain[4] <= max(plain[1:4])


def test_a_question_asking_for_a_standard_provision_puts_the_sentence_stating_it_first(corpus):
    units = units_of(corpus.get(f"{SZ}:72").text("en").paragraphs)
    question = "What happens to those who violate the prohibitions?"
    scores = unit_scores(units, set(tokenize(question)), {}, question=question)
    assert units[best_unit(units, scores)].text.startswith("Those who violate the provisions")


def test_selection_keeps_the_best_items_with_their_lead_in_or_the_whole_list_when_asked(corpus):
    units = units_of(corpus.get(f"{SZ}:65").text("en").paragraphs)
    scores = unit_scores(units, set(tokenize("Does the committee publish white papers?")), {})
    assert select_units(units, scores, whole_list=False) == {0, 4}
    assert select_units(units, scores, whole_list=True) == {0, 1, 2, 3, 4, 5, 6}
    nothing = unit_scores(units, set(tokenize("duties")), {})  # only the lead-in matches: its list comes whole
    assert select_units(units, nothing, whole_list=False) == {0, 1, 2, 3, 4, 5, 6}
