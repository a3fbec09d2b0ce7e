"""What one question carries through the pipeline: a frozen, typed record.

Each stage (guard, resolve, retrieve, compose, validate) takes a :class:`QuestionState` and
returns a new one with its own fields filled in and its time recorded, so a run can be read
top to bottom and every stage can be tested alone. Nothing retrieval-internal (the vector
store, the BM25 index) travels in it: only what a later stage or the caller needs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any

from .config import AnswerBackend, RetrievalMode
from .retrieval import RetrievalFilter
from .schema import Answer, Passage, ScoredChunk, Turn

#: How much a (stemmed) question word counts when scoring a sentence: its inverse document
#: frequency in the corpus. Composers get this callable, not the index it comes from.
TermWeight = Callable[[str], float]


@dataclass(frozen=True)
class QuestionState:
    """One question on its way to an answer; stages fill the fields below the line."""

    question: str
    history: tuple[Turn, ...] = ()
    k: int = 5
    mode: RetrievalMode = "hybrid"
    backend: AnswerBackend = "extractive"
    filters: RetrievalFilter | None = None
    # -- filled in by the stages --------------------------------------------------------------
    refused: bool = False  # guard: the question instructs the assistant instead of asking
    standalone: str = ""  # resolve: follow-up context added, spelling corrected (once)
    results: tuple[ScoredChunk, ...] = ()  # retrieve: ranked chunks with their scores
    passages: tuple[Passage, ...] = ()  # retrieve: the same, numbered as shown and cited
    answer: Answer | None = None  # compose, then validate; set early by guard or retrieve
    timings: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))

    def advance(self, **changes: Any) -> QuestionState:
        """A copy with ``changes`` applied (the state itself never changes)."""
        return replace(self, **changes)

    def timed(self, stage: str, seconds: float) -> QuestionState:
        return replace(self, timings=MappingProxyType({**self.timings, stage: seconds}))

    @property
    def settled(self) -> bool:
        """True once an answer exists: later stages before validation have nothing to do."""
        return self.answer is not None

    def final_answer(self) -> Answer:
        """The answer with every stage's time (the composer's own entries kept)."""
        if self.answer is None:
            raise RuntimeError("the pipeline ended without an answer")
        return self.answer.model_copy(update={"timings": {**self.answer.timings, **self.timings}})
