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

from .answering import validate_citations
from .conversation import resolve_followup
from .lexical import LexicalIndex
from .retrieval import HybridSearch, RetrievalFilter
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


def build_answer_chain(
    search: HybridSearch, composer_for: Callable[[str | None], Composer], resolve: bool = True
) -> Runnable[dict[str, Any], Answer]:
    """Input: ``{"question", "history": [Turn], "k", "mode", "filters", "backend"}``."""

    def standalone(state: dict[str, Any]) -> dict[str, Any]:
        history: list[Turn] = state.get("history") or []
        question = state["question"]
        return {**state, "standalone": resolve_followup(question, history) if resolve else question}

    def retrieve(state: dict[str, Any]) -> dict[str, Any]:
        filters: RetrievalFilter | None = state.get("filters")
        results = search.search(state["standalone"], state.get("k"), state.get("mode"), filters)
        lexical = search.lexical_index() if results else None
        return {**state, "results": results, "lexical": lexical}

    def compose(state: dict[str, Any]) -> Answer:
        composer = composer_for(state.get("backend"))
        return composer.compose(state["question"], state["standalone"], state["results"], state["lexical"])

    def validate(answer: Answer) -> Answer:
        return validate_citations(answer)

    chain = (
        _timed("resolve", standalone)
        | _timed("retrieve", retrieve)
        | _timed("compose", compose)
        | RunnableLambda(validate, name="validate")
    )
    return chain.with_config(run_name="analyst_answer")
