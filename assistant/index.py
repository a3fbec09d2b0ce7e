"""The vector store: the only module that imports chromadb.

Two collections live side by side. ``<name>`` holds the chunks (text, embedding, metadata);
``<name>_manifest`` holds one record per document version that is *committed*. Readers only
see chunks whose ``doc_sha`` is committed, which gives each document an all-or-nothing switch:

1. upsert the new version's chunks (invisible: their sha is not in the manifest yet);
2. upsert the manifest record (one record, one write: the commit point);
3. delete the previous version's chunks (already invisible).

A crash before 2 leaves the old version; after 2, the new one. Leftovers from a crash are
removed by :meth:`ChunkStore.collect_garbage`, which every ingest runs first. The same code
works against a persistent folder and a Chroma server.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from .config import Settings
from .errors import ConfigurationError, NotFoundError, StoreError
from .schema import Chunk, Document, DocumentInfo

_NONE = ""  # Chroma metadata cannot hold None


class ChunkStore:
    """Chunks and the manifest of committed documents, in Chroma."""

    def __init__(self, settings: Settings, model_name: str, dimension: int | None = None) -> None:
        self.settings = settings
        self.model_name = model_name
        self.dimension = dimension
        self._client: Any = None
        self._chunks: Any = None
        self._manifest: Any = None
        self._lock = threading.RLock()

    # -- connection -----------------------------------------------------------------------
    def _connect(self, check_model: bool = True) -> None:
        with self._lock:
            if self._chunks is not None:
                return
            try:
                import chromadb
                from chromadb.config import Settings as ChromaSettings
            except ImportError:  # pragma: no cover - core dependency
                raise StoreError("chromadb is not installed: pip install chromadb") from None
            chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
            try:
                if self.settings.chroma_host:
                    client = chromadb.HttpClient(
                        host=self.settings.chroma_host,
                        port=self.settings.chroma_port,
                        settings=chroma_settings,
                    )
                    client.heartbeat()
                else:
                    self.settings.store_dir.mkdir(parents=True, exist_ok=True)
                    client = chromadb.PersistentClient(
                        path=str(self.settings.store_dir), settings=chroma_settings
                    )
                name = self.settings.collection
                chunks = client.get_or_create_collection(
                    name,
                    embedding_function=None,
                    configuration={"hnsw": {"space": "cosine"}},
                    metadata={"embedding_model": self.model_name},
                )
                manifest = client.get_or_create_collection(
                    f"{name}_manifest", embedding_function=None
                )
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
            self._client, self._chunks, self._manifest = client, chunks, manifest

    @property
    def chunks(self) -> Any:
        self._connect()
        return self._chunks

    @property
    def manifest(self) -> Any:
        self._connect()
        return self._manifest

    def _batch_size(self) -> int:
        try:
            return max(1, min(int(self._client.get_max_batch_size()), 1000))
        except Exception:
            return 500

    # -- manifest ---------------------------------------------------------------------------
    def documents(self) -> list[DocumentInfo]:
        records = self.manifest.get(include=["metadatas"])
        infos = [_info(m) for m in records["metadatas"] or []]
        return sorted(infos, key=lambda d: (d.title.lower(), d.path))

    def committed(self) -> dict[str, str]:
        """doc_id -> committed sha256."""
        return {d.doc_id: d.sha256 for d in self.documents()}

    def document(self, doc_id: str) -> DocumentInfo:
        records = self.manifest.get(ids=[_manifest_id(doc_id)], include=["metadatas"])
        if not records["ids"]:
            raise NotFoundError(f"no indexed document '{doc_id}'; see `assistant status`")
        return _info(records["metadatas"][0])

    # -- writing ----------------------------------------------------------------------------
    def known_embeddings(self, content_hashes: Sequence[str]) -> dict[str, list[float]]:
        """Embeddings already stored for these content hashes (so they are not recomputed)."""
        found: dict[str, list[float]] = {}
        wanted = list(dict.fromkeys(content_hashes))
        for i in range(0, len(wanted), 500):
            part = wanted[i : i + 500]
            res = self.chunks.get(
                where={"content_hash": {"$in": part}}, include=["metadatas", "embeddings"]
            )
            for meta, emb in zip(res["metadatas"] or [], res["embeddings"] if res["embeddings"] is not None else [], strict=False):
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
        with self._lock:
            self._write_chunks(chunks, embeddings, content_hashes)
            self._commit(document, len(chunks))
            self._delete_stale(document.doc_id, document.sha256)

    def _write_chunks(
        self, chunks: Sequence[Chunk], embeddings: Sequence[Sequence[float]], content_hashes: Sequence[str]
    ) -> None:
        """Step 1: store the new version's chunks; readers cannot see them yet."""
        size = self._batch_size()
        for i in range(0, len(chunks), size):
            part = chunks[i : i + size]
            self.chunks.upsert(
                ids=[c.id for c in part],
                documents=[c.text for c in part],
                embeddings=[list(e) for e in embeddings[i : i + size]],
                metadatas=[_chunk_meta(c, h) for c, h in zip(part, content_hashes[i : i + size], strict=True)],
            )

    def _commit(self, document: Document, n_chunks: int) -> None:
        """Step 2: one manifest record switches readers to the new version."""
        self.manifest.upsert(
            ids=[_manifest_id(document.doc_id)],
            documents=[document.title],
            embeddings=[[1.0]],
            metadatas=[_manifest_meta(document, n_chunks)],
        )

    def remove_document(self, doc_id: str) -> DocumentInfo:
        with self._lock:
            info = self.document(doc_id)
            self.manifest.delete(ids=[_manifest_id(doc_id)])  # the commit point
            self.chunks.delete(where={"doc_id": doc_id})
            return info

    def _delete_stale(self, doc_id: str, sha: str) -> None:
        """Step 3: drop the previous version's chunks (already invisible)."""
        self.chunks.delete(where={"$and": [{"doc_id": doc_id}, {"doc_sha": {"$ne": sha}}]})

    def collect_garbage(self) -> int:
        """Delete chunks no committed document version owns (left by an interrupted ingest)."""
        with self._lock:
            committed = self.committed()
            before = self.chunks.count()
            if committed:
                self.chunks.delete(where={"doc_id": {"$nin": list(committed)}})
                for doc_id, sha in committed.items():
                    self._delete_stale(doc_id, sha)
            elif before:
                ids = self.chunks.get(include=[])["ids"]
                for i in range(0, len(ids), 1000):
                    self.chunks.delete(ids=ids[i : i + 1000])
            return before - self.chunks.count()

    def reset(self) -> None:
        """Drop both collections (used by ``ingest --rebuild``, e.g. after a model change)."""
        with self._lock:
            self._connect(check_model=False)
            for name in (self.settings.collection, f"{self.settings.collection}_manifest"):
                try:
                    self._client.delete_collection(name)
                except Exception:
                    pass
            self._chunks = self._manifest = None

    # -- reading ----------------------------------------------------------------------------
    def visible_filter(self, where: dict[str, Any] | None = None) -> dict[str, Any] | None:
        """Combine a caller's filter with "committed versions only"; None when nothing is."""
        shas = sorted(set(self.committed().values()))
        if not shas:
            return None
        clauses = [{"doc_sha": {"$in": shas}}] + ([where] if where else [])
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}

    def search(
        self, embedding: Sequence[float], k: int, where: dict[str, Any] | None = None
    ) -> list[tuple[Chunk, float]]:
        """Nearest committed chunks with their cosine similarity (1 - distance)."""
        full = self.visible_filter(where)
        if full is None:
            return []
        res = self.chunks.query(
            query_embeddings=[list(embedding)],
            n_results=max(1, k),
            where=full,
            include=["documents", "metadatas", "distances"],
        )
        out = []
        for cid, text, meta, dist in zip(
            res["ids"][0], res["documents"][0], res["metadatas"][0], res["distances"][0], strict=True
        ):
            out.append((_chunk(cid, text, meta), 1.0 - float(dist)))
        return out

    def all_chunks(self, where: dict[str, Any] | None = None) -> list[Chunk]:
        full = self.visible_filter(where)
        if full is None:
            return []
        res = self.chunks.get(where=full, include=["documents", "metadatas"])
        chunks = [_chunk(i, t, m) for i, t, m in zip(res["ids"], res["documents"], res["metadatas"], strict=True)]
        return sorted(chunks, key=lambda c: (c.doc_id, c.order))

    def get_chunks(self, ids: Iterable[str]) -> list[Chunk]:
        ids = list(ids)
        if not ids:
            return []
        res = self.chunks.get(ids=ids, include=["documents", "metadatas"])
        return [_chunk(i, t, m) for i, t, m in zip(res["ids"], res["documents"], res["metadatas"], strict=True)]

    def embeddings_for(self, ids: Sequence[str]) -> dict[str, list[float]]:
        if not ids:
            return {}
        res = self.chunks.get(ids=list(ids), include=["embeddings"])
        return {i: [float(x) for x in e] for i, e in zip(res["ids"], res["embeddings"], strict=True)}

    def fingerprint(self) -> str:
        """Changes whenever the set of committed documents changes (for derived indexes)."""
        committed = sorted(self.committed().items())
        return hashlib.sha256(json.dumps(committed).encode()).hexdigest()[:16]

    def count(self) -> int:
        return int(self.chunks.count())


def content_hash(model_name: str, embed_text: str) -> str:
    """Key of an embedding: same model and same text give the same vector."""
    return hashlib.sha256(f"{model_name}\x00{embed_text}".encode()).hexdigest()


def _manifest_id(doc_id: str) -> str:
    return hashlib.sha256(doc_id.encode()).hexdigest()[:32]


def _chunk_meta(chunk: Chunk, chash: str) -> dict[str, Any]:
    date = chunk.date or ""
    return {
        "doc_id": chunk.doc_id,
        "doc_sha": chunk.doc_sha,
        "start": chunk.start,
        "end": chunk.end,
        "kind": chunk.kind,
        "section": " > ".join(chunk.section),
        "section_top": chunk.section[0] if chunk.section else "",
        "order": chunk.order,
        "level": chunk.level,
        "page": chunk.page if chunk.page is not None else -1,
        "title": chunk.title,
        "author": chunk.author or _NONE,
        "date": date,
        "date_int": int(date.replace("-", "")) if date else 0,
        "publisher": chunk.publisher or _NONE,
        "content_hash": chash,
    }


def _chunk(cid: str, text: str, meta: dict[str, Any]) -> Chunk:
    section = tuple(s for s in str(meta.get("section", "")).split(" > ") if s)
    page = int(meta.get("page", -1))
    return Chunk(
        id=cid,
        doc_id=str(meta["doc_id"]),
        doc_sha=str(meta["doc_sha"]),
        text=text,
        start=int(meta["start"]),
        end=int(meta["end"]),
        kind=str(meta["kind"]),
        section=section,
        order=int(meta["order"]),
        level=int(meta.get("level", 0)),
        page=page if page >= 0 else None,
        title=str(meta.get("title", "")),
        author=str(meta.get("author") or "") or None,
        date=str(meta.get("date") or "") or None,
        publisher=str(meta.get("publisher") or "") or None,
    )


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
    )
