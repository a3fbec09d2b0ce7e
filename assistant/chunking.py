"""Blocks -> chunks that follow the document's structure.

One paragraph or bullet per chunk; a paragraph longer than ``max_chars`` is cut at sentence
boundaries. Chunk ids hash the document's path, its version and the span, so the same file always gives
the same ids and a new version never overwrites the chunks a reader may still be using.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re

from .metadata_text import METADATA_KINDS, statement
from .schema import Block, Chunk, Document
from .text import sentence_spans

#: Block kinds that become chunks. Headings only name sections (they live in section paths);
#: a label bullet such as "Short-term" is folded into the section of the bullets under it.
#: Boilerplate (navigation, header lines, running headers, legal notices) is never chunked, so it
#: can be neither retrieved nor quoted; of a footnote, only what it explains is (see _note_parts).
_CHUNKED_KINDS = {
    "publisher", "title", "byline", "dateline", "identifier", "field", "paragraph", "bullet", "caption", "footnote"}


#: The number a footnote opens with ("10. ", "10 ").
_NOTE_NUMBER = re.compile(r"\s*\d{1,3}\.?\s+")
#: A web address, which makes a footnote's sentence a source reference.
_WEB_ADDRESS = re.compile(r"(?:https?|ftp)://|www\.")


def chunk_document(document: Document, max_chars: int = 700) -> list[Chunk]:
    chunks: list[Chunk] = []
    labels = _label_bullets(document.blocks)
    for block in document.blocks:
        if block.kind not in _CHUNKED_KINDS or block in labels:
            continue
        parts = _note_parts(document.text, block) if block.kind == "footnote" else [block]
        for part in parts:
            for start, end in _split(document.text, part, max_chars):
                chunks.append(_make_chunk(document, part, start, end, len(chunks)))
    return chunks


def _note_parts(text: str, note: Block) -> list[Block]:
    """The parts of a footnote that say something: its runs of sentences without a web address.

    A note such as "10. A gabion is a wire cage filled with stones." explains a term of the text
    and answers a question about it; "5. <Outlet>, "<Headline>," April 7, 2026, https://..." only
    says where a statement came from, and its headline, indexed, would answer questions the
    document never addresses. The note's number is no part of either.
    """
    marker = _NOTE_NUMBER.match(text, note.start, note.end)
    start = marker.end() if marker is not None and marker.end() < note.end else note.start
    runs: list[tuple[int, int]] = []
    joined = False  # whether the next plain sentence continues the last run
    for s, e in sentence_spans(text, start, note.end):
        if _WEB_ADDRESS.search(text, s, e):
            joined = False
        elif joined:
            runs[-1] = (runs[-1][0], e)
        else:
            runs.append((s, e))
            joined = True
    return [dataclasses.replace(note, start=s, end=e, text=text[s:e]) for s, e in runs]


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
    key = f"{document.doc_id}\x00{document.version}:{start}:{end}"
    chunk_id = hashlib.sha256(key.encode()).hexdigest()[:32]
    return Chunk(
        id=chunk_id,
        doc_id=document.doc_id,
        doc_sha=document.version,
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
