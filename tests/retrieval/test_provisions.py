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
