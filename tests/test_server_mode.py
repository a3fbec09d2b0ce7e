"""The same store code against a real Chroma server started with `chroma run`."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from assistant import Assistant, load_settings
from assistant.testing import assert_cites, assert_quotes_match_source

from .conftest import ARTICLE
from .servers import free_port, stop, wait_until_healthy


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    chroma = Path(sys.executable).parent / "chroma"
    if not chroma.exists():
        chroma = Path(shutil.which("chroma") or "chroma")
    port = free_port()
    data = tmp_path_factory.mktemp("chroma-server")
    log = open(data / "server.log", "w")
    proc = subprocess.Popen(
        [str(chroma), "run", "--path", str(data / "db"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        wait_until_healthy(proc, f"http://127.0.0.1:{port}/api/v2/heartbeat", 60, data / "server.log")
        yield "127.0.0.1", port
    finally:
        stop(proc)
        log.close()


@pytest.mark.server
def test_ingest_ask_and_update_through_a_chroma_server(chroma_server: tuple[str, int], tmp_path: Path) -> None:
    host, port = chroma_server
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copyfile(ARTICLE, corpus / ARTICLE.name)
    settings = load_settings(corpus_dir=corpus, chroma_host=host, chroma_port=port, collection="server_test")
    bot = Assistant(settings)
    assert "http://127.0.0.1" in bot.status()["store"]

    first = bot.ingest()
    assert len(first.added) == 1 and first.embedded > 20
    assert not (tmp_path / "store").exists(), "server mode must not write a local store"

    answer = bot.ask("Which treaty does the new pact replace?")
    assert_cites(answer, evidence="2000 Friendship, Cooperation and Good Neighbourliness Treaty")
    assert_quotes_match_source(answer)

    # A second client (another process in real life) sees the same committed index.
    other = Assistant(settings)
    assert [d.title for d in other.documents()] == ["Pyongyang Parlays: Vladimir Putin and Kim Jong Un Meet"]
    assert other.ingest().embedded == 0

    (corpus / ARTICLE.name).write_text(ARTICLE.read_text(encoding="utf-8").replace("Pungsan dog", "Jindo dog"),
                                       encoding="utf-8")
    report = bot.ingest()
    assert len(report.updated) == 1 and report.embedded == 1
    texts = [c.text for c in other.store.all_chunks()]
    assert any("Jindo dog" in t for t in texts) and not any("Pungsan dog" in t for t in texts)
    assert other.store.count() == sum(d.chunks for d in other.documents())


def test_a_rebuild_by_one_client_leaves_the_other_answering(chroma_server: tuple[str, int], tmp_path: Path) -> None:
    """`ingest --rebuild` drops and recreates the collections on the server: another client's
    handles to the old ones must be fetched anew, not fail the next question."""
    host, port = chroma_server
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copyfile(ARTICLE, corpus / ARTICLE.name)
    settings = load_settings(corpus_dir=corpus, chroma_host=host, chroma_port=port, collection="rebuild_test")
    writer, reader = Assistant(settings), Assistant(settings)
    writer.ingest()
    assert_cites(reader.ask("Which treaty does the new pact replace?"))
    writer.ingest(rebuild=True)
    answer = reader.ask("Which treaty does the new pact replace?")
    assert_cites(answer, evidence="2000 Friendship, Cooperation and Good Neighbourliness Treaty")
    assert [d.title for d in reader.documents()] == ["Pyongyang Parlays: Vladimir Putin and Kim Jong Un Meet"]


def test_a_second_client_loads_the_saved_lexical_index_instead_of_building_it(
    chroma_server: tuple[str, int], tmp_path: Path
) -> None:
    """With no shared folder, each machine keeps the BM25 index of each version in its cache:
    the ingesting client saves it, a client started later memory-maps it (no O(corpus) build)."""
    host, port = chroma_server
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copyfile(ARTICLE, corpus / ARTICLE.name)
    cache = tmp_path / "machine-cache"
    settings = load_settings(corpus_dir=corpus, chroma_host=host, chroma_port=port, collection="lexcache_test",
                             lexical_cache_dir=cache)
    Assistant(settings).ingest()
    later = Assistant(settings)
    index = later.hybrid_search.lexical_index()
    assert index.folder is not None and index.folder.is_relative_to(cache), "loaded from the machine's cache"
    assert isinstance(index._a["doc"], np.memmap)
    assert_cites(later.ask("Which treaty does the new pact replace?"),
                 evidence="2000 Friendship, Cooperation and Good Neighbourliness Treaty")


def test_unreachable_server_gives_a_clear_error(tmp_path: Path) -> None:
    from assistant import StoreError

    bot = Assistant(load_settings(chroma_host="127.0.0.1", chroma_port=free_port()))
    with pytest.raises(StoreError, match="chroma run"):
        bot.documents()
