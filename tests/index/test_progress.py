"""Build progress: one overall figure across all stages, monotonic, with an ETA from the work left."""

from __future__ import annotations

import itertools

import pytest

from assistant.index.build import build_index
from assistant.index.embedding import HashEmbedder
from assistant.index.progress import COSTS, BuildStep, BuildTracker, describe, eta_seconds, format_duration
from assistant.index.vector_cache import VectorCache


@pytest.fixture(scope="module")
def steps(tmp_path_factory, corpus):
    """Every step reported by a build of the bundled corpus with the hash embedder (nothing cached)."""
    seen: list[BuildStep] = []
    build_index(corpus, HashEmbedder(), data_dir=tmp_path_factory.mktemp("progress"), progress=seen.append,
                vector_cache=VectorCache.empty())
    return seen


def test_one_overall_count_across_all_stages(steps):
    stages = [s.stage for s in steps]
    assert stages[0] == "embedding" and stages[-1] == "saving"
    order = ["embedding", "precedents", "keywords", "saving"]
    assert [order.index(s) for s in stages] == sorted(order.index(s) for s in stages)  # stages in order, once each
    assert set(stages) == set(order)
    for before, after in itertools.pairwise(steps):  # never restarts from 0
        assert after.done >= before.done and after.work_done >= before.work_done
        assert after.embedded >= before.embedded
    assert all(0 <= s.done <= s.total and 0.0 <= s.fraction <= 1.0 for s in steps)
    last = steps[-1]
    assert last.finished and last.fraction == 1.0 and last.done == last.total == 608 + 906
    assert sum(s.finished for s in steps) == 1
    # The first report already knows the whole build: 608 passages and the labelled questions to come.
    assert steps[0].total == last.total and steps[0].done == 0


def test_work_is_weighted_by_what_it_costs():
    tracker = BuildTracker(None)
    tracker.plan(texts={"embedding": 100}, embed_passage=100, term_table=1)
    tracker.update("embedding", texts=50, embed_passage=50)
    step = tracker.step()
    assert step.done == 50 and step.total == 100 and step.embedded == 50
    expected = 50 * COSTS["embed_passage"] / (100 * COSTS["embed_passage"] + COSTS["term_table"])
    assert step.fraction == pytest.approx(expected)
    # A revised plan never goes below what is done; updates never go back.
    tracker.plan(texts={"embedding": 10}, embed_passage=10)
    tracker.update("embedding", texts=20, embed_passage=20)
    assert tracker.step().done == 50 and tracker.step().total == 50
    assert tracker.step().work_total == pytest.approx(50 * COSTS["embed_passage"] + COSTS["term_table"])


def test_eta_from_the_work_left():
    step = BuildStep(stage="embedding", done=300, total=1000, embedded=300, work_done=25.0, work_total=100.0)
    assert eta_seconds(step, 10.0) == pytest.approx(30.0)  # a quarter took 10 s: three quarters take 30 s
    assert eta_seconds(step, 0.1) is None  # too early to tell
    assert eta_seconds(BuildStep("embedding", 0, 10, 0, 0.0, 10.0), 5.0) is None
    assert eta_seconds(BuildStep("saving", 10, 10, 0, 10.0, 10.0, finished=True), 5.0) == 0.0
    assert [format_duration(s) for s in (7.4, 125, 3723)] == ["0:07", "2:05", "1:02:03"]


def test_the_line_says_share_count_rate_eta_and_stage():
    step = BuildStep(stage="precedents", done=1210, total=1514, embedded=600, work_done=37.0, work_total=100.0)
    assert describe(step, 30.0) == ("indexing 37% · 1,210/1,514 texts (610 cached) · 20.0/s · ETA 0:51 · "
                                    "embedding labelled questions")
    assert describe(step, 30.0, "zh") == ("建立索引 37% · 1,210/1,514 条文本（610 条来自缓存） · 20.0/秒 · 预计还需 0:51 · "
                                          "嵌入已标注的问题")
    cached = BuildStep(stage="keywords", done=1514, total=1514, embedded=0, work_done=1.0, work_total=500.0)
    assert describe(cached, 0.2) == "indexing 0% · 1,514/1,514 texts (1,514 cached) · ETA … · building the keyword index"
    done = BuildStep(stage="saving", done=1514, total=1514, embedded=0, work_done=5.0, work_total=5.0, finished=True)
    assert describe(done, 6.2) == "indexing 100% · 1,514/1,514 texts (1,514 cached) · took 0:06"
