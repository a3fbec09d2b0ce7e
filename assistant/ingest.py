"""Files -> documents -> chunks -> embeddings -> store, incrementally and crash-safely.

Unchanged files (same sha256 as the committed version) are skipped without parsing further;
a changed file's chunks reuse every embedding whose text is unchanged; each document is
committed on its own (see :mod:`assistant.index`), so a failure or a kill part-way leaves
every document either at its old or its new version.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .chunking import chunk_document
from .config import Settings
from .documents import discover, load_document
from .documents.common import read_bytes, sha256_bytes
from .embeddings import Embedder
from .errors import DocumentError
from .index import ChunkStore, content_hash

#: progress(event, done, total, path): event is "start", "file" or "done".
Progress = Callable[[str, int, int, str], None]


@dataclass
class IngestReport:
    """What one ingest did, per file, and how much embedding work it took."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    chunks_written: int = 0
    embedded: int = 0
    reused_embeddings: int = 0
    garbage_collected: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.failed

    def summary(self) -> str:
        return (
            f"{len(self.added)} added, {len(self.updated)} updated, {len(self.unchanged)} "
            f"unchanged, {len(self.removed)} removed, {len(self.failed)} failed; "
            f"{self.embedded} passages embedded, {self.reused_embeddings} reused "
            f"({self.seconds:.1f}s)"
        )


def ingest_paths(
    paths: Iterable[str | Path],
    store: ChunkStore,
    embedder: Embedder,
    settings: Settings,
    prune: bool = True,
    progress: Progress | None = None,
    after_commit: Callable[[str], None] | None = None,
) -> IngestReport:
    """Bring the index in line with ``paths``.

    With ``prune``, documents indexed from inside a folder in ``paths`` whose file is gone
    are removed; documents from elsewhere (uploads, other folders) are left alone.
    ``after_commit`` is called after each document is committed (used by crash tests).
    """
    started = time.perf_counter()
    report = IngestReport()
    paths = [Path(p) for p in paths]
    report.garbage_collected = store.collect_garbage()
    committed = store.committed()
    files = list(dict.fromkeys(discover(paths)))
    total = len(files)
    if progress:
        progress("start", 0, total, "")
    for n, path in enumerate(files, start=1):
        key = str(path)
        try:
            sha = sha256_bytes(read_bytes(path))
            if committed.get(key) == sha:
                report.unchanged.append(key)
            else:
                _ingest_one(path, store, embedder, settings, report)
                (report.updated if key in committed else report.added).append(key)
                if after_commit:
                    after_commit(key)
        except DocumentError as exc:
            report.failed[key] = exc.problem
        if progress:
            progress("file", n, total, key)
    if prune:
        seen = {str(p) for p in files}
        folders = [p.resolve() for p in paths if p.is_dir()]
        for doc_id in committed:
            doc_path = Path(doc_id)
            inside = any(doc_path.is_relative_to(folder) for folder in folders)
            if inside and doc_id not in seen and not doc_path.exists():
                store.remove_document(doc_id)
                report.removed.append(doc_id)
    report.seconds = time.perf_counter() - started
    if progress:
        progress("done", total, total, "")
    return report


def _ingest_one(
    path: Path, store: ChunkStore, embedder: Embedder, settings: Settings, report: IngestReport
) -> None:
    document = load_document(path)
    chunks = chunk_document(document, settings.max_chunk_chars)
    hashes = [content_hash(embedder.model_name, c.embed_text) for c in chunks]
    known = store.known_embeddings(hashes)
    missing = [i for i, h in enumerate(hashes) if h not in known]
    fresh = embedder.embed([chunks[i].embed_text for i in missing])
    for i, vector in zip(missing, fresh, strict=True):
        known[hashes[i]] = vector
    store.write_document(document, chunks, [known[h] for h in hashes], hashes)
    report.embedded += len(missing)
    report.reused_embeddings += len(chunks) - len(missing)
    report.chunks_written += len(chunks)
