"""The BM25 index on its own: spelling, scoring order, filter masks, saving and loading."""

from __future__ import annotations

import difflib
import random
from pathlib import Path

import numpy as np
import pytest

from assistant.lexical import DocTokens, LexicalCache, LexicalIndex, is_real_word, stem_all
from assistant.schema import Chunk
from assistant.text import content_words

from .conftest import ARTICLE


def chunk(doc: str, order: int, text: str, kind: str = "paragraph", section: tuple[str, ...] = ("Body",),
          date: str | None = "2024-07-11") -> Chunk:
    return Chunk(id=f"{doc}#{order}", doc_id=doc, doc_sha=f"sha-{doc}", text=text, start=0, end=len(text),
                 kind=kind, section=section, order=order, title=f"Title {doc}", date=date)


@pytest.fixture(scope="module")
def article_chunks() -> list[Chunk]:
    paragraphs = [p for p in ARTICLE.read_text(encoding="utf-8").split("\n\n") if p.strip()]
    return [chunk("article", i, p) for i, p in enumerate(paragraphs)]


@pytest.fixture(scope="module")
def index(article_chunks: list[Chunk]) -> LexicalIndex:
    extra = [
        chunk("other", 0, "Ferry traffic to Vladivostok resumed in August.", section=("Overview",), date="2023-01-05"),
        chunk("other", 1, "A caption about the ferry.", kind="caption", section=("Overview",), date="2023-01-05"),
        chunk("other", 2, "Insurance costs remain the obstacle for the ferry.", section=("Outlook", "Costs"),
              date="2023-01-05"),
    ]
    return LexicalIndex.from_chunks(article_chunks + extra, version="7.test")


def test_spelling_matches_difflib_over_the_whole_vocabulary(index: LexicalIndex, article_chunks: list[Chunk]) -> None:
    """The vectorised pre-filter is exact: same answer as difflib over every vocabulary word."""
    vocab = sorted({w for c in article_chunks for w in content_words(f"{c.text} {c.title} {' '.join(c.section)}")}
                   | set(content_words("Ferry traffic Vladivostok resumed August caption ferry Insurance costs "
                                       "remain obstacle Title other Overview Outlook Costs")))
    rng = random.Random(3)
    words = [w for w in vocab if len(w) >= 5 and w.isalpha()]
    typos = []
    for word in rng.sample(words, 60):
        i = rng.randrange(len(word))
        typos += [word[:i] + word[i + 1:], word[:i] + rng.choice("aeiourst") + word[i:],
                  word[:i] + rng.choice("xyzq") + word[i + 1:]]
    checked = 0
    for typo in typos:
        if typo in vocab or index.doc_freq(stem_all([typo])[0]):
            continue
        expected = difflib.get_close_matches(typo, vocab, n=1, cutoff=0.84)
        assert index.correct([typo]) == [expected[0] if expected else typo], typo
        checked += 1
    assert checked > 100


def test_known_short_and_numeric_words_are_left_alone(index: LexicalIndex) -> None:
    assert index.correct(["summit", "sumit", "abc", "20000"]) == ["summit", "summit", "abc", "20000"]
    assert index.correct_text("Whta did the Sumit decide?") == "Whta did the Summit decide?", "the capital stays"


def test_a_word_made_of_a_real_word_and_an_affix_is_real() -> None:
    words = frozenset({"defined", "fool", "stop", "drive", "pete", "important"})
    assert all(is_real_word(w, words) for w in ("undefined", "fooling", "stopped", "driving", "fools"))
    assert not any(is_real_word(w, words) for w in ("peting", "importent", "undefinde", "wich"))
    assert not is_real_word("undefined", frozenset()), "no dictionary, no claims"
    assert is_real_word("organisation", frozenset({"organization"})), "a British spelling is no misspelling"
    assert is_real_word("defense", frozenset({"defence"})) and is_real_word("centre", frozenset({"center"}))


def test_scores_rank_the_passage_with_the_rare_word_first(index: LexicalIndex) -> None:
    hits = index.search_rows("Vladivostok ferry", 3)
    assert hits[0][0] == "other#0"
    assert all(score > 0 for _, score in hits)
    assert [s for _, s in hits] == sorted((s for _, s in hits), reverse=True)


def test_masks_filter_by_document_kind_section_and_date(index: LexicalIndex) -> None:
    ids = index.chunk_ids
    only_other = index.mask(documents=["other"])
    assert {ids[i] for i in np.nonzero(only_other)[0]} == {"other#0", "other#1", "other#2"}
    no_captions = index.mask(kinds=["paragraph"])
    assert "other#1" not in {ids[i] for i in np.nonzero(no_captions)[0]}
    by_top_section = index.mask(sections=["Outlook"])
    assert {ids[i] for i in np.nonzero(by_top_section)[0]} == {"other#2"}
    by_path = index.mask(sections=["Outlook > Costs"])
    assert {ids[i] for i in np.nonzero(by_path)[0]} == {"other#2"}
    recent = index.mask(date_from=20240101)
    assert not any(ids[i].startswith("other") for i in np.nonzero(recent)[0])
    stale = index.mask(committed={"article": "sha-article", "other": "a-newer-sha"})
    assert not any(ids[i].startswith("other") for i in np.nonzero(stale)[0]), "changed documents are hidden"
    hits = index.search_rows("ferry", 5, index.mask(kinds=["caption"]))
    assert [cid for cid, _ in hits] == ["other#1"]


def test_saved_index_loads_memory_mapped_with_the_same_answers(index: LexicalIndex, tmp_path: Path) -> None:
    index.save(tmp_path / "index-7.test")
    loaded = LexicalIndex.load(tmp_path / "index-7.test")
    assert loaded.version == "7.test" and loaded.size == index.size
    assert isinstance(loaded._a["doc"], np.memmap)
    assert loaded.chunk_ids == index.chunk_ids
    for query in ("Vladivostok ferry", "treaty", "summit Pyongyang"):
        assert np.allclose(loaded.scores(query), index.scores(query))
        assert loaded.search_rows(query, 5) == index.search_rows(query, 5)
    assert loaded.correct(["sumit"]) == ["summit"]
    by_id = {c.id: c for c in index_chunks(index)}
    for found, score in loaded.search("Vladivostok ferry insurance", 3):
        original = by_id[found.id]
        assert (found.text, found.section, found.date, found.kind, found.doc_sha, found.start) == (
            original.text, original.section, original.date, original.kind, original.doc_sha, original.start)
    assert loaded.idf("ferri") == pytest.approx(index.idf("ferri"))
    assert loaded.mask(sections=["Outlook"]).tolist() == index.mask(sections=["Outlook"]).tolist()


def test_a_passage_is_found_by_its_id(index: LexicalIndex, tmp_path: Path) -> None:
    index.save(tmp_path / "index-8.test")
    loaded = LexicalIndex.load(tmp_path / "index-8.test")
    for some in (index, loaded):
        assert [some.row_of(cid) for cid in some.chunk_ids] == list(range(some.size))
        assert some.row_of("no-such-chunk") is None


def index_chunks(index: LexicalIndex) -> list[Chunk]:
    return [index.chunk(row) for row in range(index.size)]


def test_idf_counts_passages_containing_the_stem(index: LexicalIndex) -> None:
    n = index.size
    df = int(np.count_nonzero(index.scores("ferry") > 0))
    assert index.doc_freq("ferri") == df == 3
    assert index.idf("ferri") == pytest.approx(np.log(1 + (n - df + 0.5) / (df + 0.5)))
    assert index.idf("neverseen") > index.idf("ferri")


def test_cache_builds_from_saved_tokens_and_reuses_the_saved_index(tmp_path: Path, article_chunks: list[Chunk]) -> None:
    cache = LexicalCache(tmp_path / "lexical")
    cache.save_tokens(DocTokens.from_chunks("article", "sha-article", article_chunks))
    fetched: list[str] = []

    def fetch(doc_id: str, sha: str) -> list[Chunk]:
        fetched.append(doc_id)
        return [chunk("late", 0, "A late ferry document.")]

    first = cache.get("1.a", {"article": "sha-article", "late": "sha-late"}, fetch)
    assert fetched == ["late"], "only the document without saved tokens is read from the store"
    assert (cache.index_path("1.a") / "meta.json").is_file()
    again = LexicalCache(tmp_path / "lexical").get("1.a", {}, lambda *a: pytest.fail("rebuilt"))
    assert again.chunk_ids == first.chunk_ids
    assert again.search_rows("ferry", 1)[0][0] == "late#0"


def test_british_and_american_spellings_share_a_stem() -> None:
    """A BISI article writes "defence", a CRS product "defense": a question in either spelling
    matches both, in BM25 and in the composer's word coverage (both use stem_all)."""
    from assistant.lexical import stem_all

    for british, american in [("defence", "defense"), ("characterised", "characterized"), ("labour", "labor"),
                              ("centre", "center"), ("programme", "program"), ("neighbours", "neighbors"),
                              ("analyse", "analyze"), ("favourable", "favorable")]:
        assert stem_all([british]) == stem_all([american]), (british, american)
    # inflections of a changed word still share its stem, and short words are left alone
    assert stem_all(["evidence"]) == stem_all(["evidenced"])
    assert stem_all(["four"]) != stem_all(["for"]) and stem_all(["hour"]) == stem_all(["hours"])


def test_a_question_in_one_spelling_finds_a_passage_in_the_other() -> None:
    from assistant.lexical import LexicalIndex
    from assistant.schema import Chunk

    text = "The mutual defense pact commits both parties."
    chunk = Chunk(id="c0", doc_id="d.md", doc_sha="s", text=text, start=0, end=len(text), kind="paragraph",
                  section=(), order=0, title="T", embed_text=text)
    other = Chunk(id="c1", doc_id="d.md", doc_sha="s", text="Trade grew.", start=50, end=61, kind="paragraph",
                  section=(), order=1, title="T", embed_text="Trade grew.")
    index = LexicalIndex.from_chunks([chunk, other])
    assert index.search("What does the defence pact commit them to?", 1)[0][0].id == "c0"
