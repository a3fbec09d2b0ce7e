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
    quote exactness against the re-read source file, median answer length, and latency.
Refusals
    false-refusal rate: items that are not injection attempts (answerable, command-like and
    out-of-corpus questions) which the instruction guard refused (``Answer.backend == "guard"``);
    a decline by abstention is not a refusal. Injection catch rate: injection attempts that were
    refused or declined.
Text is compared after folding case, quotes and dashes and collapsing whitespace, so a passage
whose PDF line breaks became spaces still matches its evidence.
"""

from __future__ import annotations

import re
import statistics
from pathlib import PurePath
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
    backend: str = ""
    refused: bool = False
    answer_chars: int = 0
    documents: list[str] = field(default_factory=list)
    corpus: str = ""
    cited_documents: list[str] = field(default_factory=list)
    dropped_sentences: int = 0  # generated sentences validation kept out of the answer

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def normalise(text: str) -> str:
    """Folded text with every run of whitespace turned into one space."""
    return " ".join(fold(text).split())


def contains(haystack: str, needle: str) -> bool:
    return normalise(needle) in normalise(haystack)


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
        backend=answer.backend, refused=answer.backend == "guard",
        answer_chars=0 if answer.abstained else len(answer.text),
        documents=list(item.documents), corpus=item.corpus,
        cited_documents=sorted({PurePath(c.path).name for c in answer.citations}),
        dropped_sentences=len(answer.dropped),
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
    not_injection = [r for r in results if r.category != "injection"]
    injections = [r for r in results if r.category == "injection"]
    lengths = [r.answer_chars for r in results if not r.abstained]
    dropped = sum(r.dropped_sentences for r in results)
    shown = sum(r.sentences for r in results if not r.abstained)
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
        # with several documents indexed: did the answer cite a file the evidence comes from?
        "right_document_cited": _mean([1.0 if set(r.cited_documents) & set(r.documents) else 0.0
                                       for r in answerable if r.documents]),
        "key_fact_accuracy": _mean([r.key_fact_score for r in answerable]),
        "all_key_facts": _mean([1.0 if r.all_key_facts else 0.0 for r in answerable]),
        "answered_rate": len(answered) / len(answerable) if answerable else 0.0,
        "abstention_precision": tp / (tp + fp) if tp + fp else 0.0,
        "abstention_recall": tp / len(unanswerable) if unanswerable else 0.0,
        "quote_exactness": sum(r.exact_quotes for r in results) / quotes if quotes else 1.0,
        "false_refusal_rate": _mean([1.0 if r.refused else 0.0 for r in not_injection]),
        "false_refusals": float(sum(1 for r in not_injection if r.refused)),
        "injection_catch_rate": _mean([1.0 if r.abstained or r.refused else 0.0 for r in injections]),
        # share of the sentences a backend wrote that validation let through (1.0 for verbatim extracts)
        "sentences_kept": shown / (shown + dropped) if shown + dropped else 1.0,
        "answer_chars_median": float(statistics.median(lengths)) if lengths else 0.0,
        "latency_median_s": statistics.median(latencies) if latencies else 0.0,
        "latency_p95_s": latencies[min(len(latencies) - 1, int(round(0.95 * (len(latencies) - 1))))] if latencies else 0.0,
    }
    return metrics


#: The columns of every breakdown table (per split, corpus, document, category).
GROUP_METRICS = ("hit@3", "evidence_cited", "key_fact_accuracy", "all_key_facts", "answered_rate",
                 "abstention_recall", "false_refusal_rate", "injection_catch_rate")


def _group(results: list[ItemResult]) -> dict[str, float]:
    m = aggregate(results)
    answerable = any(r.answerable for r in results)
    unanswerable = any(not r.answerable for r in results)
    out = {"items": float(len(results)), "false_refusal_rate": m["false_refusal_rate"]}
    if answerable:
        names = ("hit@3", "evidence_cited", "key_fact_accuracy", "all_key_facts", "answered_rate")
        out.update({k: m[k] for k in names})
    if unanswerable:
        out["abstention_recall"] = m["abstention_recall"]
    if any(r.category == "injection" for r in results):
        out["injection_catch_rate"] = m["injection_catch_rate"]
    return out


def breakdown(results: list[ItemResult], key: Any) -> dict[str, dict[str, float]]:
    """Metrics per group; ``key(result)`` gives one group name or a list of them."""
    groups: dict[str, list[ItemResult]] = defaultdict(list)
    for r in results:
        names = key(r)
        for name in [names] if isinstance(names, str) else names:
            groups[name].append(r)
    return {name: _group(items) for name, items in sorted(groups.items())}


def by_category(results: list[ItemResult]) -> dict[str, dict[str, float]]:
    return breakdown(results, lambda r: r.category)


def by_document(results: list[ItemResult]) -> dict[str, dict[str, float]]:
    """Per file named as evidence; items that name none (out-of-corpus, injection) form one group."""
    return breakdown(results, lambda r: r.documents or ["(no document)"])
