"""``Assistant``: the one object every interface (Python, CLI, HTTP, UI, evaluation) uses.

Construction only stores settings; the model and the store open lazily on first use and
then stay open for the life of the process, so a notebook, a CLI call or a web worker pays
the loading cost once.
"""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from .answering import Composer, ExtractiveComposer
from .config import (
    ANSWER_BACKENDS,
    RETRIEVAL_MODES,
    AnswerBackend,
    RetrievalMode,
    Settings,
    load_settings,
    revise_settings,
)
from .documents import SUPPORTED_EXTENSIONS
from .embeddings import Embedder
from .errors import ConfigurationError, DocumentError, QuestionError
from .index import ChunkStore
from .ingest import IngestReport, Progress, ingest_paths
from .limits import check_request
from .pipeline import QuestionPipeline
from .retrieval import HybridRetriever, HybridSearch, RetrievalFilter
from .schema import Answer, Chunk, DocumentInfo, ScoredChunk, Turn
from .sentence_vectors import SentenceVectors, vector_store
from .state import QuestionState



class Assistant:
    """Ask questions of the indexed corpus and get answers with exact citations.

    >>> from assistant import Assistant
    >>> bot = Assistant()
    >>> print(bot.ask("Which treaty does the pact replace?").text)
    """

    def __init__(self, settings: Settings | None = None, **overrides: Any) -> None:
        if settings is None:
            settings = load_settings(**overrides)
        elif overrides:  # validated like any other settings, not just copied over
            settings = revise_settings(settings, **overrides)
        self.settings = settings
        self.embedder = Embedder(
            self.settings.embedding_model, self.settings.embedding_device, self.settings.embedding_batch_size,
            cache_size=self.settings.query_cache_size, backend=self.settings.embedding_backend,
            model_cache_dir=self.settings.model_cache_dir,
        )
        self.store = ChunkStore(self.settings, self.settings.embedding_model)
        self.hybrid_search = HybridSearch(self.store, self.embedder, self.settings)
        # The composer's sentence vectors come from the store (computed at ingest); the model
        # only embeds the question and any sentence the store lacks.
        self.sentence_vectors: SentenceVectors | None = (
            SentenceVectors(self.embedder, vector_store(self.settings, self.store))
            if self.settings.sentence_vectors else None
        )
        self.extractive = ExtractiveComposer.from_settings(self.sentence_vectors or self.embedder, self.settings)
        self._llm: Composer | None = None
        self._write_lock = threading.Lock()
        self.pipeline = QuestionPipeline(self.hybrid_search, self._composer, self.settings.resolve_followups)

    # -- corpus -------------------------------------------------------------------------------
    def ingest(
        self,
        paths: Iterable[str | Path] | None = None,
        prune: bool = True,
        progress: Progress | None = None,
        rebuild: bool = False,
    ) -> IngestReport:
        """Index ``paths`` (default: the corpus folder); unchanged files cost nothing."""
        with self._write_lock:
            if rebuild:
                self.store.reset()
                # the sentence vectors too: orphans of text no document holds any more go with them
                (self.sentence_vectors.store if self.sentence_vectors else vector_store(self.settings, self.store)).clear()
            return ingest_paths(
                list(paths) if paths is not None else [self.settings.corpus_dir],
                self.store, self.embedder, self.settings, prune=prune, progress=progress,
                sentences=self.sentence_vectors,
            )

    def add_file(self, source: str | Path, name: str | None = None, progress: Progress | None = None) -> IngestReport:
        """Copy an uploaded file into the corpus folder and index it; a bad file changes nothing."""
        source = Path(source)
        filename = Path(name or source.name).name
        if Path(filename).suffix.lower() not in SUPPORTED_EXTENSIONS:
            raise DocumentError(filename, f"unsupported format; supported: {', '.join(SUPPORTED_EXTENSIONS)}")
        from .documents import load_document, same_format
        from .documents.layout import LayoutRules

        load_document(source, LayoutRules.from_settings(self.settings))  # validate before anything is copied
        if not same_format(source.suffix, Path(filename).suffix):  # else stored and parsed as another type
            raise DocumentError(filename, f"the name's extension '{Path(filename).suffix}' does not match the "
                                f"file's type '{source.suffix}'; keep the '{source.suffix}' extension")
        target = self.settings.corpus_dir / filename
        if target.exists() and target.resolve() != source.resolve():
            raise DocumentError(filename, "a file with this name is already in the corpus; rename it first")
        self.settings.corpus_dir.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{filename}.part")
        shutil.copyfile(source, tmp)
        tmp.replace(target)
        try:
            report = self.ingest([target], prune=False, progress=progress)
        except Exception:
            target.unlink(missing_ok=True)
            raise
        if report.failed:
            target.unlink(missing_ok=True)
            raise DocumentError(filename, next(iter(report.failed.values())))
        return report

    def remove(self, doc_id: str, delete_file: bool = False) -> DocumentInfo:
        """Take a document out of the index (and, if asked, its file out of the corpus)."""
        with self._write_lock:
            info = self.store.remove_document(doc_id)
        if delete_file:
            Path(info.path).unlink(missing_ok=True)
        return info

    def documents(self) -> list[DocumentInfo]:
        return self.store.documents()

    def document_chunks(self, doc_id: str) -> list[Chunk]:
        """One document's indexed chunks in reading order, each with its exact span (for the
        MCP document resources); NotFoundError for a document that is not indexed."""
        self.store.document(doc_id)
        return sorted(self.store.all_chunks({"doc_id": doc_id}), key=lambda c: (c.start, c.end))

    def status(self) -> dict[str, Any]:
        docs = self.documents()
        return {
            "documents": len(docs),
            "chunks": sum(d.chunks for d in docs),
            "embedding_model": self.settings.embedding_model,
            "store": self.settings.store_location,
            "retrieval_mode": self.settings.retrieval_mode,
            "answer_backend": self.settings.answer_backend,
            "llm": f"{self.settings.llm_provider}:{self.settings.llm_model}" if self.settings.llm_provider != "none" else None,
        }

    # -- questions ----------------------------------------------------------------------------
    def retrieve(
        self, question: str, k: int | None = None, mode: RetrievalMode | None = None,
        filters: RetrievalFilter | None = None,
    ) -> list[ScoredChunk]:
        return self.hybrid_search.search(self._checked(question, (), filters, k, mode), k, mode, filters)

    def retriever(self, **kwargs: Any) -> HybridRetriever:
        """A LangChain retriever over this index, for use in your own chains."""
        params = {"k": self.settings.top_k, "mode": self.settings.retrieval_mode, **kwargs}
        return HybridRetriever(hybrid_search=self.hybrid_search, **params)

    def ask(
        self, question: str, k: int | None = None, mode: RetrievalMode | None = None,
        filters: RetrievalFilter | None = None, backend: AnswerBackend | None = None,
    ) -> Answer:
        return self.chat([], question, k=k, mode=mode, filters=filters, backend=backend)

    def chat(
        self, history: Sequence[Turn | dict[str, Any] | str], question: str, k: int | None = None,
        mode: RetrievalMode | None = None, filters: RetrievalFilter | None = None,
        backend: AnswerBackend | None = None,
    ) -> Answer:
        """Answer ``question`` in the context of earlier turns (follow-ups are resolved)."""
        started = time.perf_counter()
        state = self.pipeline.invoke(self._state(history, question, k, mode, filters, backend))
        return state.timed("total", time.perf_counter() - started).final_answer()

    def stream(
        self, question: str, history: Sequence[Turn | dict[str, Any] | str] = (), k: int | None = None,
        mode: RetrievalMode | None = None, filters: RetrievalFilter | None = None,
        backend: AnswerBackend | None = None,
    ) -> Iterator[str | Answer]:
        """Yield the answer text piece by piece, then the final validated :class:`Answer`."""
        started = time.perf_counter()
        for item in self.pipeline.stream(self._state(history, question, k, mode, filters, backend)):
            if isinstance(item, QuestionState):
                yield item.timed("total", time.perf_counter() - started).final_answer()
            else:
                yield item

    # -- internals ----------------------------------------------------------------------------
    def _checked(self, question: str, turns: Sequence[Turn], filters: RetrievalFilter | None, k: int | None,
                 mode: RetrievalMode | None, backend: AnswerBackend | None = None) -> str:
        """Every check a question passes at every interface (choices, bounds, emptiness, length)."""
        _check_choices(mode, backend)
        check_request(self.settings, question, turns, filters, k)
        return self._check(question)

    def _check(self, question: str) -> str:
        if not isinstance(question, str) or not question.strip():
            raise QuestionError("the question is empty; type a question about the corpus")
        limit = self.settings.max_question_chars
        if len(question) > limit:
            raise QuestionError(
                f"the question is {len(question)} characters; the limit is {limit} "
                "(ASSISTANT_MAX_QUESTION_CHARS). Ask something shorter."
            )
        return question.strip()

    def _state(self, history: Sequence[Turn | dict[str, Any] | str], question: str, k: int | None,
               mode: RetrievalMode | None, filters: RetrievalFilter | None, backend: AnswerBackend | None) -> QuestionState:
        turns = [_turn(t) for t in history if not (isinstance(t, dict) and t.get("role", "user") != "user")]
        return QuestionState(question=self._checked(question, turns, filters, k, mode, backend),
                             history=tuple(turns), k=k or self.settings.top_k,
                             mode=mode or self.settings.retrieval_mode, filters=filters,
                             backend=backend or self.settings.answer_backend)

    def _composer(self, backend: str | None) -> Any:
        backend = backend or self.settings.answer_backend
        if backend == "extractive":
            return self.extractive
        _check_choices(None, backend)
        if self._llm is None:
            from .llm import LLMComposer, build_chat_model

            self._llm = LLMComposer(build_chat_model(self.settings), self.extractive, self.settings)
        return self._llm

    def use_chat_model(self, model: Any) -> None:
        """Plug in any LangChain chat model object directly (instead of by configuration)."""
        from .llm import LLMComposer

        self._llm = LLMComposer(model, self.extractive, self.settings)


def _check_choices(mode: str | None, backend: str | None) -> None:
    """Reject values outside the Literal types (callers from the CLI or Python pass plain strings)."""
    for value, allowed, what in ((mode, RETRIEVAL_MODES, "retrieval mode"), (backend, ANSWER_BACKENDS, "answer backend")):
        if value is not None and value not in allowed:
            raise ConfigurationError(f"unknown {what} '{value}'; use {' or '.join(allowed)}")


def _turn(item: Turn | dict[str, Any] | str) -> Turn:
    if isinstance(item, Turn):
        return item
    if isinstance(item, str):
        return Turn(question=item)
    if "role" in item:  # OpenAI/Gradio message dicts: only user turns carry questions
        return Turn(question=str(item.get("content", "")))
    return Turn.model_validate(item)
