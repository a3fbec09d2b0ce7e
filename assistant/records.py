"""Chunks to and from the other shapes they take: Chroma records, passages, LangChain documents.

A chunk's source fields (document, chunk id, title, author, date, section, span) are written
out here and nowhere else, so the store, the answer and a LangChain chain can never disagree
about where a piece of text comes from. :func:`date_int` is the one date encoding that the
stored metadata and the retrieval filters both use: if they differed, date filters would
silently drop or keep the wrong passages.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from langchain_core.documents import Document as LCDocument

from .schema import Chunk, Passage, ScoredChunk

_NONE = ""  # Chroma metadata cannot hold None
_NO_PAGE = -1
SECTION_SEPARATOR = " > "


def date_int(value: str | None) -> int:
    """An ISO date (or datetime) as the integer YYYYMMDD; 0 when there is none."""
    return int(value[:10].replace("-", "")) if value else 0


def lineage_fields(chunk: Chunk) -> dict[str, Any]:
    """The :class:`~assistant.schema.Lineage` fields of a chunk."""
    return {
        "chunk_id": chunk.id, "doc_id": chunk.doc_id, "title": chunk.title, "author": chunk.author,
        "date": chunk.date, "publisher": chunk.publisher, "section": chunk.section_path,
        "start": chunk.start, "end": chunk.end, "page": chunk.page,
    }


# -- Chroma -------------------------------------------------------------------------------------
def chunk_to_metadata(chunk: Chunk, content_hash: str) -> dict[str, Any]:
    """The Chroma metadata of a chunk (None becomes "" or -1; Chroma cannot store it)."""
    return {
        "doc_id": chunk.doc_id,
        "doc_sha": chunk.doc_sha,
        "start": chunk.start,
        "end": chunk.end,
        "kind": chunk.kind,
        "section": SECTION_SEPARATOR.join(chunk.section),
        "section_top": chunk.section[0] if chunk.section else _NONE,
        "order": chunk.order,
        "level": chunk.level,
        "page": chunk.page if chunk.page is not None else _NO_PAGE,
        "title": chunk.title,
        "author": chunk.author or _NONE,
        "date": chunk.date or _NONE,
        "date_int": date_int(chunk.date),
        "publisher": chunk.publisher or _NONE,
        "content_hash": content_hash,
    }


def chunk_from_record(chunk_id: str, text: str, meta: dict[str, Any]) -> Chunk:
    """The chunk a Chroma record (id, document text, metadata) stores."""
    page = int(meta.get("page", _NO_PAGE))
    return Chunk(
        id=chunk_id,
        doc_id=str(meta["doc_id"]),
        doc_sha=str(meta["doc_sha"]),
        text=text,
        start=int(meta["start"]),
        end=int(meta["end"]),
        kind=str(meta["kind"]),
        section=tuple(s for s in str(meta.get("section", "")).split(SECTION_SEPARATOR) if s),
        order=int(meta["order"]),
        level=int(meta.get("level", 0)),
        page=page if page >= 0 else None,
        title=str(meta.get("title", "")),
        author=_optional(meta.get("author")),
        date=_optional(meta.get("date")),
        publisher=_optional(meta.get("publisher")),
    )


def _optional(value: Any) -> str | None:
    return str(value or "") or None


# -- what leaves the process --------------------------------------------------------------------
def make_passages(results: Sequence[ScoredChunk]) -> list[Passage]:
    """Retrieved chunks as numbered passages; marker [n] cites passage ``n`` (1-based)."""
    return [
        Passage(number=n, **lineage_fields(item.chunk), kind=item.chunk.kind, text=item.chunk.text,
                score=round(float(item.score), 6))
        for n, item in enumerate(results, start=1)
    ]


def to_langchain(item: ScoredChunk) -> LCDocument:
    """A retrieved chunk as a LangChain ``Document`` (lineage and scores in its metadata)."""
    chunk = item.chunk
    metadata = {**lineage_fields(chunk), "kind": chunk.kind, "score": item.score,
                "dense_score": item.dense_score, "lexical_score": item.lexical_score}
    return LCDocument(page_content=chunk.text, id=chunk.id, metadata=metadata)
