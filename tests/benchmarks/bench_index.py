"""Benchmark: build the bundled corpus index from scratch, then a no-change rebuild. Prints figures.

Run: python tests/benchmarks/bench_index.py [--embedder multilingual-e5-small]
Targets (2-core machine): from scratch ≤ 15 s, no-change rebuild ≤ 1 s (both also through the CLI).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from assistant.corpus.sources import load_corpus
from assistant.index.build import build_index
from assistant.index.embedding import load_embedder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--embedder", default="multilingual-e5-small")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)
        started = time.perf_counter()
        corpus = load_corpus()
        embedder = load_embedder(args.embedder, threads=args.threads)
        report = build_index(corpus, embedder, data_dir=data_dir)
        scratch = time.perf_counter() - started
        print(f"from scratch: {scratch:.2f} s total ({report.seconds:.2f} s in build_index), "
              f"{report.embedded} passages embedded in {report.embed_seconds:.2f} s = "
              f"{report.passages_per_second:.1f} passages/s; {report.passages} passages indexed")
        started = time.perf_counter()
        again = build_index(load_corpus(), embedder, data_dir=data_dir)
        print(f"no-change rebuild (in process): {time.perf_counter() - started:.3f} s, up_to_date={again.up_to_date}")
        env = {**os.environ, "LAWQA_DATA_DIR": str(data_dir), "LAWQA_EMBEDDER": args.embedder}
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "assistant", "index"], env=env, check=True, capture_output=True)
        print(f"no-change rebuild (`lawqa index`, new process): {time.perf_counter() - started:.3f} s")


if __name__ == "__main__":
    main()
