"""Hybrid retrieval over the real index: exact names, other scripts, typos, filters, LangChain."""

from __future__ import annotations

import shutil

import pytest
from langchain_core.documents import Document as LCDocument
from langchain_tests.integration_tests import RetrieversIntegrationTests

from assistant import Assistant, RetrievalFilter
from assistant.retrieval import HybridRetriever
from assistant.testing import make_assistant

from .conftest import ARTICLE

SECOND = """---
title: Baltic Cable Incidents
author: R. Researcher
date: 2023-11-02
---

# Baltic Cable Incidents

## Findings

Investigators linked the damaged Balticconnector pipeline to a ship's dragged anchor.

## Forecast

- Further cable incidents are likely during winter storms.
"""


@pytest.fixture(scope="module")
def bot(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    folder = tmp_path_factory.mktemp("retrieval-corpus")
    shutil.copyfile(ARTICLE, folder / ARTICLE.name)
    (folder / "baltic.md").write_text(SECOND, encoding="utf-8")
    return make_assistant(tmp_path_factory.mktemp("retrieval"), folder)


def top_texts(bot: Assistant, query: str, **kwargs: object) -> list[str]:
    return [r.chunk.text for r in bot.retrieve(query, **kwargs)]  # type: ignore[arg-type]


@pytest.mark.parametrize("query", ["Which treaty does the pact replace?", "undersea cable repairs", "Pungsan dog"])
def test_dense_hits_read_by_id_equal_chromas_own_read(bot: Assistant, query: str) -> None:
    """The fast path (Chroma ids and distances, passages from the saved index) returns what the
    slow one (Chroma reads metadata and text) does, for the default filter."""
    search = bot.hybrid_search
    vector = bot.embedder.embed_query(query)
    filters = RetrievalFilter()
    fast = search._dense_by_id(search.lexical_index(), bot.store.committed(), vector, 8, filters)
    slow = bot.store.nearest(vector, 8, filters.to_where(), accept=filters.accepts)
    assert fast is not None
    assert [(c.id, c.text, c.kind, c.doc_sha) for c, _ in fast] == [(c.id, c.text, c.kind, c.doc_sha) for c, _ in slow]
    assert [s for _, s in fast] == pytest.approx([s for _, s in slow])


def test_russian_song_title_is_found_lexically(bot: Assistant) -> None:
    assert "Встанем" in top_texts(bot, "Встанем", mode="lexical")[0]
    assert "Встанем" in top_texts(bot, "What does Встанем commemorate?")[0]


def test_exact_names_and_numbers(bot: Assistant) -> None:
    assert "Balticconnector" in top_texts(bot, "Balticconnector", mode="lexical")[0]
    assert "1961’s Treaty of Friendship" in " ".join(top_texts(bot, "1961 treaty", k=2))


@pytest.mark.parametrize(
    "question,expected",
    [
        ("Wich contry did Putin vist?", ("journeyed to North Korea", "presidential visit to North Korea")),
        ("How long did the sumit last?", ("lasting two days",)),
        ("What was at the peting zoo?", ("Pungsan dog petting zoo",)),
    ],
)
def test_typos_in_ordinary_questions(bot: Assistant, question: str, expected: tuple[str, ...]) -> None:
    for mode in ("lexical", "dense", "hybrid"):
        top = top_texts(bot, question, k=3, mode=mode)
        assert any(e in t for t in top for e in expected), (mode, top)


def test_hybrid_is_not_worse_than_either_alone_on_a_paraphrase(bot: Assistant) -> None:
    question = "How long was the signing ceremony supposed to last?"
    hybrid = top_texts(bot, question, k=3)
    assert any("two-hour maximum" in t for t in hybrid)


def test_filters_pass_through_to_chroma_and_bm25(bot: Assistant) -> None:
    forecast = RetrievalFilter(sections=("Forecast",))
    for mode in ("dense", "lexical", "hybrid"):
        results = bot.retrieve("China", k=10, mode=mode, filters=forecast)  # type: ignore[arg-type]
        assert results and all(r.chunk.section[0] == "Forecast" for r in results), mode
    only_baltic = RetrievalFilter(documents=(str(next(d.path for d in bot.documents() if d.title.startswith("Baltic"))),))
    assert all("Baltic" in r.chunk.title for r in bot.retrieve("forecast winter", filters=only_baltic))
    in_2024 = RetrievalFilter(date_from="2024-01-01", date_to="2024-12-31")
    assert all(r.chunk.date == "2024-07-11" for r in bot.retrieve("forecast incidents", k=10, filters=in_2024))
    nothing = RetrievalFilter(date_from="2030-01-01")
    assert bot.retrieve("forecast", filters=nothing) == []


def test_captions_are_excluded_unless_asked_for(bot: Assistant) -> None:
    kinds = {r.chunk.kind for r in bot.retrieve("Wikimedia Presidential Executive Office", k=10)}
    assert "caption" not in kinds
    with_captions = RetrievalFilter(kinds=("caption", "paragraph"))
    assert bot.retrieve("Wikimedia Presidential Executive Office", k=1, filters=with_captions)[0].chunk.kind == "caption"


def test_results_have_no_near_duplicates_and_k_is_respected(bot: Assistant) -> None:
    results = bot.retrieve("China pact North Korea", k=8)
    assert len(results) == 8
    texts = [r.chunk.text for r in results]
    assert len(set(texts)) == len(texts)
    assert [r.score for r in results] == sorted((r.score for r in results), reverse=True)


def test_retriever_composes_into_a_langchain_chain(bot: Assistant) -> None:
    from langchain_core.runnables import RunnableLambda

    chain = bot.retriever(k=2) | RunnableLambda(lambda docs: [d.metadata["section"] for d in docs])
    sections = chain.invoke("short-term forecast for China's public complaints")
    assert len(sections) == 2 and "Forecast > Short-term" in sections
    docs = bot.retriever().invoke("Встанем", k=1, mode="lexical")
    assert isinstance(docs[0], LCDocument) and docs[0].metadata["start"] < docs[0].metadata["end"]


_SHARED: dict[str, Assistant] = {}


class TestStandardRetriever(RetrieversIntegrationTests):
    """LangChain's own retriever test suite against the real index."""

    @pytest.fixture(autouse=True)
    def _assistant(self, bot: Assistant) -> None:
        _SHARED["bot"] = bot

    @property
    def retriever_constructor(self) -> type[HybridRetriever]:
        return HybridRetriever

    @property
    def retriever_constructor_params(self) -> dict[str, object]:
        return {"hybrid_search": _SHARED["bot"].hybrid_search, "k": 2}

    @property
    def retriever_query_example(self) -> str:
        return "What did Putin and Kim sign?"


def test_exact_ties_come_in_the_same_order_whatever_the_ingest_order(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The same passage in two files (a product as Markdown and as PDF) scores exactly the same;
    which comes first must not depend on which file was ingested first, or an answer (and an
    evaluation) changes from one fresh index to the next."""
    from assistant.config import load_settings

    shared = "Investigators linked the damaged pipeline to a cargo ship's dragged anchor in the Baltic Sea.\n"
    orders = []
    for first, second in (("a.md", "b.md"), ("b.md", "a.md")):
        work = tmp_path / first
        corpus = work / "corpus"
        corpus.mkdir(parents=True)
        bot = Assistant(load_settings(corpus_dir=corpus, store_dir=work / "store"))
        for name in (first, second):
            (corpus / name).write_text(f"# Pipeline damage\n\n{shared}", encoding="utf-8")
            bot.ingest()
        hits = bot.retrieve("Which ship damaged the pipeline?", mode="dense")
        orders.append([h.chunk.doc_id.rsplit("/", 1)[-1] for h in hits if shared.strip() in h.chunk.text])
    assert orders[0] == orders[1] == ["a.md"]  # the other copy is a near-duplicate, dropped


def test_ties_are_ordered_by_document_and_position_not_by_arrival() -> None:
    from assistant.retrieval import in_fixed_order

    hits = _tie_hits()  # 0.5 and 0.5000001: the same passage, scored in two files
    assert [c.doc_id for c, _ in in_fixed_order(hits)] == [c.doc_id for c, _ in in_fixed_order(list(reversed(hits)))]
    assert [c.doc_id for c, _ in in_fixed_order(hits)] == ["/c/best.md", "/c/a.md", "/c/b.pdf"]


def _tie_hits() -> list:  # type: ignore[type-arg]
    from assistant.schema import Chunk

    def chunk(doc_id: str) -> Chunk:
        return Chunk(id=doc_id, doc_id=doc_id, doc_sha="0", text="t", start=0, end=1, kind="paragraph", section=(),
                     order=0, title="T")

    return [(chunk("/c/b.pdf"), 0.5000001), (chunk("/c/a.md"), 0.5), (chunk("/c/best.md"), 0.7)]


def test_lines_only_a_question_about_the_document_can_use_are_shown_only_for_one() -> None:
    """A date, number or header-field line never answers a question about the text, so it takes
    no passage's place there; footnotes citing other works stay out of a question about the
    document itself; a field line is shown only to a question that asks for a field."""
    from assistant.retrieval import default_filter

    about_text = default_filter("What does the brief say is at issue for Congress?").kinds
    assert {"dateline", "identifier", "field"}.isdisjoint(about_text) and {"paragraph", "footnote", "title"} <= set(about_text)
    who = default_filter("Who wrote the brief on the strait?").kinds
    assert {"dateline", "identifier", "byline"} <= set(who) and "footnote" not in who and "field" not in who
    assert "field" in default_filter("Which version of the brief is this?").kinds
    assert "caption" in default_filter("Who is credited for the photo in the brief?").kinds
