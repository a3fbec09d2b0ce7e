"""Compose a cited answer from retrieved passages, or decline.

The default composer needs no LLM. It scores every sentence of the retrieved passages
against the question (embedding similarity plus IDF-weighted word coverage), keeps the few
that answer it verbatim and cites each with the number of the passage it came from. When
the best sentence is below the abstention threshold, it says plainly that the corpus does
not cover the question and cites nothing: loosely related text is never stitched together.

:func:`validate_citations` is the last step for every backend: a marker must point at a
shown passage and a quote must be the exact text at its span, or it is removed and flagged.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from .chunking import METADATA_KINDS, metadata_statement
from .embeddings import Embedder
from .lexical import LexicalIndex, stem_all
from .schema import Answer, Chunk, Citation, Passage, ScoredChunk
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
_MARKER = re.compile(r"\[(\d{1,3})\]")


@dataclass
class Candidate:
    """One sentence of one passage, scored against the question."""

    passage: Passage
    chunk: Chunk
    start: int
    end: int
    text: str
    score: float = 0.0
    dense: float = 0.0
    coverage: float = 0.0

    @property
    def quote(self) -> str:
        return self.text


def make_passages(results: Sequence[ScoredChunk]) -> list[Passage]:
    return [
        Passage(
            number=i,
            chunk_id=r.chunk.id,
            doc_id=r.chunk.doc_id,
            path=r.chunk.doc_id,
            title=r.chunk.title,
            author=r.chunk.author,
            date=r.chunk.date,
            publisher=r.chunk.publisher,
            section=r.chunk.section_path,
            kind=r.chunk.kind,
            text=r.chunk.text,
            start=r.chunk.start,
            end=r.chunk.end,
            page=r.chunk.page,
            score=round(float(r.score), 6),
        )
        for i, r in enumerate(results, start=1)
    ]


def candidates(passages: Sequence[Passage], results: Sequence[ScoredChunk]) -> list[Candidate]:
    """Sentences of each passage, with absolute spans into the document text."""
    out = []
    for passage, result in zip(passages, results, strict=True):
        chunk = result.chunk
        if chunk.kind in METADATA_KINDS or chunk.kind == "caption":
            out.append(Candidate(passage, chunk, chunk.start, chunk.end, chunk.text))
            continue
        for s, e in sentence_spans(chunk.text):
            out.append(Candidate(passage, chunk, chunk.start + s, chunk.start + e, chunk.text[s:e]))
    return out


def scoring_text(c: Candidate) -> str:
    if c.chunk.kind == "caption":
        return f"Image caption or credit (photo, map, picture credited to): {c.text}"
    if c.chunk.kind in METADATA_KINDS:
        return metadata_statement(c.chunk.kind, c.text, c.chunk.author, c.chunk.date, c.chunk.publisher, c.chunk.title)
    return c.text


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
    ) -> None:
        self.embedder = embedder
        self.abstain_threshold = abstain_threshold
        self.max_sentences = max_sentences
        self.coverage_weight = coverage_weight
        self.margin = margin

    def score(self, question: str, cands: list[Candidate], lexical: LexicalIndex | None) -> None:
        if not cands:
            return
        q_vec = np.asarray(self.embedder.embed_query(question))
        s_vecs = np.asarray(self.embedder.embed_queries([scoring_text(c) for c in cands]))
        dense = s_vecs @ q_vec
        q_words = content_words(question)
        if lexical is not None:
            q_words = lexical.correct(q_words)
        q_tokens = list(dict.fromkeys(stem_all(q_words)))
        weights = {t: (lexical.idf(t) if lexical else 1.0) for t in q_tokens}
        total = sum(weights.values())
        for c, d in zip(cands, dense, strict=True):
            s_tokens = set(stem_all(content_words(scoring_text(c))))
            covered = sum(w for t, w in weights.items() if t in s_tokens)
            c.dense = float(d)
            c.coverage = covered / total if total else 0.0
            c.score = c.dense + self.coverage_weight * c.coverage

    def select(self, cands: list[Candidate]) -> list[Candidate]:
        """The sentences to answer with; empty means abstain."""
        ranked = sorted(cands, key=lambda c: -c.score)
        if not ranked or ranked[0].score < self.abstain_threshold:
            return []
        best = ranked[0].score
        chosen: list[Candidate] = []
        seen_words: list[set[str]] = []
        for c in ranked:
            if len(chosen) >= self.max_sentences or c.score < max(self.abstain_threshold, best - self.margin):
                break
            bag = set(content_words(c.text))
            if any(len(bag & other) / max(1, len(bag | other)) > 0.6 for other in seen_words):
                continue
            if any(c.start < o.end and o.start < c.end and c.chunk.doc_id == o.chunk.doc_id for o in chosen):
                continue
            chosen.append(c)
            seen_words.append(bag)
        # The direct answer first, then its support in reading order.
        head, rest = chosen[:1], sorted(chosen[1:], key=lambda c: (c.chunk.doc_id, c.start))
        return head + rest

    def compose(
        self, question: str, standalone: str, results: Sequence[ScoredChunk], lexical: LexicalIndex | None
    ) -> Answer:
        passages = make_passages(results)
        cands = candidates(passages, results)
        self.score(standalone, cands, lexical)
        chosen = self.select(cands)
        if not chosen:
            return Answer(
                question=question, standalone_question=standalone, text=NOT_COVERED if passages else NO_MATCH,
                passages=passages, abstained=True, backend=self.name,
            )
        sentences, citations = [], []
        for c in chosen:
            sentences.append(f"{answer_sentence(c)} [{c.passage.number}]")
            citations.append(citation_for(c))
        return Answer(
            question=question, standalone_question=standalone, text=" ".join(sentences),
            citations=citations, passages=passages, backend=self.name,
        )


def answer_sentence(c: Candidate) -> str:
    """Verbatim sentence; metadata lines are phrased as a sentence around their exact text."""
    chunk = c.chunk
    if chunk.kind == "byline":
        author, _, when = c.text.partition("|")
        return f"The article is by {author.strip()}, dated {when.strip()}." if when else f"By {c.text}."
    if chunk.kind == "publisher":
        return f"It was published by {c.text}."
    if chunk.kind == "title":
        return f"The article is titled \u201c{c.text}\u201d."
    if chunk.kind == "caption":
        return f"An image in the article carries the caption or credit \u201c{c.text}\u201d."
    return c.text


def citation_for(c: Candidate) -> Citation:
    return Citation(
        marker=c.passage.number, chunk_id=c.chunk.id, doc_id=c.chunk.doc_id, path=c.chunk.doc_id,
        title=c.chunk.title, author=c.chunk.author, date=c.chunk.date, section=c.chunk.section_path,
        quote=c.text, start=c.start, end=c.end, score=round(c.score, 6),
    )


def validate_citations(answer: Answer) -> Answer:
    """Remove markers and citations that point at nothing shown or quote inexactly; flag them."""
    by_number = {p.number: p for p in answer.passages}
    warnings = list(answer.warnings)
    valid: list[Citation] = []
    for cit in answer.citations:
        passage = by_number.get(cit.marker)
        exact = (
            passage is not None
            and passage.chunk_id == cit.chunk_id
            and passage.start <= cit.start <= cit.end <= passage.end
            and passage.text[cit.start - passage.start : cit.end - passage.start] == cit.quote
        )
        if exact:
            valid.append(cit)
        else:
            warnings.append(f"citation [{cit.marker}] removed: its quote is not in the shown passage")
    markers = {p.number for p in answer.passages}
    removed: list[str] = []

    def keep(match: re.Match[str]) -> str:
        if int(match.group(1)) in markers:
            return match.group(0)
        removed.append(match.group(1))
        return ""

    text = _MARKER.sub(keep, answer.text)
    if removed:
        warnings.extend(f"marker [{m}] removed: no passage has that number" for m in removed)
        text = re.sub(r"[ \t]{2,}", " ", text).strip()
    return answer.model_copy(update={"citations": valid, "warnings": warnings, "text": text})


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
