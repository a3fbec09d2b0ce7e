"""The store's versions and derived indexes: saved once, reused by other processes, rebuilt
after a change; start-up reads no passage back; filters agree between the two searches."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from assistant import Assistant, RetrievalFilter, load_settings
from assistant.index import ChunkStore
from assistant.lexical import LexicalIndex

from .conftest import ARTICLE

SECOND = """---
title: Harbour Notes
author: B. Analyst
date: 2023-09-02
---

# Harbour Notes

## Trade

The Zarubino grain terminal loaded forty-two barges of barley during the September trial.

## Outlook

- Customs officers expect the barley barges to sail under three flags.
"""


def make_bot(tmp_path: Path) -> Assistant:
    return Assistant(load_settings(corpus_dir=tmp_path / "corpus", store_dir=tmp_path / "store"))


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    shutil.copyfile(ARTICLE, folder / ARTICLE.name)
    return folder


def saved_indexes(tmp_path: Path) -> list[str]:
    return sorted(p.name.rsplit("-f", 1)[0] for p in (tmp_path / "store" / "lexical").rglob("index-*")
                  if (p / "meta.json").exists())


CHILD = textwrap.dedent(
    """
    import json, sys
    from assistant import Assistant, load_settings
    from assistant.index import ChunkStore
    from assistant.lexical import LexicalIndex

    def refuse(*args, **kwargs):
        raise AssertionError("O(corpus) work at start-up")
    LexicalIndex.build = classmethod(refuse)      # the saved index must be loaded, not rebuilt
    ChunkStore.all_chunks = refuse                 # and no passage list is read back
    ChunkStore.document_chunks = refuse
    bot = Assistant(load_settings(corpus_dir=sys.argv[1], store_dir=sys.argv[2]))
    answer = bot.ask(sys.argv[3])
    print(json.dumps({"text": answer.text, "paths": [c.path for c in answer.citations]}))
    """
)


def test_saved_lexical_index_is_reused_by_a_new_process(corpus: Path, tmp_path: Path) -> None:
    bot = make_bot(tmp_path)
    bot.ingest()
    version = bot.store.version()
    assert saved_indexes(tmp_path) == [f"index-{version}"], "ingest saves the index of the version it made"
    del bot
    out = subprocess.run([sys.executable, "-c", CHILD, str(corpus), str(tmp_path / "store"),
                          "Which treaty does the new pact replace?"],
                         capture_output=True, text=True, timeout=300, env={**os.environ})
    assert out.returncode == 0, out.stderr[-3000:]
    answer = json.loads(out.stdout.strip().splitlines()[-1])
    assert "Friendship" in answer["text"] and answer["paths"]


def test_a_change_makes_a_new_version_and_a_rebuilt_index(corpus: Path, tmp_path: Path) -> None:
    bot = make_bot(tmp_path)
    bot.ingest()
    first = bot.store.version()
    assert bot.ingest().embedded == 0 and bot.store.version() == first, "an ingest that changes nothing keeps the version"
    (corpus / "harbour.md").write_text(SECOND, encoding="utf-8")
    bot.ingest()
    second = bot.store.version()
    assert second != first
    assert f"index-{second}" in saved_indexes(tmp_path)
    hits = bot.retrieve("Zarubino barley barges", mode="lexical")
    assert hits and Path(hits[0].chunk.doc_id).name == "harbour.md"

    info = bot.remove(str((corpus / "harbour.md").resolve()))
    assert info.title == "Harbour Notes" and bot.store.version() not in {first, second}
    assert not any(Path(h.chunk.doc_id).name == "harbour.md" for h in bot.retrieve("Zarubino barley", mode="lexical"))
    assert not any(Path(h.chunk.doc_id).name == "harbour.md" for h in bot.retrieve("Zarubino barley", mode="dense"))


def test_another_process_commit_is_seen_without_reopening_by_hand(corpus: Path, tmp_path: Path) -> None:
    bot = make_bot(tmp_path)
    bot.ingest()
    assert len(bot.documents()) == 1
    bot.retrieve("treaty")  # the client and the lexical index are open and warm
    (corpus / "harbour.md").write_text(SECOND, encoding="utf-8")
    code = ("import sys; from assistant import Assistant, load_settings; "
            "Assistant(load_settings(corpus_dir=sys.argv[1], store_dir=sys.argv[2])).ingest()")
    out = subprocess.run([sys.executable, "-c", code, str(corpus), str(tmp_path / "store")],
                         capture_output=True, text=True, timeout=300, env={**os.environ})
    assert out.returncode == 0, out.stderr[-3000:]
    assert len(bot.documents()) == 2
    dense = bot.retrieve("Zarubino barley barges", mode="dense")
    assert Path(dense[0].chunk.doc_id).name == "harbour.md"
    lexical = bot.retrieve("Zarubino barley barges", mode="lexical")
    assert Path(lexical[0].chunk.doc_id).name == "harbour.md"


FILTERS = [
    RetrievalFilter(sections=("Outlook",)),
    RetrievalFilter(date_to="2023-12-31"),
    RetrievalFilter(date_from="2024-01-01"),
    RetrievalFilter(kinds=("bullet",)),
    RetrievalFilter(kinds=("title", "heading", "paragraph", "bullet")),
]


def test_filters_hold_in_both_searches(corpus: Path, tmp_path: Path) -> None:
    (corpus / "harbour.md").write_text(SECOND, encoding="utf-8")
    bot = make_bot(tmp_path)
    bot.ingest()
    for filters in FILTERS:
        for mode in ("lexical", "dense", "hybrid"):
            hits = bot.retrieve("barley barges summit treaty forecast", k=10, mode=mode, filters=filters)
            assert hits, (mode, filters)
            assert all(filters.accepts(h.chunk) for h in hits), (mode, filters)
    only = RetrievalFilter(documents=(str((corpus / ARTICLE.name).resolve()),))
    for mode in ("lexical", "dense", "hybrid"):
        hits = bot.retrieve("barley barges treaty", k=5, mode=mode, filters=only)
        assert hits and all(Path(h.chunk.doc_id).name == ARTICLE.name for h in hits), mode


def test_uncommitted_chunks_are_never_returned(corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bot = make_bot(tmp_path)
    bot.ingest()
    (corpus / "harbour.md").write_text(SECOND, encoding="utf-8")
    monkeypatch.setattr(ChunkStore, "_commit", lambda self, docs: (_ for _ in ()).throw(RuntimeError("crash")))
    with pytest.raises(RuntimeError):
        bot.ingest()
    monkeypatch.undo()
    assert bot.store.count() > sum(d.chunks for d in bot.documents()), "written but not committed"
    for mode in ("dense", "lexical", "hybrid"):
        assert not any(Path(h.chunk.doc_id).name == "harbour.md" for h in bot.retrieve("Zarubino barley", mode=mode))


def test_index_version_is_one_small_file_replaced_atomically(corpus: Path, tmp_path: Path) -> None:
    bot = make_bot(tmp_path)
    assert bot.store.version() == ""
    bot.ingest()
    text = (tmp_path / "store" / "index.version").read_text()
    assert text == bot.store.version() and text.split(".")[0].isdigit()
    assert not list((tmp_path / "store").glob(".index.version.*")), "no temporary file left behind"
    assert isinstance(bot.hybrid_search.lexical_index(), LexicalIndex)


def _search_breadth(tmp_path: Path, **overrides: object) -> int:
    settings = load_settings(corpus_dir=tmp_path / "corpus", store_dir=tmp_path / "store", **overrides)
    return ChunkStore(settings, settings.embedding_model).collection.configuration_json["hnsw"]["ef_search"]


def test_dense_search_breadth_is_set_on_new_and_on_older_stores(corpus: Path, tmp_path: Path) -> None:
    """Chroma's default ef_search (100) let a top-60 search miss true neighbours, and which ones
    varied between processes; the setting reaches a new collection and, at the next ingest,
    one made under another value (a store from an older version)."""
    Assistant(load_settings(corpus_dir=corpus, store_dir=tmp_path / "store", dense_search_ef=100)).ingest()
    assert _search_breadth(tmp_path, dense_search_ef=100) == 100
    bot = make_bot(tmp_path)
    assert bot.settings.dense_search_ef == 200
    report = bot.ingest()
    assert report.embedded == 0, "nothing changed, nothing is embedded again"
    del bot
    assert _search_breadth(tmp_path) == 200, "an ingest with no changes still upgrades the search breadth"
