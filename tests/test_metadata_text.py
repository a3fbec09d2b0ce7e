"""The wording of metadata lines: what is embedded, and what an answer shows around the exact line."""

from __future__ import annotations

from assistant.metadata_text import shown_sentence, statement


def test_a_numeric_date_line_is_spelled_out_only_when_the_parsed_date_agrees() -> None:
    assert shown_sentence("dateline", "Publication Date: 04/17/2026", "2026-04-17") == \
        "Publication Date: 04/17/2026 (April 17, 2026)."
    assert shown_sentence("dateline", "Publication Date: 04/17/2026", "2026-05-17") == "Publication Date: 04/17/2026."
    assert shown_sentence("dateline", "Updated April 10, 2026", "2026-04-10") == "Updated April 10, 2026."


def test_lines_are_phrased_around_their_exact_text() -> None:
    assert shown_sentence("byline", "Jane Roe | 5 March 2024") == "The article is by Jane Roe, dated 5 March 2024."
    assert shown_sentence("byline", "Authors: Roe, Jane; Doe, John") == "By Roe, Jane; Doe, John."
    assert shown_sentence("identifier", "Report No.: IF12610") == "Report No.: IF12610."
    assert shown_sentence("title", "Port Report") == "The article is titled \u201cPort Report\u201d."
    assert shown_sentence("paragraph", "As is.") == "As is."


def test_the_embedded_statement_says_what_the_line_is() -> None:
    said = statement("identifier", "Report No.: IF12610", None, None, None, "Port Report")
    assert "report number" in said and "Port Report" in said and "IF12610" in said
    assert "who wrote it" in statement("byline", "Jane Roe | 5 March 2024", "Jane Roe", None, None, "T")
