"""Sentence vectors stored at ingest: the composer finds every sentence it scores, with the
vector the model gives it, and answers exactly as when it embeds them itself (real model, real
Chroma, real SQLite)."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from assistant import Assistant, StoreError, load_settings
from assistant.answering import candidates, scoring_text
from assistant.ingest import IngestReport
from assistant.schema import Answer
from assistant.sentence_vectors import FORMAT, SentenceVectors, SqliteVectors, scoring_texts

from .conftest import ARTICLE
from .test_server_mode import chroma_server  # noqa: F401  (the `chroma run` fixture)

REPO = Path(__file__).resolve().parent.parent
PRIMER = REPO / "tests" / "eval" / "corpora" / "crs" / "IF12610v6-defense-primer-u-s-space-force.md"

QUESTIONS = [
    "Which treaty does the new pact replace?",
    "Who wrote the article about Putin and Kim Jong Un?",
    "Who published the Pyongyang Parlays article?",
    "When was the Space Force established?",
    "Who are the authors of the Space Force primer?",
    "How many Guardians serve in the Space Force?",
    "Who took the photograph of Putin and Kim?",
    "What is the capital of Australia?",
]


def make_bot(tmp_path: Path, name: str = "store", **overrides: object) -> Assistant:
    return Assistant(load_settings(corpus_dir=tmp_path / "corpus", store_dir=tmp_path / name, **overrides))


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    for path in (ARTICLE, PRIMER):
        shutil.copyfile(path, folder / path.name)
    return folder


def vectors(bot: Assistant) -> SentenceVectors:
    assert bot.sentence_vectors is not None
    return bot.sentence_vectors


def shown(answer: Answer) -> tuple[object, ...]:
    """Everything a reader sees of an answer (timings aside)."""
    return (answer.text, answer.abstained, [(c.chunk_id, c.start, c.end, c.marker, c.score) for c in answer.citations],
            [p.chunk_id for p in answer.passages])


def test_every_sentence_the_composer_scores_is_found_in_the_store(corpus: Path, tmp_path: Path) -> None:
    bot = make_bot(tmp_path)
    report = bot.ingest()
    assert report.sentences_embedded > report.chunks_written, "each passage adds its sentences"
    sv = vectors(bot)
    for question in QUESTIONS:
        before_model, before_lookups = bot.embedder.embedded_count, sv.lookups
        answer = bot.ask(question)
        assert answer.passages
        assert sv.lookups > before_lookups, "the composer's sentences go through the store"
        # only the question itself reaches the model: every candidate sentence was stored
        assert bot.embedder.embedded_count - before_model == 1, question
    assert sv.misses == 0
    kinds = {p.kind for q in QUESTIONS for p in bot.ask(q).passages}
    assert {"byline", "caption", "paragraph"} <= kinds, "metadata and caption texts were looked up too"


def test_stored_vectors_are_the_models_vectors_of_the_composers_texts(corpus: Path, tmp_path: Path) -> None:
    bot = make_bot(tmp_path)
    bot.ingest()
    sv = vectors(bot)
    answer = bot.ask("Who wrote the article about Putin and Kim Jong Un?")
    texts = [scoring_text(c) for c in candidates(answer.passages)]  # what score() embeds
    assert any(t.startswith("The article was written by") for t in texts)
    assert scoring_texts(bot.store.get_chunks(p.chunk_id for p in answer.passages)) == texts
    stored = sv.store.get([sv.key(t) for t in texts])
    assert len(stored) == len(set(texts))
    looked_up = sv.embed_queries(texts)
    fresh = np.asarray(bot.embedder.embed(texts))  # one batch of other texts than at ingest
    assert looked_up.shape == fresh.shape
    assert float(np.abs(looked_up - fresh).max()) < 1e-5
    every = scoring_texts(bot.store.all_chunks())
    assert len(sv.store.get([sv.key(t) for t in every])) == len(set(every)) == sv.store.count()


def test_answers_are_identical_with_the_setting_on_and_off(corpus: Path, tmp_path: Path) -> None:
    on, off = make_bot(tmp_path, "on"), make_bot(tmp_path, "off", sentence_vectors=False)
    on.ingest()
    report = off.ingest()
    assert report.sentences_embedded == 0 and off.sentence_vectors is None
    assert not (tmp_path / "off" / "sentences").exists(), "turned off, nothing is stored"
    for question in QUESTIONS:
        assert shown(on.ask(question)) == shown(off.ask(question)), question
    assert vectors(on).misses == 0


def test_unchanged_text_is_never_embedded_again(corpus: Path, tmp_path: Path) -> None:
    bot = make_bot(tmp_path)
    first = bot.ingest()
    sv = vectors(bot)
    stored = sv.store.count()
    assert stored == first.sentences_embedded > 50

    shutil.copyfile(ARTICLE, corpus / "copy-of-the-article.txt")  # same text, another document
    report = bot.ingest()
    assert report.added == [str(corpus / "copy-of-the-article.txt")]
    assert report.sentences_embedded == 0 and report.sentences_reused > 10
    assert sv.store.count() == stored, "the same content adds no vector"

    text = (corpus / ARTICLE.name).read_text(encoding="utf-8")
    (corpus / ARTICLE.name).write_text(text.replace("Pungsan dog", "Jindo dog"), encoding="utf-8")
    edited = bot.ingest()
    assert edited.updated and edited.embedded == 1
    assert 1 <= edited.sentences_embedded <= 3, "only the edited paragraph's sentences are new"
    (corpus / ARTICLE.name).write_text(text, encoding="utf-8")
    back = bot.ingest()
    assert back.sentences_embedded == 0 and sv.store.count() == stored + edited.sentences_embedded

    counted = bot.embedder.embedded_count
    assert bot.ingest().sentences_embedded == 0 and bot.embedder.embedded_count == counted


def test_a_store_without_sentence_vectors_still_answers(corpus: Path, tmp_path: Path) -> None:
    old = make_bot(tmp_path, sentence_vectors=False)  # as ingested by code before sentence vectors
    old.ingest()
    expected = [shown(old.ask(q)) for q in QUESTIONS]
    assert not (tmp_path / "store" / "sentences").exists()

    now = make_bot(tmp_path)
    assert [shown(now.ask(q)) for q in QUESTIONS] == expected
    assert vectors(now).misses > 50, "every sentence was embedded when asked"

    damaged = tmp_path / "store" / "sentences" / f"{now.settings.collection}.v{FORMAT}.sqlite3"
    damaged.parent.mkdir(parents=True)
    damaged.write_bytes(b"not a database at all" * 100)
    fresh = make_bot(tmp_path)
    assert [shown(fresh.ask(q)) for q in QUESTIONS] == expected
    shutil.copyfile(ARTICLE, tmp_path / "corpus" / "another.txt")
    with pytest.raises(StoreError, match="--rebuild"):  # never silently: the file needs replacing
        fresh.ingest()
    (tmp_path / "corpus" / "another.txt").unlink()
    assert fresh.ingest(rebuild=True).sentences_embedded > 50
    missed = vectors(fresh).misses
    assert [shown(fresh.ask(q)) for q in QUESTIONS[:3]] == expected[:3] and vectors(fresh).misses == missed


def test_a_batch_that_fails_before_its_commit_leaves_harmless_vectors(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bot = make_bot(tmp_path)

    def fail(*_: object) -> None:
        raise OSError("disk gone")

    monkeypatch.setattr(bot.store, "write_documents", fail)
    with pytest.raises(OSError):
        bot.ingest()
    assert bot.documents() == [] and vectors(bot).store.count() > 50, "vectors without passages"
    monkeypatch.undo()
    report: IngestReport = bot.ingest()
    assert len(report.added) == 2 and report.sentences_embedded == 0, "the kept vectors are reused"
    assert bot.ask(QUESTIONS[0]).citations and vectors(bot).misses == 0


def test_removing_a_document_keeps_the_rest_answering_and_rebuild_drops_orphans(corpus: Path, tmp_path: Path) -> None:
    bot = make_bot(tmp_path)
    bot.ingest()
    sv = vectors(bot)
    stored = sv.store.count()
    bot.remove(str(corpus / PRIMER.name), delete_file=True)
    assert sv.store.count() == stored, "orphans stay (keyed by content, harmless)"
    answer = bot.ask(QUESTIONS[0])
    assert answer.citations and sv.misses == 0

    shutil.copyfile(PRIMER, corpus / PRIMER.name)
    assert bot.ingest().sentences_embedded == 0, "a document added back finds its vectors"
    bot.remove(str(corpus / PRIMER.name), delete_file=True)
    report = bot.ingest(rebuild=True)
    assert report.sentences_embedded == sv.store.count() < stored, "--rebuild keeps only what is indexed"
    assert bot.ask(QUESTIONS[0]).citations and sv.misses == 0


def test_sqlite_store_lookups_are_exact_and_tolerate_a_missing_file(tmp_path: Path) -> None:
    store = SqliteVectors(tmp_path / "v" / "s.sqlite3")
    assert store.get([b"\x01" * 20]) == {} and store.count() == 0
    assert not (tmp_path / "v").exists(), "a reader never creates the file"
    rows = np.random.default_rng(0).standard_normal((3, 384)).astype(np.float32)
    keys = [bytes([i]) * 20 for i in range(3)]
    store.put(keys, rows)
    store.put(keys[:1], rows[1:2])  # a key is written once: the first vector stays
    got = store.get([*keys, b"\x09" * 20])
    assert set(got) == set(keys) and all(np.array_equal(got[k], r) for k, r in zip(keys, rows, strict=True))
    # a key sharing another's first 8 bytes (its rowid) is a miss, never the other's vector
    assert store.get([keys[0][:8] + b"\xff" * 12]) == {}
    assert store.existing([keys[2], b"\x07" * 20]) == {keys[2]}
    store.clear()
    assert store.count() == 0 and store.get(keys) == {}


@pytest.mark.server
def test_a_chroma_server_holds_them_in_a_collection(chroma_server: tuple[str, int], corpus: Path, tmp_path: Path) -> None:
    host, port = chroma_server
    settings = load_settings(corpus_dir=corpus, chroma_host=host, chroma_port=port, collection="sentence_test")
    bot = Assistant(settings)
    report = bot.ingest()
    assert report.sentences_embedded > report.chunks_written
    assert not (tmp_path / "store").exists(), "server mode writes no local file"
    other = Assistant(settings)  # another process in real life: finds what the first stored
    counted = other.embedder.embedded_count
    answers = [shown(other.ask(q)) for q in QUESTIONS]
    assert vectors(other).misses == 0 and other.embedder.embedded_count - counted == len(QUESTIONS)
    assert answers == [shown(bot.ask(q)) for q in QUESTIONS]
    assert other.ingest().sentences_embedded == 0
    rebuilt = bot.ingest(rebuild=True)
    assert rebuilt.sentences_embedded == report.sentences_embedded == vectors(bot).store.count()
    texts = scoring_texts(bot.store.all_chunks())[:20]
    stale = vectors(other)  # the rebuild dropped the collection it holds: misses, never errors
    assert float(np.abs(stale.embed_queries(texts) - np.asarray(bot.embedder.embed(texts))).max()) < 1e-5
    assert len(stale.store.get([stale.key(t) for t in texts])) == len(set(texts)), "and then it reopens"
