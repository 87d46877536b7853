"""The evaluation report: a compact table for the terminal and a Markdown report with charts."""

from __future__ import annotations

from pathlib import Path

SYSTEM_NAMES = {"lawqa": "lawqa", "naive": "naive LangChain RAG", "bm25": "BM25 only", "dense": "dense only"}


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def _systems(report: dict) -> dict[str, dict]:
    return {"lawqa": report, **report.get("baselines", {})}


def summary_table(report: dict) -> str:
    """Overall figures per system, then citation F1 / recall@5 per kind, as fixed-width text."""
    systems = _systems(report)
    lines = [(f"{'system':<22}{'cit.F1':>8}{'F1 ans.':>9}{'prec.':>8}{'recall@1':>9}{'recall@5':>9}{'abst.acc':>9}"
              f"{'lang':>7}{'invalid':>8}{'ungr.':>7}{'p50 ms':>8}")]
    for name, data in systems.items():
        c, r = data["citation"], data["retrieval"]
        lines.append(f"{SYSTEM_NAMES.get(name, name):<22}{_fmt(c['f1']):>8}{_fmt(c['f1_answerable']):>9}"
                     f"{_fmt(c['precision']):>8}{_fmt(r['recall@1']):>9}{_fmt(r['recall@5']):>9}"
                     f"{_fmt(data['abstention']['accuracy']):>9}{_fmt(data['language_accuracy']):>7}"
                     f"{_fmt(c['invalid_rate']):>8}{_fmt(c['ungrounded_rate']):>7}"
                     f"{data['latency_ms']['p50'] or 0:>8.1f}")
    lines.append("")
    header = f"{'kind':<14}{'n':>4}" + "".join(f"{SYSTEM_NAMES.get(s, s)[:16]:>18}" for s in systems)
    lines.append("citation F1 / recall@5 by kind")
    lines.append(header)
    for kind, data in report["by_kind"].items():
        cells = []
        for name, system in systems.items():
            sub = system["by_kind"].get(kind) if name != "lawqa" else data
            cells.append(f"{_fmt(sub['citation']['f1'])} / {_fmt(sub['retrieval']['recall@5'])}" if sub else "—")
        lines.append(f"{kind:<14}{data['n']:>4}" + "".join(f"{c:>18}" for c in cells))
    return "\n".join(lines)


def _chart(report: dict, metric: tuple[str, str], title: str, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    systems = _systems(report)
    kinds = list(report["by_kind"])
    width = 0.8 / len(systems)
    figure, axis = plt.subplots(figsize=(10, 4))
    for i, (name, data) in enumerate(systems.items()):
        values = []
        for kind in kinds:
            sub = data["by_kind"].get(kind, {})
            value = sub.get(metric[0], {}).get(metric[1]) if sub else None
            values.append(value or 0.0)
        axis.bar([k + i * width for k in range(len(kinds))], values, width, label=SYSTEM_NAMES.get(name, name))
    axis.set_xticks([k + width * (len(systems) - 1) / 2 for k in range(len(kinds))], kinds, rotation=20)
    axis.set_ylim(0, 1.05)
    axis.set_title(title)
    axis.legend(fontsize=8, ncols=len(systems))
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def write_report(report: dict, directory: Path, *, title: str = "lawqa evaluation") -> Path:
    """Write report.md and its charts into `directory`; return the Markdown path."""
    directory.mkdir(parents=True, exist_ok=True)
    _chart(report, ("citation", "f1"), "Citation F1 by kind", directory / "citation_f1_by_kind.png")
    _chart(report, ("retrieval", "recall@5"), "Recall@5 by kind", directory / "recall5_by_kind.png")
    meta = report.get("meta", {})
    lines = [f"# {title}", "",
             (f"Dataset `{meta.get('dataset', '?')}`, split `{meta.get('split', '?')}`, mode `{meta.get('mode', '?')}`, "
              f"embedder `{meta.get('embedder', '?')}`, {report['n']} cases; calibration fitted on the dev split "
              f"({meta.get('calibration', '?')})."), "",
             ("Definitions are in `assistant/evaluation/metrics.py`: citation precision counts expected and acceptable "
              "articles, recall counts expected ones; an unanswerable case scores 1 only if it cites nothing. "
              "`F1 ans.` averages answerable cases only."), "",
             "```", summary_table(report), "```", "",
             "![Citation F1 by kind](citation_f1_by_kind.png)", "",
             "![Recall@5 by kind](recall5_by_kind.png)", "",
             "## By language", "", "| language | n | citation F1 | recall@5 | abstention acc. | language acc. |",
             "|---|---|---|---|---|---|"]
    for language, data in report["by_lang"].items():
        lines.append(f"| {language} | {data['n']} | {_fmt(data['citation']['f1'])} | "
                     f"{_fmt(data['retrieval']['recall@5'])} | {_fmt(data['abstention']['accuracy'])} | "
                     f"{_fmt(data['language_accuracy'])} |")
    failing = [c for c in report.get("cases", []) if c["verdicts"]["f1"] < 1 or not c["verdicts"]["language_ok"]]
    lines += ["", f"## Failing cases ({len(failing)})", "",
              "Cases with citation F1 below 1 or an answer in the wrong language.", "",
              "| id | question | expected | cited | F1 |", "|---|---|---|---|---|"]
    for case in failing:
        question = case["question"].replace("|", "\\|").replace("\n", " ")
        expected = ", ".join(case["expected"]) or "(abstain)"
        cited = ", ".join(case["citations"]) or ("(abstained)" if case["abstained"] else "(none)")
        lines.append(f"| {case['id']} | {question} | {expected} | {cited} | {case['verdicts']['f1']:.2f} |")
    path = directory / "report.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def plan_table(result: dict) -> str:
    """A campaign's figures as text: each corpus beside the baselines, then leave-one-corpus-out."""
    lines = []
    corpora = result.get("corpora", {})
    if corpora:
        names = [n for n in ("bm25", "dense", "naive") if any(n in r.get("baselines", {}) for r in corpora.values())]
        lines.append(f"{'corpus':<20}{'n':>5}{'cit.F1':>8}{'recall@1':>9}{'recall@5':>9}{'abst.acc':>9}"
                     + "".join(f"{SYSTEM_NAMES[n][:11] + ' F1/r@5':>22}" for n in names))
        for name, report in corpora.items():
            cells = [f"{_fmt(report['baselines'][n]['citation']['f1'])}/"
                     f"{_fmt(report['baselines'][n]['retrieval']['recall@5'])}" for n in names]
            lines.append(f"{name:<20}{report['n']:>5}{_fmt(report['citation']['f1']):>8}"
                         f"{_fmt(report['retrieval']['recall@1']):>9}{_fmt(report['retrieval']['recall@5']):>9}"
                         f"{_fmt(report['abstention']['accuracy']):>9}" + "".join(f"{c:>22}" for c in cells))
    if result.get("loco"):
        lines += ["", "leave-one-corpus-out (fit on the other corpora, score this one)",
                  f"{'corpus':<20}{'n':>5}{'cit.F1':>8}{'recall@1':>9}{'recall@5':>9}{'abst.acc':>9}"]
        for name, figures in result["loco"].items():
            lines.append(f"{name:<20}{figures['n']:>5}{_fmt(figures['f1']):>8}{_fmt(figures['recall@1']):>9}"
                         f"{_fmt(figures['recall@5']):>9}{_fmt(figures['abstention_accuracy']):>9}")
    return "\n".join(lines)


def write_plan_report(result: dict, directory: Path, *, title: str = "lawqa evaluation over several corpora") -> Path:
    """Write plan.md (the campaign's tables) and one report per corpus into `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    lines = [f"# {title}", "", ("Per corpus on its own index, extractive mode, baselines measured in the same run; "
             "then leave-one-corpus-out cross-validation."), "", "```", plan_table(result), "```", ""]
    for name, report in result.get("corpora", {}).items():
        write_report(report, directory / name, title=f"lawqa on {name}")
        lines.append(f"- [{name}]({name}/report.md)")
    path = directory / "plan.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
