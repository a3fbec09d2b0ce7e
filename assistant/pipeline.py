"""One question's path: guard -> resolve -> retrieve (-> focus) -> compose -> validate.

Each stage is a plain function from one :class:`~assistant.state.QuestionState` to the next;
the :class:`QuestionPipeline` strings them into a LangChain runnable chain (so it can be
traced, batched or composed with other LangChain pieces) and records each stage's time.
``ask``, ``chat`` and ``stream`` all go through it, for every backend: streaming runs the same
stages and passes the composer's text through as it is written.

1. **guard** refuses, on the raw question, anything that instructs the assistant;
2. **resolve** adds the conversation's topic to a follow-up and corrects misspelled words
   against the corpus vocabulary (once: retrieval and answering use the result as it is);
3. **retrieve** fetches and numbers the passages (or settles an empty index); **focus**, its
   second half, keeps a follow-up that points back with the documents the previous answer cited;
4. **compose** has the chosen backend write a cited answer from those passages;
5. **validate** removes any marker or quote that does not match a shown passage exactly.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

from langchain_core.runnables import Runnable, RunnableLambda

from .answering import NO_DOCUMENTS, Composer, stream_text
from .conversation import refers_back, resolve_followup
from .grounding import require_cited_sentences
from .markers import validate_citations
from .records import make_passages
from .metadata_text import METADATA_KINDS
from .question_types import asks_about_an_unnamed_source, asks_about_the_source, question_names, source_kinds
from .retrieval import HybridSearch, default_filter, titled, written_by
from .safety import REFUSAL, looks_like_injection
from .schema import Answer
from .state import QuestionState
from .text import expand_contractions, unframed, words

Stage = Callable[[QuestionState], QuestionState]


def guard(state: QuestionState) -> QuestionState:
    """Refuse instructions aimed at the assistant before anything else sees the question."""
    if not looks_like_injection(state.question):
        return state
    refusal = Answer(question=state.question, standalone_question=state.question, text=REFUSAL,
                     abstained=True, backend="guard")
    return state.advance(refused=True, standalone=state.question, answer=refusal)


def resolve(search: HybridSearch, followups: bool = True) -> Stage:
    """The standalone question: follow-up context from the history, then spelling correction."""

    def run(state: QuestionState) -> QuestionState:
        if state.settled:
            return state
        # "What's" reads as "What is", "Can you tell me who ...?" as "Who ...?", to every rule
        question = unframed(expand_contractions(state.question))
        resolved = resolve_followup(question, state.history) if followups else question
        return state.advance(standalone=search.correct_spelling(resolved))

    return run


def retrieve(search: HybridSearch) -> Stage:
    """Ranked, numbered passages for the standalone question (captions only when asked for)."""

    def run(state: QuestionState) -> QuestionState:
        if state.settled:
            return state
        asked = state.filters or default_filter(state.standalone)
        filters = search.scoped(state.standalone, asked)  # "Who wrote IF12610?": its own metadata lines
        every_work = not filters.documents and asks_about_an_unnamed_source(state.standalone)
        if every_work:
            # "Who wrote this article?" with no document chosen: every document's line of that kind
            kinds = source_kinds(state.standalone) or METADATA_KINDS
            filters = filters.model_copy(update={"kinds": tuple(k for k in filters.kinds if k in kinds)})
        # a document's own lines are few (title, number, dates, bylines in two formats): all of them
        k = max(state.k, search.settings.source_lines) if filters.kinds != asked.kinds else state.k
        k = 2 * k if every_work else k  # two formats of one product each have their lines
        results = tuple(search.search(state.standalone, k, state.mode, filters, corrected=True))
        if not results and filters != asked:  # the named document has no metadata lines
            filters = asked
            results = tuple(search.search(state.standalone, state.k, state.mode, filters, corrected=True))
        if not filters.documents and not every_work and asks_about_the_source(state.standalone) and (
                authored := written_by(state.standalone, results) or titled(state.standalone, results)):
            # "the title of the In Focus by <author>", "Who published the <title>?": that
            # document's own lines come first
            own = search.scoped(state.standalone, filters.model_copy(update={"documents": authored}))
            first = search.search(state.standalone, max(state.k, search.settings.source_lines), state.mode, own,
                                  corrected=True)
            seen = {r.chunk.id for r in first}
            results = tuple([*first, *(r for r in results if r.chunk.id not in seen)][: max(state.k, len(first))])
        if not results and not search.has_documents():
            empty = Answer(question=state.question, standalone_question=state.standalone, text=NO_DOCUMENTS,
                           abstained=True, backend=state.backend)
            return state.advance(answer=empty)
        return state.advance(results=results, passages=tuple(make_passages(results)), filters=filters)

    return run


#: A previous answer citing more documents than this (one product in two formats, or two
#: compared) was about the corpus, not a document: its follow-ups are searched everywhere.
MAX_FOCUS_DOCUMENTS = 2


def focus(search: HybridSearch, composer_for: Callable[[str], Composer]) -> Stage:
    """A follow-up stays with the documents the previous answer cited, when they answer it.

    "What is driving that assessment?" after an answer from one brief means that brief's
    assessment; searched across the whole corpus, another document's sentence may match its
    words better. So a question that needs the previous turn's context, when the user chose no
    documents, is searched again within the documents that turn cited; if the extractive
    composer finds an answer there, those passages are the ones shown, else the corpus-wide
    ones are kept. A follow-up naming something the previous turn did not ("What about Iran?")
    may well be about another document, and is searched everywhere.
    """

    def run(state: QuestionState) -> QuestionState:
        if state.settled or not state.history or not refers_back(state.question):
            return state
        cited = tuple(dict.fromkeys(state.history[-1].documents))
        filters = state.filters
        if not cited or len(cited) > MAX_FOCUS_DOCUMENTS or filters is None or filters.documents or all(
                r.chunk.doc_id in cited for r in state.results):
            return state  # (an answer drawn from every document's lines, "Who wrote this?", fixes no topic)
        said = set(words(f"{state.history[-1].question} {state.history[-1].answer}"))
        if any(not set(words(name)) <= said for name in question_names(state.question)):
            return state  # "What about Iran?": something new, perhaps another document's
        scoped = filters.model_copy(update={"documents": cited})
        results = tuple(search.search(state.standalone, state.k, state.mode, scoped, corrected=True))
        if not results:
            return state
        trial = state.advance(results=results, passages=tuple(make_passages(results)), filters=scoped)
        judge = composer_for("extractive")
        answerable = getattr(judge, "answerable", None)
        if answerable is not None and answerable(trial, search.term_weights())[1]:
            return trial
        return state

    return run


def compose_stream(search: HybridSearch, composer_for: Callable[[str], Composer]) -> Callable[
    [QuestionState], Iterator[str | QuestionState]
]:
    """The compose stage as a stream: text pieces as a backend writes them, then the state."""

    def run(state: QuestionState) -> Iterator[str | QuestionState]:
        if state.settled:
            yield state
            return
        composer = composer_for(state.backend)
        idf = search.term_weights()
        stream = getattr(composer, "stream", None)
        items = stream(state, idf) if stream is not None else iter([composer.compose(state, idf)])
        answer: Answer | None = None
        for item in items:
            if isinstance(item, Answer):
                answer = item
            else:
                yield item
        yield state.advance(answer=answer)

    return run


def validate(state: QuestionState) -> QuestionState:
    """Every marker points at a shown passage and every quote is exact, or it is removed; a
    generated sentence left without a valid citation is not shown (``grounding``)."""
    assert state.answer is not None, "validate runs after an answer exists"
    return state.advance(answer=require_cited_sentences(validate_citations(state.answer)))


def timed(name: str, stage: Stage) -> RunnableLambda:
    """The stage as a named runnable that records its own time in the state."""

    def run(state: QuestionState) -> QuestionState:
        started = time.perf_counter()
        result = stage(state)
        return result.timed(name, time.perf_counter() - started)

    return RunnableLambda(run, name=name)


class QuestionPipeline:
    """Carries a question through the stages; the same stages for invoke and stream."""

    def __init__(self, search: HybridSearch, composer_for: Callable[[str], Composer], followups: bool = True) -> None:
        self._composer_for = composer_for
        self._compose = compose_stream(search, composer_for)
        #: guard -> resolve -> retrieve: everything before a backend writes.
        self.prepare: Runnable[QuestionState, QuestionState] = (
            timed("guard", guard) | timed("resolve", resolve(search, followups)) | timed("retrieve", retrieve(search))
            | timed("focus", focus(search, composer_for))
        )
        self.finish: Runnable[QuestionState, QuestionState] = timed("validate", validate)
        #: The whole path as one LangChain runnable: QuestionState in, answered QuestionState out.
        self.chain: Runnable[QuestionState, QuestionState] = (
            self.prepare | timed("compose", self._composed) | self.finish
        ).with_config(run_name="analyst_answer")

    def _composed(self, state: QuestionState) -> QuestionState:
        *_, last = self._compose(state)
        assert isinstance(last, QuestionState)
        return last

    def invoke(self, state: QuestionState) -> QuestionState:
        return self.chain.invoke(state)

    def stream(self, state: QuestionState) -> Iterator[str | QuestionState]:
        """Text pieces as they are written, then the validated state.

        A backend that writes as it goes (an LLM) has its pieces passed through at once, and
        nothing else; one that does not (the extractive composer) has its validated text cut
        into pieces.
        """
        writes_itself = hasattr(self._composer_for(state.backend), "stream")
        state = self.prepare.invoke(state)
        composed: QuestionState | None = None
        spent = 0.0
        pieces = self._compose(state)
        while True:
            started = time.perf_counter()  # the stage's own time, not the reader's
            item = next(pieces, None)
            spent += time.perf_counter() - started
            if item is None:
                break
            if isinstance(item, QuestionState):
                composed = item
            else:
                yield item
        assert composed is not None
        final = self.finish.invoke(composed.timed("compose", spent))
        if not writes_itself and final.answer is not None:
            yield from stream_text(final.answer.text)
        yield final
