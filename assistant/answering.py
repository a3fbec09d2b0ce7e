"""Compose a cited answer from retrieved passages, or decline.

The default composer needs no LLM. It scores every sentence of the retrieved passages
against the question (embedding similarity plus IDF-weighted word coverage), keeps the few
that answer it verbatim and cites each with the number of the passage it came from. When
the best sentence is below the abstention threshold, it says plainly that the corpus does
not cover the question and cites nothing: loosely related text is never stitched together.

A composer gets the question state (the standalone question and the numbered passages) and a
term weight (a word's IDF); it never sees the store or the BM25 index. Validation of what it
wrote is the pipeline's last step (:func:`assistant.markers.validate_citations`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from .chunking import METADATA_KINDS, metadata_statement
from .embeddings import Embedder
from .lexical import stem_all
from .overlap import jaccard, word_bag
from .schema import Answer, Citation, Passage
from .state import QuestionState, TermWeight
from .text import content_words, sentence_spans

NOT_COVERED = (
    "The corpus does not answer this question: none of the indexed passages addresses it, "
    "so I have nothing to cite."
)
NO_DOCUMENTS = "The index is empty: add articles to the corpus and run `assistant ingest`."
NO_MATCH = (
    "No indexed passage matches this question within the chosen filters, so the corpus does "
    "not answer it as asked."
)


class Composer(Protocol):
    """Writes the answer for one question from its numbered passages.

    A composer may also offer ``stream(state, idf)``, yielding text pieces as it writes and
    then the :class:`Answer`; the pipeline passes the pieces through.
    """

    name: str

    def compose(self, state: QuestionState, idf: TermWeight) -> Answer: ...


@dataclass
class Candidate:
    """One sentence of one passage, scored against the question."""

    passage: Passage
    start: int
    end: int
    text: str
    score: float = 0.0
    similarity: float = 0.0  # embedding cosine of the sentence and the question
    coverage: float = 0.0  # IDF-weighted share of the question's words the sentence contains

    @property
    def kind(self) -> str:
        return self.passage.kind


def candidates(passages: Sequence[Passage]) -> list[Candidate]:
    """Sentences of each passage, with absolute spans into the document text."""
    out = []
    for passage in passages:
        if passage.kind in METADATA_KINDS or passage.kind == "caption":
            out.append(Candidate(passage, passage.start, passage.end, passage.text))
            continue
        for s, e in sentence_spans(passage.text):
            out.append(Candidate(passage, passage.start + s, passage.start + e, passage.text[s:e]))
    return out


def scoring_text(c: Candidate) -> str:
    if c.kind == "caption":
        return f"Image caption or credit (photo, map, picture credited to): {c.text}"
    if c.kind in METADATA_KINDS:
        p = c.passage
        return metadata_statement(c.kind, c.text, p.author, p.date, p.publisher, p.title)
    return c.text


def not_covered(state: QuestionState, backend: str) -> Answer:
    """The abstention: nothing cited, the closest passages still shown."""
    return Answer(
        question=state.question, standalone_question=state.standalone,
        text=NOT_COVERED if state.passages else NO_MATCH, passages=list(state.passages),
        abstained=True, backend=backend,
    )


class ExtractiveComposer:
    """Picks verbatim sentences that answer the question; no LLM required."""

    name = "extractive"

    def __init__(
        self,
        embedder: Embedder,
        abstain_threshold: float,
        max_sentences: int = 3,
        coverage_weight: float = 0.35,
        margin: float = 0.12,
        duplicate_overlap: float = 0.6,
    ) -> None:
        self.embedder = embedder
        self.abstain_threshold = abstain_threshold
        self.max_sentences = max_sentences
        self.coverage_weight = coverage_weight
        self.margin = margin
        self.duplicate_overlap = duplicate_overlap

    def score(self, question: str, cands: list[Candidate], idf: TermWeight | None = None) -> None:
        """Set each candidate's score: similarity to ``question`` plus weighted word coverage.

        ``question`` is the standalone question, already spelling-corrected by the pipeline.
        """
        if not cands:
            return
        q_vec = np.asarray(self.embedder.embed_query(question))
        s_vecs = np.asarray(self.embedder.embed_queries([scoring_text(c) for c in cands]))
        similarities = s_vecs @ q_vec
        q_tokens = list(dict.fromkeys(stem_all(content_words(question))))
        weights = {t: (idf(t) if idf else 1.0) for t in q_tokens}
        total = sum(weights.values())
        for c, similarity in zip(cands, similarities, strict=True):
            s_tokens = set(stem_all(content_words(scoring_text(c))))
            covered = sum(w for t, w in weights.items() if t in s_tokens)
            c.similarity = float(similarity)
            c.coverage = covered / total if total else 0.0
            c.score = c.similarity + self.coverage_weight * c.coverage

    def select(self, cands: list[Candidate]) -> list[Candidate]:
        """The sentences to answer with; empty means abstain."""
        ranked = sorted(cands, key=lambda c: -c.score)
        if not ranked or ranked[0].score < self.abstain_threshold:
            return []
        best = ranked[0].score
        chosen: list[Candidate] = []
        seen_words: list[frozenset[str]] = []
        for c in ranked:
            if len(chosen) >= self.max_sentences or c.score < max(self.abstain_threshold, best - self.margin):
                break
            bag = word_bag(c.text)
            if any(jaccard(bag, other) > self.duplicate_overlap for other in seen_words):
                continue
            if any(c.start < o.end and o.start < c.end and c.passage.doc_id == o.passage.doc_id for o in chosen):
                continue
            chosen.append(c)
            seen_words.append(bag)
        # The direct answer first, then its support in reading order.
        head, rest = chosen[:1], sorted(chosen[1:], key=lambda c: (c.passage.doc_id, c.start))
        return head + rest

    def answerable(self, state: QuestionState, idf: TermWeight | None) -> tuple[list[Candidate], list[Candidate]]:
        """All scored candidates and the chosen ones (none: the corpus does not answer it)."""
        cands = candidates(state.passages)
        self.score(state.standalone, cands, idf)
        return cands, self.select(cands)

    def compose(self, state: QuestionState, idf: TermWeight | None = None) -> Answer:
        _, chosen = self.answerable(state, idf)
        if not chosen:
            return not_covered(state, self.name)
        text = " ".join(f"{answer_sentence(c)} [{c.passage.number}]" for c in chosen)
        return Answer(
            question=state.question, standalone_question=state.standalone, text=text,
            citations=[citation_for(c) for c in chosen], passages=list(state.passages), backend=self.name,
        )


def answer_sentence(c: Candidate) -> str:
    """Verbatim sentence; metadata lines are phrased as a sentence around their exact text."""
    if c.kind == "byline":
        author, _, when = c.text.partition("|")
        return f"The article is by {author.strip()}, dated {when.strip()}." if when else f"By {c.text}."
    if c.kind == "publisher":
        return f"It was published by {c.text}."
    if c.kind == "title":
        return f"The article is titled \u201c{c.text}\u201d."
    if c.kind == "caption":
        return f"An image in the article carries the caption or credit \u201c{c.text}\u201d."
    return c.text


def citation_for(c: Candidate) -> Citation:
    return c.passage.cite(c.start, c.end, c.score)


def stream_text(text: str, piece_words: int = 3) -> Iterator[str]:
    """Yield an answer a few words at a time (what a UI shows while it is being written)."""
    tokens = re.split(r"(\s+)", text)
    buf: list[str] = []
    count = 0
    for tok in tokens:
        buf.append(tok)
        if tok.strip():
            count += 1
            if count % piece_words == 0:
                yield "".join(buf)
                buf = []
    if buf:
        yield "".join(buf)
