"""Run the golden set through a real assistant and score it; ablations and calibration.

Each variant gets a fresh index in a temporary folder built from the corpus, so a run is
reproducible and never touches the user's index. Follow-up items replay their earlier turns
through ``chat`` first, exactly as a user would, and only the last turn is scored.
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..config import Settings
from ..documents import load_document
from ..schema import Turn
from ..service import Assistant
from .dataset import GoldItem
from .metrics import ItemResult, aggregate, by_category, score_item

#: name -> (retrieval mode, settings overrides)
VARIANTS: dict[str, tuple[str, dict[str, Any]]] = {
    "hybrid": ("hybrid", {}),
    "dense": ("dense", {}),
    "lexical": ("lexical", {}),
    "hybrid, sentence chunks": ("hybrid", {"max_chunk_chars": 120}),
    "hybrid, no follow-up resolution": ("hybrid", {"resolve_followups": False}),
}


@dataclass
class EvalRun:
    variant: str
    split: str
    results: list[ItemResult]
    metrics: dict[str, float] = field(default_factory=dict)
    categories: dict[str, dict[str, float]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"variant": self.variant, "split": self.split, "metrics": self.metrics,
                "categories": self.categories, "items": [r.as_dict() for r in self.results]}


def evaluate(bot: Assistant, items: list[GoldItem], mode: str | None = None, variant: str = "",
             split: str = "") -> EvalRun:
    sources: dict[str, str] = {}
    for doc in bot.documents():
        try:
            sources[doc.path] = load_document(doc.path).text
        except Exception:
            sources[doc.path] = ""
    k = bot.settings.top_k
    results = []
    for item in items:
        history: list[Turn] = []
        for earlier in item.history:
            prior = bot.chat(history, earlier, mode=mode)  # type: ignore[arg-type]
            history.append(Turn(question=earlier, answer=prior.text, standalone_question=prior.standalone_question))
        started = time.perf_counter()
        answer = bot.chat(history, item.question, mode=mode)  # type: ignore[arg-type]
        latency = time.perf_counter() - started
        results.append(score_item(item, answer, sources, latency, k))
    run = EvalRun(variant or (mode or bot.settings.retrieval_mode), split, results)
    run.metrics = aggregate(results)
    run.categories = by_category(results)
    return run


def fresh_assistant(settings: Settings, workdir: Path, **overrides: Any) -> Assistant:
    """An assistant over a new index of ``settings.corpus_dir`` in ``workdir``."""
    bot = Assistant(settings.model_copy(update={"store_dir": workdir, "chroma_host": None, **overrides}))
    report = bot.ingest()
    if not bot.documents():
        raise RuntimeError(f"nothing could be indexed from {settings.corpus_dir}: {report.failed}")
    return bot


def run_variant(name: str, settings: Settings, items: list[GoldItem], split: str = "") -> EvalRun:
    mode, overrides = VARIANTS[name]
    with tempfile.TemporaryDirectory(prefix="assistant-eval-") as tmp:
        bot = fresh_assistant(settings, Path(tmp), **overrides)
        return evaluate(bot, items, mode=mode, variant=name, split=split)


def calibrate(settings: Settings, items: list[GoldItem]) -> list[dict[str, float]]:
    """Abstention trade-off: for each threshold, precision/recall of declining and answer rate.

    Runs every item once with abstention off and records the best sentence score, so the
    sweep costs one pass.
    """
    with tempfile.TemporaryDirectory(prefix="assistant-calibrate-") as tmp:
        bot = fresh_assistant(settings, Path(tmp), abstain_threshold=0.0)
        best: list[tuple[float, bool]] = []
        for item in items:
            history: list[Turn] = []
            for earlier in item.history:
                prior = bot.chat(history, earlier)
                history.append(Turn(question=earlier, answer=prior.text, standalone_question=prior.standalone_question))
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
