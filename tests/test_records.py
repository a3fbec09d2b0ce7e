"""Chunk records alone: Chroma metadata both ways, passages, citations, LangChain documents.

Also the lineage contract: Passage and Citation share one set of source fields, ``path``
comes from ``doc_id``, and the JSON that the HTTP API, the UI and the evaluation read keeps
every field it had.
"""

from __future__ import annotations

import json

import pytest

from assistant.records import chunk_from_record, chunk_to_metadata, date_int, lineage_fields, make_passages, to_langchain
from assistant.retrieval import RetrievalFilter
from assistant.schema import Answer, Chunk, Citation, Lineage, Passage, ScoredChunk

DOC = "Title line\nAuthor | 1 May 2024\nThe pact was signed in Moscow. It replaces the 2000 treaty."


def chunk(**changes: object) -> Chunk:
    start = DOC.index("The pact")
    base = dict(id="c1", doc_id="/corpus/a.txt", doc_sha="sha", text=DOC[start:], start=start, end=len(DOC),
                kind="paragraph", section=("Forecast", "Short-term"), order=3, level=1, page=2, title="Title line",
                author="Author", date="2024-05-01", publisher="Institute")
    return Chunk(**{**base, **changes})  # type: ignore[arg-type]


def test_date_int_is_the_one_encoding_of_filters_and_metadata() -> None:
    assert date_int("2024-05-01") == 20240501
    assert date_int("2024-05-01T10:00:00") == 20240501
    assert date_int(None) == 0 and date_int("") == 0
    c = chunk()
    assert chunk_to_metadata(c, "h")["date_int"] == date_int(c.date)
    where = RetrievalFilter(date_from="2024-05-01").to_where()
    assert where is not None and {"date_int": {"$gte": chunk_to_metadata(c, "h")["date_int"]}} in where["$and"]


@pytest.mark.parametrize("changes", [{}, {"author": None, "date": None, "publisher": None, "page": None, "section": ()}])
def test_chroma_metadata_round_trip(changes: dict[str, object]) -> None:
    original = chunk(**changes)
    meta = chunk_to_metadata(original, "hash")
    assert all(value is not None for value in meta.values()), "Chroma cannot store None"
    assert meta["content_hash"] == "hash" and meta["section_top"] == (original.section[0] if original.section else "")
    restored = chunk_from_record(original.id, original.text, meta)
    assert restored == original


def test_passages_are_numbered_and_carry_the_chunk_lineage() -> None:
    results = [ScoredChunk(chunk(), 0.0312345678), ScoredChunk(chunk(id="c2", section=()), 0.02)]
    passages = make_passages(results)
    assert [p.number for p in passages] == [1, 2]
    first = passages[0]
    assert first.lineage() == lineage_fields(results[0].chunk)
    assert (first.section, first.page, first.score) == ("Forecast > Short-term", 2, 0.031235)
    assert first.path == first.doc_id == "/corpus/a.txt"
    assert DOC[first.start:first.end] == first.text


def test_a_citation_inherits_its_passage_lineage_and_quotes_exactly() -> None:
    passage = make_passages([ScoredChunk(chunk(), 0.5)])[0]
    start = passage.start + passage.text.index("It replaces")
    citation = passage.cite(start, passage.end, 0.71234567)
    assert DOC[citation.start:citation.end] == citation.quote == "It replaces the 2000 treaty."
    assert citation.marker == passage.number and citation.score == 0.712346
    shared = set(Lineage.model_fields) - {"start", "end"}
    assert {k: getattr(citation, k) for k in shared} == {k: getattr(passage, k) for k in shared}


def test_path_is_derived_not_stored() -> None:
    passage = Passage(number=1, chunk_id="c", doc_id="/corpus/b.md", path="/elsewhere", title="T", kind="paragraph",
                      text="x", start=0, end=1, score=0.0)
    assert passage.path == "/corpus/b.md"


def test_json_keeps_every_field_clients_read() -> None:
    passage = make_passages([ScoredChunk(chunk(), 0.5)])[0]
    citation = passage.cite(passage.start, passage.start + 5, 0.5)
    answer = Answer(question="q", standalone_question="q", text="t [1]", citations=[citation], passages=[passage])
    data = json.loads(answer.model_dump_json())
    assert set(data) >= {"question", "standalone_question", "text", "citations", "passages", "abstained",
                         "backend", "warnings", "timings"}
    assert set(data["passages"][0]) >= {"number", "chunk_id", "doc_id", "path", "title", "author", "date",
                                        "publisher", "section", "kind", "text", "start", "end", "page", "score"}
    assert set(data["citations"][0]) >= {"marker", "chunk_id", "doc_id", "path", "title", "author", "date",
                                         "section", "quote", "start", "end", "score"}
    assert Answer.model_validate(data) == answer, "what the UI stores and reads back is the same answer"
    assert Citation.model_validate(data["citations"][0]) == citation


def test_langchain_document_metadata() -> None:
    item = ScoredChunk(chunk(), 0.5, dense_score=0.8, lexical_score=None)
    doc = to_langchain(item)
    assert doc.page_content == item.chunk.text and doc.id == "c1"
    assert doc.metadata == {**lineage_fields(item.chunk), "kind": "paragraph", "score": 0.5,
                            "dense_score": 0.8, "lexical_score": None}
