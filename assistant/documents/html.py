"""HTML: the article's main text with its headings; scripts, styles and navigation dropped.

The canonical text of an HTML document is the extracted text (blocks joined by blank
lines), because the markup itself is not what an analyst reads or quotes.
"""

from __future__ import annotations

import re
from pathlib import Path

from bs4 import BeautifulSoup, Tag

from ..schema import Block, Document
from .common import parse_date, title_from_path

_DROP = ["script", "style", "noscript", "template", "svg", "nav", "footer", "header", "aside",
         "form", "iframe", "button", "input", "select", "textarea"]
_BLOCK_TAGS = ["h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "figcaption", "blockquote", "pre",
               "dt", "dd", "td", "th"]
_SPACE = re.compile(r"\s+")


def _meta(soup: BeautifulSoup, *names: str) -> str | None:
    for name in names:
        tag = soup.find("meta", attrs={"name": name}) or soup.find("meta", attrs={"property": name})
        if isinstance(tag, Tag) and tag.get("content"):
            return str(tag["content"]).strip()
    return None


def _own_text(item: Tag) -> str:
    """A list item's text without its nested lists (those are items of their own)."""
    parts = []
    for text in item.find_all(string=True):
        nested = text.find_parent(["ul", "ol"])
        if nested is not None and item in nested.parents:
            continue
        parts.append(str(text))
    return " ".join(parts)


def parse_html(path: Path, raw: str, sha: str) -> Document:
    soup = BeautifulSoup(raw, "html.parser")
    page_title = soup.title.get_text(" ", strip=True) if soup.title else None
    author = _meta(soup, "author", "article:author", "dc.creator")
    date = _meta(soup, "article:published_time", "date", "dc.date", "pubdate")
    if date is None and isinstance(time := soup.find("time"), Tag):
        date = str(time.get("datetime") or time.get_text(strip=True))
    publisher = _meta(soup, "og:site_name", "publisher")
    for tag in soup.find_all(_DROP):
        tag.decompose()
    root = soup.find("article") or soup.find("main") or soup.body or soup

    parts: list[str] = []
    blocks: list[Block] = []
    headings: list[tuple[int, str]] = []
    cursor = 0
    title: str | None = None
    for el in root.find_all(_BLOCK_TAGS):
        enclosing = el.find_parent(_BLOCK_TAGS)
        if enclosing is not None and enclosing.name != "li":
            continue  # text already collected with its enclosing block
        if el.name == "li" and el.find(["p"]):
            continue  # a loose list item: its paragraphs are collected themselves
        raw = _own_text(el) if el.name == "li" else el.get_text(" ", strip=True)
        content = _SPACE.sub(" ", raw).strip()
        if not content:
            continue
        section = tuple(h for _, h in headings if h != title)
        if el.name[0] == "h" and el.name[1:].isdigit():
            level = int(el.name[1:])
            if title is None and level == 1:
                title, kind = content, "title"
            else:
                kind = "heading"
            headings = [h for h in headings if h[0] < level] + [(level, content)]
            section = ()
        elif el.name == "li" or (enclosing is not None and enclosing.name == "li"):
            kind = "bullet"
        elif el.name == "figcaption":
            kind = "caption"
        else:
            kind = "paragraph"
        if parts:
            parts.append("\n\n")
            cursor += 2
        level = len(el.find_parents(["ul", "ol"])) if kind == "bullet" else 0
        blocks.append(Block(kind, content, cursor, cursor + len(content), section, level))  # type: ignore[arg-type]
        parts.append(content)
        cursor += len(content)
    return Document(
        str(path),
        "html",
        "".join(parts),
        sha,
        title or page_title or title_from_path(path),
        tuple(blocks),
        author=author,
        date=parse_date(date),
        publisher=publisher,
    )
