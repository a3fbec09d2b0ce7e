"""Blocks -> chunks that follow the document's structure.

One paragraph or bullet per chunk; a paragraph longer than ``max_chars`` is cut at sentence
boundaries. Chunk ids hash the document's path, its version and the span, so the same file always gives
the same ids and a new version never overwrites the chunks a reader may still be using.
"""

from __future__ import annotations

import hashlib

from .metadata_text import METADATA_KINDS, statement
from .schema import Block, Chunk, Document
from .text import sentence_spans

#: Block kinds that become chunks. Headings only name sections (they live in section paths);
#: a label bullet such as "Short-term" is folded into the section of the bullets under it.
#: Boilerplate (navigation, header lines, running headers, legal notices) and footnotes (source
#: references) are never chunked, so they can be neither retrieved nor quoted.
_CHUNKED_KINDS = {"publisher", "title", "byline", "dateline", "identifier", "paragraph", "bullet", "caption"}


def chunk_document(document: Document, max_chars: int = 700) -> list[Chunk]:
    chunks: list[Chunk] = []
    labels = _label_bullets(document.blocks)
    for block in document.blocks:
        if block.kind not in _CHUNKED_KINDS or block in labels:
            continue
        for start, end in _split(document.text, block, max_chars):
            chunks.append(_make_chunk(document, block, start, end, len(chunks)))
    return chunks


def _label_bullets(blocks: tuple[Block, ...]) -> set[Block]:
    """Bullets whose text became the section of the bullets after them."""
    return {
        b for b in blocks if b.kind == "bullet" and any(
            o.section and o.section[-1] == b.text and o.level > b.level for o in blocks
        )
    }


def _split(text: str, block: Block, max_chars: int) -> list[tuple[int, int]]:
    if block.end - block.start <= max_chars:
        return [(block.start, block.end)]
    pieces: list[tuple[int, int]] = []
    current: tuple[int, int] | None = None
    for s, e in sentence_spans(text, block.start, block.end):
        if current and e - current[0] > max_chars:
            pieces.append(current)
            current = None
        current = (current[0], e) if current else (s, e)
    if current:
        pieces.append(current)
    return pieces


def _make_chunk(document: Document, block: Block, start: int, end: int, order: int) -> Chunk:
    text = document.text[start:end]
    # The path is part of the id: two copies of one file are two documents with their own chunks.
    key = f"{document.doc_id}\x00{document.sha256}:{start}:{end}"
    chunk_id = hashlib.sha256(key.encode()).hexdigest()[:32]
    return Chunk(
        id=chunk_id,
        doc_id=document.doc_id,
        doc_sha=document.sha256,
        text=text,
        start=start,
        end=end,
        kind=block.kind,
        section=block.section,
        order=order,
        level=block.level,
        page=block.page,
        title=document.title,
        author=document.author,
        date=document.date,
        publisher=document.publisher,
        embed_text=_embed_text(document, block, text),
    )


def _embed_text(document: Document, block: Block, text: str) -> str:
    """What the model sees: a short context header, then the exact passage.

    Metadata lines are spelled out ("who wrote it and when") because a bare
    "Jane Roe | 5 March 2024" says nothing a question could match.
    """
    if block.kind in METADATA_KINDS:
        return f"{document.title}. {statement(block.kind, text, document.author, document.date, document.publisher, document.title)}"
    header = document.title
    if block.section:
        header += " — " + " > ".join(block.section)
    return f"{header}\n{text}"
