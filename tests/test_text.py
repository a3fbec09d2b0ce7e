"""Text utilities alone: folding, word lists, spans (sentence splitting has more cases in
test_chunking.py, where it serves chunking)."""

from __future__ import annotations

import pytest

from assistant.text import STOPWORDS, content_words, fold, iter_lines, sentence_spans, trim_span, words


def test_fold_ignores_case_accents_and_typographic_quotes_but_keeps_scripts() -> None:
    assert fold("Café ZÜRICH") == "cafe zurich"
    assert fold("“Quoted” — it’s") == '"quoted"   it\'s'
    assert fold("Встанем") == "встанем", "Cyrillic stays searchable"


def test_words_and_content_words() -> None:
    assert words("U.S.-China talks, 2024: Встанем!") == ["us", "china", "talks", "2024", "встанем"]
    assert content_words("Who wrote the article about the 2000 treaty?") == ["wrote", "2000", "treaty"]
    assert content_words("a b 7 x") == ["7"], "single letters go, single digits stay"
    assert not set(content_words(" ".join(sorted(STOPWORDS)))), "stopwords never count"


@pytest.mark.parametrize("text", [
    "One. Two!  Three? Four…",
    "  Dr. Smith met Gen. Lee in the U.S. capital. They talked.  ",
    "\u00a0Leading and trailing non-breaking spaces.\u00a0",
    "No full stop at the end",
])
def test_sentence_spans_cover_the_text_exactly(text: str) -> None:
    spans = sentence_spans(text)
    assert spans and all(s < e for s, e in spans)
    assert all(e1 <= s2 for (_, e1), (s2, _) in zip(spans, spans[1:], strict=False)), "in order, no overlap"
    for s, e in spans:
        piece = text[s:e]
        assert piece == piece.strip(), "trimmed"
    covered = "".join(text[s:e] for s, e in spans)
    assert covered.replace(" ", "") == "".join(text.split()).replace(" ", ""), "nothing but whitespace is lost"


def test_sentence_spans_inside_a_larger_text_are_absolute() -> None:
    text = "HEADER\nFirst sentence. Second one.\nFOOTER"
    start, end = text.index("First"), text.index("\nFOOTER")
    assert [text[s:e] for s, e in sentence_spans(text, start, end)] == ["First sentence.", "Second one."]


def test_trim_span() -> None:
    text = "  \u00a0quote\t \n"
    s, e = trim_span(text, 0, len(text))
    assert text[s:e] == "quote"
    assert trim_span("   ", 0, 3)[0] == trim_span("   ", 0, 3)[1], "an all-space span becomes empty"


def test_iter_lines_gives_spans_without_line_breaks() -> None:
    text = "first\r\nsecond\n\nlast"
    lines = list(iter_lines(text))
    assert [line for _, _, line in lines] == ["first", "second", "", "last"]
    assert all(text[s:e] == line for s, e, line in lines)


def test_a_dotted_initialism_is_one_word_and_a_spelt_out_name_gives_its_initials() -> None:
    from assistant.text import initialisms, words

    assert words("The U.S. and the U.K. agreed") == ["the", "us", "and", "the", "uk", "agreed"]
    assert initialisms("How is the United States expected to react?") == ["us"]
    assert initialisms("what did china say") == []


def test_an_acronym_ending_in_a_letter_ends_its_sentence_but_an_initial_does_not() -> None:
    text = "Of the request, 65% is for RDT&E. The rest is for O&M. John F. Kennedy agreed."
    assert [text[a:b] for a, b in sentence_spans(text)] == [
        "Of the request, 65% is for RDT&E.", "The rest is for O&M.", "John F. Kennedy agreed."]


@pytest.mark.parametrize("question, spelt", [
    ("What's the population of Australia?", "What is the population of Australia?"),
    ("Who’s the head of the service?", "Who is the head of the service?"),
    ("What're the risks, and where's the port?", "What are the risks, and where is the port?"),
    ("Is it Kim's dog?", "Is it Kim's dog?"),  # a possessive stays
    ("The U.S.'s role", "The U.S.'s role"),
])
def test_contractions_opening_a_question_are_spelt_out(question: str, spelt: str) -> None:
    from assistant.text import expand_contractions

    assert expand_contractions(question) == spelt


@pytest.mark.parametrize("question, plain", [
    ("Can you tell me who leads the service?", "Who leads the service?"),
    ("Tell me when the pact was signed.", "When the pact was signed."),
    ("I'd like to know how many ships transited daily.", "How many ships transited daily."),
    ("Do you know who wrote the report?", "Who wrote the report?"),
    ("Tell me about the pact.", "Tell me about the pact."),  # a frame around no question word stays
    ("Who can tell me more?", "Who can tell me more?"),
])
def test_a_polite_frame_around_a_question_is_taken_off(question: str, plain: str) -> None:
    from assistant.text import unframed

    assert unframed(question) == plain


def test_an_initialism_after_a_hyphen_does_not_end_the_sentence() -> None:
    from assistant.text import sentence_spans

    text = "The annual Australia-U.S. Ministerial (AUSMIN) consultations are central. It funds RDT&E. Then more."
    assert [text[a:b] for a, b in sentence_spans(text)] == [
        "The annual Australia-U.S. Ministerial (AUSMIN) consultations are central.", "It funds RDT&E.", "Then more."]
