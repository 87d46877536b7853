"""Check or regenerate the bundled vector cache (index/vector-cache.json + .npy; see assistant/index/vector_cache.py).

    python eval/vector_cache.py            # report how many bundled passages and questions the cache lacks
    python eval/vector_cache.py --write    # embed them all with multilingual-e5-small and write the cache

Run it after changing the bundled regulations, the passage layout or how questions are condensed;
tests/index/test_vector_cache.py fails while the shipped cache is stale.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from assistant.index.embedding import load_embedder
from assistant.index.vector_cache import (
    CACHE_JSON,
    CACHE_VECTORS,
    VectorCache,
    build_cache,
    bundled_texts,
    missing,
)
from assistant.resources import bundled_path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--write", action="store_true", help="embed the bundled texts and write the cache")
    parser.add_argument("--embedder", default="multilingual-e5-small")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--out", type=Path, default=bundled_path("index", CACHE_JSON).parent,
                        help="directory of the cache files (default: the bundled index/ directory)")
    args = parser.parse_args()
    embedder = load_embedder(args.embedder, threads=args.threads)
    if args.write:
        started = time.perf_counter()
        passages, questions = bundled_texts()
        built = build_cache(embedder, passages, questions)
        built.save(args.out)
        print(f"wrote {len(built)} vectors of {embedder.name} ({len(passages)} passages, {len(questions)} "
              f"questions) to {args.out / CACHE_JSON} and {CACHE_VECTORS} in {time.perf_counter() - started:.0f} s")
        return 0
    passages, questions = missing(VectorCache.load(args.out), embedder)
    print(f"{args.out / CACHE_JSON}: {passages} passages and {questions} questions of {embedder.name} missing"
          + ("" if passages or questions else " (up to date)"))
    return 1 if passages or questions else 0


if __name__ == "__main__":
    raise SystemExit(main())
