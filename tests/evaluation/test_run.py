"""Evaluation: metric definitions, the dataset schema, the bundled set itself, baselines, report — and the gate."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from assistant.corpus.evalset import KINDS, Case, load_cases
from assistant.errors import DatasetError
from assistant.evaluation.metrics import GATE, breakdown, gate_failures, score_case
from assistant.evaluation.report import summary_table, write_report
from assistant.evaluation.run import evaluate, run_system
from assistant.evaluation.systems import SystemOutput
from assistant.resources import bundled_path

SH, SZ = "shanghai-ai-2022", "shenzhen-ai-2022"
CASES = bundled_path("eval", "cases.jsonl")


def case(**fields) -> Case:
    base = {"id": "t1", "question": "问题", "lang": "zh", "expected": [{"regulation": SH, "article": 66}],
            "answerable": True, "kind": "factoid", "split": "test"}
    return Case.model_validate({**base, **fields})


def output(cited=(), retrieved=(), text="答案", abstained=False) -> SystemOutput:
    return SystemOutput(text=text, citations=tuple(cited), retrieved=tuple(retrieved), abstained=abstained)


def test_citation_metrics(corpus):
    c = case(acceptable=[{"regulation": SH, "article": 67}])
    exact = score_case(c, output([f"{SH}:66"], [f"{SH}:66"]), [f"{SH}:66"], corpus)
    assert (exact["precision"], exact["recall"], exact["f1"]) == (1.0, 1.0, 1.0)
    acceptable_extra = score_case(c, output([f"{SH}:66", f"{SH}:67"], [f"{SH}:66", f"{SH}:67"]), [], corpus)
    assert acceptable_extra["precision"] == 1.0 and acceptable_extra["agreement"] == 0.0
    wrong_extra = score_case(c, output([f"{SH}:66", f"{SH}:1"], [f"{SH}:66", f"{SH}:1"]), [], corpus)
    assert wrong_extra["precision"] == 0.5 and wrong_extra["f1"] == pytest.approx(2 / 3)
    nothing = score_case(c, output([], [f"{SH}:66"], abstained=True), [], corpus)
    assert (nothing["precision"], nothing["f1"], nothing["abstention_correct"]) == (0.0, 0.0, 0.0)


def test_unanswerable_cases_must_cite_nothing(corpus):
    c = case(expected=[], answerable=False, kind="abstain")
    assert score_case(c, output([], [], abstained=True), [], corpus)["f1"] == 1.0
    assert score_case(c, output([f"{SH}:31"], [f"{SH}:31"]), [], corpus)["f1"] == 0.0


def test_invalid_and_ungrounded_and_parsed_citations_count(corpus):
    c = case()
    scores = score_case(c, output([f"{SH}:66"], [f"{SH}:66"]), [f"{SH}:99", f"{SZ}:5"], corpus)
    assert scores["invalid"] == 1.0 and scores["ungrounded"] == 1.0 and scores["agreement"] == 0.0


def test_answer_language_ignores_quotes(corpus):
    c = case()
    english_quote = "《深圳经济特区人工智能产业促进条例》第七十一条规定：\n> For algorithms in the field of public decision-making …"
    assert score_case(c, output(text=english_quote), [], corpus)["language_ok"] == 1.0
    assert score_case(c, output(text="Under Article 66 …"), [], corpus)["language_ok"] == 0.0


def test_breakdown_and_retrieval_metrics(corpus):
    cases = [case(id="a"), case(id="b", lang="en", kind="lookup"),
             case(id="c", expected=[], answerable=False, kind="abstain")]
    answers = {"a": output([f"{SH}:66"], [f"{SH}:66", f"{SH}:1"]),
               "b": output([f"{SH}:1"], [f"{SH}:1", f"{SH}:66"], text="Article 1"),
               "c": output([], [f"{SH}:3"], abstained=True, text="Not found")}
    report = breakdown(run_system(lambda c: answers[c.id], cases, corpus))
    assert report["n"] == 3 and report["retrieval"]["recall@1"] == 0.5 and report["retrieval"]["mrr@10"] == 0.75
    assert report["abstention"] == {"recall": 1.0, "false_rate": 0.0, "accuracy": 1.0}
    assert set(report["by_kind"]) == {"factoid", "lookup", "abstain"} and set(report["by_lang"]) == {"zh", "en"}


@pytest.mark.parametrize("line, message", [
    ('{"id": "x"', "line 2: is not valid JSON"),
    ('{"id": "x", "question": "q", "lang": "fr", "expected": [], "answerable": false, "kind": "abstain"}',
     "line 2: field 'lang'"),
    ('{"id": "x", "question": "q", "lang": "en", "expected": [], "answerable": true, "kind": "factoid"}',
     "line 2: field 'case': Value error, an answerable case needs at least one expected article"),
    ('{"id": "ok", "question": "q", "lang": "en", "expected": [], "answerable": false, "kind": "abstain"}',
     "line 2: id 'ok' repeats line 1"),
    (('{"id": "x", "question": "q", "lang": "en", "expected": [{"regulation": "shanghai-ai-2022", "article": 80}], '
      '"answerable": true, "kind": "lookup"}'), "line 2: article shanghai-ai-2022:80 does not exist"),
])
def test_malformed_datasets_are_refused_with_the_line(tmp_path, corpus, line, message):
    path = tmp_path / "cases.jsonl"
    first = '{"id": "ok", "question": "q", "lang": "en", "expected": [], "answerable": false, "kind": "abstain"}'
    path.write_text(first + "\n" + line + "\n", encoding="utf-8")
    with pytest.raises(DatasetError, match=message):
        load_cases(path, corpus=corpus)


def test_the_bundled_set(corpus):
    cases = load_cases(CASES, corpus=corpus)  # every expected/acceptable article exists, ids unique
    assert len(cases) >= 200
    kinds = Counter(c.kind for c in cases)
    assert set(kinds) == set(KINDS) and min(kinds.values()) >= 20
    languages = Counter(c.lang for c in cases)
    assert abs(languages["zh"] - languages["en"]) <= 0.1 * len(cases)
    for kind in KINDS:
        splits = Counter(c.split for c in cases if c.kind == kind)
        assert splits["test"] >= 10 and splits["dev"] >= 8, kind
        assert Counter(c.lang for c in cases if c.kind == kind)["zh"] >= 8, kind
    assert all(c.history for c in cases if c.kind == "followup")
    assert all(not c.answerable for c in cases if c.kind == "abstain")
    assert all(c.split in ("dev", "test") for c in cases)
    comparisons = [c for c in cases if c.kind == "comparison"]
    assert all({a.regulation for a in c.expected} == {SH, SZ} for c in comparisons)


def test_baselines_and_report(hash_assistant, tmp_path):
    cases = load_cases(CASES, corpus=hash_assistant.corpus, split="test")[::12]
    report = evaluate(hash_assistant, cases, baselines=True, cache_dir=tmp_path / "cache",
                      meta={"dataset": "cases.jsonl", "split": "test"})
    assert set(report["baselines"]) == {"naive", "bm25", "dense"}
    naive = report["baselines"]["naive"]
    assert naive["n"] == len(cases) and naive["abstention"]["recall"] in (0.0, None)
    assert len(report["cases"]) == len(cases) and {"verdicts", "answer", "retrieved"} <= set(report["cases"][0])
    table = summary_table(report)
    assert "naive LangChain RAG" in table and "citation F1 / recall@5 by kind" in table
    path = write_report(report, tmp_path / "report")
    assert path.read_text(encoding="utf-8").startswith("# lawqa evaluation")
    assert (tmp_path / "report" / "citation_f1_by_kind.png").stat().st_size > 1000
    assert json.loads(json.dumps(report))["n"] == len(cases)


def test_the_gate_names_every_shortfall():
    passing = {"citation": {"f1": GATE["f1"], "invalid_rate": 0.0, "ungrounded_rate": 0.0},
               "retrieval": {"recall@5": GATE["recall@5"]}, "abstention": {"accuracy": 1.0},
               "language_accuracy": 1.0}
    assert gate_failures(passing) == []
    failing = {**passing, "citation": {"f1": 0.69, "invalid_rate": 0.0, "ungrounded_rate": 0.01},
               "language_accuracy": None}
    assert gate_failures(failing) == ["citation F1 0.69 < 0.7", "language accuracy None < 0.98",
                                      "ungrounded_rate 0.01 > 0"]


@pytest.fixture(scope="module")
def test_split_report(e5_assistant):
    """Extractive mode on the test split: the report the CI gate reads."""
    cases = load_cases(CASES, corpus=e5_assistant.corpus, split="test")
    report = breakdown(run_system(lambda c: _answer(e5_assistant, c), cases, e5_assistant.corpus))
    print(summary_table(report))
    return report


@pytest.mark.slow
def test_gate_on_the_test_split(test_split_report):
    """The CI gate: citation F1, recall@5, abstention, language, and no invalid or ungrounded citation."""
    assert gate_failures(test_split_report) == []


def _answer(assistant, case):
    from assistant.evaluation.systems import output_from_answer
    from assistant.text.conversation import Turn

    history = [Turn(m.role, m.content) for m in case.history]
    return output_from_answer(assistant.ask(case.question, history=history, mode="extractive"))
