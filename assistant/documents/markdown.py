"""Markdown: headings give the section path; paragraphs and list items become blocks.

Spans come from markdown-it's source line maps, so quotes keep the author's own characters
(inline emphasis included) rather than a rendering of them.
"""

from __future__ import annotations

import re
from pathlib import Path

from markdown_it import MarkdownIt

from ..schema import Block, Document
from .common import make_block, parse_date, title_from_path

_FRONT_MATTER = re.compile(r"\A---\s*\n(?P<body>.*?)\n---\s*\n", re.DOTALL)
_LIST_MARK = re.compile(r"[ \t]*(?:[*+-]|\d{1,9}[.)])[ \t]+(?:\[[ xX]\][ \t]+)?")
_QUOTE_MARK = re.compile(r"^[ \t]*(?:>[ \t]?)+")
_HEADING_MARK = re.compile(r"^[ \t]*#{1,6}[ \t]*|[ \t]+#+[ \t]*$")


def _line_offsets(text: str) -> list[int]:
    """Start offset of each line as markdown-it counts lines (only CR, LF and CRLF break them)."""
    offsets = [0] + [m.end() for m in re.finditer(r"\r\n?|\n", text)]
    return offsets + [len(text)]


def parse_markdown(path: Path, text: str, sha: str) -> Document:
    meta: dict[str, str] = {}
    if front := _FRONT_MATTER.match(text):
        for line in front.group("body").splitlines():
            key, _, value = line.partition(":")
            if value.strip():
                meta[key.strip().lower()] = value.strip().strip("\"'")
    offsets = _line_offsets(text)
    source = text
    if front:  # blank the front matter out (keeping offsets) so it is not parsed as a heading
        source = re.sub(r"[^\r\n]", " ", text[: front.end()]) + text[front.end():]
    tokens = MarkdownIt("commonmark").parse(source)
    blocks: list[Block] = []
    headings: list[tuple[int, str]] = []
    list_depth = 0
    title = meta.get("title")
    for i, tok in enumerate(tokens):
        if tok.type in ("bullet_list_open", "ordered_list_open"):
            list_depth += 1
        elif tok.type in ("bullet_list_close", "ordered_list_close"):
            list_depth -= 1
        elif tok.type == "heading_open" and tok.map:
            level = int(tok.tag[1])
            s, e = offsets[tok.map[0]], offsets[tok.map[0] + 1]
            line = text[s:e].rstrip("\r\n")
            if re.match(r"^[ \t]*#", line):
                inner = _HEADING_MARK.sub("", line)
                s = s + line.find(inner) if inner else s
                e = s + len(inner)
            else:  # setext heading: the text line above the underline
                e = s + len(line)
            block = make_block(text, s, e, "heading")
            if block is None:
                continue
            headings = [h for h in headings if h[0] < level] + [(level, block.text)]
            if title is None and level == 1:
                title = block.text
                blocks.append(Block("title", block.text, block.start, block.end))
            else:
                blocks.append(block)
        elif tok.type in ("paragraph_open", "code_block", "fence") and tok.map:
            section = tuple(h for _, h in headings if h != title)
            s, e = offsets[tok.map[0]], offsets[tok.map[1]]
            first_line_end = offsets[tok.map[0] + 1]
            in_item = list_depth > 0 and i > 0 and tokens[i - 1].type == "list_item_open"
            if in_item and (mark := _LIST_MARK.match(text, s, first_line_end)):
                s = mark.end()
            elif quote := _QUOTE_MARK.match(text[s:first_line_end]):
                s += quote.end()
            kind = "bullet" if list_depth > 0 else "paragraph"
            block = make_block(text, s, e, kind, section, list_depth)
            if block:
                blocks.append(block)
    return Document(
        str(path),
        "markdown",
        text,
        sha,
        title or title_from_path(path),
        tuple(blocks),
        author=meta.get("author"),
        date=parse_date(meta.get("date")),
        publisher=meta.get("publisher"),
    )
