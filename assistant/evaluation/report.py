"""Write evaluation results: a rich table, JSON, a Markdown report and a comparison plot."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .runner import EvalRun

HEADLINE = [
    "hit@1", "hit@3", "mrr", "context_precision@k", "citation_recall", "citation_precision",
    "fully_cited", "evidence_cited", "right_document_cited", "key_fact_accuracy", "all_key_facts",
    "answered_rate", "abstention_precision",
    "abstention_recall", "false_refusal_rate", "false_refusals", "injection_catch_rate", "quote_exactness",
    "sentences_kept", "answer_chars_median", "latency_median_s", "latency_p95_s",
]
#: Breakdown tables in the Markdown report, in order, with their headings.
BREAKDOWNS = [("split", "per split"), ("corpus", "per corpus the item was written for"),
              ("document", "per document"), ("category", "per category")]
_COLUMNS = [("hit@3", "hit@3"), ("evidence_cited", "evidence cited"), ("key_fact_accuracy", "key facts"),
            ("all_key_facts", "all facts"), ("answered_rate", "answered"), ("abstention_recall", "declined"),
            ("false_refusal_rate", "false refusals"), ("injection_catch_rate", "injections caught")]


def _fmt(name: str, value: float) -> str:
    if name.startswith("latency"):
        return f"{value * 1000:.0f} ms"
    if name in ("answer_chars_median", "false_refusals", "items"):
        return f"{value:.0f}"
    return f"{value:.3f}"


def _title(runs: list[EvalRun]) -> str:
    run = runs[0] if runs else None
    corpus = f", {run.corpus} corpus ({len(run.documents)} documents)" if run and run.corpus else ""
    return f"{run.split if run and run.split else 'all'} split{corpus}"


def _breakdown_table(groups: dict[str, dict[str, float]], label: str) -> list[str]:
    lines = [f"| {label} | items | " + " | ".join(h for _, h in _COLUMNS) + " |",
             "|---|---:|" + "---:|" * len(_COLUMNS)]
    for name, m in groups.items():
        cells = [f"{m[k]:.2f}" if k in m else "" for k, _ in _COLUMNS]
        lines.append(f"| {name.replace('|', '/')} | {int(m['items'])} | " + " | ".join(cells) + " |")
    return lines


def rich_table(runs: list[EvalRun]) -> Any:
    from rich.table import Table

    items = int(runs[0].metrics["items"]) if runs else 0
    table = Table(title=f"Evaluation on the {_title(runs)}: {items} items")
    table.add_column("metric")
    columns = _columns(runs)
    for label, _ in columns:
        table.add_column(label, justify="right")
    for name in HEADLINE:
        table.add_row(name, *[_fmt(name, metrics[name]) for _, metrics in columns])
    return table


def _columns(runs: list[EvalRun]) -> list[tuple[str, dict[str, float]]]:
    """One column per run, or per run and split when a run holds both dev and test."""
    out: list[tuple[str, dict[str, float]]] = []
    for run in runs:
        if run.split_metrics:
            out += [(f"{run.variant} · {split}", m) for split, m in run.split_metrics.items()]
        else:
            out.append((run.variant, run.metrics))
    return out


def markdown(runs: list[EvalRun], calibration: list[dict[str, float]] | None = None,
             plot_name: str | None = None, hidden: set[str] | frozenset[str] = frozenset()) -> str:
    """The report; a dev answer that cites one of the ``hidden`` (held-out) files is not quoted."""
    lines = [f"# Evaluation report ({_title(runs)})", ""]
    columns = _columns(runs)
    lines += ["| metric | " + " | ".join(label for label, _ in columns) + " |",
              "|---|" + "---:|" * len(columns)]
    for name in HEADLINE:
        lines.append(f"| {name} | " + " | ".join(_fmt(name, m[name]) for _, m in columns) + " |")
    if plot_name:
        lines += ["", f"![retrieval comparison]({plot_name})"]
    for run in runs:
        for key, heading in BREAKDOWNS:
            groups = run.breakdowns.get(key) or (run.categories if key == "category" else {})
            if groups:
                lines += ["", f"## {run.variant}: {heading}", ""] + _breakdown_table(groups, key)
        # Only dev items are listed: the test split's per-item answers are not for tuning (they
        # stay in eval.json for the record).
        misses = [r for r in run.results if r.split == "dev" and (
            (r.answerable and (r.abstained or not r.all_key_facts))
            or (not r.answerable and not r.abstained))]
        if misses:
            lines += ["", f"Dev items to look at ({len(misses)}):", ""]
            for r in misses:
                what = "refused" if r.refused else "declined" if r.abstained else "answered"
                shown = ("(cites a held-out document; not shown)" if set(r.cited_documents) & set(hidden)
                         else r.answer[:160].replace("|", "/"))
                lines.append(f"- `{r.id}` ({r.category}, {what}): {shown}")
    if calibration:
        lines += ["", "## Abstention trade-off", "", "| threshold | precision | recall | F1 | answered |", "|---:|---:|---:|---:|---:|"]
        for row in calibration[::4]:
            lines.append(f"| {row['threshold']:.2f} | {row['abstention_precision']:.2f} | {row['abstention_recall']:.2f} | "
                         f"{row['abstention_f1']:.2f} | {row['answered_rate']:.2f} |")
    return "\n".join(lines) + "\n"


def plot(runs: list[EvalRun], path: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = ["hit@1", "hit@3", "mrr", "context_precision@k", "key_fact_accuracy", "abstention_recall"]
    fig, ax = plt.subplots(figsize=(9, 4))
    width = 0.8 / max(1, len(runs))
    for i, run in enumerate(runs):
        xs = [j + i * width for j in range(len(names))]
        ax.bar(xs, [run.metrics[n] for n in names], width, label=run.variant)
    ax.set_xticks([j + width * (len(runs) - 1) / 2 for j in range(len(names))], names, rotation=15)
    ax.set_ylim(0, 1.05)
    ax.set_title("Retrieval and answer quality by variant")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def write_reports(runs: list[EvalRun], out_dir: Path, calibration: list[dict[str, float]] | None = None,
                  hidden: set[str] | frozenset[str] = frozenset()) -> dict[str, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    json_path = out_dir / "eval.json"
    json_path.write_text(json.dumps({"runs": [r.as_dict() for r in runs], "calibration": calibration}, indent=2),
                         encoding="utf-8")
    plot_path = plot(runs, out_dir / "eval.png")
    md_path = out_dir / "eval.md"
    md_path.write_text(markdown(runs, calibration, plot_path.name, hidden), encoding="utf-8")
    return {"json": json_path, "markdown": md_path, "plot": plot_path}
