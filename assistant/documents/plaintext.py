"""Plain text: blank lines separate paragraphs; bullet-marked lines are bullets."""

from __future__ import annotations

import re
from pathlib import Path

from ..schema import Block, Document
from ..text import iter_lines
from .common import make_block, title_from_path

_BULLET = re.compile(r"^(?P<indent>[ \t]*)(?:[•·▪◦‣*+-]|\d{1,3}[.)])[ \t\u00a0]+")


def parse_text(path: Path, text: str, sha: str) -> Document:
    blocks: list[Block] = []
    para_start: int | None = None
    para_end = 0
    title: str | None = None

    def flush() -> None:
        nonlocal para_start
        if para_start is not None:
            block = make_block(text, para_start, para_end, "paragraph")
            if block:
                blocks.append(block)
        para_start = None

    for s, e, line in iter_lines(text):
        if not line.strip():
            flush()
            continue
        if title is None:
            stripped = line.strip()
            if len(stripped) <= 150 and not stripped.endswith((".", "!", "?")):
                title = stripped
                block = make_block(text, s, e, "title")
                if block:
                    blocks.append(block)
                continue
            title = title_from_path(path)
        bullet = _BULLET.match(line)
        if bullet:
            flush()
            level = 1 + len(bullet.group("indent").expandtabs(4)) // 2
            block = make_block(text, s + bullet.end(), e, "bullet", (), level)
            if block:
                blocks.append(block)
            continue
        if para_start is None:
            para_start = s
        para_end = e
    flush()
    return Document(str(path), "text", text, sha, title or title_from_path(path), tuple(blocks))
