"""Run the golden set through a real assistant and score it; ablations and calibration.

Each variant gets a fresh index in a temporary folder, so a run is reproducible and never
touches the user's index. Two corpora can be indexed:

``multi`` (the default)
    every file of ``settings.corpus_dir`` (the BISI article) *and* of the extra folder
    (``tests/eval/corpora/crs/``: nine analyst products, Markdown and PDF) in one index, and every
    question asked against all of it, as a user with that folder would.
``bisi``
    only ``settings.corpus_dir`` and only the items written for it: the single-article figures
    the earlier bars were set on.

Follow-up items replay their earlier turns through ``chat`` first, exactly as a user would, and
only the last turn is scored.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from ..config import Settings, revise_settings
from ..documents import load_document
from ..documents.layout import LayoutRules
from ..errors import ConfigurationError
from ..schema import Turn
from ..service import Assistant
from .dataset import GoldItem
from .metrics import ItemResult, aggregate, breakdown, by_category, score_item

#: name -> (retrieval mode, settings overrides)
VARIANTS: dict[str, tuple[str, dict[str, Any]]] = {
    "hybrid": ("hybrid", {}),
    "dense": ("dense", {}),
    "lexical": ("lexical", {}),
    "hybrid, sentence chunks": ("hybrid", {"max_chunk_chars": 120}),
    "hybrid, no follow-up resolution": ("hybrid", {"resolve_followups": False}),
}

CorpusName = Literal["multi", "bisi"]
CORPORA: tuple[str, ...] = ("multi", "bisi")
#: The folder the multi-document corpus adds to ``settings.corpus_dir``.
DEFAULT_EXTRA_CORPUS = Path("tests/eval/corpora/crs")
#: Files in a corpus folder that describe it rather than belong to it.
_NOT_DOCUMENTS = {"readme.md", "readme.txt", "readme"}


@dataclass
class EvalRun:
    variant: str
    split: str
    results: list[ItemResult]
    metrics: dict[str, float] = field(default_factory=dict)
    categories: dict[str, dict[str, float]] = field(default_factory=dict)
    #: breakdown name ("split", "corpus", "document", "category") -> group -> metrics
    breakdowns: dict[str, dict[str, dict[str, float]]] = field(default_factory=dict)
    corpus: str = ""
    documents: list[str] = field(default_factory=list)
    #: headline metrics of each split, when the run holds both
    split_metrics: dict[str, dict[str, float]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"variant": self.variant, "split": self.split, "corpus": self.corpus,
                "documents": self.documents,
                "metrics": self.metrics, "split_metrics": self.split_metrics, "categories": self.categories,
                "breakdowns": self.breakdowns,
                "items": [r.as_dict() for r in self.results]}


def select_items(items: list[GoldItem], corpus: str) -> list[GoldItem]:
    """The items a corpus can be scored on: all of them for ``multi``, the article's for ``bisi``."""
    if corpus not in CORPORA:
        raise ConfigurationError(f"unknown evaluation corpus {corpus!r}; choose one of {', '.join(CORPORA)}")
    return items if corpus == "multi" else [i for i in items if i.corpus == "bisi"]


def corpus_files(settings: Settings, corpus: str, extra: Path | None = None) -> list[Path]:
    """The files the evaluation index holds for ``corpus`` (checked before anything is built)."""
    if corpus not in CORPORA:
        raise ConfigurationError(f"unknown evaluation corpus {corpus!r}; choose one of {', '.join(CORPORA)}")
    folders = [Path(settings.corpus_dir)]
    if corpus == "multi":
        folders.append(Path(extra or DEFAULT_EXTRA_CORPUS))
    files: list[Path] = []
    for folder in folders:
        if not folder.is_dir():
            raise ConfigurationError(f"corpus folder {folder} not found; pass --corpus-dir or --extra-corpus")
        files += sorted(p for p in folder.iterdir()
                        if p.is_file() and not p.is_symlink() and p.name.lower() not in _NOT_DOCUMENTS)
    names = [p.name for p in files]
    clash = sorted({n for n in names if names.count(n) > 1})
    if clash:
        raise ConfigurationError(
            f"the corpus folders both hold {', '.join(clash)}; file names must be unique")
    return files


def evaluate(bot: Assistant, items: list[GoldItem], mode: str | None = None, variant: str = "",
             split: str = "", backend: str | None = None) -> EvalRun:
    """Ask every item (replaying its history first) and score the last answer.

    ``backend`` picks the answer composer (``None``: the settings' default), so the same golden
    set scores the extractive and the LLM backends alike.
    """
    sources: dict[str, str] = {}
    for doc in bot.documents():
        try:
            sources[doc.path] = load_document(doc.path, LayoutRules.from_settings(bot.settings)).text
        except Exception:
            sources[doc.path] = ""
    k = bot.settings.top_k
    results = []
    for item in items:
        history: list[Turn] = []
        for earlier in item.history:
            prior = bot.chat(history, earlier, mode=mode, backend=backend)  # type: ignore[arg-type]
            history.append(prior.as_turn())
        started = time.perf_counter()
        answer = bot.chat(history, item.question, mode=mode, backend=backend)  # type: ignore[arg-type]
        latency = time.perf_counter() - started
        results.append(score_item(item, answer, sources, latency, k))
    run = EvalRun(variant or (mode or bot.settings.retrieval_mode), split, results)
    run.metrics = aggregate(results)
    run.categories = by_category(results)
    # Dev and test are never pooled in a breakdown: with both splits present every group is
    # "dev · name" or "test · name", and each split gets its own headline metrics.
    splits = sorted({r.split for r in results})
    both = len(splits) > 1

    def tag(r: ItemResult, name: str) -> str:
        return f"{r.split} · {name}" if both else name

    run.breakdowns = {
        "split": breakdown(results, lambda r: r.split),
        "corpus": breakdown(results, lambda r: tag(r, r.corpus or "(none)")),
        "document": breakdown(results, lambda r: [tag(r, d) for d in (r.documents or ["(no document)"])]),
        "category": breakdown(results, lambda r: tag(r, r.category)) if both else run.categories,
    }
    run.split_metrics = {s: aggregate([r for r in results if r.split == s]) for s in splits} if both else {}
    run.documents = sorted(Path(p).name for p in sources)
    return run


def fresh_assistant(settings: Settings, workdir: Path, files: list[Path] | None = None,
                    **overrides: Any) -> Assistant:
    """An assistant over a new index in ``workdir`` of ``files`` (default: ``settings.corpus_dir``).

    Given files are copied into ``workdir/corpus`` first, so the index is built from one folder
    as a user's would be, and nothing outside the evaluation's own folders is read.
    """
    update: dict[str, Any] = {"store_dir": workdir / "store", "chroma_host": None, **overrides}
    if files is not None:
        corpus = workdir / "corpus"
        corpus.mkdir(parents=True, exist_ok=True)
        for path in files:
            shutil.copyfile(path, corpus / path.name)
        update["corpus_dir"] = corpus
    bot = Assistant(revise_settings(settings, **update))  # validated, unlike model_copy
    report = bot.ingest()
    if not bot.documents():
        where = update.get("corpus_dir", settings.corpus_dir)
        raise RuntimeError(f"nothing could be indexed from {where}: {report.failed}")
    return bot


def run_variant(name: str, settings: Settings, items: list[GoldItem], split: str = "",
                corpus: str = "bisi", extra: Path | None = None, backend: str | None = None) -> EvalRun:
    """Score ``items`` (already filtered by split) on a fresh index of ``corpus`` with variant ``name``."""
    if name not in VARIANTS:
        raise ConfigurationError(f"unknown variant {name!r}; choose one of {', '.join(VARIANTS)}")
    mode, overrides = VARIANTS[name]
    files = corpus_files(settings, corpus, extra)
    chosen = select_items(items, corpus)
    with tempfile.TemporaryDirectory(prefix="assistant-eval-") as tmp:
        bot = fresh_assistant(settings, Path(tmp), files, **overrides)
        run = evaluate(bot, chosen, mode=mode, variant=name, split=split, backend=backend)
    run.corpus = corpus
    return run


def calibrate(settings: Settings, items: list[GoldItem], corpus: str = "bisi",
              extra: Path | None = None) -> list[dict[str, float]]:
    """Abstention trade-off: for each threshold, precision/recall of declining and answer rate.

    Only dev items are ever used (test items are dropped here, whatever the caller passed), so a
    threshold chosen from this table was never fitted to the held-out split. Runs every item once
    with abstention off and records the best sentence score, so the sweep costs one pass.
    """
    dev = [i for i in select_items(items, corpus) if i.split == "dev"]
    with tempfile.TemporaryDirectory(prefix="assistant-calibrate-") as tmp:
        files = corpus_files(settings, corpus, extra)
        bot = fresh_assistant(settings, Path(tmp), files, abstain_threshold=0.0)
        best: list[tuple[float, bool]] = []
        for item in dev:
            history: list[Turn] = []
            for earlier in item.history:
                prior = bot.chat(history, earlier)
                history.append(prior.as_turn())
            answer = bot.chat(history, item.question)
            score = max((c.score for c in answer.citations), default=0.0)
            best.append((score, item.answerable))
    rows = []
    for step in range(20, 81):
        t = step / 100
        tp = sum(1 for s, a in best if s < t and not a)
        fp = sum(1 for s, a in best if s < t and a)
        negatives = sum(1 for _, a in best if not a)
        positives = sum(1 for _, a in best if a)
        precision = tp / (tp + fp) if tp + fp else 1.0
        recall = tp / negatives if negatives else 0.0
        answered = sum(1 for s, a in best if s >= t and a) / positives if positives else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        rows.append({"threshold": t, "abstention_precision": precision, "abstention_recall": recall,
                     "abstention_f1": f1, "answered_rate": answered})
    return rows
