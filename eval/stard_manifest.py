"""Write a lawqa manifest (TOML) for the STARD law corpus, so `lawqa add --manifest` can load it.

    python eval/stard_manifest.py ../shared/corpora/stard --core --relative-to eval/corpora > eval/corpora/stard-core.toml
    lawqa add --manifest eval/corpora/stard-core.toml

STARD's manifest.json lists each law (id, title, file or files, sha256); the TOML names the same files, by
absolute path or (with --relative-to, the folder the TOML will be in) relative to it. `--core` keeps the 11 laws of STARD's "core" split. `--exclude`
leaves laws out by id (e.g. a law that is also a held-out regulation).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import tomli_w


def stard_manifest(folder: Path, *, core: bool = False, exclude: tuple[str, ...] = (),
                   relative_to: Path | None = None) -> dict:
    """The manifest as a dict ready for tomli_w."""
    laws = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    regulations = []
    for law in laws:
        if (core and not law["core"]) or law["id"] in exclude:
            continue
        files = law["file"] if isinstance(law["file"], list) else [law["file"]]
        sources = law["source"] if isinstance(law["source"], list) else [law["source"]]
        paths = [os.path.relpath((folder / f).resolve(), relative_to.resolve()) if relative_to
                 else str((folder / f).resolve()) for f in files]
        digests = [s["sha256"] for s in sources]
        short = law["name"].removeprefix("中华人民共和国")
        regulations.append({
            "id": law["id"], "title": {"zh": law["title"]}, "short_name": {"zh": short},
            "articles": law["articles"],
            "source": [{"file": paths[0] if len(paths) == 1 else paths, "languages": ["zh"],
                        "sha256": digests[0] if len(digests) == 1 else digests}],
        })
    return {"regulation": regulations}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="the STARD folder (with manifest.json and laws/)")
    parser.add_argument("--core", action="store_true", help="only the 11 core laws")
    parser.add_argument("--exclude", nargs="*", default=[], help="law ids to leave out")
    parser.add_argument("--relative-to", type=Path, help="write paths relative to this folder")
    args = parser.parse_args(argv)
    manifest = stard_manifest(args.folder, core=args.core, exclude=tuple(args.exclude), relative_to=args.relative_to)
    sys.stdout.write(tomli_w.dumps(manifest))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
