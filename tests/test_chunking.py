"""Chunking: exact spans, stable ids, structure kept, long paragraphs cut at sentence ends.

No embedding model is needed here. Expected values come from the corpus file or from the text
each test writes, never from the chunker's own output.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assistant.chunking import chunk_document
from assistant.documents import load_document
from assistant.schema import Chunk, Document
from assistant.text import sentence_spans

from .article_facts import FORECAST_BULLETS

ARTICLE = Path(__file__).resolve().parents[1] / "corpus" / "bisi-2024-07-11-pyongyang-parlays.txt"

TITLE = "Pyongyang Parlays: Vladimir Putin and Kim Jong Un Meet"
BYLINE = "Lily Donahue | 11 July 2024"
PUBLISHER = "Bloomsbury Intelligence & Security Institute (BISI)"
CAPTIONS = ["See this map in the original post", "Presidential Executive Office of Russia / Wikimedia"]


def assert_chunks_exact(document: Document, chunks: list[Chunk]) -> None:
    assert chunks, "no chunks"
    for i, chunk in enumerate(chunks):
        assert document.text[chunk.start : chunk.end] == chunk.text, chunk
        assert chunk.text and chunk.text == chunk.text.strip(), repr(chunk.text)
        assert chunk.order == i
        assert (chunk.doc_id, chunk.doc_sha) == (document.doc_id, document.version)
    starts = [c.start for c in chunks]
    assert starts == sorted(starts)
    assert all(a.end <= b.start for a, b in zip(chunks, chunks[1:])), "chunks overlap"


@pytest.fixture()
def article() -> Document:
    return load_document(ARTICLE)


@pytest.fixture()
def chunks(article: Document) -> list[Chunk]:
    return chunk_document(article)


# -- the BISI article ------------------------------------------------------------------------


def test_every_chunk_is_an_exact_span(article: Document, chunks: list[Chunk]) -> None:
    assert_chunks_exact(article, chunks)
    for chunk in chunks:
        assert (chunk.title, chunk.author, chunk.date, chunk.publisher) == (
            TITLE, "Lily Donahue", "2024-07-11", PUBLISHER
        )
        assert len(chunk.text) <= 700  # the default max_chars; no sentence here is longer


def test_chunks_tile_every_paragraph_and_bullet(article_text: str, chunks: list[Chunk]) -> None:
    """Nothing answerable is lost: each body paragraph and bullet of the file is covered by
    consecutive chunks separated only by whitespace."""
    expected = [
        line.strip().lstrip("•").strip()
        for line in article_text.splitlines()
        if len(line.strip()) > 60  # every paragraph and sentence bullet; no label or caption
    ]
    assert len(expected) == 4 + 8 + 4
    for text in expected:
        start = article_text.index(text)
        end = start + len(text)
        inside = [c for c in chunks if start <= c.start and c.end <= end]
        assert inside, text[:40]
        assert inside[0].start == start and inside[-1].end == end, text[:40]
        for a, b in zip(inside, inside[1:]):
            assert article_text[a.end : b.start].strip() == "", text[:40]
    # The 746-character paragraph is the one cut in two (default max_chars=700).
    long_paragraph = next(t for t in expected if t.startswith("The current pact replaces"))
    pieces = [c for c in chunks if c.text in long_paragraph]
    assert len(pieces) == 2
    assert pieces[1].text.startswith("Whether this would be confined")


def test_ids_are_unique_and_stable(article: Document, chunks: list[Chunk]) -> None:
    ids = [c.id for c in chunks]
    assert len(set(ids)) == len(ids)
    again = chunk_document(load_document(ARTICLE))
    assert [c.id for c in again] == ids
    assert [(c.start, c.end, c.text) for c in again] == [(c.start, c.end, c.text) for c in chunks]


def test_editing_one_word_changes_the_ids(tmp_path: Path, article_text: str, chunks: list[Chunk]) -> None:
    assert article_text.count("bombastic") == 1
    edited = tmp_path / ARTICLE.name
    edited.write_text(article_text.replace("bombastic", "theatrical"), encoding="utf-8")
    new_chunks = chunk_document(load_document(edited))
    assert len(new_chunks) == len(chunks)
    # A new version never reuses an id that a reader of the old version may still hold.
    assert {c.id for c in new_chunks}.isdisjoint({c.id for c in chunks})


def test_an_unchanged_copy_elsewhere_keeps_the_same_text_spans(tmp_path: Path, chunks: list[Chunk]) -> None:
    copy = tmp_path / "copy.txt"
    shutil.copyfile(ARTICLE, copy)
    copied = chunk_document(load_document(copy))
    assert [(c.start, c.end, c.kind) for c in copied] == [(c.start, c.end, c.kind) for c in chunks]
    assert all(c.doc_id == str(copy.resolve()) for c in copied)


def test_identical_files_at_two_paths_do_not_share_chunk_ids(tmp_path: Path) -> None:
    first, second = tmp_path / "a.txt", tmp_path / "archive" / "a.txt"
    second.parent.mkdir()
    shutil.copyfile(ARTICLE, first)
    shutil.copyfile(ARTICLE, second)
    ids_first = {c.id for c in chunk_document(load_document(first))}
    ids_second = {c.id for c in chunk_document(load_document(second))}
    assert ids_first.isdisjoint(ids_second)


def test_no_heading_boilerplate_or_label_chunks(chunks: list[Chunk]) -> None:
    assert not {c.kind for c in chunks} & {"heading", "boilerplate"}
    texts = [c.text for c in chunks]
    for not_a_chunk in ("Summary", "Forecast", "View Original", "Short-term"):
        assert not_a_chunk not in texts
    assert all(len(c.text) > 20 for c in chunks), [c.text for c in chunks if len(c.text) <= 20]


def test_metadata_and_caption_chunks(chunks: list[Chunk]) -> None:
    kinds = ("publisher", "title", "byline", "caption")
    by_kind = {kind: [c.text for c in chunks if c.kind == kind] for kind in kinds}
    assert by_kind == {
        "publisher": [PUBLISHER],
        "title": [TITLE],
        "byline": [BYLINE],
        "caption": CAPTIONS,
    }


def test_forecast_bullets_carry_their_section(chunks: list[Chunk]) -> None:
    forecast = [c for c in chunks if c.section and c.section[0] == "Forecast"]
    assert [c.text for c in forecast] == FORECAST_BULLETS
    assert all(c.section == ("Forecast", "Short-term") for c in forecast)
    assert all(c.kind == "bullet" and c.level == 2 for c in forecast)
    assert all(c.section_path == "Forecast > Short-term" for c in forecast)
    summary = [c for c in chunks if c.section == ("Summary",)]
    assert len(summary) == 4 and all(c.kind == "bullet" and c.level == 1 for c in summary)


def test_embed_text_has_the_header_but_text_does_not(chunks: list[Chunk]) -> None:
    for chunk in chunks:
        assert TITLE in chunk.embed_text, chunk.kind
        if chunk.kind == "title":
            assert chunk.text == TITLE
            continue
        assert TITLE not in chunk.text
        assert chunk.embed_text != chunk.text
        if chunk.kind not in ("publisher", "byline"):
            assert chunk.embed_text.endswith("\n" + chunk.text)
            header = chunk.embed_text[: -len(chunk.text) - 1]
            assert header.startswith(TITLE)
            if chunk.section:
                assert header.endswith(" > ".join(chunk.section))
    byline = next(c for c in chunks if c.kind == "byline")
    assert "Lily Donahue" in byline.embed_text and "11 July 2024" in byline.embed_text
    forecast = next(c for c in chunks if c.section == ("Forecast", "Short-term"))
    assert "Forecast > Short-term" in forecast.embed_text
    assert "Forecast" not in forecast.text


# -- long paragraphs --------------------------------------------------------------------------


def _sentences(n: int) -> list[str]:
    templates = [
        "Convoy {n} reached the northern harbour at dawn and unloaded {k} crates of grain for the city.",
        "Officials said the U.S. Navy had watched convoy {n} from a distance of {k} kilometres.",
        "Dr. Park counted {k} trucks leaving the docks, a figure confirmed later by port staff.",
        "Was convoy {n} delayed by the storm, or by the inspection of its {k} containers?",
        "Residents called convoy {n} “the largest in years” on local radio, which nobody verified.",
        "Analysts expect a further {k} shipments before winter, although forecasts vary widely!",
    ]
    return [templates[i % len(templates)].format(n=i + 1, k=(i + 3) * 7) for i in range(n)]


def _write_markdown(tmp_path: Path, paragraph: str) -> tuple[Path, str, int]:
    head = "# Harbour Log\n\n## Analysis\n\n"
    text = head + paragraph + "\n"
    path = tmp_path / "log.md"
    path.write_text(text, encoding="utf-8")
    return path, text, len(head)


def _sentence_offsets(sentences: list[str], base: int) -> list[tuple[int, int]]:
    offsets, pos = [], base
    for sentence in sentences:
        offsets.append((pos, pos + len(sentence)))
        pos += len(sentence) + 1  # joined by one space
    return offsets


def _assert_packed_by_sentence(chunks: list[Chunk], offsets: list[tuple[int, int]], max_chars: int) -> None:
    """Chunks are runs of whole consecutive sentences covering all of them in order, and each
    run is as long as max_chars allows (no needlessly small pieces)."""
    starts = {s: i for i, (s, _) in enumerate(offsets)}
    ends = {e: i for i, (_, e) in enumerate(offsets)}
    expected_first = 0
    runs = []
    for chunk in chunks:
        assert chunk.start in starts, f"chunk starts mid-sentence: {chunk.text[:50]!r}"
        assert chunk.end in ends, f"chunk ends mid-sentence: {chunk.text[-50:]!r}"
        first, last = starts[chunk.start], ends[chunk.end]
        assert first == expected_first, "sentences skipped, repeated or out of order"
        assert last >= first
        runs.append((first, last))
        expected_first = last + 1
    assert expected_first == len(offsets), "not every sentence is in a chunk"
    for chunk, (first, last) in zip(chunks, runs):
        if first != last:
            assert len(chunk.text) <= max_chars, len(chunk.text)
    for (first, last), (next_first, _) in zip(runs, runs[1:]):
        assert offsets[next_first][1] - offsets[first][0] > max_chars, "the next sentence would have fit"


def test_long_paragraph_is_split_at_sentence_ends(tmp_path: Path) -> None:
    sentences = _sentences(30)
    paragraph = " ".join(sentences)
    assert 2500 < len(paragraph) < 3500 and max(map(len, sentences)) < 500
    path, text, _ = _write_markdown(tmp_path, paragraph)
    document = load_document(path)
    base = document.text.index(sentences[0])  # Markdown's canonical text is the displayed text
    chunks = chunk_document(document, max_chars=500)
    body = [c for c in chunks if c.kind == "paragraph"]
    assert len(body) >= len(paragraph) // 500
    assert all(len(c.text) <= 500 for c in body)
    assert all(c.section == ("Analysis",) for c in body)
    assert all(c.text.endswith((".", "?", "!", "”")) for c in body)
    assert_chunks_exact(document, chunks)
    _assert_packed_by_sentence(body, _sentence_offsets(sentences, base), 500)
    # The pieces, rejoined with the single spaces between them, are the paragraph.
    assert " ".join(c.text for c in body) == paragraph
    assert document.text[body[0].start : body[-1].end] == paragraph


def test_a_sentence_longer_than_max_chars_stays_whole(tmp_path: Path) -> None:
    long_sentence = (
        "The inspectors, " + ", ".join(f"working shift {i} on pier {i + 2}" for i in range(25))
        + ", finished at noon."
    )
    assert len(long_sentence) > 500 and sum(long_sentence.count(p) for p in ".!?") == 1
    sentences = _sentences(6) + [long_sentence] + _sentences(5)
    path, _, _ = _write_markdown(tmp_path, " ".join(sentences))
    document = load_document(path)
    base = document.text.index(sentences[0])
    chunks = chunk_document(document, max_chars=500)
    assert_chunks_exact(document, chunks)
    body = [c for c in chunks if c.kind == "paragraph"]
    assert long_sentence in [c.text for c in body]
    assert all(len(c.text) <= 500 for c in body if c.text != long_sentence)
    _assert_packed_by_sentence(body, _sentence_offsets(sentences, base), 500)


def test_short_blocks_are_not_split(tmp_path: Path) -> None:
    path, _, _ = _write_markdown(tmp_path, "One short sentence. And another one.")
    document = load_document(path)
    body = [c for c in chunk_document(document, max_chars=500) if c.kind == "paragraph"]
    assert [c.text for c in body] == ["One short sentence. And another one."]


# -- sentence splitting -----------------------------------------------------------------------


def _sentences_of(text: str) -> list[str]:
    return [text[s:e] for s, e in sentence_spans(text)]


def test_abbreviations_do_not_end_sentences() -> None:
    text = (
        "Officials in the U.S. will respond soon. Dr. Smith said the talks failed. "
        "Ships of the U.S. Navy arrived on Monday. Mr. Lee agreed, e.g. Japan did too. "
        "Then the meeting ended."
    )
    assert _sentences_of(text) == [
        "Officials in the U.S. will respond soon.",
        "Dr. Smith said the talks failed.",
        "Ships of the U.S. Navy arrived on Monday.",
        "Mr. Lee agreed, e.g. Japan did too.",
        "Then the meeting ended.",
    ]


def test_sentence_boundaries_after_question_marks_exclamations_and_ellipses() -> None:
    text = "Nobody replied. Why now? Because… Nobody knows! 2024 was calm. Встанем было спето."
    assert _sentences_of(text) == [
        "Nobody replied.", "Why now?", "Because…", "Nobody knows!", "2024 was calm.",
        "Встанем было спето.",
    ]


def test_closing_quote_stays_with_its_sentence() -> None:
    text = "Putin called it a “genuine act of […] friendship.” This comment will raise hackles."
    assert _sentences_of(text) == [
        "Putin called it a “genuine act of […] friendship.”",
        "This comment will raise hackles.",
    ]
    assert _sentences_of("It was signed (in 1961.) Then it lapsed.") == [
        "It was signed (in 1961.)", "Then it lapsed."
    ]


def test_sentence_spans_are_absolute_and_trimmed() -> None:
    text = "PREFIX \u00a0First one here. Second one here.\u00a0 SUFFIX"
    start, end = text.index("\u00a0First"), text.index(" SUFFIX")
    spans = sentence_spans(text, start, end)
    assert [text[s:e] for s, e in spans] == ["First one here.", "Second one here."]
