"""Parser for articles laid out like the Bloomsbury Intelligence & Security Institute exports.

The layout: a publisher line, "View Original", the title, an "Author | date" byline, image
placeholders and credits, a "Summary" of bullets, body paragraphs, and a "Forecast" whose
bullets nest (a label bullet such as "Short-term" opens a subsection for the deeper ones).
"""

from __future__ import annotations

import re
from pathlib import Path

from ..schema import Block, Document
from ..text import iter_lines
from .common import make_block, parse_date

_BULLET = re.compile(r"^(?P<indent>[ \t]*)(?P<mark>[•·▪◦‣*-])[ \t\u00a0]+")
_BYLINE = re.compile(r"^(?P<author>[^|]{2,120}?)\s*\|\s*(?P<date>.{6,40}?)\s*$")
_KNOWN_HEADINGS = {"summary", "forecast", "analysis", "background", "assessment", "outlook"}
#: An image placeholder or credit line, by its shape: "See the map in the original post", a
#: "Source(s):" or "Credit:" label, a photo/image word, a licence, a handle, "via", or the
#: "<owner> / <library>" form of a credit.
_CAPTION_HINTS = re.compile(
    r"^see (this|the) .{0,40}(in the original post|original)|^(?:image\s+)?(?:sources?|credits?|photo)\s*:"
    r"|\b(?:photo|image|photograph)\b|creative commons|\bcc[ -]by\b|©|(?:^|\s)@\w|\bvia\b|/",
    re.IGNORECASE,
)
_BOILERPLATE = {"view original", "read more", "share", "print"}


def looks_like_bisi(text: str) -> bool:
    """True for the BISI layout: a "View Original" line and an "Author | date" byline near the top."""
    head = [line.strip() for line in text.splitlines()[:15] if line.strip()]
    has_view = any(line.lower() == "view original" for line in head)
    has_byline = any(
        (m := _BYLINE.match(line)) and parse_date(m.group("date")) for line in head
    )
    return has_view and has_byline


def _is_sentence(line: str) -> bool:
    return bool(re.search(r"[.!?…:;\"”’)]\s*$", line.rstrip()))


def parse_bisi(path: Path, text: str, sha: str) -> Document:
    lines = [(s, e, line) for s, e, line in iter_lines(text)]
    blocks: list[Block] = []
    title = author = date = publisher = None
    section: tuple[str, ...] = ()
    label_level: int | None = None  # level of the bullet that opened the current subsection

    def add(block: Block | None) -> None:
        if block is not None:
            blocks.append(block)

    content = [(s, e, line) for s, e, line in lines if line.strip()]
    for idx, (s, e, line) in enumerate(content):
        stripped = line.strip()
        lowered = stripped.lower()
        if publisher is None and idx == 0:
            publisher = stripped
            add(make_block(text, s, e, "publisher"))
            continue
        if lowered in _BOILERPLATE:
            add(make_block(text, s, e, "boilerplate", section))
            continue
        if title is None:
            title = stripped
            add(make_block(text, s, e, "title"))
            continue
        if author is None and (m := _BYLINE.match(stripped)) and parse_date(m.group("date")):
            author, date = m.group("author").strip(), parse_date(m.group("date"))
            add(make_block(text, s, e, "byline"))
            continue
        bullet = _BULLET.match(line)
        if bullet:
            indent = len(bullet.group("indent").expandtabs(2))
            level = max(1, indent // 2)
            if label_level is not None and level <= label_level:
                section, label_level = section[:1], None
            body_start = s + bullet.end()
            nxt = content[idx + 1][2] if idx + 1 < len(content) else ""
            nxt_bullet = _BULLET.match(nxt)
            deeper_follows = bool(nxt_bullet) and len(nxt_bullet.group("indent")) > len(
                bullet.group("indent")
            )
            add(make_block(text, body_start, e, "bullet", section, level))
            if deeper_follows and not _is_sentence(stripped) and len(stripped) < 60:
                label = text[body_start:e].strip()
                section, label_level = section[:1] + (label,), level
            continue
        label_level = None
        if lowered in _KNOWN_HEADINGS or (
            len(stripped) < 40 and not _is_sentence(stripped) and not _CAPTION_HINTS.search(stripped)
            and stripped[:1].isupper() and len(stripped.split()) <= 5
        ):
            section = (stripped,)
            add(make_block(text, s, e, "heading", ()))
            continue
        if not _is_sentence(stripped) and len(stripped) < 120 and _CAPTION_HINTS.search(stripped):
            add(make_block(text, s, e, "caption", section))
            continue
        if section and section[0].lower() == "summary" and not bullet:
            section = ()  # the summary ends where prose starts
        add(make_block(text, s, e, "paragraph", section))
    return Document(
        path=str(path),
        format="bisi",
        text=text,
        sha256=sha,
        title=title or path.stem,
        blocks=tuple(blocks),
        author=author,
        date=date,
        publisher=publisher,
    )
