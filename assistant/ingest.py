"""Files -> documents -> chunks -> embeddings -> store, incrementally and crash-safely.

Unchanged files (same sha256 as the committed version) are skipped without parsing further;
a changed file's chunks reuse every embedding whose text is unchanged; documents are written
in batches whose commit switches each document all or nothing (see :mod:`assistant.index`),
so a failure or a kill part-way leaves every document either at its old or its new version.

With ``sentence_vectors`` on, the texts the answer composer scores (each passage's sentences,
see :mod:`assistant.sentence_vectors`) are embedded in the same model calls as the passages and
stored, before the batch is committed, under keys of their text: a sentence stored once is
never embedded again.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from .chunking import chunk_document
from .config import Settings
from .documents import discover, load_document
from .documents.layout import LayoutRules
from .documents.common import read_bytes, sha256_bytes
from .embeddings import Embedder
from .errors import DocumentError
from .index import ChunkStore, PendingDocument, content_hash
from .lexical import DocTokens, LexicalCache, lexical_folder
from .schema import Chunk, Document, document_version
from .sentence_vectors import SentenceVectors, scoring_texts

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
    sentences_embedded: int = 0  # sentence texts for the answer composer, newly embedded
    sentences_reused: int = 0  # ... already stored (same text)
    garbage_collected: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.failed

    def summary(self) -> str:
        return (
            f"{len(self.added)} added, {len(self.updated)} updated, {len(self.unchanged)} "
            f"unchanged, {len(self.removed)} removed, {len(self.failed)} failed; "
            f"{self.embedded} passages embedded, {self.reused_embeddings} reused; "
            f"{self.sentences_embedded} sentences embedded, {self.sentences_reused} reused "
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
    sentences: SentenceVectors | None = None,
) -> IngestReport:
    """Bring the index in line with ``paths``.

    With ``prune``, documents indexed from inside a folder in ``paths`` whose file is gone
    are removed; documents from elsewhere (uploads, other folders) are left alone.
    ``after_commit`` is called after each document is committed (used by crash tests).
    ``sentences``: where the answer composer's sentence vectors are stored (None: not stored).

    Documents are parsed ahead in a thread while the model embeds the previous ones, and are
    written in batches of about ``ingest_batch_chunks`` passages: one large embedding call,
    one bulk Chroma write and one manifest commit per batch (each document still switches all
    or nothing), so the model, not the bookkeeping, sets the pace.
    """
    started = time.perf_counter()
    report = IngestReport()
    paths = [Path(p) for p in paths]
    report.garbage_collected = store.collect_garbage()
    committed = store.committed()
    lexical = LexicalCache(lexical_folder(settings))
    files = list(dict.fromkeys(discover(paths)))
    total = len(files)
    if progress:
        progress("start", 0, total, "")
    batch: list[_Parsed] = []
    done = 0

    def flush() -> None:
        nonlocal done
        if batch:
            _write_batch(batch, store, embedder, lexical, report, sentences)
            for item in batch:
                (report.updated if item.key in committed else report.added).append(item.key)
                if after_commit:
                    after_commit(item.key)
            batch.clear()

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="parse") as pool:
        parsed = _parse_ahead(pool, files, committed, settings)
        for n, (key, item) in enumerate(parsed, start=1):
            if isinstance(item, str):
                report.failed[key] = item
            elif item is None:
                report.unchanged.append(key)
            else:
                batch.append(item)
                if sum(len(b.chunks) for b in batch) >= _BATCH_CHUNKS:
                    flush()
            if progress:
                progress("file", n, total, key)
        flush()
    if prune:
        seen = {str(p) for p in files}
        folders = [p.resolve() for p in paths if p.is_dir()]
        for doc_id in committed:
            doc_path = Path(doc_id)
            inside = any(doc_path.is_relative_to(folder) for folder in folders)
            if inside and doc_id not in seen and not doc_path.exists():
                store.remove_document(doc_id)
                report.removed.append(doc_id)
    if report.added or report.updated or report.removed or report.garbage_collected:
        # Save the lexical index of the new version now, so no reader has to build it.
        with store.reading() as version:
            now = store.committed()
        lexical.get(version, now, store.document_chunks)
    report.seconds = time.perf_counter() - started
    if progress:
        progress("done", total, total, "")
    return report


#: Passages per write batch: large enough for fast embedding and few Chroma round trips,
#: small enough that a batch's texts and vectors stay a few megabytes.
_BATCH_CHUNKS = 1024


@dataclass
class _Parsed:
    key: str
    document: Document
    chunks: list[Chunk]


def _parse_ahead(
    pool: ThreadPoolExecutor, files: list[Path], committed: dict[str, str], settings: Settings
) -> Iterator[tuple[str, _Parsed | str | None]]:
    """Parse files a few ahead of the consumer: (key, parsed | error message | None=unchanged)."""
    rules = LayoutRules.from_settings(settings)

    def parse(path: Path) -> _Parsed | str | None:
        key = str(path)
        try:
            sha = sha256_bytes(read_bytes(path))
            if committed.get(key) == document_version(sha):  # same bytes, read by the same code
                return None
            document = load_document(path, rules)
            return _Parsed(key, document, chunk_document(document, settings.max_chunk_chars))
        except DocumentError as exc:
            return exc.problem

    ahead: deque[tuple[str, Future[_Parsed | str | None]]] = deque()
    it = iter(files)
    for path in it:
        ahead.append((str(path), pool.submit(parse, path)))
        if len(ahead) >= 8:
            break
    while ahead:
        key, future = ahead.popleft()
        nxt = next(it, None)
        if nxt is not None:
            ahead.append((str(nxt), pool.submit(parse, nxt)))
        yield key, future.result()


def _write_batch(
    batch: list[_Parsed], store: ChunkStore, embedder: Embedder, lexical: LexicalCache, report: IngestReport,
    sentences: SentenceVectors | None = None,
) -> None:
    """Embed what is new (passages and sentences, one call), store the sentence vectors, save
    each document's tokens, then write all at once (the commit)."""
    hashes = [[content_hash(embedder.model_name, c.embed_text) for c in item.chunks] for item in batch]
    flat = [h for hs in hashes for h in hs]
    known = store.known_embeddings(flat)
    missing: dict[str, str] = {}
    for item, hs in zip(batch, hashes, strict=True):
        for chunk, h in zip(item.chunks, hs, strict=True):
            if h not in known:
                missing.setdefault(h, chunk.embed_text)
    new_sentences: dict[bytes, str] = {}
    if sentences is not None:
        texts = [t for item in batch for t in scoring_texts(item.chunks)]
        new_sentences = sentences.plan(texts)
        report.sentences_embedded += len(new_sentences)
        report.sentences_reused += len(set(texts)) - len(new_sentences)
    fresh = embedder.embed_array([*missing.values(), *new_sentences.values()])
    for h, vector in zip(missing, fresh[: len(missing)].tolist(), strict=True):
        known[h] = vector
    if sentences is not None:  # before the commit: vectors without passages are harmless
        sentences.save(list(new_sentences), fresh[len(missing) :])
    pending = []
    for item, hs in zip(batch, hashes, strict=True):
        lexical.save_tokens(DocTokens.from_chunks(item.document.doc_id, item.document.version, item.chunks))
        pending.append(PendingDocument(item.document, item.chunks, [known[h] for h in hs], hs))
        report.chunks_written += len(item.chunks)
    report.embedded += len(missing)
    report.reused_embeddings += len(flat) - len(missing)
    store.write_documents(pending)
