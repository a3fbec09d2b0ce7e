"""Citation markers alone: parse, strip, and the validation every answer goes through."""

from __future__ import annotations

from assistant.markers import MARKER, parse_markers, quote_is_exact, strip_markers, validate_citations
from assistant.schema import Answer, Citation, Passage

TEXT = "The pact was signed in Moscow. It replaces the 2000 treaty."


def passage(number: int = 1, start: int = 100) -> Passage:
    return Passage(number=number, chunk_id=f"c{number}", doc_id="/corpus/a.txt", title="A", kind="paragraph",
                   text=TEXT, start=start, end=start + len(TEXT), score=0.5)


def answer(text: str, citations: list[Citation], passages: list[Passage]) -> Answer:
    return Answer(question="q", standalone_question="q", text=text, citations=citations, passages=passages)


def test_parse_keeps_order_and_repeats_and_ignores_what_is_not_a_marker() -> None:
    assert parse_markers("A [2]. B [1][2]. C [x] [1234] [ 3] [03]") == [2, 1, 2, 3]
    assert parse_markers("no markers") == []
    assert MARKER.split("a [1] b") == ["a ", "1", " b"]


def test_strip_removes_all_by_default_and_tidies_only_where_it_removed() -> None:
    assert strip_markers("Signed in 2000 [1]. Ratified [2] later.") == ("Signed in 2000. Ratified later.", [1, 2])
    untouched = "  spaced   text  "
    assert strip_markers(untouched) == (untouched, [])


def test_strip_keeps_what_keep_accepts() -> None:
    text, removed = strip_markers("One [1]. Two [7]. Three [2][9].", keep={1, 2}.__contains__)
    assert text == "One [1]. Two. Three [2]." and removed == [7, 9]


def test_a_citation_must_quote_its_passage_exactly() -> None:
    p = passage()
    good = p.cite(100, 130, 0.9)
    assert good.quote == "The pact was signed in Moscow." and quote_is_exact(answer("x [1]", [good], [p]), good)
    shifted = good.model_copy(update={"start": 101, "end": 131})
    other_chunk = good.model_copy(update={"chunk_id": "c2"})
    outside = good.model_copy(update={"start": 90, "end": 120})
    unknown_marker = good.model_copy(update={"marker": 4})
    for bad in (shifted, other_chunk, outside, unknown_marker):
        assert not quote_is_exact(answer("x [1]", [bad], [p]), bad)


def test_validate_removes_inexact_citations_and_dangling_markers_and_says_so() -> None:
    p1, p2 = passage(1, 100), passage(2, 500)
    exact = p1.cite(100, 130, 0.9)
    wrong = p2.cite(531, 559, 0.8).model_copy(update={"quote": "It replaces the 1961 treaty."})
    result = validate_citations(answer("Signed [1]. Replaced [2]. Invented [5].", [exact, wrong], [p1, p2]))
    assert result.citations == [exact]
    assert result.text == "Signed [1]. Replaced [2]. Invented."
    assert any("citation [2] removed" in w for w in result.warnings)
    assert any("marker [5] removed" in w for w in result.warnings)


def test_validate_leaves_a_clean_answer_as_it_is() -> None:
    p = passage()
    clean = answer("The pact was signed in Moscow. [1]", [p.cite(100, 130, 0.9)], [p])
    assert validate_citations(clean) == clean
