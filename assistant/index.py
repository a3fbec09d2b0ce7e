"""The vector store: the only module that imports chromadb.

Two collections live side by side. ``<name>`` holds the chunks (text, embedding, metadata);
``<name>_manifest`` holds one record per document version that is *committed*. Readers only
see chunks whose ``doc_sha`` is committed, which gives each document an all-or-nothing switch:

1. upsert the new versions' chunks (invisible: their sha is not in the manifest yet);
2. upsert the manifest records (one write: the commit point of every document in the batch);
3. delete the previous versions' chunks (already invisible).

A crash before 2 leaves the old versions; after 2, the new ones. Leftovers from a crash are
removed by :meth:`ChunkStore.collect_garbage`, which every ingest runs first. The same code
works against a persistent folder and a Chroma server.

Several processes may share one store (see :mod:`assistant.storelock`): every write happens
under the store's exclusive lock and announces a new index version; every read happens under
the shared lock after checking the version, reopening the Chroma client when another process
changed the store. The manifest is cached per version, so a question does not read it.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from .config import Settings
from .errors import ConfigurationError, NotFoundError, StoreError
from .records import chunk_from_record, chunk_to_metadata
from .schema import Chunk, Document, DocumentInfo
from .storelock import FolderVersion, StoreLock, new_version

_NONE = ""  # Chroma metadata cannot hold None
_VERSION_ID = "index-version"


@dataclass(frozen=True)
class PendingDocument:
    """One document ready to be written: its chunks, their vectors and embedding keys."""

    document: Document
    chunks: Sequence[Chunk]
    embeddings: Sequence[Sequence[float]]
    content_hashes: Sequence[str]


class ChunkStore:
    """Chunks and the manifest of committed documents, in Chroma."""

    def __init__(self, settings: Settings, model_name: str) -> None:
        self.settings = settings
        self.model_name = model_name
        self._client: Any = None
        self._collection: Any = None
        self._manifest: Any = None
        self._versions: Any = None
        self._opened_version: str | None = None
        self._manifest_cache: tuple[str, dict[str, DocumentInfo]] | None = None
        self._count_cache: tuple[str, int] | None = None
        self._lock = threading.RLock()
        local = not settings.chroma_host
        self.lock = StoreLock(settings.store_dir if local else None)
        self._version_file = FolderVersion(settings.store_dir) if local else None

    # -- connection -----------------------------------------------------------------------
    def _connect(self, check_model: bool = True) -> None:
        with self._lock:
            if self._collection is not None:
                return
            try:
                import chromadb
                from chromadb.config import Settings as ChromaSettings
            except ImportError:  # pragma: no cover - core dependency
                raise StoreError("chromadb is not installed: pip install chromadb") from None
            chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
            version = self._read_version_file()
            try:
                if self.settings.chroma_host:
                    client = chromadb.HttpClient(
                        host=self.settings.chroma_host,
                        port=self.settings.chroma_port,
                        settings=chroma_settings,
                    )
                    client.heartbeat()
                else:
                    if self._opened_version is not None and not (self.settings.store_dir / "chroma.sqlite3").is_file():
                        raise StoreError(
                            f"the store at {self.settings.store_location} was removed or damaged while "
                            "open; run `assistant ingest --rebuild` and restart"
                        )
                    self.settings.store_dir.mkdir(parents=True, exist_ok=True)
                    client = chromadb.PersistentClient(
                        path=str(self.settings.store_dir), settings=chroma_settings
                    )
                name = self.settings.collection
                chunks = client.get_or_create_collection(
                    name,
                    embedding_function=None,
                    configuration={"hnsw": {"space": "cosine", "ef_search": self.settings.dense_search_ef}},
                    metadata={"embedding_model": self.model_name},
                )
                manifest = client.get_or_create_collection(
                    f"{name}_manifest", embedding_function=None
                )
                versions = (
                    client.get_or_create_collection(f"{name}_version", embedding_function=None)
                    if self.settings.chroma_host else None
                )
            except StoreError:
                raise
            except Exception as exc:  # chromadb raises many unrelated types
                raise StoreError(
                    f"cannot open the vector store at {self.settings.store_location}: {exc}. "
                    "Check ASSISTANT_STORE_DIR, or that `chroma run` is up for "
                    "ASSISTANT_CHROMA_HOST/PORT."
                ) from None
            stored_model = (chunks.metadata or {}).get("embedding_model")
            if check_model and stored_model and stored_model != self.model_name and chunks.count():
                raise ConfigurationError(
                    f"the index at {self.settings.store_location} was built with "
                    f"'{stored_model}', not '{self.model_name}'. Use the same model, another "
                    "ASSISTANT_COLLECTION, or `assistant ingest --rebuild`."
                )
            self._client, self._collection, self._manifest, self._versions = client, chunks, manifest, versions
            self._opened_version = version if versions is None else self._server_version()

    def _server_version(self) -> str:
        res = self._versions.get(ids=[_VERSION_ID], include=["metadatas"])
        return str(res["metadatas"][0].get("version", "")) if res["ids"] else ""

    def _reopen(self) -> None:
        """Drop the client so the next use opens a fresh one that sees other processes' writes.

        Chroma caches one in-memory system per folder; without clearing that cache a "new"
        client would be the same stale one.
        """
        with self._lock:
            if self.settings.chroma_host:
                # another client may have dropped and recreated the collections (`ingest
                # --rebuild`): handles to the old ones would fail, so fetch them anew
                self._client = self._collection = self._manifest = self._versions = None
                return
            from chromadb.api.shared_system_client import SharedSystemClient

            SharedSystemClient.clear_system_cache()
            self._client = self._collection = self._manifest = self._versions = None

    @property
    def collection(self) -> Any:
        """The Chroma collection that holds the chunks (text, embedding, metadata)."""
        self._connect()
        return self._collection

    @property
    def manifest(self) -> Any:
        self._connect()
        return self._manifest

    def _batch_size(self) -> int:
        try:
            return max(1, min(int(self._client.get_max_batch_size()), 5000))
        except Exception:
            return 500

    # -- versions and locking ---------------------------------------------------------------
    def _read_version_file(self) -> str:
        return self._version_file.read() if self._version_file is not None else ""

    def version(self) -> str:
        """The current index version; it changes with every commit or removal, in any process."""
        if self._version_file is not None:
            return self._version_file.read()
        self._connect()
        try:
            return self._server_version()
        except Exception as exc:
            raise StoreError(f"cannot read the index version from {self.settings.store_location}: {exc}") from None

    def _bump_version(self) -> None:
        if self._version_file is not None:
            self._opened_version = self._version_file.bump()
        else:
            bumped = new_version(self.version())
            self._versions.upsert(ids=[_VERSION_ID], embeddings=[[1.0]], metadatas=[{"version": bumped}])
            self._opened_version = bumped

    def _refresh(self) -> str:
        """Reopen the client if another process changed the store since it was opened."""
        if self._version_file is None:  # a Chroma server: the version lives in a collection
            version = self.version()
            if self._collection is not None and version != self._opened_version:
                self._reopen()
                self._connect()
            return version
        version = self._read_version_file()
        if self._collection is not None and version != self._opened_version:
            self._reopen()
        self._connect()
        return version

    @contextmanager
    def reading(self) -> Iterator[str]:
        """Hold the shared lock on a store that reflects the latest version; yields the version."""
        with self.lock.shared():
            yield self._refresh()

    @contextmanager
    def writing(self) -> Iterator[None]:
        """Hold the exclusive lock; the version is bumped before anything changes, so a writer
        killed half-way still makes every reader reopen."""
        with self.lock.exclusive(), self._lock:
            self._refresh()
            self._bump_version()
            self._manifest_cache = self._count_cache = None
            try:
                yield
            finally:  # anything read meanwhile saw the store half-changed
                self._manifest_cache = self._count_cache = None

    def _set_search_breadth(self) -> None:
        """Give a collection made before ``dense_search_ef`` existed (or under another value)
        the configured search breadth. Chroma keeps it per collection and a process reads it
        when it opens the collection, so it is set by an ingest holding the lock, and takes
        effect for every process that opens the store afterwards."""
        self._connect()
        hnsw = (getattr(self._collection, "configuration_json", None) or {}).get("hnsw") or {}
        if hnsw.get("ef_search", self.settings.dense_search_ef) != self.settings.dense_search_ef:
            self._collection.modify(configuration={"hnsw": {"ef_search": self.settings.dense_search_ef}})

    def check(self) -> dict[str, int]:
        """Documents and chunks, read fresh; raises StoreError when the index is broken."""
        if self._version_file is not None and self._opened_version is not None:
            folder = self.settings.store_dir
            sqlite = folder / "chroma.sqlite3"
            if not sqlite.is_file():
                raise StoreError(f"the store at {self.settings.store_location} is missing its database")
            with open(sqlite, "rb") as fh:
                if fh.read(16) != b"SQLite format 3\x00":
                    raise StoreError(f"the store database at {self.settings.store_location} is damaged")
        try:
            with self.reading() as version:
                docs = self._manifest_for(version)
                return {"documents": len(docs), "chunks": int(self.collection.count())}
        except StoreError:
            raise
        except Exception as exc:
            raise StoreError(f"the vector store at {self.settings.store_location} is unusable: {exc}") from None

    # -- manifest ---------------------------------------------------------------------------
    def _manifest_for(self, version: str) -> dict[str, DocumentInfo]:
        """Committed documents by doc_id, read once per index version."""
        cached = self._manifest_cache
        if cached is not None and cached[0] == version and version:
            return cached[1]
        records = self.manifest.get(include=["metadatas"])
        docs = {info.doc_id: info for info in (_info(m) for m in records["metadatas"] or [])}
        self._manifest_cache = (version, docs)
        return docs

    def _count_for(self, version: str) -> int:
        """Stored chunks (committed or not), counted once per index version."""
        cached = self._count_cache
        if cached is not None and cached[0] == version and version:
            return cached[1]
        total = int(self.collection.count())
        self._count_cache = (version, total)
        return total

    def documents(self) -> list[DocumentInfo]:
        with self.reading() as version:
            infos = list(self._manifest_for(version).values())
        return sorted(infos, key=lambda d: (d.title.lower(), d.path))

    def committed(self) -> dict[str, str]:
        """doc_id -> committed version (the file's sha256 and the parser's version)."""
        with self.reading() as version:
            return {d.doc_id: d.version for d in self._manifest_for(version).values()}

    def document(self, doc_id: str) -> DocumentInfo:
        with self.reading() as version:
            info = self._manifest_for(version).get(doc_id)
        if info is None:
            raise NotFoundError(f"no indexed document '{doc_id}'; see `assistant status`")
        return info

    # -- writing ----------------------------------------------------------------------------
    def known_embeddings(self, content_hashes: Sequence[str]) -> dict[str, list[float]]:
        """Embeddings already stored for these content hashes (so they are not recomputed)."""
        found: dict[str, list[float]] = {}
        wanted = list(dict.fromkeys(content_hashes))
        with self.reading():
            if not self.collection.count():
                return found
            for i in range(0, len(wanted), 500):
                part = wanted[i : i + 500]
                res = self.collection.get(
                    where={"content_hash": {"$in": part}}, include=["metadatas", "embeddings"]
                )
                embeddings = res["embeddings"] if res["embeddings"] is not None else []
                for meta, emb in zip(res["metadatas"] or [], embeddings, strict=False):
                    found.setdefault(str(meta["content_hash"]), [float(x) for x in emb])
        return found

    def write_document(
        self,
        document: Document,
        chunks: Sequence[Chunk],
        embeddings: Sequence[Sequence[float]],
        content_hashes: Sequence[str],
    ) -> None:
        """Replace a document's committed version with this one, all or nothing."""
        self.write_documents([PendingDocument(document, chunks, embeddings, content_hashes)])

    def write_documents(self, batch: Sequence[PendingDocument]) -> None:
        """Replace several documents at once; each one is still all or nothing.

        One bulk chunk write, one manifest write (the commit point), one stale-chunk delete
        per document: far fewer round trips than writing documents one by one.
        """
        if not batch:
            return
        with self.writing():
            self._write_chunks(
                [c for p in batch for c in p.chunks],
                [e for p in batch for e in p.embeddings],
                [h for p in batch for h in p.content_hashes],
            )
            self._commit([(p.document, len(p.chunks)) for p in batch])
            for p in batch:
                self._delete_stale(p.document.doc_id, p.document.version)

    def _write_chunks(
        self, chunks: Sequence[Chunk], embeddings: Sequence[Sequence[float]], content_hashes: Sequence[str]
    ) -> None:
        """Step 1: store the new versions' chunks; readers cannot see them yet."""
        size = self._batch_size()
        for i in range(0, len(chunks), size):
            part = chunks[i : i + size]
            self.collection.upsert(
                ids=[c.id for c in part],
                documents=[c.text for c in part],
                embeddings=[list(e) for e in embeddings[i : i + size]],
                metadatas=[chunk_to_metadata(c, h) for c, h in zip(part, content_hashes[i : i + size], strict=True)],
            )

    def _commit(self, documents: Sequence[tuple[Document, int]]) -> None:
        """Step 2: one manifest write switches readers to the new versions."""
        self.manifest.upsert(
            ids=[_manifest_id(d.doc_id) for d, _ in documents],
            documents=[d.title for d, _ in documents],
            embeddings=[[1.0] for _ in documents],
            metadatas=[_manifest_meta(d, n) for d, n in documents],
        )

    def side_collection(self, name: str, configuration: dict[str, Any] | None = None) -> Any:
        """Another collection on this store's client (the sentence vectors on a Chroma server)."""
        self._connect()
        return self._client.get_or_create_collection(name, embedding_function=None, configuration=configuration)

    def drop_side_collection(self, name: str) -> None:
        with self.lock.exclusive(), self._lock:
            self._connect(check_model=False)
            try:
                self._client.delete_collection(name)
            except Exception:  # never created
                pass

    def remove_document(self, doc_id: str) -> DocumentInfo:
        with self.writing():
            info = self.document(doc_id)
            self.manifest.delete(ids=[_manifest_id(doc_id)])  # the commit point
            self.collection.delete(where={"doc_id": doc_id})
            return info

    def _delete_stale(self, doc_id: str, sha: str) -> None:
        """Step 3: drop the previous version's chunks (already invisible)."""
        self.collection.delete(where={"$and": [{"doc_id": doc_id}, {"doc_sha": {"$ne": sha}}]})

    def collect_garbage(self) -> int:
        """Delete chunks no committed document version owns (left by an interrupted ingest)."""
        with self.lock.exclusive(), self._lock:
            self._refresh()
            self._set_search_breadth()  # every ingest passes here, changed documents or not
            committed = {d.doc_id: d.version for d in self._manifest_for(self.version()).values()}
            before = self.collection.count()
            if before == sum(d.chunks for d in self._manifest_for(self.version()).values()):
                return 0  # nothing left over: skip the per-document deletes
            self._bump_version()
            self._manifest_cache = self._count_cache = None
            if committed:
                self.collection.delete(where={"doc_id": {"$nin": list(committed)}})
                for doc_id, sha in committed.items():
                    self._delete_stale(doc_id, sha)
            elif before:
                ids = self.collection.get(include=[])["ids"]
                for i in range(0, len(ids), 1000):
                    self.collection.delete(ids=ids[i : i + 1000])
            collected = before - self.collection.count()
            self._manifest_cache = self._count_cache = None
            return collected

    def reset(self) -> None:
        """Drop both collections (used by ``ingest --rebuild``, e.g. after a model change)."""
        with self.lock.exclusive(), self._lock:
            self._connect(check_model=False)
            self._bump_version()
            for name in (self.settings.collection, f"{self.settings.collection}_manifest"):
                try:
                    self._client.delete_collection(name)
                except Exception:
                    pass
            self._collection = self._manifest = None
            self._manifest_cache = self._count_cache = None

    # -- reading ----------------------------------------------------------------------------
    def visible_filter(self, where: dict[str, Any] | None = None) -> dict[str, Any] | None:
        """Combine a caller's filter with "committed versions only"; None when nothing is."""
        shas = sorted(set(self.committed().values()))
        if not shas:
            return None
        clauses = [{"doc_sha": {"$in": shas}}] + ([where] if where else [])
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}

    def nearest(
        self,
        embedding: Sequence[float],
        k: int,
        where: dict[str, Any] | None = None,
        accept: Callable[[Chunk], bool] | None = None,
        prefilter: dict[str, Any] | None = None,
    ) -> list[tuple[Chunk, float]]:
        """Nearest committed chunks with their cosine similarity (1 - distance).

        ``where`` is the Chroma form of the caller's filter and ``accept`` the same predicate
        in Python. A filter that keeps most of the corpus (the default: answerable kinds only)
        is slow in Chroma, which lists every matching id first; so with ``accept`` the query
        first runs with only the selective ``prefilter`` (or none), asks for extra results and
        keeps the committed ones that ``accept`` passes. Only when too few survive does it
        run again with the full filter in Chroma.
        """
        with self.reading() as version:
            committed = {d.doc_id: d.version for d in self._manifest_for(version).values()}
            if not committed:
                return []
            want = max(1, k)
            if accept is not None:
                total = self._count_for(version)
                fetch = min(total, max(want * 2, want + 16))
                out = self._query(embedding, fetch, prefilter, committed, accept)
                if len(out) >= want or fetch >= total:
                    return out[:want]
            clauses: list[dict[str, Any]] = [{"doc_sha": {"$in": sorted(set(committed.values()))}}]
            if where:
                clauses.append(where)
            full = clauses[0] if len(clauses) == 1 else {"$and": clauses}
            return self._query(embedding, want, full, committed, accept)[:want]

    def nearest_ids(self, embedding: Sequence[float], n: int) -> tuple[list[tuple[str, float]], int]:
        """Ids and cosine similarities of the ``n`` nearest chunks, committed or not, and how many
        chunks the collection holds. Only ids and distances are read: a caller that knows the
        passages by id (the saved lexical index does) skips Chroma's metadata and text reads,
        which cost more than the search itself."""
        with self.reading() as version:
            total = self._count_for(version)
            if not total:
                return [], 0
            res = self.collection.query(query_embeddings=[list(embedding)], n_results=min(n, total),
                                        include=["distances"])
        return [(cid, 1.0 - float(d)) for cid, d in zip(res["ids"][0], res["distances"][0], strict=True)], total

    def _query(
        self, embedding: Sequence[float], n: int, where: dict[str, Any] | None,
        committed: dict[str, str], accept: Any,
    ) -> list[tuple[Chunk, float]]:
        res = self.collection.query(
            query_embeddings=[list(embedding)],
            n_results=n,
            where=where,
            include=["documents", "metadatas", "distances"],
        )
        out = []
        for cid, text, meta, dist in zip(
            res["ids"][0], res["documents"][0], res["metadatas"][0], res["distances"][0], strict=True
        ):
            if committed.get(str(meta.get("doc_id"))) != meta.get("doc_sha"):
                continue
            chunk = chunk_from_record(cid, text, meta)
            if accept is not None and not accept(chunk):
                continue
            out.append((chunk, 1.0 - float(dist)))
        return out

    def all_chunks(self, where: dict[str, Any] | None = None) -> list[Chunk]:
        with self.reading():
            full = self.visible_filter(where)
            if full is None:
                return []
            res = self.collection.get(where=full, include=["documents", "metadatas"])
        chunks = [chunk_from_record(i, t, m) for i, t, m in zip(res["ids"], res["documents"], res["metadatas"], strict=True)]
        return sorted(chunks, key=lambda c: (c.doc_id, c.order))

    def document_chunks(self, doc_id: str, sha: str) -> list[Chunk]:
        """One committed document's chunks, in order (for derived indexes built lazily)."""
        with self.reading():
            res = self.collection.get(where={"$and": [{"doc_id": doc_id}, {"doc_sha": sha}]},
                                  include=["documents", "metadatas"])
        chunks = [chunk_from_record(i, t, m) for i, t, m in zip(res["ids"], res["documents"], res["metadatas"], strict=True)]
        return sorted(chunks, key=lambda c: c.order)

    def get_chunks(self, ids: Iterable[str]) -> list[Chunk]:
        """Chunks by id, in the order asked, committed versions only."""
        ids = list(dict.fromkeys(ids))
        if not ids:
            return []
        with self.reading() as version:
            committed = {d.doc_id: d.version for d in self._manifest_for(version).values()}
            res = self.collection.get(ids=ids, include=["documents", "metadatas"])
        found = {
            i: chunk_from_record(i, t, m)
            for i, t, m in zip(res["ids"], res["documents"], res["metadatas"], strict=True)
            if committed.get(str(m.get("doc_id"))) == m.get("doc_sha")
        }
        return [found[i] for i in ids if i in found]

    def count(self) -> int:
        with self.reading():
            return int(self.collection.count())


def content_hash(model_name: str, embed_text: str) -> str:
    """Key of an embedding: same model and same text give the same vector."""
    return hashlib.sha256(f"{model_name}\x00{embed_text}".encode()).hexdigest()


def _manifest_id(doc_id: str) -> str:
    return hashlib.sha256(doc_id.encode()).hexdigest()[:32]


def _manifest_meta(document: Document, n_chunks: int) -> dict[str, Any]:
    return {
        "doc_id": document.doc_id,
        "path": document.path,
        "title": document.title,
        "author": document.author or _NONE,
        "date": document.date or _NONE,
        "publisher": document.publisher or _NONE,
        "format": document.format,
        "sha256": document.sha256,
        "version": document.version,
        "chunks": n_chunks,
        "ingested_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def _info(meta: dict[str, Any]) -> DocumentInfo:
    return DocumentInfo(
        doc_id=str(meta["doc_id"]),
        path=str(meta["path"]),
        title=str(meta["title"]),
        author=str(meta.get("author") or "") or None,
        date=str(meta.get("date") or "") or None,
        publisher=str(meta.get("publisher") or "") or None,
        format=str(meta["format"]),
        sha256=str(meta["sha256"]),
        chunks=int(meta["chunks"]),
        # a manifest written before versions were kept: its chunks carry the bare sha256
        version=str(meta.get("version") or meta["sha256"]),
    )
