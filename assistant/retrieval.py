"""Hybrid retrieval: dense search in Chroma plus BM25, fused by reciprocal rank.

Dense search finds paraphrases; BM25 finds exact names, numbers and non-English words; RRF
fuses them without having to calibrate two incomparable score scales. Filters (document,
section, date range, passage kind) go to Chroma as a ``where`` clause and are applied to the
BM25 side with the same predicate. Near-duplicate passages are dropped so the top results
are not the same sentence twice.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import PurePath
from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document as LCDocument
from langchain_core.retrievers import BaseRetriever
from pydantic import BaseModel, ConfigDict, Field, field_validator

from .config import RetrievalMode, Settings
from .embeddings import Embedder, model_words
from .index import ChunkStore
from .lexical import LexicalCache, LexicalIndex, lexical_folder, stem_all
from .metadata_text import METADATA_KINDS
from .overlap import jaccard, word_bag
from .question_types import asks_about_the_source, question_names, source_kinds
from .records import date_int, to_langchain
from .schema import ANSWERABLE_KINDS, Chunk, ScoredChunk
from .text import content_words


class RetrievalFilter(BaseModel):
    """Restrict retrieval; every field is optional and they combine with AND.

    Unknown keys are errors: a typo in a filter must not silently widen the search.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    documents: tuple[str, ...] | None = Field(None, description="doc_ids (source paths) to search.")
    sections: tuple[str, ...] | None = Field(
        None, description="Section paths, or their top level ('Forecast')."
    )
    date_from: str | None = Field(None, description="ISO date, inclusive.")
    date_to: str | None = Field(None, description="ISO date, inclusive.")
    kinds: tuple[str, ...] = Field(ANSWERABLE_KINDS, description="Passage kinds to include.")

    @field_validator("date_from", "date_to")
    @classmethod
    def _iso_date(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                return date.fromisoformat(value[:10]).isoformat()
            except ValueError:
                raise ValueError("use an ISO date such as 2024-07-11") from None
        return value

    def to_where(self) -> dict[str, Any] | None:
        clauses: list[dict[str, Any]] = []
        if self.kinds:
            clauses.append({"kind": {"$in": list(self.kinds)}})
        if self.documents:
            clauses.append({"doc_id": {"$in": list(self.documents)}})
        if self.sections:
            clauses.append(
                {"$or": [{"section": {"$in": list(self.sections)}},
                         {"section_top": {"$in": list(self.sections)}}]}
            )
        if self.date_from:
            clauses.append({"date_int": {"$gte": date_int(self.date_from)}})
        if self.date_to:
            clauses.append({"date_int": {"$lte": date_int(self.date_to)}})
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}

    def accepts(self, chunk: Chunk) -> bool:
        if self.kinds and chunk.kind not in self.kinds:
            return False
        if self.documents and chunk.doc_id not in self.documents:
            return False
        if self.sections and not (
            chunk.section_path in self.sections or (chunk.section and chunk.section[0] in self.sections)
        ):
            return False
        when = date_int(chunk.date)
        if self.date_from and when < date_int(self.date_from):
            return False
        return not (self.date_to and when > date_int(self.date_to))


_IMAGE_WORDS = re.compile(r"\b(image|images|photo|photos|photograph|picture|pictures|map|caption|credit|credited)\b", re.I)


#: A document number as a question may name it ("IF12610", "R48903", "RL33110"): letters then digits.
_DOCUMENT_NUMBER = re.compile(r"\b[A-Za-z]{1,4}\d{3,}\b")


def named_documents(question: str, doc_ids: Sequence[str]) -> tuple[str, ...]:
    """The documents whose file name starts with a number the question names ("What is the title
    of IF12610?" names ``IF12610v6-defense-primer.md`` and ``IF12610.6.pdf``): a user refers to
    a product by its number, so the question is about that document alone. A number that starts
    no file name names nothing."""
    numbers = {m.group(0).casefold() for m in _DOCUMENT_NUMBER.finditer(question)}
    if not numbers:
        return ()
    named = []
    for doc_id in doc_ids:
        stem = PurePath(doc_id).name.casefold()
        if any(stem.startswith(n) and not stem[len(n):len(n) + 1].isdigit() for n in numbers):
            named.append(doc_id)
    return tuple(named)


def scoped_filter(question: str, filters: RetrievalFilter, doc_ids: Sequence[str]) -> RetrievalFilter:
    """``filters`` limited to the documents ``question`` names by number, when no documents were
    chosen; a question about such documents themselves ("Who wrote IF12610?", or "When was it
    published?" with a document chosen) searches only their metadata lines (title, byline, date
    line, publisher), which a handful of passages about the subject would otherwise crowd out."""
    if not filters.documents and (named := named_documents(question, doc_ids)):
        filters = filters.model_copy(update={"documents": named})
    if filters.documents and asks_about_the_source(question):
        meta = tuple(k for k in filters.kinds if k in METADATA_KINDS)
        if meta:
            filters = filters.model_copy(update={"kinds": meta})
    return filters


_PERSONAL_NAME = re.compile(r"\b[A-Z][a-z]+(?:\s+[A-Z]\.)*\s+[A-Z][a-z]+(?:-[A-Z][a-z]+)?\b")


def written_by(question: str, results: Sequence[ScoredChunk]) -> tuple[str, ...]:
    """The documents whose retrieved byline holds a name of two or more words that the question
    says ("the In Focus by Kelley M. Sayler"): a question about a document known by its author."""
    found = question_names(question) + _PERSONAL_NAME.findall(question)  # "Kelley M. Sayler" with its initial
    names = [set(content_words(n)) for n in found if len(content_words(n)) >= 2]
    if not names:
        return ()
    return tuple(dict.fromkeys(r.chunk.doc_id for r in results if r.chunk.kind == "byline"
                               and any(n <= set(content_words(r.chunk.text)) for n in names)))


def titled(question: str, results: Sequence[ScoredChunk]) -> tuple[str, ...]:
    """The document one of whose own lines (title, date, number) is the best result, or whose
    retrieved title line shares two or more words with the question ("Who published the biometric technologies brief?" and
    "Biometric Technologies and Global Security"; the most shared wins), in each format the
    results hold it in: a question about a document known by its title."""
    asked = set(stem_all(content_words(question)))
    best, overlap = None, 1
    if results and results[0].chunk.kind in ("title", "dateline", "identifier"):  # its own line matches best
        # (a byline or publisher line matches "who wrote / published" in any document, so it tells none apart)
        best, overlap = results[0].chunk.title, len(asked & set(stem_all(content_words(results[0].chunk.title))))
    for r in results:
        if r.chunk.kind == "title":
            shared = len(asked & set(stem_all(content_words(r.chunk.text))))
            if shared > overlap:
                best, overlap = r.chunk.title, shared
    if best is None:
        return ()
    return tuple(dict.fromkeys(r.chunk.doc_id for r in results if r.chunk.title == best))


def default_filter(question: str) -> RetrievalFilter:
    """Captions stay out of answers unless the question is about an image or map; footnotes stay
    out of a question about the document itself (a note citing "<Report>, <Title>, by <Author>"
    names another work's title and author, not this one's); header fields ("Version: 6",
    "Product Type: <series>") are shown only for a question about one (they match any question
    naming the series, and name no single document)."""
    about_source = asks_about_the_source(question)
    # a date, number or field line says when the document changed or what it is, not what it
    # reports: a question about its text never quotes one, so none takes a passage's place
    drop = {"footnote"} if about_source else {"dateline", "identifier"}
    if not (about_source and "field" in source_kinds(question)):
        drop.add("field")
    kinds = tuple(k for k in ANSWERABLE_KINDS if k not in drop)
    if _IMAGE_WORDS.search(question):
        return RetrievalFilter(kinds=(*kinds, "caption"))
    return RetrievalFilter(kinds=kinds)


class HybridSearch:
    """Dense + lexical search over the committed chunks of a :class:`ChunkStore`."""

    def __init__(self, store: ChunkStore, embedder: Embedder, settings: Settings) -> None:
        self.store = store
        self.embedder = embedder
        self.settings = settings
        self._lexical = LexicalCache(lexical_folder(settings), settings.spelling_cutoff,
                                     model_words(settings.embedding_model))

    def lexical_index(self, snapshot: tuple[str, dict[str, str]] | None = None) -> LexicalIndex:
        """The BM25 index of the store's current version (see :mod:`assistant.lexical`), or of
        ``snapshot`` (the version and committed documents a caller has already read).

        Loaded (memory-mapped) when saved, otherwise built from saved tokens and saved. After
        another process commits, the rebuild runs in the background and the previous index
        keeps answering, with the documents that changed masked out.
        """
        version, committed = snapshot or self._snapshot()
        return self._lexical.get(version, committed, self.store.document_chunks, background=True)

    def _snapshot(self) -> tuple[str, dict[str, str]]:
        """The store's version and its committed documents, read once under the shared lock."""
        with self.store.reading() as version:
            return version, self.store.committed()

    def correct_spelling(self, text: str) -> str:
        """``text`` with words the corpus never uses replaced by a close corpus word."""
        return self.lexical_index().correct_text(text)

    def term_weights(self) -> Callable[[str], float]:
        """How much a stemmed word counts when scoring text: its IDF in the committed corpus."""
        return self.lexical_index().idf

    def has_documents(self) -> bool:
        return bool(self.store.committed())

    def scoped(self, question: str, filters: RetrievalFilter) -> RetrievalFilter:
        """``filters`` narrowed by :func:`scoped_filter`; the manifest is read only when the
        question holds something shaped like a document number."""
        doc_ids = sorted(self.store.committed()) if _DOCUMENT_NUMBER.search(question) else []
        return scoped_filter(question, filters, doc_ids)

    def search(
        self,
        query: str,
        k: int | None = None,
        mode: RetrievalMode | None = None,
        filters: RetrievalFilter | None = None,
        corrected: bool = False,
    ) -> list[ScoredChunk]:
        """Ranked chunks for ``query``; ``corrected`` says its spelling was already corrected."""
        if not corrected:  # misspelled words hurt embeddings and BM25 alike
            query = self.correct_spelling(query)
        k = k or self.settings.top_k
        mode = mode or self.settings.retrieval_mode
        filters = filters or RetrievalFilter()
        pool = max(self.settings.candidate_pool, k * 3)
        dense: list[tuple[Chunk, float]] = []
        lexical: list[tuple[Chunk, float]] = []
        version, committed = self._snapshot()  # once per question: both searches read it
        index = self.lexical_index((version, committed))
        if mode in ("dense", "hybrid"):
            vector = self.embedder.embed_query(query)
            found = None if filters.documents else self._dense_by_id(index, committed, vector, pool, filters)
            if found is None:
                selective = {"doc_id": {"$in": list(filters.documents)}} if filters.documents else None
                found = self.store.nearest(vector, pool, filters.to_where(), accept=filters.accepts, prefilter=selective)
            dense = in_fixed_order(found)
        if mode in ("lexical", "hybrid"):
            lexical = in_fixed_order(self._lexical_search(index, version, committed, query, pool, filters))
        fused = self._fuse(dense, lexical, mode)
        return _drop_near_duplicates(fused, self.settings.dedupe_threshold, k)

    def _dense_by_id(self, index: LexicalIndex, committed: dict[str, str], vector: Sequence[float], pool: int,
                     filters: RetrievalFilter) -> list[tuple[Chunk, float]] | None:
        """The nearest committed passages that pass ``filters``, read from the saved lexical
        index by id (Chroma returns only ids and distances); None when that cannot answer
        exactly (a hit the index lacks: another version's chunk, an index still rebuilding; or
        too few hits pass), and the caller asks Chroma the slower way."""
        hits, total = self.store.nearest_ids(vector, max(pool * 2, pool + 16))
        out: list[tuple[Chunk, float]] = []
        for cid, similarity in hits:
            row = index.row_of(cid)
            if row is None:
                return None
            chunk = index.chunk(row)
            if committed.get(chunk.doc_id) == chunk.doc_sha and filters.accepts(chunk):
                out.append((chunk, similarity))
                if len(out) >= pool:  # the rest were fetched only as slack for the filter
                    break
        if len(out) >= pool or len(hits) >= total:
            return out[:pool]
        return None

    def _lexical_search(self, index: LexicalIndex, version: str, committed: dict[str, str], query: str,
                        pool: int, filters: RetrievalFilter) -> list[tuple[Chunk, float]]:
        """BM25 over numpy filter masks; the hits come from the index's saved records."""
        mask = index.mask(
            documents=filters.documents, sections=filters.sections, kinds=filters.kinds,
            date_from=date_int(filters.date_from) if filters.date_from else None,
            date_to=date_int(filters.date_to) if filters.date_to else None,
            committed=committed if index.version != version else None,
        )
        return index.search(query, pool, mask)

    def _fuse(
        self, dense: list[tuple[Chunk, float]], lexical: list[tuple[Chunk, float]], mode: str
    ) -> list[ScoredChunk]:
        rrf_k = self.settings.rrf_k
        weights = {"dense": self.settings.dense_weight, "lexical": self.settings.lexical_weight}
        by_id: dict[str, ScoredChunk] = {}
        for name, results in (("dense", dense), ("lexical", lexical)):
            for rank, (chunk, raw) in enumerate(results, start=1):
                item = by_id.setdefault(chunk.id, ScoredChunk(chunk, 0.0))
                item.score += weights[name] / (rrf_k + rank) if mode == "hybrid" else 0.0
                setattr(item, f"{name}_score", raw)
                item.extras[f"{name}_rank"] = float(rank)
        items = list(by_id.values())
        if mode == "dense":
            for item in items:
                item.score = item.dense_score or 0.0
        elif mode == "lexical":
            for item in items:
                item.score = item.lexical_score or 0.0
        items.sort(key=lambda it: (-it.score, it.chunk.doc_id, it.chunk.order))
        return items


def in_fixed_order(hits: Sequence[tuple[Chunk, float]]) -> list[tuple[Chunk, float]]:
    """Hits by score, exact ties (the same passage in a product's Markdown and its PDF) by
    document and position: an index returns ties in its insertion order, which a parallel
    ingest does not fix, and the first of two duplicates is the one kept and cited."""
    return sorted(hits, key=lambda hit: (-round(hit[1], 6), hit[0].doc_id, hit[0].order))


def _drop_near_duplicates(items: list[ScoredChunk], threshold: float, k: int | None = None) -> list[ScoredChunk]:
    """Keep the best of passages whose words overlap above ``threshold`` (Jaccard), the first
    ``k`` of them: the candidates below those are never read (the pool is several times k)."""
    kept: list[tuple[ScoredChunk, frozenset[str]]] = []
    for item in items:
        if k is not None and len(kept) >= k:
            break
        bag = word_bag(item.chunk.text)
        if any(jaccard(bag, other) >= threshold for _, other in kept):
            continue
        kept.append((item, bag))
    return [item for item, _ in kept]


class HybridRetriever(BaseRetriever):
    """LangChain retriever over the assistant's index; composes into any LangChain chain.

    ``invoke(query, k=3, mode="lexical", filters=RetrievalFilter(...))`` overrides the
    defaults per call.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    hybrid_search: HybridSearch
    k: int = 5
    mode: RetrievalMode = "hybrid"
    filters: RetrievalFilter | None = None

    def _get_relevant_documents(
        self,
        query: str,
        *,
        run_manager: CallbackManagerForRetrieverRun,
        k: int | None = None,
        mode: RetrievalMode | None = None,
        filters: RetrievalFilter | None = None,
    ) -> list[LCDocument]:
        results = self.hybrid_search.search(query, k or self.k, mode or self.mode, filters or self.filters)
        return [to_langchain(item) for item in results]
