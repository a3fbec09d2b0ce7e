"""``kill -9`` that lands *during* a document's write, repeated: each document is before or after.

A separate ingest process (after its start-up: model loaded, earlier documents committed)
writes each document's chunks in two halves and reports "half" in between; this test sends
SIGKILL from outside as soon as it sees the report for the document chosen for the round.
Half of the rounds hold the writer at that point (the kill lands with exactly half of the new
chunks in the store); the other half let it race on, so the kill lands wherever the writer
has got to: the second half, the commit, the clean-up of the old version.

After each kill, a fresh reader must see every document wholly at its old or its new version
(never a mix, never a count that disagrees with the manifest), the documents written before
the chosen one at their new version, and the next ingest must finish the job.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from assistant import Assistant, load_settings
from assistant.chunking import chunk_document
from assistant.documents import load_document

pytestmark = pytest.mark.slow

ROUNDS = 4
DOCS = 3

WRITER = textwrap.dedent(
    """
    import os, sys, time
    from assistant import Assistant, load_settings
    import assistant.ingest
    from assistant.index import ChunkStore

    corpus, store, signals, hold = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4] == "hold"
    write = ChunkStore._write_chunks
    if hasattr(assistant.ingest, "_BATCH_CHUNKS"):
        assistant.ingest._BATCH_CHUNKS = 1  # one document per write, so a kill can fall between them

    def in_halves(self, chunks, *rest):
        half = len(chunks) // 2
        write(self, chunks[:half], *(r[:half] for r in rest))
        with open(signals, "a") as out:
            out.write("half " + "|".join(dict.fromkeys(c.doc_id for c in chunks)) + "\\n")
            out.flush()
            os.fsync(out.fileno())
        if hold:
            time.sleep(30)  # the kill arrives here, with half of the new chunks stored
        write(self, chunks[half:], *(r[half:] for r in rest))

    ChunkStore._write_chunks = in_halves
    Assistant(load_settings(corpus_dir=corpus, store_dir=store)).ingest()
    print("survived")
    """
)


def _report(n: int, version: int) -> str:
    paras = [
        f"Paragraph {i} of report {n}, revision {version}: the freight index moved {i * 7 + n} points "
        f"while carriers changed {i + version} routes and insurers repriced cover for the quarter."
        for i in range(12)
    ]
    return f"# Freight report {n}\n\n" + "\n\n".join(paras) + "\n"


def _bot(tmp_path: Path) -> Assistant:
    return Assistant(load_settings(corpus_dir=tmp_path / "corpus", store_dir=tmp_path / "store"))


def _expected(path: Path) -> tuple[str, list[str]]:
    document = load_document(path)
    return document.sha256, sorted(c.text for c in chunk_document(document, load_settings().max_chunk_chars))


def _visible(bot: Assistant) -> dict[str, tuple[str, int, list[str]]]:
    chunks = bot.store.all_chunks()
    return {d.doc_id: (d.sha256, d.chunks, sorted(c.text for c in chunks if c.doc_id == d.doc_id))
            for d in bot.documents()}


def _wait_for_half(signals: Path, nth: int, proc: subprocess.Popen[str], timeout_s: float = 240) -> list[list[str]]:
    """The doc_ids of each write the writer started, up to the nth, once the nth is half done."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        lines = signals.read_text().splitlines() if signals.exists() else []
        if len(lines) >= nth:
            return [line.split(" ", 1)[1].split("|") for line in lines[:nth]]
        if proc.poll() is not None:
            pytest.fail(f"writer ended ({proc.returncode}) before document {nth} was half written: "
                        f"{proc.stderr.read() if proc.stderr else ''}")
        time.sleep(0.002)
    pytest.fail("the writer never reported a half-written document")


def test_kill_9_during_a_document_write_leaves_it_before_or_after(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    paths = [corpus / f"report-{n}.md" for n in range(DOCS)]
    for n, path in enumerate(paths):
        path.write_text(_report(n, 0), encoding="utf-8")
    bot = _bot(tmp_path)
    assert bot.ingest().ok
    del bot

    outcomes = []
    for round_no in range(1, ROUNDS + 1):
        old = {str(p.resolve()): _expected(p) for p in paths}
        for n, path in enumerate(paths):
            path.write_text(_report(n, round_no), encoding="utf-8")
        new = {str(p.resolve()): _expected(p) for p in paths}
        order = sorted(new)  # the writer walks the folder in sorted order
        target = round_no % DOCS + 1  # which document's write is interrupted (1-based)
        hold = round_no % 2 == 1
        signals = tmp_path / f"signals-{round_no}.txt"

        proc = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(corpus), str(tmp_path / "store"), str(signals),
             "hold" if hold else "race"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ},
        )
        writes = _wait_for_half(signals, target, proc)
        os.kill(proc.pid, signal.SIGKILL)
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == -signal.SIGKILL, err[-2000:]
        assert "survived" not in out
        before = {d for w in writes[:-1] for d in w}
        interrupted = set(writes[-1])

        bot = _bot(tmp_path)
        state = _visible(bot)
        assert set(state) == set(new)
        for doc_id in order:
            sha, count, texts = state[doc_id]
            assert count == len(texts), f"round {round_no}: {doc_id} shows {len(texts)} chunks, manifest {count}"
            version = (sha, texts)
            assert version in (old[doc_id], new[doc_id]), f"round {round_no}: {doc_id} is a mix of versions"
            if doc_id in before:
                assert version == new[doc_id], "documents committed before the kill keep their new version"
            elif doc_id not in interrupted:
                assert version == old[doc_id], "documents after the kill were never touched"
            elif hold:
                assert version == old[doc_id], "half the chunks written, nothing committed: the old version"
        outcomes.append("new" if all(state[d][0] == new[d][0] for d in interrupted) else "old")

        report = bot.ingest()  # recovery: leftovers collected, the job finished
        assert report.ok
        assert {d: (s, t) for d, (s, _, t) in _visible(bot).items()} == new
        assert bot.store.count() == sum(d.chunks for d in bot.documents())
        del bot

    assert len(outcomes) == ROUNDS
