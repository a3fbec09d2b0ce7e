"""The answer pipeline as a LangChain runnable.

(question, history) -> standalone question -> retrieve -> compose -> validate -> Answer.
Each step is a plain function wrapped in ``RunnableLambda`` so the chain can be traced,
batched or composed with other LangChain pieces, and each step records its time.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, Protocol

from langchain_core.runnables import Runnable, RunnableLambda

from .answering import NO_DOCUMENTS, validate_citations
from .conversation import resolve_followup
from .lexical import LexicalIndex
from .retrieval import HybridSearch, default_filter
from .safety import REFUSAL, looks_like_injection
from .schema import Answer, ScoredChunk, Turn


class Composer(Protocol):
    name: str

    def compose(
        self, question: str, standalone: str, results: list[ScoredChunk], lexical: LexicalIndex | None
    ) -> Answer: ...


def _timed(step: str, fn: Callable[[dict[str, Any]], Any]) -> RunnableLambda:
    def run(state: dict[str, Any]) -> Any:
        started = time.perf_counter()
        result = fn(state)
        elapsed = time.perf_counter() - started
        if isinstance(result, Answer):
            timings = {**state.get("timings", {}), **result.timings, step: elapsed}
            return result.model_copy(update={"timings": timings})
        return {**result, "timings": {**state.get("timings", {}), step: elapsed}}

    return RunnableLambda(run, name=step)


def resolve_step(search: HybridSearch, state: dict[str, Any], resolve: bool = True) -> dict[str, Any]:
    """Add the standalone question (follow-up resolution, spelling correction)."""
    history: list[Turn] = state.get("history") or []
    return {**state, "standalone": standalone_question(search, state["question"], history, resolve)}


def retrieve_step(search: HybridSearch, state: dict[str, Any]) -> dict[str, Any]:
    """Add the retrieved passages; instructions aimed at the assistant are not searched at all."""
    if looks_like_injection(state["question"]):
        return {**state, "results": [], "lexical": None, "refused": True}
    filters = state.get("filters") or default_filter(state["standalone"])
    results = search.search(state["standalone"], state.get("k"), state.get("mode"), filters)
    lexical = search.lexical_index() if results else None
    return {**state, "results": results, "lexical": lexical}


def settled_answer(search: HybridSearch, state: dict[str, Any]) -> Answer | None:
    """The answer when no composer is needed: a refused instruction or an empty index."""
    if state.get("refused"):
        return Answer(question=state["question"], standalone_question=state["standalone"],
                      text=REFUSAL, abstained=True, backend="guard")
    if not state["results"] and not search.store.committed():
        return Answer(question=state["question"], standalone_question=state["standalone"],
                      text=NO_DOCUMENTS, abstained=True, backend="extractive")
    return None


def build_answer_chain(
    search: HybridSearch, composer_for: Callable[[str | None], Composer], resolve: bool = True
) -> Runnable[dict[str, Any], Answer]:
    """Input: ``{"question", "history": [Turn], "k", "mode", "filters", "backend"}``."""

    def compose(state: dict[str, Any]) -> Answer:
        settled = settled_answer(search, state)
        if settled is not None:
            return settled
        composer = composer_for(state.get("backend"))
        return composer.compose(state["question"], state["standalone"], state["results"], state["lexical"])

    chain = (
        _timed("resolve", lambda state: resolve_step(search, state, resolve))
        | _timed("retrieve", lambda state: retrieve_step(search, state))
        | _timed("compose", compose)
        | RunnableLambda(validate_citations, name="validate")
    )
    return chain.with_config(run_name="analyst_answer")


def standalone_question(search: HybridSearch, question: str, history: list[Turn], resolve: bool = True) -> str:
    """Follow-up resolution, then spelling correction against the corpus vocabulary."""
    resolved = resolve_followup(question, history) if resolve else question
    return search.lexical_index().correct_text(resolved)
