"""Incremental, idempotent, crash-safe ingest into a real Chroma store."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from assistant import Assistant, ConfigurationError, load_settings
from assistant.documents import load_document
from assistant.embeddings import resolve_model_path
from assistant.index import ChunkStore

from .conftest import ARTICLE

MD = """---
title: Sanctions Watch
author: A. Analyst
date: 2024-08-01
---

# Sanctions Watch

## Overview

The ferry service between Rason and Vladivostok resumed in August after a long pause.

Port officials counted eleven cargo vessels in the first week of operation.

## Outlook

- Traffic is expected to double by winter.
- Insurance costs remain the main obstacle.
"""


def make_bot(tmp_path: Path, **overrides: object) -> Assistant:
    return Assistant(load_settings(corpus_dir=tmp_path / "corpus", store_dir=tmp_path / "store", **overrides))


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    shutil.copyfile(ARTICLE, folder / ARTICLE.name)
    (folder / "sanctions.md").write_text(MD, encoding="utf-8")
    return folder


def visible_state(bot: Assistant) -> dict[str, tuple[str, int, list[str]]]:
    """doc_id -> (committed sha, chunk count in manifest, sorted texts readers can see)."""
    state = {}
    chunks = bot.store.all_chunks()
    for doc in bot.documents():
        texts = sorted(c.text for c in chunks if c.doc_id == doc.doc_id)
        state[doc.doc_id] = (doc.sha256, doc.chunks, texts)
    return state


def assert_consistent(bot: Assistant) -> None:
    """Every committed document shows exactly the chunks of its committed version."""
    chunks = bot.store.all_chunks()
    for doc in bot.documents():
        mine = [c for c in chunks if c.doc_id == doc.doc_id]
        assert len(mine) == doc.chunks, f"{doc.path}: {len(mine)} visible chunks, manifest says {doc.chunks}"
        assert {c.doc_sha for c in mine} == {doc.version}


def test_ingest_then_reingest_embeds_nothing(corpus: Path, tmp_path: Path) -> None:
    bot = make_bot(tmp_path)
    first = bot.ingest()
    assert sorted(Path(p).name for p in first.added) == [ARTICLE.name, "sanctions.md"]
    assert first.embedded == first.chunks_written > 20
    before = visible_state(bot)
    counted = bot.embedder.embedded_count

    second = bot.ingest()
    assert second.added == [] and second.updated == [] and len(second.unchanged) == 2
    assert second.embedded == 0
    assert bot.embedder.embedded_count == counted, "an unchanged corpus must not reach the model"
    assert visible_state(bot) == before


def test_new_parsing_code_rereads_unchanged_files_once(
        corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An index built by older parsing code is not kept for files whose bytes did not change:
    the next ingest reads them again (reusing every embedding whose text is the same), leaves no
    chunk of the old reading visible, and the one after skips them."""
    from assistant import schema

    bot = make_bot(tmp_path)
    bot.ingest()
    counted = bot.embedder.embedded_count
    monkeypatch.setattr(schema, "PARSE_VERSION", schema.PARSE_VERSION + 1)

    report = bot.ingest()
    assert sorted(Path(p).name for p in report.updated) == [ARTICLE.name, "sanctions.md"]
    assert report.embedded == 0 and report.reused_embeddings == report.chunks_written
    assert bot.embedder.embedded_count == counted
    assert_consistent(bot)
    assert len(bot.store.all_chunks()) == sum(d.chunks for d in bot.documents())
    assert all(d.version.endswith(f":p{schema.PARSE_VERSION}") for d in bot.documents())
    again = bot.ingest()
    assert again.updated == [] and len(again.unchanged) == 2


def test_an_index_written_before_parser_versions_is_read_then_upgraded(
        corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An index whose manifest has no parser version (chunks keyed by the bare sha256) still
    answers before anything is re-ingested; the next ingest re-reads its files once."""
    from assistant import index, schema

    legacy_meta = index._manifest_meta

    def without_version(document: object, n_chunks: int) -> dict:
        meta = legacy_meta(document, n_chunks)
        del meta["version"]
        return meta

    with monkeypatch.context() as old_code:
        old_code.setattr(schema, "document_version", lambda sha256: sha256)
        old_code.setattr(index, "_manifest_meta", without_version)
        make_bot(tmp_path).ingest()
    bot = make_bot(tmp_path)
    assert all(d.version == d.sha256 for d in bot.documents())
    assert bot.retrieve("What did Putin and Kim sign?"), "an older index must stay readable"
    assert not bot.ask("What did Putin and Kim sign?").abstained
    report = bot.ingest()
    assert len(report.updated) == 2
    assert_consistent(bot)
    assert all(d.version == schema.document_version(d.sha256) for d in bot.documents())


def test_changed_file_replaces_its_chunks_and_reuses_unchanged_embeddings(corpus: Path, tmp_path: Path) -> None:
    bot = make_bot(tmp_path)
    bot.ingest()
    md = corpus / "sanctions.md"
    md.write_text(MD.replace("eleven cargo vessels", "fourteen cargo vessels"), encoding="utf-8")

    report = bot.ingest()
    assert [Path(p).name for p in report.updated] == ["sanctions.md"]
    assert report.embedded == 1, "only the edited paragraph is new text"
    assert report.reused_embeddings == report.chunks_written - 1 >= 3
    texts = [c.text for c in bot.store.all_chunks() if c.doc_id == str(md.resolve())]
    assert any("fourteen cargo vessels" in t for t in texts)
    assert not any("eleven cargo vessels" in t for t in texts), "stale chunk left behind"
    # Nothing invisible is left over either.
    assert bot.store.count() == sum(d.chunks for d in bot.documents())
    assert_consistent(bot)


def test_removed_file_is_pruned_but_other_folders_are_kept(corpus: Path, tmp_path: Path) -> None:
    bot = make_bot(tmp_path)
    elsewhere = tmp_path / "elsewhere.md"
    elsewhere.write_text(MD.replace("Sanctions Watch", "Other Watch"), encoding="utf-8")
    bot.ingest()
    bot.ingest([elsewhere])
    (corpus / "sanctions.md").unlink()

    report = bot.ingest()
    assert [Path(p).name for p in report.removed] == ["sanctions.md"]
    names = sorted(Path(d.path).name for d in bot.documents())
    assert names == [ARTICLE.name, "elsewhere.md"]

    (corpus / "gone-too.md").write_text(MD, encoding="utf-8")
    bot.ingest()
    (corpus / "gone-too.md").unlink()
    kept = bot.ingest(prune=False)
    assert kept.removed == [] and any(d.path.endswith("gone-too.md") for d in bot.documents())


def test_bad_files_are_reported_and_the_rest_is_indexed(corpus: Path, tmp_path: Path) -> None:
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (corpus / "notes.docx").write_bytes(b"PK\x03\x04")
    bot = make_bot(tmp_path)
    report = bot.ingest([corpus, corpus / "notes.docx"])
    assert set(map(lambda p: Path(p).name, report.failed)) == {"empty.txt", "image.txt", "notes.docx"}
    assert "empty" in report.failed[str((corpus / "empty.txt").resolve())]
    assert "binary" in report.failed[str((corpus / "image.txt").resolve())]
    assert "unsupported format" in report.failed[str((corpus / "notes.docx").resolve())]
    assert sorted(Path(d.path).name for d in bot.documents()) == [ARTICLE.name, "sanctions.md"]


def test_a_file_that_turns_bad_keeps_its_indexed_version(corpus: Path, tmp_path: Path) -> None:
    bot = make_bot(tmp_path)
    bot.ingest()
    before = visible_state(bot)
    (corpus / "sanctions.md").write_bytes(b"")
    report = bot.ingest()
    assert list(map(lambda p: Path(p).name, report.failed)) == ["sanctions.md"]
    assert visible_state(bot) == before, "a failed re-ingest must lose nothing"


def test_exception_before_commit_leaves_the_old_version(corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bot = make_bot(tmp_path)
    bot.ingest()
    before = visible_state(bot)
    (corpus / "sanctions.md").write_text(MD.replace("double", "triple"), encoding="utf-8")

    def boom(self: ChunkStore, *args: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(ChunkStore, "_commit", boom)
    with pytest.raises(RuntimeError):
        bot.ingest()
    assert visible_state(bot) == before, "readers must still see the old version"
    assert bot.store.count() > sum(d.chunks for d in bot.documents()), "the new chunks were written, invisibly"

    monkeypatch.undo()
    report = bot.ingest()
    assert report.garbage_collected > 0
    assert [Path(p).name for p in report.updated] == ["sanctions.md"]
    assert any("triple" in c.text for c in bot.store.all_chunks())
    assert bot.store.count() == sum(d.chunks for d in bot.documents())


KILLER = textwrap.dedent(
    """
    import os, signal, sys
    from assistant import Assistant, load_settings
    from assistant.index import ChunkStore

    stage, corpus, store = sys.argv[1], sys.argv[2], sys.argv[3]
    def die(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGKILL)
    if stage == "before_commit":
        ChunkStore._commit = die
    elif stage == "after_commit":
        commit = ChunkStore._commit
        def commit_then_die(self, *args):
            commit(self, *args)
            die()
        ChunkStore._commit = commit_then_die
    elif stage == "mid_chunks":
        real = ChunkStore._write_chunks
        def half(self, chunks, embeddings, hashes):
            real(self, chunks[: len(chunks) // 2], embeddings[: len(chunks) // 2], hashes[: len(chunks) // 2])
            die()
        ChunkStore._write_chunks = half
    Assistant(load_settings(corpus_dir=corpus, store_dir=store)).ingest()
    print("survived")
    """
)


@pytest.mark.slow
@pytest.mark.parametrize("stage,expect_new", [("mid_chunks", False), ("before_commit", False), ("after_commit", True)])
def test_kill_9_during_ingest_leaves_each_document_before_or_after(
    corpus: Path, tmp_path: Path, stage: str, expect_new: bool
) -> None:
    bot = make_bot(tmp_path)
    bot.ingest()
    old = visible_state(bot)
    md = corpus / "sanctions.md"
    md.write_text(MD.replace("Insurance costs", "Fuel prices"), encoding="utf-8")
    new_sha = load_document(md).sha256
    del bot  # release the store before another process writes to it

    proc = subprocess.run(
        [sys.executable, "-c", KILLER, stage, str(corpus), str(tmp_path / "store")],
        capture_output=True, text=True, timeout=300, env={**os.environ},
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr[-2000:]
    assert "survived" not in proc.stdout

    bot = make_bot(tmp_path)
    state = visible_state(bot)
    key = str(md.resolve())
    assert state[key][0] == (new_sha if expect_new else old[key][0])
    if expect_new:
        assert any("Fuel prices" in t for t in state[key][2])
        assert not any("Insurance costs" in t for t in state[key][2])
    else:
        assert state[key] == old[key]
    assert_consistent(bot)

    report = bot.ingest()  # recovers: cleans leftovers and finishes the job
    assert report.ok
    assert any("Fuel prices" in c.text for c in bot.store.all_chunks())
    assert bot.store.count() == sum(d.chunks for d in bot.documents())
    assert_consistent(bot)


def test_other_embedding_model_is_refused_on_an_existing_index(corpus: Path, tmp_path: Path) -> None:
    bot = make_bot(tmp_path)
    bot.ingest()
    fake_model = tmp_path / "other-model"
    shutil.copytree(resolve_model_path(bot.embedder.model_name), fake_model)
    other = make_bot(tmp_path, embedding_model=str(fake_model))
    with pytest.raises(ConfigurationError, match="built with"):
        other.documents()
    rebuilt = other.ingest(rebuild=True)
    assert len(rebuilt.added) == 2


def test_status_reports_documents_chunks_model_and_store(corpus: Path, tmp_path: Path) -> None:
    bot = make_bot(tmp_path)
    bot.ingest()
    status = bot.status()
    assert status["documents"] == 2
    assert status["chunks"] == bot.store.count()
    assert status["embedding_model"] == "packaged:all-MiniLM-L6-v2"
    assert str((tmp_path / "store").resolve()) in status["store"]
    titles = {d.title for d in bot.documents()}
    assert titles == {"Pyongyang Parlays: Vladimir Putin and Kim Jong Un Meet", "Sanctions Watch"}
