"""The wheel carries the corpus, prompts and evaluation set: a non-editable install answers questions."""

from __future__ import annotations

import json
import os
import site
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_wheel_in_a_fresh_venv_answers(tmp_path):
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "-o", str(dist), str(ROOT)],
                   check=True, capture_output=True, timeout=300)
    (wheel,) = dist.glob("lawqa-*.whl")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    # Reuse the already-installed dependencies without their .pth files, so the repository's editable
    # install is not importable: only the wheel provides `assistant`.
    purelib = subprocess.run([str(venv / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                             check=True, capture_output=True, text=True).stdout.strip()
    Path(purelib, "_lawqa_test_dependencies.pth").write_text(site.getsitepackages()[0] + "\n")
    subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--no-deps", "--no-index", "-q", str(wheel)],
                   check=True, timeout=300)
    workdir = tmp_path / "elsewhere"
    workdir.mkdir()
    env = {**os.environ, "LAWQA_DATA_DIR": str(tmp_path / "data"), "LAWQA_EMBEDDER": "hash", "PYTHONPATH": ""}
    where = subprocess.run([str(venv / "bin" / "python"), "-c", ("import assistant.resources as r; "
                            "print(r.bundled_path('index', 'manifest.toml'))")],
                           cwd=workdir, env=env, check=True, capture_output=True, text=True).stdout.strip()
    assert where.startswith(purelib) and where.endswith("assistant/_data/index/manifest.toml")
    result = subprocess.run([str(venv / "bin" / "lawqa"), "ask", "深圳条例第七十一条规定了什么？", "--json"],
                            cwd=workdir, env=env, capture_output=True, text=True, timeout=300,
                            check=False)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["citations"] == [{"regulation": "shenzhen-ai-2022", "article": 71}]
