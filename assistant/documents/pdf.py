"""PDF: text per page with the page number kept on every block.

pypdf gives lines, not paragraphs; a paragraph ends at a blank line or at a short line that
closes a sentence. The canonical text is the extracted text, pages separated by a form feed.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

from ..errors import DocumentError
from ..schema import Block, Document
from .common import make_block, parse_date, title_from_path

_END = re.compile(r"[.!?:…\"”’)]$")


def parse_pdf(path: Path, data: bytes, sha: str) -> Document:
    try:
        from pypdf import PdfReader
        from pypdf.errors import PdfReadError
    except ImportError:  # pragma: no cover - pypdf is a core dependency
        raise DocumentError(path, "reading PDF needs pypdf: pip install pypdf") from None
    try:
        reader = PdfReader(io.BytesIO(data))
        pages = [(page.extract_text() or "") for page in reader.pages]
        info = reader.metadata or {}
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        raise DocumentError(path, f"is not a readable PDF ({exc})") from None
    text_parts: list[str] = []
    blocks: list[Block] = []
    offset = 0
    for number, page_text in enumerate(pages, start=1):
        lines = [line.rstrip() for line in page_text.replace("\r\n", "\n").split("\n")]
        page = "\n".join(lines).strip("\n")
        if text_parts:
            text_parts.append("\f")
            offset += 1
        blocks.extend(_page_blocks(page, offset, number))
        text_parts.append(page)
        offset += len(page)
    text = "".join(text_parts)
    if not text.strip():
        raise DocumentError(path, "has no extractable text (a scanned PDF needs OCR first)")
    blocks = [Block(b.kind, text[b.start:b.end], b.start, b.end, b.section, b.level, b.page) for b in blocks]
    title = str(info.get("/Title") or "").strip() or None
    if title is None and blocks and len(blocks[0].text) < 150:
        first = blocks[0]
        blocks[0] = Block("title", first.text, first.start, first.end, (), 0, first.page)
        title = first.text
    return Document(
        str(path),
        "pdf",
        text,
        sha,
        title or title_from_path(path),
        tuple(blocks),
        author=str(info.get("/Author") or "").strip() or None,
        date=_pdf_date(info.get("/CreationDate")),
    )


def _page_blocks(page: str, base: int, number: int) -> list[Block]:
    lines = page.split("\n")
    widths = sorted(len(line) for line in lines if line.strip())
    typical = widths[int(len(widths) * 0.8)] if widths else 0
    blocks: list[Block] = []
    pos = 0
    start: int | None = None
    for line in lines:
        end = pos + len(line)
        if line.strip():
            if start is None:
                start = pos
            closes = _END.search(line.strip()) and len(line) < 0.85 * typical
            if closes:
                blocks.append(_block(page, start, end, base, number))
                start = None
        elif start is not None:
            blocks.append(_block(page, start, pos, base, number))
            start = None
        pos = end + 1
    if start is not None:
        blocks.append(_block(page, start, len(page), base, number))
    return [b for b in blocks if b is not None]


def _block(page: str, start: int, end: int, base: int, number: int) -> Block | None:
    block = make_block(page, start, end, "paragraph", (), 0, number)
    if block is None:
        return None
    return Block(block.kind, block.text, block.start + base, block.end + base, (), 0, number)


def _pdf_date(value: object) -> str | None:
    """PDF dates look like D:20240711093000Z; keep the calendar date."""
    match = re.match(r"(?:D:)?(\d{4})(\d{2})(\d{2})", str(value or ""))
    return parse_date("-".join(match.groups())) if match else None
