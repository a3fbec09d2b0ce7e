"""Sentence vectors computed at ingest, so that composing an answer embeds nothing per question.

The extractive composer scores every sentence of the retrieved passages by the cosine of its
vector with the question's (:meth:`~assistant.answering.ExtractiveComposer.score`). Embedding
those ~40 sentences on every question cost more than the retrieval itself. Instead, the ingest
embeds them once, in the same large model calls as the passages, and stores each vector keyed
by a hash of the exact text the composer embeds; the composer's embedder is then a
:class:`SentenceVectors` that looks the vectors up and embeds only what it does not find.

* **What is stored** is exactly what the composer embeds: :func:`scoring_texts` runs the
  composer's own :func:`~assistant.answering.candidates` and
  :func:`~assistant.answering.scoring_text` on the passages retrieval would make of the
  chunks (through the same stored-record round trip), so there is one definition of those texts.
* **Keys** are ``sha1(model, backend, text)``: the same text embedded by the same model always
  has the same vector, so a key is never stale. Re-ingesting unchanged text finds its key and
  embeds nothing; a changed composer that scores other texts simply misses and embeds them.
* **Misses never fail**: a store ingested by older code, a text not found, an unreadable store:
  the text is embedded as before (and kept in the embedder's query cache).
* **Consistency**: a batch's sentence vectors are written (one transaction) before the batch's
  passages are committed (see :mod:`assistant.index`), so a kill in between leaves vectors
  without passages, which is harmless; passages without vectors (older stores) fall back to
  embedding. Vectors are not owned by documents: removing or changing a document leaves its
  old sentences' vectors behind (orphans), which no question can be harmed by; their growth is
  bounded by the distinct text ever ingested, and ``assistant ingest --rebuild`` drops them.

Storage: a local store keeps them in one SQLite file beside Chroma's
(``<store_dir>/sentences/<collection>.v<FORMAT>.sqlite3``; WAL mode, so readers in other processes
read while an ingest writes); a 40-key lookup is a fraction of a millisecond and touches only
the pages it reads. Against a Chroma server (no shared folder) they live in a collection
``<collection>_sentences`` of that server, looked up by id.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from .answering import candidates, clause_texts, scoring_text
from .embeddings import Embedder
from .errors import StoreError
from .records import chunk_from_record, chunk_to_metadata, make_passages
from .schema import Chunk, ScoredChunk

#: Keys per SQL statement or Chroma request.
_PART = 500
#: In the file and collection names: a store written in another layout is simply not found
#: (every sentence a miss, embedded when asked) instead of being misread.
FORMAT = 1
#: The server's collection is only read by id, never searched: the cheapest graph Chroma allows.
_NEVER_SEARCHED: dict[str, Any] = {"hnsw": {"space": "ip", "ef_construction": 8, "max_neighbors": 4}}


def scoring_texts(chunks: Sequence[Chunk]) -> list[str]:
    """The texts the extractive composer embeds when these chunks are retrieved, in order.

    The composer's own :func:`~assistant.answering.candidates` and ``scoring_text`` applied to
    the passages retrieval makes of these chunks, after the same round trip through a stored
    record (so a metadata field that is "" here and None when read back cannot differ), then
    the clauses of the sentences that divide (:func:`~assistant.answering.clause_texts`).
    """
    stored = [chunk_from_record(c.id, c.text, chunk_to_metadata(c, "")) for c in chunks]
    passages = make_passages([ScoredChunk(c, 0.0) for c in stored])
    cands = candidates(passages)
    return [scoring_text(c) for c in cands] + [clause for c in cands for clause in clause_texts(c)]


class VectorStore(Protocol):
    """Where sentence vectors live: a map from key (20 bytes) to a float32 vector."""

    def get(self, keys: Sequence[bytes]) -> dict[bytes, np.ndarray]: ...

    def existing(self, keys: Sequence[bytes]) -> set[bytes]: ...

    def put(self, keys: Sequence[bytes], vectors: np.ndarray) -> None: ...

    def clear(self) -> None: ...

    def count(self) -> int: ...


def _row_id(key: bytes) -> int:
    """The SQLite rowid of a key (its first 8 bytes): one B-tree lookup, no separate index.
    The full key is stored and compared too, so two keys sharing a rowid only cost a miss."""
    return int.from_bytes(key[:8], "big", signed=True)


class SqliteVectors:
    """Sentence vectors in one SQLite file (a local store). Readers never create it.

    One row per key: ``id`` (the rowid, from the key), ``key`` (20 bytes) and ``vector``
    (float32 bytes). 8 KiB pages hold five rows each.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._conn: sqlite3.Connection | None = None
        self._pid = 0
        self._ready = False  # the table exists (checked once per connection that writes)
        self._lock = threading.Lock()

    def _connection(self, create: bool) -> sqlite3.Connection | None:
        """The open connection (one per process; reopened after a fork), or None when the file
        does not exist and ``create`` is false. Call with the lock held."""
        if self._conn is None or self._pid != os.getpid():
            if not create and not self.path.is_file():
                return None
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._conn = sqlite3.connect(self.path, timeout=60, check_same_thread=False)
            self._pid, self._ready = os.getpid(), False
        if create and not self._ready:
            self._conn.execute("PRAGMA page_size=8192")  # five rows a page; only applies to a new file
            self._conn.execute("PRAGMA journal_mode=WAL")  # readers read while an ingest writes
            self._conn.execute("PRAGMA synchronous=NORMAL")  # with WAL: never corrupt, may lose the last write
            self._conn.execute("CREATE TABLE IF NOT EXISTS vectors "
                               "(id INTEGER PRIMARY KEY, key BLOB NOT NULL, vector BLOB NOT NULL)")
            self._conn.commit()
            self._ready = True
        return self._conn

    def _select(self, keys: Sequence[bytes], columns: str) -> list[tuple[Any, ...]]:
        """Rows (key first) of the keys that are stored."""
        wanted = set(keys)
        rows: list[tuple[Any, ...]] = []
        with self._lock:
            try:
                conn = self._connection(create=False)
                if conn is None:
                    return rows
                for i in range(0, len(keys), _PART):
                    part = [_row_id(k) for k in keys[i : i + _PART]]
                    marks = ",".join("?" * len(part))
                    query = f"SELECT {columns} FROM vectors WHERE id IN ({marks})"
                    rows += conn.execute(query, part).fetchall()
            except sqlite3.Error:  # no table yet, a damaged file: every key is a miss
                self._conn = None
                return []
        return [row for row in rows if bytes(row[0]) in wanted]

    def get(self, keys: Sequence[bytes]) -> dict[bytes, np.ndarray]:
        return {bytes(k): np.frombuffer(v, dtype="<f4") for k, v in self._select(keys, "key, vector")}

    def existing(self, keys: Sequence[bytes]) -> set[bytes]:
        return {bytes(row[0]) for row in self._select(keys, "key")}

    def put(self, keys: Sequence[bytes], vectors: np.ndarray) -> None:
        data = np.ascontiguousarray(vectors, dtype="<f4")
        rows = sorted((_row_id(k), k, row.tobytes()) for k, row in zip(keys, data, strict=True))
        with self._lock:
            try:
                conn = self._connection(create=True)
                assert conn is not None
                with conn:  # one transaction: all of a batch's vectors or none
                    conn.executemany("INSERT OR IGNORE INTO vectors (id, key, vector) VALUES (?, ?, ?)", rows)
            except sqlite3.DatabaseError as exc:
                self._conn = None
                raise StoreError(f"cannot write the sentence vectors at {self.path}: {exc}. If the file "
                                 "is damaged, `assistant ingest --rebuild` replaces it.") from None

    def clear(self) -> None:
        """Drop every vector (``ingest --rebuild``); a damaged file is replaced."""
        if not self.path.is_file():
            return
        with self._lock:
            try:
                conn = self._connection(create=True)
                assert conn is not None
                with conn:
                    conn.execute("DELETE FROM vectors")
            except sqlite3.DatabaseError:  # not a database any more: start a new file
                self._conn = None
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{self.path}{suffix}").unlink(missing_ok=True)
                return
            try:
                conn.execute("VACUUM")
            except sqlite3.Error:  # another process is reading: the space is reused instead
                pass

    def count(self) -> int:
        with self._lock:
            try:
                conn = self._connection(create=False)
                return int(conn.execute("SELECT count(*) FROM vectors").fetchone()[0]) if conn else 0
            except sqlite3.Error:
                return 0


class ChromaVectors:
    """Sentence vectors in a collection of a Chroma server (no shared folder to hold a file)."""

    def __init__(self, open_collection: Callable[[], Any], drop_collection: Callable[[], None]) -> None:
        self._open = open_collection
        self._drop = drop_collection
        self._collection: Any = None

    @property
    def collection(self) -> Any:
        if self._collection is None:
            self._collection = self._open()
        return self._collection

    def _get(self, keys: Sequence[bytes], include: list[str]) -> list[tuple[bytes, Any]]:
        out: list[tuple[bytes, Any]] = []
        try:
            for i in range(0, len(keys), _PART):
                res = self.collection.get(ids=[k.hex() for k in keys[i : i + _PART]], include=include)
                vectors = res.get("embeddings")
                vectors = vectors if vectors is not None else [None] * len(res["ids"])
                out += [(bytes.fromhex(i), v) for i, v in zip(res["ids"], vectors, strict=True)]
        except Exception:  # the server or the collection is gone: misses, reopened next time
            self._collection = None
            return []
        return out

    def get(self, keys: Sequence[bytes]) -> dict[bytes, np.ndarray]:
        return {k: np.asarray(v, dtype=np.float32) for k, v in self._get(keys, ["embeddings"])}

    def existing(self, keys: Sequence[bytes]) -> set[bytes]:
        return {k for k, _ in self._get(keys, [])}

    def put(self, keys: Sequence[bytes], vectors: np.ndarray) -> None:
        for i in range(0, len(keys), _PART):
            self.collection.upsert(ids=[k.hex() for k in keys[i : i + _PART]],
                                   embeddings=np.asarray(vectors[i : i + _PART], dtype=np.float32))

    def clear(self) -> None:
        self._drop()
        self._collection = None

    def count(self) -> int:
        try:
            return int(self.collection.count())
        except Exception:
            self._collection = None
            return 0


def vector_store(settings: Any, chunk_store: Any) -> VectorStore:
    """The sentence-vector store of this collection: a file beside a local store, or a
    collection of the Chroma server."""
    if settings.chroma_host:
        name = f"{settings.collection}_sentences_v{FORMAT}"
        return ChromaVectors(lambda: chunk_store.side_collection(name, _NEVER_SEARCHED),
                             lambda: chunk_store.drop_side_collection(name))
    return SqliteVectors(Path(settings.store_dir) / "sentences" / f"{settings.collection}.v{FORMAT}.sqlite3")


class SentenceVectors:
    """The composer's embedder: stored sentence vectors, and the model for anything not stored.

    ``embed_query`` (the question) goes to the model; ``embed_queries`` (the candidate
    sentences) is looked up by key, and only the misses are embedded. ``misses`` counts the
    texts that were not found (for tests and benchmarks).
    """

    def __init__(self, embedder: Embedder, store: VectorStore) -> None:
        self.embedder = embedder
        self.store = store
        self.misses = 0
        self.lookups = 0

    def key(self, text: str) -> bytes:
        """Same model, same backend, same text: same vector."""
        spec = f"{self.embedder.model_name}\x00{self.embedder.backend}\x00{text}"
        return hashlib.sha1(spec.encode()).digest()

    def embed_query(self, text: str) -> list[float]:
        return self.embedder.embed_query(text)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """One row per text (float64, like the model's own vectors read as Python floats)."""
        if not texts:
            return np.zeros((0, 0))
        keys = [self.key(t) for t in texts]
        found = self.store.get(list(dict.fromkeys(keys)))
        missing = list(dict.fromkeys(t for t, k in zip(texts, keys, strict=True) if k not in found))
        self.lookups += len(texts)
        self.misses += len(missing)
        if missing:
            fresh = self.embedder.embed_queries(missing)
            found.update((self.key(t), np.asarray(v, dtype=np.float32))
                         for t, v in zip(missing, fresh, strict=True))
        return np.vstack([found[k] for k in keys]).astype(np.float64)

    def plan(self, texts: Sequence[str]) -> dict[bytes, str]:
        """Of these texts, the ones not stored yet, by key (each once): what an ingest embeds."""
        wanted = {self.key(t): t for t in texts}
        known = self.store.existing(list(wanted))
        return {k: t for k, t in wanted.items() if k not in known}

    def save(self, keys: Sequence[bytes], vectors: Sequence[Sequence[float]] | np.ndarray) -> None:
        if keys:
            self.store.put(keys, np.asarray(vectors, dtype=np.float32))
