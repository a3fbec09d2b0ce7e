"""The web chat's pure parts: examples from the index, the picker's filter, the source cards.

The browser test drives the same code in Chromium; these check the rules one by one, fast.
"""

from __future__ import annotations

import re

from assistant.schema import Answer, DocumentInfo, DroppedSentence, Passage
from assistant.webapp import display_title, example_questions, picked_filter, sources_html


def doc(path: str, title: str, date: str | None = None, author: str | None = None) -> DocumentInfo:
    return DocumentInfo(doc_id=path, path=path, title=title, date=date, author=author, format="md",
                        sha256="0" * 64, chunks=3)


def passage(number: int, score: float, **meta: object) -> Passage:
    fields = {"chunk_id": f"c{number}", "doc_id": "/corpus/a.md", "title": "Ports and Straits",
              "kind": "paragraph", "text": f"Passage {number} <b>text</b>.", "start": 0, "end": 20}
    fields.update(meta)
    return Passage(number=number, score=score, **fields)  # type: ignore[arg-type]


def test_examples_come_from_the_indexed_documents_newest_first() -> None:
    docs = [doc("/c/old.md", "Older Report on Ports", "2020-01-01"),
            doc("/c/new.md", "Harbour Review: traffic and delays in August", "2025-05-01"),
            doc("/c/undated.md", "Undated Notes on Things")]
    assert example_questions(docs) == [
        "What does \u201cHarbour Review\u201d say about traffic and delays in August?",
        "What are the main points of \u201cOlder Report on Ports\u201d?",
        "What are the main points of \u201cUndated Notes on Things\u201d?",
    ]
    assert len(example_questions(docs, limit=2)) == 2
    assert example_questions([]) == []


def test_a_title_that_is_not_a_title_falls_back_to_the_file_name() -> None:
    assert display_title(doc("/c/IF1234-space-force_primer.pdf", "https://example.org")) == "IF1234 space force primer"
    assert display_title(doc("/c/x.md", "")) == "x"
    assert display_title(doc("/c/x.md", "A Real   Title")) == "A Real Title"


def test_the_picker_becomes_the_retrieval_filter() -> None:
    assert picked_filter("Which port?", []) is None and picked_filter("Which port?", None) is None
    chosen = picked_filter("Which port?", ["/c/a.md", "/c/b.pdf"])
    assert chosen is not None and chosen.documents == ("/c/a.md", "/c/b.pdf")
    assert "paragraph" in chosen.kinds  # the default kinds stay


def test_cards_show_title_author_date_and_a_rank_never_the_raw_score() -> None:
    answer = Answer(question="q", standalone_question="q", text="Passage 1 text. [1]",
                    passages=[passage(1, 0.0328, author="A. Writer", date="2024-07-11"), passage(2, 0.0161)])
    page = sources_html(answer)
    assert "0.03" not in page and "0.016" not in page and "retrieval score" not in page
    assert "best match" in page and "match 2 of 2" in page
    assert "Ports and Straits" in page and "A. Writer" in page and "2024-07-11" in page
    assert "author not stated" in page and "undated" in page  # the second card says what is missing
    assert "&lt;b&gt;text&lt;/b&gt;" in page and "<b>text</b>" not in page


def test_dropped_sentences_are_shown_only_on_request_and_escaped() -> None:
    answer = Answer(question="q", standalone_question="q", text="", backend="llm", abstained=True,
                    dropped=[DroppedSentence(text="Kim promised <i>Mars</i> landings.", reason="no citation")])
    page = sources_html(answer)
    folded = re.search(r"<details[^>]*>(.*)</details>", page, re.S)
    assert folded and "<details" in page and " open" not in page.split("<details")[1].split(">")[0]
    assert "&lt;i&gt;Mars&lt;/i&gt;" in folded.group(1) and "no citation" in folded.group(1)
    assert "<details" not in sources_html(answer.model_copy(update={"dropped": []}))
