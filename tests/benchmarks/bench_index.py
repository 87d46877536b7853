"""Benchmark: index builds of the bundled corpus. Prints figures.

Run: python tests/benchmarks/bench_index.py [--runs 3] [--uncached] [--embedder multilingual-e5-small]

- first start: `lawqa index` in a new process on a fresh data directory, taking the vectors of the bundled
  vector cache (what a new user waits for before the first answer; also `lawqa serve`'s first build);
- the same build in process, then a no-change rebuild in process and through `lawqa index`;
- with --uncached: a build that embeds everything (no cache), as for a user's own regulations of this size.
Targets (2-core machine): first start ≤ 10 s, no-change rebuild ≤ 1 s. Other work on the machine slows every
figure; run it several times and read the best and the median.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from assistant.corpus.sources import load_corpus
from assistant.index.build import build_index
from assistant.index.embedding import load_embedder
from assistant.index.vector_cache import VectorCache


def lawqa_index(data_dir: Path, embedder: str) -> float:
    """Seconds `lawqa index` takes in a new process (start-up included)."""
    env = {**os.environ, "LAWQA_DATA_DIR": str(data_dir), "LAWQA_EMBEDDER": embedder}
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "assistant", "index"], env=env, check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--embedder", default="multilingual-e5-small")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--runs", type=int, default=3, help="first starts to time (each on a fresh data dir)")
    parser.add_argument("--uncached", action="store_true", help="also time a build that embeds everything")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        firsts = [lawqa_index(Path(tmp) / f"first-{run}", args.embedder) for run in range(args.runs)]
        print(f"first start (`lawqa index`, fresh data dir, bundled vector cache), {args.runs} runs: "
              + ", ".join(f"{s:.1f}" for s in firsts)
              + f" s; best {min(firsts):.1f} s, median {statistics.median(firsts):.1f} s")

        data_dir = Path(tmp) / "in-process"
        started = time.perf_counter()
        corpus = load_corpus()
        embedder = load_embedder(args.embedder, threads=args.threads)
        report = build_index(corpus, embedder, data_dir=data_dir)
        print(f"first build in process: {time.perf_counter() - started:.2f} s total ({report.seconds:.2f} s in "
              f"build_index); {report.cached} passages from the vector cache, {report.embedded} embedded; "
              f"{report.passages} passages indexed")
        started = time.perf_counter()
        again = build_index(load_corpus(), embedder, data_dir=data_dir)
        print(f"no-change rebuild (in process): {time.perf_counter() - started:.3f} s, up_to_date={again.up_to_date}")
        print(f"no-change rebuild (`lawqa index`, new process): {lawqa_index(data_dir, args.embedder):.3f} s")

        if args.uncached:
            started = time.perf_counter()
            report = build_index(corpus, embedder, data_dir=Path(tmp) / "uncached", vector_cache=VectorCache.empty())
            print(f"build embedding everything (no cache): {time.perf_counter() - started:.2f} s, "
                  f"{report.embedded} passages embedded in {report.embed_seconds:.2f} s = "
                  f"{report.passages_per_second:.1f} passages/s, then the labelled questions")


if __name__ == "__main__":
    main()
