"""Metrics comparable to published ones, computed without an LLM judge.

Retrieval
    evidence hit@k and MRR: a passage is relevant when it contains a gold evidence string.
    context precision@k (RAGAS, non-LLM with reference contexts):
    sum_k(precision@k * rel_k) / (relevant passages in the top K).
Citations (after ALCE, Gao et al. 2023), with span containment in place of an NLI model:
    a sentence is *supported* when at least 80% of its content words occur in the passages
    it cites; citation recall = supported sentences / sentences. A citation is *needed* when
    its passage alone covers at least half of the sentence's content words; citation
    precision = needed citations / citations. Evidence citation rate: answers whose cited
    passages contain the gold evidence.
Answers
    key-fact accuracy (each fact is a set of alternatives; a fact counts when any appears),
    abstention precision/recall (positive = declined; gold positive = unanswerable item),
    quote exactness against the re-read source file, and latency.
"""

from __future__ import annotations

import re
import statistics
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any

from ..schema import Answer
from ..text import content_words, fold
from .dataset import GoldItem

_MARKERS = re.compile(r"((?:\s*\[\d+\])+)")


@dataclass
class ItemResult:
    id: str
    category: str
    split: str
    answerable: bool
    abstained: bool
    first_relevant_rank: int | None
    relevance: list[bool]
    evidence_recall: float
    sentences: int
    supported_sentences: int
    citations: int
    needed_citations: int
    fully_cited: bool
    evidence_cited: bool
    key_fact_score: float
    all_key_facts: bool
    quotes: int
    exact_quotes: int
    latency_s: float
    answer: str = ""
    standalone: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def contains(haystack: str, needle: str) -> bool:
    return fold(needle) in fold(haystack)


def split_cited_sentences(text: str) -> list[tuple[str, list[int]]]:
    """Answer text -> [(sentence, markers)] using the markers that end each sentence."""
    parts = _MARKERS.split(text)
    out: list[tuple[str, list[int]]] = []
    for i in range(0, len(parts), 2):
        sentence = parts[i].strip()
        markers = [int(m) for m in re.findall(r"\d+", parts[i + 1])] if i + 1 < len(parts) else []
        if sentence:
            out.append((sentence, markers))
    return out


def _coverage(sentence: str, sources: list[str]) -> float:
    words = set(content_words(sentence))
    if not words:
        return 1.0
    bag = set(w for s in sources for w in content_words(s))
    return len(words & bag) / len(words)


def score_item(item: GoldItem, answer: Answer, source_texts: dict[str, str], latency: float, k: int) -> ItemResult:
    passages = answer.passages[:k]
    relevance = [any(contains(p.text, ev) for ev in item.evidence) for p in passages]
    first = next((i + 1 for i, r in enumerate(relevance) if r), None)
    found = [ev for ev in item.evidence if any(contains(p.text, ev) for p in passages)]
    by_number = {p.number: p.text for p in answer.passages}

    sentences = [] if answer.abstained else split_cited_sentences(answer.text)
    supported = needed = n_cit = 0
    for sentence, markers in sentences:
        cited = [by_number[m] for m in markers if m in by_number]
        if cited and _coverage(sentence, cited) >= 0.8:
            supported += 1
        for text in cited:
            n_cit += 1
            if _coverage(sentence, [text]) >= 0.5:
                needed += 1
    fully = bool(sentences) and all(m for _, m in sentences)
    cited_texts = [p.text for p in answer.cited_passages()] + [c.quote for c in answer.citations]
    evidence_cited = any(contains(t, ev) for t in cited_texts for ev in item.evidence)
    facts = [any(contains(answer.text, alt) for alt in fact.split("|")) for fact in item.key_facts]
    exact = sum(1 for c in answer.citations if source_texts.get(c.path, "")[c.start:c.end] == c.quote)
    return ItemResult(
        id=item.id, category=item.category, split=item.split, answerable=item.answerable,
        abstained=answer.abstained, first_relevant_rank=first, relevance=relevance,
        evidence_recall=len(found) / len(item.evidence) if item.evidence else 0.0,
        sentences=len(sentences), supported_sentences=supported, citations=n_cit, needed_citations=needed,
        fully_cited=fully, evidence_cited=evidence_cited,
        key_fact_score=sum(facts) / len(facts) if facts else 0.0, all_key_facts=all(facts) if facts else False,
        quotes=len(answer.citations), exact_quotes=exact, latency_s=latency,
        answer=answer.text, standalone=answer.standalone_question,
    )


def context_precision(relevance: list[bool]) -> float:
    hits = 0
    total = 0.0
    for rank, rel in enumerate(relevance, start=1):
        if rel:
            hits += 1
            total += hits / rank
    return total / hits if hits else 0.0


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def aggregate(results: list[ItemResult]) -> dict[str, float]:
    """The headline metrics over a list of item results."""
    answerable = [r for r in results if r.answerable]
    unanswerable = [r for r in results if not r.answerable]
    answered = [r for r in answerable if not r.abstained]
    tp = sum(1 for r in unanswerable if r.abstained)
    fp = sum(1 for r in answerable if r.abstained)
    sentences = sum(r.sentences for r in answered)
    citations = sum(r.citations for r in answered)
    quotes = sum(r.quotes for r in results)
    latencies = sorted(r.latency_s for r in results)
    metrics = {
        "items": float(len(results)),
        "hit@1": _mean([1.0 if r.first_relevant_rank == 1 else 0.0 for r in answerable]),
        "hit@3": _mean([1.0 if r.first_relevant_rank and r.first_relevant_rank <= 3 else 0.0 for r in answerable]),
        "hit@5": _mean([1.0 if r.first_relevant_rank and r.first_relevant_rank <= 5 else 0.0 for r in answerable]),
        "mrr": _mean([1.0 / r.first_relevant_rank if r.first_relevant_rank else 0.0 for r in answerable]),
        "evidence_recall@k": _mean([r.evidence_recall for r in answerable]),
        "context_precision@k": _mean([context_precision(r.relevance) for r in answerable]),
        "citation_recall": sum(r.supported_sentences for r in answered) / sentences if sentences else 0.0,
        "citation_precision": sum(r.needed_citations for r in answered) / citations if citations else 0.0,
        "fully_cited": _mean([1.0 if r.fully_cited else 0.0 for r in answered]),
        "evidence_cited": _mean([1.0 if r.evidence_cited else 0.0 for r in answerable]),
        "key_fact_accuracy": _mean([r.key_fact_score for r in answerable]),
        "all_key_facts": _mean([1.0 if r.all_key_facts else 0.0 for r in answerable]),
        "answered_rate": len(answered) / len(answerable) if answerable else 0.0,
        "abstention_precision": tp / (tp + fp) if tp + fp else 0.0,
        "abstention_recall": tp / len(unanswerable) if unanswerable else 0.0,
        "quote_exactness": sum(r.exact_quotes for r in results) / quotes if quotes else 1.0,
        "latency_median_s": statistics.median(latencies) if latencies else 0.0,
        "latency_p95_s": latencies[min(len(latencies) - 1, int(round(0.95 * (len(latencies) - 1))))] if latencies else 0.0,
    }
    return metrics


def by_category(results: list[ItemResult]) -> dict[str, dict[str, float]]:
    groups: dict[str, list[ItemResult]] = defaultdict(list)
    for r in results:
        groups[r.category].append(r)
    out = {}
    for category, items in sorted(groups.items()):
        if items[0].answerable:
            out[category] = {
                "items": float(len(items)),
                "hit@3": _mean([1.0 if r.first_relevant_rank and r.first_relevant_rank <= 3 else 0.0 for r in items]),
                "key_fact_accuracy": _mean([r.key_fact_score for r in items]),
                "answered_rate": _mean([0.0 if r.abstained else 1.0 for r in items]),
            }
        else:
            out[category] = {"items": float(len(items)),
                             "abstention_recall": _mean([1.0 if r.abstained else 0.0 for r in items])}
    return out


@dataclass
class Summary:
    metrics: dict[str, float]
    categories: dict[str, dict[str, float]] = field(default_factory=dict)
